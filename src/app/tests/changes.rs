//! `update` tests of changes: confirmations, editors, drafts, copy, errors, quitting.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::*;
use crate::app::Courses;
use crate::app::state::Pending;
use crate::editor::Editor;

#[test]
fn errors_show_in_the_status_bar_and_details_open_on_demand() {
    let mut s = kratos_state();
    let effects = update(&mut s, Action::Resize(80, 24));
    let seq = match &effects[0] {
        Effect::FetchPage { seq, .. } => *seq,
        other => panic!("{other:?}"),
    };
    update(
        &mut s,
        Action::PageLoaded {
            seq,
            result: Err(ErrorInfo::new(
                "kratos 503: unavailable",
                "status: 503\nrequest id: r1",
            )),
        },
    );
    assert_eq!(s.error.as_ref().unwrap().line, "kratos 503: unavailable");
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
        Effect::FetchPage { seq, .. } => *seq,
        _ => unreachable!(),
    };
    let secret = Row::new(
        "i1",
        vec!["i1".into(), "a@b".into()],
        json!({"id": "i1", "credentials": {"password": {"config": {"hashed_password": "$2a$SECRET"}}}}),
    );
    update(
        &mut s,
        Action::PageLoaded {
            seq,
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
    assert!(effects.iter().any(|e| matches!(e, Effect::Mutate { mutation: Mutation::RevokeSession { session }, .. } if *session == session_id)));
    assert!(
        s.pending
            .values()
            .any(|p| matches!(p, Pending::Mutation { .. }))
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
            mutation: Mutation::RevokeAllSessions { .. },
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

#[test]
fn editing_writes_drafts_and_a_failed_save_keeps_the_editor_and_its_text() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    let effects = update(&mut s, ch('e'));
    let key = match &effects[..] {
        [Effect::LoadDraft { key }, ..] => key.clone(),
        other => panic!("{other:?}"),
    };
    assert!(s.editor.is_some());
    // Typing goes to the editor (not to the keymap: `q` does not quit) and is kept as a draft.
    let effects = update(&mut s, ch('q'));
    assert!(!s.quit);
    assert!(
        matches!(&effects[..], [Effect::WriteDraft { key: k, text }] if *k == key && text.starts_with('q'))
    );
    // Not JSON any more: Ctrl-s refuses locally with the parse error.
    let effects = update(&mut s, ctrl('s'));
    assert!(mutate_seq(&effects).is_none());
    assert!(s.editor.as_ref().unwrap().editor.buffer().error().is_some());
    update(&mut s, key_delete()); // the cursor sits on the error
    let effects = update(&mut s, ctrl('s'));
    let (seq, mutation) = mutate_seq(&effects).expect("saves");
    assert!(
        matches!(&mutation, Mutation::UpdateIdentity { body, .. } if body["traits"]["email"] == "user0@example.com")
    );
    // The server refuses: editor stays, with the error and the text.
    let text_before = s.editor.as_ref().unwrap().editor.buffer().text();
    update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Err(ErrorInfo::new("kratos 400: traits are invalid", "")),
        },
    );
    let session = s.editor.as_ref().expect("editor kept open");
    assert_eq!(
        session.editor.buffer().error(),
        Some("kratos 400: traits are invalid")
    );
    assert_eq!(session.editor.buffer().text(), text_before);
    // Saved: closed, draft discarded, detail refreshed.
    let effects = update(&mut s, ctrl('s'));
    let (seq, _) = mutate_seq(&effects).unwrap();
    let effects = update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Ok("done".into()),
        },
    );
    assert!(s.editor.is_none());
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::DiscardDraft { key: k } if *k == key))
    );
}

fn key_delete() -> Action {
    key(KeyCode::Delete)
}

#[test]
fn a_saved_draft_comes_back_when_the_editor_opens_again() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    let effects = update(&mut s, ch('p'));
    let key = match &effects[..] {
        [Effect::LoadDraft { key }] => key.clone(),
        other => panic!("{other:?}"),
    };
    let patch = r#"[{"op": "replace", "path": "/metadata_public/plan", "value": "pro"}]"#;
    update(
        &mut s,
        Action::DraftLoaded {
            key,
            text: Some(patch.into()),
        },
    );
    let effects = update(&mut s, ctrl('s'));
    match mutate_seq(&effects) {
        Some((_, Mutation::PatchIdentity { patch, .. })) => {
            assert_eq!(patch[0]["path"], "/metadata_public/plan");
        }
        other => panic!("{other:?}"),
    }
}

fn headless_state_with_user() -> State {
    let mut s = state_with(vec![profile("headless", Provider::Headless)]);
    let effects = update(&mut s, Action::Resize(80, 24));
    let users_seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchPage {
                seq,
                list: ListKind::HeadlessUsers { client: None },
                ..
            } => Some(*seq),
            _ => None,
        })
        .expect("users page requested");
    update(&mut s, key(KeyCode::Tab)); // the Users pane
    let user = Row::new(
        "user-007",
        vec!["user-007".into(), "Hemi Walker".into(), "globex".into()],
        json!({"identifier": "user-007", "clientIdentifier": "globex"}),
    );
    update(
        &mut s,
        Action::PageLoaded {
            seq: users_seq,
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
            Mutation::DeleteHeadlessUser {
                user,
                client,
                courses,
            },
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
        [Effect::FetchPage { seq, .. }, ..] => *seq,
        other => panic!("{other:?}"),
    };
    let client = Row::new(
        "acme-corp",
        vec!["acme-corp".into(), "Acme".into()],
        json!({}),
    );
    update(
        &mut s,
        Action::PageLoaded {
            seq,
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
        matches!(mutate_seq(&effects), Some((_, Mutation::DeleteClient { client })) if client == "acme-corp")
    );
}

#[test]
fn n_opens_a_new_identity_template_that_saves_as_a_create() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    update(&mut s, ch('n'));
    let effects = update(&mut s, ctrl('s'));
    match mutate_seq(&effects) {
        Some((seq, Mutation::CreateIdentity { body })) => {
            assert_eq!(body["schema_id"], "default");
            let effects = update(
                &mut s,
                Action::MutationDone {
                    seq,
                    result: Ok("created identity x".into()),
                },
            );
            assert!(s.editor.is_none());
            assert!(
                effects
                    .iter()
                    .any(|e| matches!(e, Effect::FetchPage { .. })),
                "list reloaded"
            );
        }
        other => panic!("{other:?}"),
    }
    // Not on other providers.
    let mut s = state_with(vec![profile("core", Provider::Core)]);
    update(&mut s, ch('n'));
    assert!(s.editor.is_none());
}

