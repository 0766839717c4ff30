//! The selection stays put: after `r`, a save, a revoke or a delete the same row (by id)
//! stays selected, or the next one when it is gone; the rows on screen stay until their
//! pages come back.

use crossterm::event::KeyCode;

use super::{answer, ch, identity, key, kratos_state, run, table};
use crate::app::provider::kratos;
use crate::app::state::Mode;
use crate::app::table::Table;
use crate::app::*;
use std::time::Duration;

/// A keyset-paginated fake server (like Kratos' `page_token`): the cursor is the last id
/// number of the previous page, so a removed row moves the rest of the list up.
#[derive(Clone, Copy, Debug)]
struct After(usize);

struct Keyset {
    /// The id numbers on the server, in order.
    ids: Vec<usize>,
}

impl Keyset {
    fn new(n: usize) -> Keyset {
        Keyset {
            ids: (0..n).collect(),
        }
    }

    fn remove(&mut self, n: usize) {
        self.ids.retain(|&i| i != n);
    }

    fn answer(&self, effect: &Effect) -> Option<(Action, Option<usize>)> {
        let Effect::FetchPage {
            ticket,
            cursor,
            size,
            ..
        } = effect
        else {
            return None;
        };
        let after = cursor.get::<After>().map(|a| a.0);
        let start = match after {
            Some(a) => self.ids.partition_point(|&i| i <= a),
            None => 0,
        };
        let end = (start + size).min(self.ids.len());
        let rows: Vec<Row> = self.ids[start..end].iter().map(|&i| identity(i)).collect();
        let next = (end < self.ids.len()).then(|| PageCursor::wrap(After(self.ids[end - 1])));
        Some((
            Action::PageLoaded {
                ticket: ticket.clone(),
                result: Ok(PageData {
                    rows,
                    next,
                    total: None,
                }),
            },
            after,
        ))
    }

    /// Run `action` and answer every page request; the `After` cursors asked for (`None`
    /// for the first page), in order.
    fn run(&self, state: &mut State, action: Action) -> Vec<Option<usize>> {
        let mut queue = update(state, action);
        let mut asked = Vec::new();
        while !queue.is_empty() {
            let effect = queue.remove(0);
            if let Some((reply, after)) = self.answer(&effect) {
                asked.push(after);
                queue.extend(update(state, reply));
            }
        }
        asked
    }
}

fn selected_id(state: &State) -> String {
    table(state)
        .selected_row()
        .expect("a selected row")
        .id
        .clone()
}

/// Move to row `index` with the keys a user would press (PageDown, then j).
fn go_to_row(state: &mut State, index: usize, serve: &mut dyn FnMut(&mut State, Action)) {
    let page = state.table_rows();
    for _ in 0..index / page {
        serve(state, key(KeyCode::PageDown));
    }
    for _ in 0..index % page {
        serve(state, ch('j'));
    }
    assert_eq!(table(state).selected(), index);
}

#[test]
fn r_at_row_437_of_1000_keeps_the_same_identity_and_refetches_only_the_visible_pages() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 1000);
    go_to_row(&mut s, 437, &mut |s, a| {
        run(s, a, 1000);
    });
    let before = selected_id(&s);
    assert_eq!(before, identity(437).id);
    let offset = table(&s).offset();

    let effects = update(&mut s, ch('r'));
    let offsets: Vec<usize> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchPage { cursor, .. } => Some(cursor.get::<usize>().copied().unwrap_or(0)),
            _ => None,
        })
        .collect();
    assert!(!offsets.is_empty(), "r fetches again");
    assert!(
        !offsets.contains(&0),
        "no first-page request to come back to row 437: {offsets:?}"
    );
    // Until the pages come back the old rows stay on screen: no flash to "loading…".
    let t = table(&s);
    assert!(t.is_refreshing());
    assert_eq!(t.selected_row().map(|r| r.id.clone()), Some(before.clone()));
    assert!((t.offset()..t.offset() + s.table_rows()).all(|i| t.row(i).is_some()));

    let mut queue = effects;
    while let Some(e) = queue.pop() {
        if let Some(reply) = answer(&e, 1000) {
            queue.extend(update(&mut s, reply));
        }
    }
    let t = table(&s);
    assert!(!t.is_refreshing());
    assert_eq!(selected_id(&s), before);
    assert_eq!(t.selected(), 437);
    assert_eq!(t.offset(), offset, "the screen did not scroll");
    assert!(!s.busy(), "{:?}", s.in_flight());
}

