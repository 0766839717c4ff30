//! `update` tests of leaving and arriving safely: pastes, `Esc` in an editor, the question
//! before quitting with unsaved drafts, and read-only refusals before anything opens.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::state::Mode;
use crate::editor::Editor;

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Press `c` (`e`, `p`, `n`) and answer what opening an editor asks for (the fresh copy
/// of the object, its saved draft: none), so the editor is open and clean.
fn open_editor(s: &mut State, c: char) -> String {
    let mut queue = update(s, ch(c));
    while let Some(effect) = queue.pop() {
        match effect {
            Effect::FetchObject { ticket, id, .. } => {
                let row = (0..5)
                    .map(identity)
                    .find(|r| r.id == id)
                    .unwrap_or_else(|| identity(0));
                queue.extend(update(
                    s,
                    Action::ObjectLoaded {
                        ticket,
                        result: Ok(row),
                    },
                ));
            }
            Effect::LoadDraft { key } => {
                queue.extend(update(s, Action::DraftLoaded { key, text: None }));
            }
            other => {
                if let Some(reply) = answer(&other, 5) {
                    queue.extend(update(s, reply));
                }
            }
        }
    }
    let session = s.editor.as_ref().expect("an editor opened");
    assert!(!session.editor.buffer().is_dirty());
    session.draft_key.clone()
}

fn editor_text(s: &State) -> String {
    s.editor.as_ref().unwrap().editor.buffer().text()
}

fn writes(effects: &[Effect]) -> Vec<(String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::WriteDraft { key, text } => Some((key.clone(), text.clone())),
            _ => None,
        })
        .collect()
}

fn quits(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::Quit))
}

fn discards(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::DiscardDraft { key } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

fn loaded_kratos() -> State {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(100, 30), 5);
    s
}

/// An editor with typed, unsaved text, closed with Esc: a draft of this run is left.
fn state_with_a_kept_draft() -> (State, String) {
    let mut s = loaded_kratos();
    let draft = open_editor(&mut s, 'e');
    update(&mut s, ch(' '));
    update(&mut s, key_esc());
    assert!(s.editor.is_none());
    (s, draft)
}

fn key_esc() -> Action {
    key(KeyCode::Esc)
}

#[test]
fn a_paste_in_the_editor_is_one_edit_and_one_draft_write_without_auto_indent() {
    let mut s = loaded_kratos();
    let key = open_editor(&mut s, 'p');
    // The lines arrive as the terminal sends them (CR line breaks), indented by the user.
    let pasted =
        "{\"op\": \"add\", \"path\": \"/metadata_public/a\", \"value\": {\r\n    \"b\": 1\r\n  }}";
    let effects = update(&mut s, Action::Paste(pasted.into()));
    let written = writes(&effects);
    assert_eq!(written.len(), 1, "one draft write for the whole paste");
    let text = editor_text(&s);
    assert_eq!(written[0].0, key);
    assert_eq!(crate::app::editing::parse_draft(&written[0].1).0, text);
    // Pasted inside the empty array, every line exactly as pasted.
    assert_eq!(
        text,
        "[\n  {\"op\": \"add\", \"path\": \"/metadata_public/a\", \"value\": {\n    \"b\": 1\n  }}\n]"
    );
    // One undo takes the whole paste back.
    update(&mut s, ctrl('u'));
    assert!(!s.editor.as_ref().unwrap().editor.buffer().is_dirty());
}

