//! `:audit`: the local audit trail as a pane.

use crossterm::event::KeyCode;

use super::{ch, key, kratos_state, run, table};
use crate::app::audit_pane::{self, AuditLine, NOT_HERE};
use crate::app::provider::kratos;
use crate::app::state::Mode;
use crate::app::*;

/// The audit line a row shows.
fn entry(r: &Row) -> &audit_pane::fields::Entry {
    match &r.fields {
        Fields::AuditEntry(e) => e,
        other => panic!("not an audit line: {other:?}"),
    }
}

/// A fake trail of `n` lines (line `i` at byte `i * 100`), newest first, in pages.
fn answer_audit(effect: &Effect, n: usize) -> Option<Action> {
    let Effect::FetchPage {
        ticket,
        list: ListKind::Audit,
        cursor,
        size,
        ..
    } = effect
    else {
        return None;
    };
    let before = cursor.get::<usize>().copied().unwrap_or(n);
    let from = before.saturating_sub(*size);
    let rows = (from..before)
        .rev()
        .map(|i| {
            let line = if i == 3 {
                "{\"profile\": \"kratos\", \"outc".to_string()
            } else {
                format!(
                    r#"{{"time":"2026-05-01T12:00:{:02}.000Z","profile":"kratos","provider":"kratos","method":"DELETE","path":"/admin/sessions/s{i}","object":"s{i}","outcome":"applied","request_id":"req-{i}","actor":{{"fingerprint":"SHA256:k{i}","name":"key-{i}"}}}}"#,
                    i % 60
                )
            };
            audit_pane::row(i as u64 * 100, &AuditLine::Text(line))
        })
        .collect();
    Some(Action::PageLoaded {
        ticket: ticket.clone(),
        result: Ok(PageData {
            rows,
            next: (from > 0).then(|| PageCursor::wrap(from)),
            total: None,
        }),
    })
}

fn drive(state: &mut State, action: Action, n: usize) -> Vec<Effect> {
    let mut queue = update(state, action);
    let mut left = Vec::new();
    while let Some(e) = queue.pop() {
        match answer_audit(&e, n) {
            Some(reply) => queue.extend(update(state, reply)),
            None => left.push(e),
        }
    }
    left
}

fn command(state: &mut State, line: &str, n: usize) -> Vec<Effect> {
    drive(state, ch(':'), n);
    for c in line.chars() {
        drive(state, ch(c), n);
    }
    drive(state, key(KeyCode::Enter), n)
}

#[test]
fn audit_lists_the_trail_newest_first_and_enter_shows_a_whole_line() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    // Completion knows the command.
    run(&mut s, ch(':'), 30);
    run(&mut s, ch('a'), 30);
    run(&mut s, ch('u'), 30);
    run(&mut s, key(KeyCode::Tab), 30);
    assert!(matches!(&s.mode, Mode::Command(i) if i.text == "audit "));
    run(&mut s, key(KeyCode::Esc), 30);

    command(&mut s, "audit", 250);
    let t = table(&s);
    assert_eq!(*t.kind(), ListKind::Audit);
    assert_eq!(s.tab().unwrap().stack.len(), 2);
    let first = t.selected_row().unwrap();
    assert_eq!(entry(first).path, "/admin/sessions/s249", "newest first");
    assert_eq!(entry(first).request_id, "req-249");
    assert_eq!(entry(first).by, "key-249", "who made it");
    // Paged like any list: moving down reads older pages.
    for _ in 0..30 {
        drive(&mut s, key(KeyCode::PageDown), 250);
    }
    let t = table(&s);
    assert_eq!(t.selected(), 249);
    assert_eq!(t.known(), 250);
    assert!(!t.has_more());
    // The unreadable line is a row saying so; the pane still works.
    let bad = t.row(246).unwrap();
    assert!(
        entry(bad).path.starts_with("line does not parse"),
        "{bad:?}"
    );
    drive(&mut s, ch('g'), 250);
    drive(&mut s, key(KeyCode::Enter), 250);
    match s.focused() {
        Some(Pane::Detail(d)) => {
            assert_eq!(d.kind, ObjectKind::AuditEntry);
            let text: String = d.lines.iter().flatten().map(|(_, t)| t.as_str()).collect();
            for want in ["/admin/sessions/s249", "applied", "req-249", "kratos"] {
                assert!(text.contains(want), "{want} in {text}");
            }
        }
        other => panic!("{other:?}"),
    }
    drive(&mut s, key(KeyCode::Esc), 250);
    drive(&mut s, key(KeyCode::Esc), 250);
    assert_eq!(
        *table(&s).kind(),
        ListKind::Kratos(kratos::List::Identities)
    );
}

#[test]
fn changing_keys_say_they_do_not_apply_on_the_trail() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    command(&mut s, "audit", 20);
    for c in ['d', 'e', 'p', 'n', 'x', 'X', ' ', 'E'] {
        let effects = drive(&mut s, ch(c), 20);
        assert!(effects.is_empty(), "{c}: {effects:?}");
        assert_eq!(s.flash.as_deref(), Some(NOT_HERE), "{c}");
        assert!(matches!(s.mode, Mode::Normal), "{c}: {:?}", s.mode);
        assert!(s.editor.is_none(), "{c}");
        assert!(table(&s).marked().is_empty());
    }
    // Also on an opened line.
    drive(&mut s, key(KeyCode::Enter), 20);
    drive(&mut s, ch('d'), 20);
    assert_eq!(s.flash.as_deref(), Some(NOT_HERE));
    assert!(matches!(s.mode, Mode::Normal));
}

#[test]
fn r_on_the_trail_shows_new_lines_and_keeps_the_selected_line() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    command(&mut s, "audit", 50);
    drive(&mut s, ch('j'), 50);
    drive(&mut s, ch('j'), 50);
    let chosen = table(&s).selected_row().unwrap().id.clone();
    // Five changes were made meanwhile: five new lines at the top.
    drive(&mut s, ch('r'), 55);
    let t = table(&s);
    assert_eq!(entry(t.row(0).unwrap()).path, "/admin/sessions/s54");
    assert_eq!(t.selected_row().unwrap().id, chosen);
    assert_eq!(t.selected(), 7);
    // :audit again on the trail refreshes it rather than stacking another one.
    command(&mut s, "audit", 56);
    assert_eq!(s.tab().unwrap().stack.len(), 2);
    assert_eq!(entry(table(&s).row(0).unwrap()).path, "/admin/sessions/s55");
}
