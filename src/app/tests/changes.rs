//! `update` tests of changes: confirmations, editors, drafts, copy, errors, quitting.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::*;
use crate::app::Courses;
use crate::app::provider::{headless, kratos};

#[test]
fn errors_show_in_the_status_bar_and_details_open_on_demand() {
    let mut s = kratos_state();
    let effects = update(&mut s, Action::Resize(80, 24));
    let seq = match &effects[0] {
        Effect::FetchPage { ticket, .. } => ticket.clone(),
        other => panic!("{other:?}"),
    };
    update(
        &mut s,
        Action::PageLoaded {
            ticket: seq,
            result: Err(ErrorInfo::new(
                "kratos 503: unavailable",
                "status: 503\nrequest id: r1",
            )),
        },
    );
    assert_eq!(s.current_error().unwrap().line, "kratos 503: unavailable");
    assert!(s.error.is_none(), "kept on the page it belongs to");
    assert!(matches!(s.mode, Mode::Normal), "errors never block");
    // Enter on the failed, empty table opens the details.
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.mode, Mode::ErrorDetail { .. }));
    update(&mut s, key(KeyCode::Esc));
    // r retries.
    let effects = update(&mut s, ch('r'));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPage { .. }))
    );
}

#[test]
fn copy_keys_emit_osc52_effects_without_secrets() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    let e = update(&mut s, ch('y'));
    assert!(matches!(&e[..], [Effect::Copy { text, .. }] if *text == identity(0).id));
    let mut s = kratos_state();
    let effects = update(&mut s, Action::Resize(80, 24));
    let seq = match &effects[0] {
        Effect::FetchPage { ticket, .. } => ticket.clone(),
        _ => unreachable!(),
    };
    let secret = Row::new(
        "i1",
        kratos::Identity {
            name: "a@b".into(),
            ..Default::default()
        },
        json!({"id": "i1", "credentials": {"password": {"config": {"hashed_password": "$2a$SECRET"}}}}),
    );
    update(
        &mut s,
        Action::PageLoaded {
            ticket: seq,
            result: Ok(PageData {
                rows: vec![secret],
                next: None,
                total: None,
            }),
        },
    );
    let e = update(&mut s, ch('Y'));
    match &e[..] {
        [Effect::Copy { text, .. }] => {
            assert!(
                text.contains("\"i1\"") && !text.contains("$2a$SECRET"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn y_refuses_an_id_a_paste_could_act_on_and_shift_y_escapes_it() {
    let mut s = kratos_state();
    let effects = update(&mut s, Action::Resize(80, 24));
    let Effect::FetchPage { ticket, .. } = &effects[0] else {
        unreachable!()
    };
    let hostile = "ok-id\u{1b}[201~\rtouch PWNED\r";
    let row = Row::new(
        hostile,
        kratos::Identity {
            name: "a@b".into(),
            ..Default::default()
        },
        json!({"id": hostile, "traits": {"email": "a\u{200b}@b"}}),
    );
    let page = PageData {
        rows: vec![row],
        next: None,
        total: None,
    };
    update(
        &mut s,
        Action::PageLoaded {
            ticket: ticket.clone(),
            result: Ok(page),
        },
    );
    let e = update(&mut s, ch('y'));
    assert!(e.iter().all(|e| !matches!(e, Effect::Copy { .. })), "{e:?}");
    let line = s.error.as_ref().map(|e| e.line.clone()).unwrap_or_default();
    assert!(
        line.contains("not copied") && line.contains("⟨U+001B⟩"),
        "{line}"
    );

    let e = update(&mut s, ch('Y'));
    let [Effect::Copy { text, .. }] = &e[..] else {
        panic!("{e:?}")
    };
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && crate::sanitize::is_unsafe(c)),
        "{text}"
    );
    let back: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(back["id"], hostile, "the same document");
    assert_eq!(back["traits"]["email"], "a\u{200b}@b");
}

#[test]
fn revoking_a_session_asks_first_and_names_it() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    run(&mut s, key(KeyCode::Enter), 5);
    run(&mut s, key(KeyCode::Tab), 5); // Sessions pane (the fake answers identity rows)
    let session_id = table(&s).selected_row().unwrap().id.clone();
    let effects = update(&mut s, ch('x'));
    assert!(
        effects.iter().all(|e| !e.is_mutating()),
        "x must not act in one stroke"
    );
    match &s.mode {
        Mode::Confirm(c) => assert!(c.mutation.describe().contains(&session_id)),
        other => panic!("{other:?}"),
    }
    // Anything but y cancels.
    let effects = update(&mut s, ch('n'));
    assert!(effects.iter().all(|e| !e.is_mutating()));
    update(&mut s, ch('x'));
    let effects = update(&mut s, ch('y'));
    assert!(effects.iter().any(|e| matches!(e, Effect::Mutate { mutation: Mutation::Kratos(kratos::Change::RevokeSession { session }), .. } if *session == session_id)));
    // The change is out and its answer awaited.
    assert!(
        s.changes.keys().any(|seq| s.awaits(*seq)),
        "{:?}",
        s.changes
    );
}

#[test]
fn revoking_all_sessions_requires_typing_the_identity_prefix() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    update(&mut s, ch('X'));
    let expected: String = identity(0).id.chars().take(8).collect();
    for c in "nope".chars() {
        update(&mut s, ch(c));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(effects.iter().all(|e| !e.is_mutating()));
    assert!(matches!(s.mode, Mode::Confirm(_)));
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Backspace));
    }
    for c in expected.chars() {
        update(&mut s, ch(c));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Mutate {
            mutation: Mutation::Kratos(kratos::Change::RevokeAllSessions { .. }),
            ..
        }
    )));
}