#[test]
fn editing_from_the_detail_starts_from_real_values_not_redacted_ones() {
    let mut s = kratos_state();
    let effects = update(&mut s, Action::Resize(80, 24));
    let seq = match &effects[0] {
        Effect::FetchPage { seq, .. } => *seq,
        other => panic!("{other:?}"),
    };
    let row = Row::new(
        "i1",
        vec!["i1".into(), "a@b.example".into()],
        json!({"id": "i1", "schema_id": "default", "traits": {"email": "a@b.example"},
               "metadata_admin": {"api_token": "tok-123"}}),
    );
    update(
        &mut s,
        Action::PageLoaded {
            seq,
            result: Ok(PageData {
                rows: vec![row],
                next: None,
                total: None,
            }),
        },
    );
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, ch('e'));
    let effects = update(&mut s, ctrl('s'));
    match mutate_seq(&effects) {
        Some((_, Mutation::UpdateIdentity { body, .. })) => {
            assert_eq!(body["metadata_admin"]["api_token"], "tok-123");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn marked_sessions_are_revoked_together_after_typing_their_count() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    // Space outside a Sessions list only explains itself.
    update(&mut s, ch(' '));
    assert!(table(&s).marked.is_empty());
    run(&mut s, key(KeyCode::Enter), 5);
    run(&mut s, key(KeyCode::Tab), 5); // Sessions (the fake answers identity rows)
    update(&mut s, ch(' '));
    update(&mut s, ch(' '));
    update(&mut s, ch(' '));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, ch(' ')); // unmark the third again
    assert_eq!(table(&s).marked.len(), 2);
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
        Some((_, Mutation::RevokeSessions { sessions })) => {
            assert_eq!(sessions, vec![identity(0).id, identity(1).id]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn external_editor_text_comes_back_for_review_and_is_never_saved_directly() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    // E opens the same editor as e and hands its text to $EDITOR.
    let effects = update(&mut s, ch('E'));
    let (key, text) = effects
        .iter()
        .find_map(|e| match e {
            Effect::ExternalEdit {
                key,
                text,
                prefer_draft,
            } => {
                assert!(*prefer_draft, "nothing typed yet: a saved draft is newer");
                Some((key.clone(), text.clone()))
            }
            _ => None,
        })
        .expect("asks for $EDITOR");
    assert!(text.contains("user0@example.com"), "{text}");
    assert!(s.editor.is_some());

    // What the editor wrote replaces the text, is kept as a draft, and nothing is sent.
    let edited = text.replace("user0@example.com", "edited@example.com");
    let effects = update(
        &mut s,
        Action::ExternalEdited {
            key: key.clone(),
            result: Ok(edited.clone()),
        },
    );
    assert!(mutate_seq(&effects).is_none(), "never saved without Ctrl-s");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::WriteDraft { key: k, .. } if *k == key))
    );
    let session = s.editor.as_ref().unwrap();
    assert!(
        session
            .editor
            .buffer()
            .text()
            .contains("edited@example.com")
    );
    assert!(session.editor.buffer().is_dirty());

    // A failed editor keeps the text and says why; an answer for another editor is ignored.
    update(
        &mut s,
        Action::ExternalEdited {
            key: key.clone(),
            result: Err("`nano` exited with exit status: 1".into()),
        },
    );
    let session = s.editor.as_ref().unwrap();
    assert!(
        session
            .editor
            .buffer()
            .text()
            .contains("edited@example.com")
    );
    assert!(session.editor.buffer().error().unwrap().contains("nano"));
    update(
        &mut s,
        Action::ExternalEdited {
            key: "another-editor".into(),
            result: Ok("{}".into()),
        },
    );
    assert!(
        s.editor
            .as_ref()
            .unwrap()
            .editor
            .buffer()
            .text()
            .contains("edited@example.com")
    );

    // Ctrl-s then sends exactly the reviewed text.
    let effects = update(&mut s, ctrl('s'));
    let (_, mutation) = mutate_seq(&effects).expect("saves");
    assert!(
        matches!(&mutation, Mutation::UpdateIdentity { body, .. } if body["traits"]["email"] == "edited@example.com")
    );
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
    crate::app::update::switch_tab(&mut s, 1);
    run(&mut s, Action::Resize(80, 24), 30);
    run(&mut s, ch('j'), 30);
    run(&mut s, ch('j'), 30);
    let (uid, selected) = (table(&s).uid, table(&s).selected);
    assert_eq!(selected, 2);
    update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Ok("done".into()),
        },
    );
    assert_eq!((table(&s).uid, table(&s).selected), (uid, selected));
    assert_eq!(
        s.tabs[0].stack.len(),
        1,
        "profile a leaves the deleted object"
    );
}