#[test]
fn a_paste_goes_into_the_find_and_command_prompts_as_one_line_and_nowhere_else() {
    let mut s = loaded_kratos();
    // Normal mode: ignored (no key runs, nothing changes).
    let before = table(&s).selected();
    let effects = update(&mut s, Action::Paste("jjjjq\n".into()));
    assert!(effects.is_empty() && !s.quit);
    assert_eq!(table(&s).selected(), before);
    assert!(matches!(s.mode, Mode::Normal));

    update(&mut s, ch('/'));
    update(&mut s, Action::Paste("user3@\r\n".into()));
    match &s.mode {
        Mode::Find(input) => assert_eq!(input.text, "user3@"),
        other => panic!("{other:?}"),
    }
    let f = table(&s).filter().cloned().unwrap();
    assert!(f.matches.contains(&3) && !f.matches.contains(&4), "{f:?}");
    update(&mut s, key_esc());

    update(&mut s, ch(':'));
    update(&mut s, Action::Paste("goto\nabc\tdef\x1b[2J".into()));
    match &s.mode {
        Mode::Command(input) => assert_eq!(input.text, "goto abc def[2J"),
        other => panic!("{other:?}"),
    }
    update(&mut s, key_esc());

    // A question is never answered by a paste.
    update(&mut s, ch('X'));
    let effects = update(&mut s, Action::Paste("y\n".into()));
    assert!(effects.iter().all(|e| !e.is_mutating()));
    assert!(matches!(&s.mode, Mode::Confirm(c) if c.input.text.is_empty()));
}

#[test]
fn esc_closes_a_dirty_editor_at_once_and_keeps_its_draft() {
    let mut s = loaded_kratos();
    let draft = open_editor(&mut s, 'e');
    update(&mut s, ch('x'));
    let effects = update(&mut s, key_esc());
    assert!(s.editor.is_none(), "one Esc closes");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::FlushDrafts)),
        "the draft is written now, not after the typing pause: {effects:?}"
    );
    assert!(discards(&effects).is_empty(), "the draft is kept");
    assert_eq!(s.flash.as_deref(), Some("draft kept: e reopens it"));
    assert!(s.unsaved_drafts.contains_key(&draft));

    // The patch editor says its own key.
    open_editor(&mut s, 'p');
    update(&mut s, ch('x'));
    update(&mut s, key_esc());
    assert_eq!(s.flash.as_deref(), Some("draft kept: p reopens it"));
}

#[test]
fn esc_on_a_clean_editor_closes_and_drops_a_draft_typed_back_to_the_original() {
    let mut s = loaded_kratos();
    open_editor(&mut s, 'e');
    let effects = update(&mut s, key_esc());
    assert!(s.editor.is_none());
    assert!(effects.is_empty() && s.flash.is_none(), "{effects:?}");

    let draft = open_editor(&mut s, 'e');
    update(&mut s, ch('x'));
    update(&mut s, key(KeyCode::Backspace));
    let effects = update(&mut s, key_esc());
    assert_eq!(discards(&effects), [draft]);
    assert!(s.unsaved_drafts.is_empty());
    // Nothing is left to ask about.
    assert!(quits(&update(&mut s, ch('q'))));
}