#[test]
fn ctrl_c_and_q_quit() {
    let mut s = kratos_state();
    let e = update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(s.quit && e.iter().any(|e| matches!(e, Effect::Quit)));
    let mut s = kratos_state();
    update(&mut s, ch('q'));
    assert!(s.quit);
    let mut s = kratos_state();
    update(&mut s, Action::Terminate);
    assert!(s.quit);
}

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn mutate_seq(effects: &[Effect]) -> Option<(u64, Mutation)> {
    effects.iter().find_map(|e| match e {
        Effect::Mutate { seq, mutation, .. } => Some((*seq, mutation.clone())),
        _ => None,
    })
}

fn headless_state_with_user() -> State {
    let mut s = state_with(vec![profile("headless", Provider::Headless)]);
    let effects = update(&mut s, Action::Resize(80, 24));
    let users_seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchPage {
                ticket,
                list: ListKind::Headless(headless::List::Users { client: None }),
                ..
            } => Some(ticket.clone()),
            _ => None,
        })
        .expect("users page requested");
    update(&mut s, key(KeyCode::Tab)); // the Users pane
    let user = Row::new(
        "user-007",
        headless::User {
            name: "Hemi Walker".into(),
            client: "globex".into(),
            ..Default::default()
        },
        json!({"identifier": "user-007", "clientIdentifier": "globex"}),
    );
    update(
        &mut s,
        Action::PageLoaded {
            ticket: users_seq,
            result: Ok(PageData {
                rows: vec![user],
                next: None,
                total: None,
            }),
        },
    );
    s
}

#[test]
fn deleting_a_headless_user_asks_what_happens_to_their_courses() {
    let mut s = headless_state_with_user();
    update(&mut s, ch('d'));
    assert!(
        matches!(&s.mode, Mode::CourseChoice(c) if c.user == "user-007" && c.client.as_deref() == Some("globex"))
    );
    // r, then the receiving identifier.
    update(&mut s, ch('r'));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        mutate_seq(&effects).is_none(),
        "an empty identifier is not accepted"
    );
    for c in "user-008".chars() {
        update(&mut s, ch(c));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    match mutate_seq(&effects) {
        Some((
            _,
            Mutation::Headless(headless::Change::DeleteUser {
                user,
                client,
                courses,
            }),
        )) => {
            assert_eq!(user, "user-007");
            assert_eq!(client.as_deref(), Some("globex"));
            assert_eq!(courses, Courses::Reallocate("user-008".into()));
        }
        other => panic!("{other:?}"),
    }
    // Anything but r/d/i cancels.
    update(&mut s, ch('d'));
    let effects = update(&mut s, ch('x'));
    assert!(mutate_seq(&effects).is_none());
    assert!(matches!(s.mode, Mode::Normal));
}