#[test]
fn a_deleted_selected_row_gives_way_to_the_next_one_after_the_change() {
    let mut server = Keyset::new(1000);
    let mut s = kratos_state();
    server.run(&mut s, Action::Resize(80, 24));
    go_to_row(&mut s, 437, &mut |s, a| {
        server.run(s, a);
    });
    let offset = table(&s).offset();
    // d, then the first 8 characters of the id: the delete is sent.
    server.run(&mut s, ch('d'));
    let short: String = identity(437).id.chars().take(8).collect();
    for c in short.chars() {
        server.run(&mut s, ch(c));
    }
    let sent = update(&mut s, key(KeyCode::Enter));
    let seq = sent
        .iter()
        .find_map(|e| match e {
            Effect::Mutate {
                seq,
                mutation: Mutation::Kratos(kratos::Change::DeleteIdentity { identity }),
                ..
            } if *identity == super::identity(437).id => Some(*seq),
            _ => None,
        })
        .expect("delete sent");
    server.remove(437);
    let asked = server.run(
        &mut s,
        Action::MutationDone {
            seq,
            result: Ok("done: delete identity".into()),
        },
    );
    assert!(!asked.contains(&None), "no first-page request: {asked:?}");
    assert_eq!(selected_id(&s), identity(438).id, "the next row");
    let t = table(&s);
    assert_eq!(t.selected(), 437);
    assert_eq!(t.offset(), offset);
    // The rows after it moved up by one: no gap, no duplicate.
    assert_eq!(t.row(436).unwrap().id, identity(436).id);
    let mut after = 0;
    for (i, row) in t.loaded_rows().filter(|(i, _)| *i >= 437) {
        assert_eq!(row.id, identity(i + 1).id, "row {i}");
        after += 1;
    }
    assert!(after >= s.table_rows(), "{after} rows checked");
}

#[test]
fn the_last_row_deleted_selects_the_new_last_row() {
    let mut server = Keyset::new(95);
    let mut s = kratos_state();
    server.run(&mut s, Action::Resize(80, 24));
    server.run(&mut s, ch('G'));
    assert_eq!(selected_id(&s), identity(94).id);
    server.remove(94);
    server.run(&mut s, ch('r'));
    let t = table(&s);
    assert_eq!(t.known(), 94);
    assert!(!t.has_more());
    assert_eq!(t.selected(), 93);
    assert_eq!(selected_id(&s), identity(93).id, "the new last row");
}

#[test]
fn a_row_removed_above_the_selection_keeps_the_same_row_selected_on_its_screen_line() {
    let mut server = Keyset::new(300);
    let mut s = kratos_state();
    server.run(&mut s, Action::Resize(80, 24));
    go_to_row(&mut s, 52, &mut |s, a| {
        server.run(s, a);
    });
    let (offset, line) = {
        let t = table(&s);
        (t.offset(), t.selected() - t.offset())
    };
    assert!(offset < 45, "row 45 is on screen (offset {offset})");
    server.remove(45);
    server.run(&mut s, ch('r'));
    let t = table(&s);
    assert_eq!(selected_id(&s), identity(52).id);
    assert_eq!(t.selected(), 51);
    assert_eq!(t.selected() - t.offset(), line, "same screen line");
    for i in t.offset()..t.offset() + s.table_rows() {
        let n = if i < 45 { i } else { i + 1 };
        assert_eq!(t.row(i).unwrap().id, identity(n).id, "row {i}");
    }
}

#[test]
fn refresh_keeps_a_search_and_a_filter_open() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    // A local filter, with its second match chosen.
    run(&mut s, ch('/'), 30);
    for c in "user1".chars() {
        run(&mut s, ch(c), 30);
    }
    run(&mut s, key(KeyCode::Down), 30);
    let chosen = selected_id(&s);
    run(&mut s, key(KeyCode::Enter), 30);
    // Enter with text on Kratos searches the server: that is the search case below.
    assert_eq!(table(&s).search(), Some("user1"));
    run(&mut s, key(KeyCode::Esc), 30);
    assert!(table(&s).search().is_none());

    // Filter only (no Enter): still open after r, same row chosen.
    run(&mut s, ch('/'), 30);
    for c in "user1".chars() {
        run(&mut s, ch(c), 30);
    }
    run(&mut s, key(KeyCode::Down), 30);
    let chosen_again = selected_id(&s);
    assert_eq!(chosen_again, chosen);
    s.mode = Mode::Normal;
    run(&mut s, ch('r'), 30);
    let f = table(&s).filter().cloned().expect("the filter stays");
    assert_eq!(f.query, "user1");
    assert_eq!(selected_id(&s), chosen);

    // A server search stays across r.
    s.focused_table_mut().unwrap().set_filter(None);
    run(&mut s, ch('/'), 30);
    for c in "user7@example.com".chars() {
        run(&mut s, ch(c), 30);
    }
    run(&mut s, key(KeyCode::Enter), 30);
    assert_eq!(table(&s).known(), 1);
    let effects = update(&mut s, ch('r'));
    assert!(effects.iter().any(
        |e| matches!(e, Effect::FetchPage { search: Some(q), .. } if q == "user7@example.com")
    ));
    for e in effects {
        if let Some(r) = answer(&e, 30) {
            update(&mut s, r);
        }
    }
    assert_eq!(table(&s).search(), Some("user7@example.com"));
    assert_eq!(selected_id(&s), identity(7).id);
}