#[test]
fn quitting_with_an_unsaved_draft_asks_and_esc_stays() {
    let (mut s, _) = state_with_a_kept_draft();
    let command: Vec<Action> = ":quit"
        .chars()
        .map(ch)
        .chain([key(KeyCode::Enter)])
        .collect();
    for quit in [vec![ch('q')], command] {
        let mut effects = Vec::new();
        for k in quit {
            effects.extend(update(&mut s, k));
        }
        assert!(!s.quit && !quits(&effects), "asks first");
        match &s.mode {
            Mode::Quitting { blockers } => {
                assert_eq!(blockers.len(), 1, "{blockers:?}");
                assert!(
                    blockers[0].starts_with("draft not saved to the server: identity "),
                    "{blockers:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        // Other keys leave the question open; Esc cancels and discards nothing.
        assert!(update(&mut s, ch('j')).is_empty());
        assert!(matches!(s.mode, Mode::Quitting { .. }));
        let effects = update(&mut s, key_esc());
        assert!(!s.quit && discards(&effects).is_empty() && !quits(&effects));
        assert!(matches!(s.mode, Mode::Normal));
    }
}

#[test]
fn k_keeps_the_drafts_and_quits() {
    let (mut s, _) = state_with_a_kept_draft();
    update(&mut s, ch('q'));
    let effects = update(&mut s, ch('k'));
    assert!(s.quit && quits(&effects));
    assert!(discards(&effects).is_empty());
}

#[test]
fn d_discards_the_drafts_and_quits() {
    let (mut s, draft) = state_with_a_kept_draft();
    update(&mut s, ch('q'));
    let effects = update(&mut s, ch('d'));
    assert!(s.quit && quits(&effects));
    assert_eq!(discards(&effects), [draft]);
    // The discards come before the quit, so the runtime carries them out before it exits.
    let quit_at = effects.iter().position(|e| matches!(e, Effect::Quit));
    let discard_at = effects
        .iter()
        .position(|e| matches!(e, Effect::DiscardDraft { .. }));
    assert!(discard_at < quit_at);
}

#[test]
fn ctrl_c_in_a_dirty_editor_asks_and_a_second_ctrl_c_keeps_and_quits() {
    let mut s = loaded_kratos();
    let draft = open_editor(&mut s, 'e');
    update(&mut s, ch('z'));
    let text = editor_text(&s);
    let effects = update(&mut s, ctrl('c'));
    assert!(!s.quit && !quits(&effects));
    match &s.mode {
        Mode::Quitting { blockers } => {
            assert_eq!(
                blockers.len(),
                1,
                "the open editor is named once: {blockers:?}"
            );
            assert!(blockers[0].starts_with("open editor, unsaved changes: identity "));
        }
        other => panic!("{other:?}"),
    }
    // Keys answer the question; none reaches the editor.
    update(&mut s, ch('x'));
    assert_eq!(editor_text(&s), text);
    // Esc returns to the editor, text intact.
    update(&mut s, key_esc());
    assert!(matches!(s.mode, Mode::Normal));
    assert_eq!(editor_text(&s), text);

    update(&mut s, ctrl('c'));
    let effects = update(&mut s, ctrl('c'));
    assert!(s.quit && quits(&effects));
    assert!(discards(&effects).is_empty());

    // d with the editor open discards its draft too.
    let mut s = loaded_kratos();
    open_editor(&mut s, 'e');
    update(&mut s, ch('z'));
    update(&mut s, ctrl('c'));
    let effects = update(&mut s, ch('d'));
    assert_eq!(discards(&effects), [draft]);
    assert!(s.quit);
}

#[test]
fn signals_never_ask() {
    // SIGTERM / SIGHUP: no question, the runtime writes the drafts and exits.
    let (mut s, _) = state_with_a_kept_draft();
    let effects = update(&mut s, Action::Terminate);
    assert!(s.quit && quits(&effects));
    assert!(discards(&effects).is_empty());
}

fn read_only_state(flag: bool, profile_read_only: bool) -> State {
    let mut p = profile("kratos", Provider::Kratos);
    p.read_only = profile_read_only;
    let mut s = State::new(vec![p], crate::keymap::Keymap::defaults(), flag);
    run(&mut s, Action::Resize(100, 30), 5);
    s
}

#[test]
fn read_only_refuses_change_keys_before_any_editor_or_confirmation_opens() {
    for (flag, profile_ro, why) in [
        (false, true, "profile `kratos` has read_only = true"),
        (true, false, "idtui was started with --read-only"),
        (
            true,
            true,
            "--read-only and profile `kratos` has read_only = true",
        ),
    ] {
        let mut s = read_only_state(flag, profile_ro);
        // On the identity list and in the sessions of an identity, where x opens a question.
        for setup in [vec![], vec![key(KeyCode::Enter), key(KeyCode::Tab)]] {
            for k in setup {
                run(&mut s, k, 5);
            }
            for c in ['e', 'p', 'n', 'E', 'x', 'X', 'd'] {
                let effects = update(&mut s, ch(c));
                assert!(effects.is_empty(), "{c}: {effects:?}");
                assert!(s.editor.is_none(), "{c} opened an editor");
                assert!(matches!(s.mode, Mode::Normal), "{c}: {:?}", s.mode);
                let flash = s.flash.clone().unwrap_or_default();
                assert!(
                    flash.starts_with("read-only: ") && flash.contains(why),
                    "{c}: {flash}"
                );
            }
        }
        // Looking still works.
        run(&mut s, key_esc(), 5);
        run(&mut s, ch('j'), 5);
        assert_eq!(table(&s).selected(), 1);
    }
    // A writable profile opens them as before.
    let mut s = read_only_state(false, false);
    update(&mut s, ch('X'));
    assert!(matches!(s.mode, Mode::Confirm(_)));
}