#[test]
fn deleting_a_client_requires_typing_its_whole_identifier() {
    let mut s = state_with(vec![profile("headless", Provider::Headless)]);
    let effects = update(&mut s, Action::Resize(80, 24));
    let seq = match &effects[..] {
        [Effect::FetchPage { ticket, .. }, ..] => ticket.clone(),
        other => panic!("{other:?}"),
    };
    let client = Row::new(
        "acme-corp",
        headless::Client {
            name: "Acme".into(),
            ..Default::default()
        },
        json!({}),
    );
    update(
        &mut s,
        Action::PageLoaded {
            ticket: seq,
            result: Ok(PageData {
                rows: vec![client],
                next: None,
                total: None,
            }),
        },
    );
    update(&mut s, ch('d'));
    for c in "acme-cor".chars() {
        update(&mut s, ch(c));
    }
    assert!(
        mutate_seq(&update(&mut s, key(KeyCode::Enter))).is_none(),
        "a prefix is not enough"
    );
    update(&mut s, ch('p'));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(mutate_seq(&effects), Some((_, Mutation::Headless(headless::Change::DeleteClient { client }))) if client == "acme-corp")
    );
}

#[test]
fn marked_sessions_are_revoked_together_after_typing_their_count() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    // Identities are marked too (for a bulk change): space again unmarks.
    update(&mut s, ch(' '));
    assert_eq!(table(&s).marked().len(), 1);
    update(&mut s, key(KeyCode::Up));
    update(&mut s, ch(' '));
    assert!(table(&s).marked().is_empty());
    update(&mut s, key(KeyCode::Up));
    run(&mut s, key(KeyCode::Enter), 5);
    run(&mut s, key(KeyCode::Tab), 5); // Sessions (the fake answers identity rows)
    update(&mut s, ch(' '));
    update(&mut s, ch(' '));
    update(&mut s, ch(' '));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, ch(' ')); // unmark the third again
    assert_eq!(table(&s).marked().len(), 2);
    update(&mut s, ch('x'));
    match &s.mode {
        Mode::Confirm(c) => {
            assert_eq!(c.type_to_confirm.as_deref(), Some("2"));
            assert!(c.mutation.describe().contains("2 marked sessions"));
        }
        other => panic!("{other:?}"),
    }
    update(&mut s, ch('2'));
    let effects = update(&mut s, key(KeyCode::Enter));
    match mutate_seq(&effects) {
        Some((_, Mutation::Kratos(kratos::Change::RevokeSessions { sessions }))) => {
            assert_eq!(sessions, vec![identity(0).id, identity(1).id]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_delete_finishing_in_another_profile_leaves_the_active_profile_alone() {
    let mut s = state_with(vec![
        profile("a", Provider::Kratos),
        profile("b", Provider::Kratos),
    ]);
    run(&mut s, Action::Resize(80, 24), 30);
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, ch('d'));
    let mut effects = Vec::new();
    for c in "00000000".chars() {
        effects = update(&mut s, ch(c));
    }
    assert!(effects.is_empty());
    let effects = update(&mut s, key(KeyCode::Enter));
    let seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { seq, .. } => Some(*seq),
            _ => None,
        })
        .expect("the delete is sent");
    // While it is in flight the user moves to profile b and down its list.
    crate::app::navigate::switch_tab(&mut s, 1);
    run(&mut s, Action::Resize(80, 24), 30);
    run(&mut s, ch('j'), 30);
    run(&mut s, ch('j'), 30);
    let (uid, selected) = (table(&s).uid(), table(&s).selected());
    assert_eq!(selected, 2);
    update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Ok("done".into()),
        },
    );
    assert_eq!((table(&s).uid(), table(&s).selected()), (uid, selected));
    assert_eq!(
        s.tabs()[0].stack.len(),
        1,
        "profile a leaves the deleted object"
    );
}