#[test]
fn moving_while_a_refresh_is_under_way_is_not_undone_when_it_lands() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 200);
    go_to_row(&mut s, 30, &mut |s, a| {
        run(s, a, 200);
    });
    let effects = update(&mut s, ch('r'));
    // Two rows down before the answer.
    let mut queue = effects;
    queue.extend(update(&mut s, ch('j')));
    queue.extend(update(&mut s, ch('j')));
    while let Some(e) = queue.pop() {
        if let Some(reply) = answer(&e, 200) {
            queue.extend(update(&mut s, reply));
        }
    }
    assert_eq!(selected_id(&s), identity(32).id);
}

fn session(i: usize) -> Row {
    Row::new(
        format!("s{i}"),
        kratos::Session::default(),
        serde_json::json!({}),
    )
}

fn page(rows: Vec<Row>, next: Option<usize>) -> PageData {
    PageData {
        rows,
        next: next.map(PageCursor::wrap),
        total: None,
    }
}

#[test]
fn marks_of_rows_that_are_gone_are_dropped_and_the_others_kept() {
    let kind = ListKind::Kratos(kratos::List::Sessions {
        identity: "i".into(),
    });
    let mut t = Table::new(kind, 1, 10);
    assert_eq!(t.wants(19, Duration::ZERO).len(), 1);
    t.apply(0, page((0..5).map(session).collect(), None), 19);
    t.marks_mut().toggle("s1", "");
    t.marks_mut().toggle("s3", "");
    t.select(2, 19);
    t.refresh(2, 19);
    let wants = t.wants(19, Duration::ZERO);
    assert_eq!(wants.len(), 1);
    assert_eq!(wants[0].page, 0);
    // s1 was removed on the server meanwhile.
    t.apply(
        0,
        page([0, 2, 3, 4].into_iter().map(session).collect(), None),
        19,
    );
    assert_eq!(t.marked().ids().collect::<Vec<_>>(), vec!["s3"]);
    assert_eq!(t.selected_row().unwrap().id, "s2");
    assert_eq!(t.selected(), 1);
}

#[test]
fn a_failed_refresh_keeps_the_old_rows_and_r_tries_again() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 50);
    go_to_row(&mut s, 12, &mut |s, a| {
        run(s, a, 50);
    });
    let effects = update(&mut s, ch('r'));
    for e in effects {
        if let Effect::FetchPage { ticket, .. } = e {
            update(
                &mut s,
                Action::PageLoaded {
                    ticket,
                    result: Err(ErrorInfo::new("kratos 503: busy", "")),
                },
            );
        }
    }
    assert!(s.current_error().is_some());
    assert_eq!(selected_id(&s), identity(12).id, "old rows still shown");
    run(&mut s, ch('r'), 50);
    assert_eq!(selected_id(&s), identity(12).id);
    assert!(table(&s).failure().is_none());
    assert!(!s.busy());
}

#[test]
fn marked_sessions_are_unmarked_once_their_revocation_succeeded() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    run(&mut s, key(KeyCode::Enter), 30);
    run(&mut s, key(KeyCode::Tab), 30);
    assert!(matches!(
        table(&s).kind(),
        ListKind::Kratos(kratos::List::Sessions { .. })
    ));
    run(&mut s, ch(' '), 30);
    run(&mut s, ch(' '), 30);
    run(&mut s, ch(' '), 30);
    assert_eq!(table(&s).marked().len(), 3);
    run(&mut s, ch('x'), 30);
    run(&mut s, ch('3'), 30);
    let sent = update(&mut s, key(KeyCode::Enter));
    let seq = sent
        .iter()
        .find_map(|e| match e {
            Effect::Mutate {
                seq,
                mutation: Mutation::Kratos(kratos::Change::RevokeSessions { .. }),
                ..
            } => Some(*seq),
            _ => None,
        })
        .expect("revocation sent");
    let selected = selected_id(&s);
    run(
        &mut s,
        Action::MutationDone {
            seq,
            result: Ok("done: revoke 3 marked sessions".into()),
        },
        30,
    );
    assert!(table(&s).marked().is_empty(), "{:?}", table(&s).marked());
    assert_eq!(selected_id(&s), selected, "the selection stays put");
}