#[test]
fn a_coassemble_user_is_edited_from_a_fresh_read_and_saved_whole_with_its_client() {
    let mut s = headless_state_with_user();
    let scoped = crate::app::model::scoped_user("user-007", Some("globex"));
    let stored = json!({
        "identifier": "user-007", "clientIdentifier": "globex", "name": "Hemi Walker",
        "avatar": null, "metadata": {"name": "Hemi Walker", "plan": "free", "team": "blue"}
    });
    let read = |effects: &[Effect]| {
        effects
            .iter()
            .find_map(|e| match e {
                Effect::FetchObject {
                    ticket, kind, id, ..
                } if *kind == ObjectKind::Headless(headless::Object::User) && *id == scoped => {
                    Some(ticket.clone())
                }
                _ => None,
            })
            .expect("the user of that client is read")
    };
    let effects = update(&mut s, ch('e'));
    let base = read(&effects);
    let key = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadDraft { key } => Some(key.clone()),
            _ => None,
        })
        .unwrap();
    let row = Row::new("user-007", headless::User::default(), stored.clone());
    update(
        &mut s,
        Action::ObjectLoaded {
            ticket: base,
            result: Ok(row.clone()),
        },
    );
    update(&mut s, Action::DraftLoaded { key, text: None });
    let session = s.editor.as_mut().expect("editor open");
    let shown: serde_json::Value =
        serde_json::from_str(&crate::editor::Editor::buffer(&session.editor).text()).unwrap();
    assert_eq!(
        shown,
        json!({"name": "Hemi Walker", "avatar": null, "metadata": {"plan": "free", "team": "blue"}}),
        "name and avatar once, the rest of the metadata under it"
    );
    let edited =
        r#"{"name": "Hemi Walker", "avatar": null, "metadata": {"plan": "pro", "team": "blue"}}"#;
    match &mut session.editor {
        crate::app::editing::EditorBox::Json(e) => e.restore_draft(edited),
        crate::app::editing::EditorBox::Patch(_) => panic!("a JSON editor"),
    }
    let effects = update(&mut s, ctrl('s'));
    let check = read(&effects);
    let effects = update(
        &mut s,
        Action::ObjectLoaded {
            ticket: check,
            result: Ok(row),
        },
    );
    let sent = mutate_seq(&effects).expect("sent after the check").1;
    assert_eq!(
        sent,
        Mutation::Headless(headless::Change::UpdateUser {
            user: "user-007".into(),
            client: Some("globex".into()),
            body: json!({"name": "Hemi Walker", "avatar": null,
                         "metadata": {"plan": "pro", "team": "blue"}}),
        }),
        "the whole metadata goes, so untouched keys stay whether the server merges or replaces"
    );
}

#[test]
fn a_coassemble_user_document_must_keep_its_shape() {
    let mut s = headless_state_with_user();
    let effects = update(&mut s, ch('e'));
    let (base, key) = effects
        .iter()
        .fold((None, String::new()), |acc, e| match e {
            Effect::FetchObject { ticket, .. } => (Some(ticket.clone()), acc.1),
            Effect::LoadDraft { key } => (acc.0, key.clone()),
            _ => acc,
        });
    let row = Row::new(
        "user-007",
        headless::User::default(),
        json!({"identifier": "user-007", "metadata": {}}),
    );
    update(
        &mut s,
        Action::ObjectLoaded {
            ticket: base.expect("the editor reads its base"),
            result: Ok(row),
        },
    );
    update(&mut s, Action::DraftLoaded { key, text: None });
    let session = s.editor.as_mut().unwrap();
    if let crate::app::editing::EditorBox::Json(e) = &mut session.editor {
        e.restore_draft(r#"{"name": 7, "metadata": {}}"#);
    }
    let effects = update(&mut s, ctrl('s'));
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::FetchObject { .. } | Effect::Mutate { .. }))
    );
    let error = crate::editor::Editor::buffer(&s.editor.as_ref().unwrap().editor)
        .error()
        .map(str::to_string)
        .unwrap_or_default();
    assert!(error.contains("name must be a string or null"), "{error}");
}

#[test]
fn ctrl_z_suspends_from_a_list_and_from_an_editor() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    let ctrl_z = Action::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL));
    let effects = update(&mut s, ctrl_z.clone());
    assert!(effects.iter().any(|e| matches!(e, Effect::Suspend)));
    update(&mut s, ch('e'));
    assert!(s.editor.is_some());
    let effects = update(&mut s, ctrl_z);
    assert!(effects.iter().any(|e| matches!(e, Effect::Suspend)));
    assert!(
        s.editor.is_some(),
        "the editor is still there after resuming"
    );
}
