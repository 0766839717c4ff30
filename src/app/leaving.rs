//! Leaving without losing work: quitting (`q`, `:quit`, Ctrl-C) with unsaved drafts asks
//! first (keep the drafts, discard them, or stay), and `Esc` in an editor closes it at
//! once, keeping its draft. SIGTERM and SIGHUP never ask (`Action::Terminate`): the
//! runtime writes the drafts and exits.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::editor::Editor;

use super::action::Effect;
use super::editing::session::{EditSession, EditTarget, Phase};
use super::state::{Mode, Owner, State};

/// Why quitting now would lose something, one line each; empty when quitting is safe.
/// Every reason to ask before quitting belongs here.
pub fn quit_blockers(state: &State) -> Vec<String> {
    let mut blockers = Vec::new();
    let open = state.editor.as_ref();
    if let Some(session) = open.filter(|s| has_unsaved_text(s)) {
        blockers.push(format!(
            "open editor, unsaved changes: {}",
            session.editor.buffer().title()
        ));
    }
    for change in state.changes.values() {
        let what = change.mutation.describe();
        blockers.push(match &change.stage {
            super::change::Stage::Unknown { .. } => {
                format!("whether “{what}” was applied is still unknown (r checks)")
            }
            _ => format!("“{what}” is still waiting for its answer"),
        });
    }
    for (key, label) in &state.unsaved_drafts {
        if open.is_some_and(|s| s.draft_key == *key && has_unsaved_text(s)) {
            continue;
        }
        blockers.push(format!("draft not saved to the server: {label}"));
    }
    blockers
}

/// `q`, `:quit` or Ctrl-C: quit, or ask first when something would be lost.
pub fn request_quit(state: &mut State, effects: &mut Vec<Effect>) {
    let blockers = quit_blockers(state);
    if blockers.is_empty() {
        quit(state, effects);
    } else {
        state.mode = Mode::Quitting { blockers };
    }
}

fn quit(state: &mut State, effects: &mut Vec<Effect>) {
    state.quit = true;
    effects.push(Effect::Quit);
}

/// Ctrl-C, wherever the user is: asks like `q`; at the question it keeps the drafts and
/// quits (the usual "press it again to really quit").
pub fn on_ctrl_c(state: &mut State, effects: &mut Vec<Effect>) {
    if matches!(state.mode, Mode::Quitting { .. }) {
        quit(state, effects);
    } else {
        request_quit(state, effects);
    }
}

pub fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c')
}

/// A key while "quit with unsaved drafts?" is asked: `k` keeps them and quits, `d`
/// discards them and quits, `Esc` stays. Other keys leave the question open.
pub fn on_question_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Char('k') => quit(state, effects),
        KeyCode::Char('d') => {
            let mut keys: Vec<String> = state.unsaved_drafts.keys().cloned().collect();
            if let Some(session) = state.editor.as_ref().filter(|s| has_unsaved_text(s))
                && !keys.contains(&session.draft_key)
            {
                keys.push(session.draft_key.clone());
            }
            for key in keys {
                effects.push(Effect::DiscardDraft { key });
            }
            quit(state, effects);
        }
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            state.flash = Some("not quitting: nothing was discarded".into());
        }
        _ => {}
    }
}

/// `Esc` in an editor: it closes at once. Unsaved text stays as a draft (written now, not
/// after the typing pause) and comes back when the same editor opens again. A draft of
/// this run whose text was typed back to the original is dropped: there is nothing in it.
/// A save still checking the server copy is cancelled before anything is sent.
pub fn close_editor(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(session) = state.editor.take() else {
        return;
    };
    if let Phase::Checking { .. } = session.phase {
        // Only the read before the write is out: forgetting its answer is what keeps the
        // write from following it, so the save is cancelled and nothing reached the server.
        let key = session.draft_key.clone();
        state.withdraw(|owner| *owner == Owner::Editor(key.clone()));
        effects.push(Effect::FlushDrafts);
        state.flash = Some(format!(
            "save cancelled: nothing was sent; draft kept: {} reopens it",
            reopen_key(&session)
        ));
        return;
    }
    if has_unsaved_text(&session) {
        effects.push(Effect::FlushDrafts);
        state.flash = Some(format!("draft kept: {} reopens it", reopen_key(&session)));
    } else if state.unsaved_drafts.contains_key(&session.draft_key) {
        effects.push(Effect::DiscardDraft {
            key: session.draft_key,
        });
    }
}

/// The editor holds text the user changed (not a placeholder still waiting for the
/// server's copy, nor one that could not be read).
pub fn has_unsaved_text(session: &EditSession) -> bool {
    !matches!(session.phase, Phase::Loading | Phase::Unavailable)
        && session.editor.buffer().is_dirty()
}

/// The key that opens this editor again (and with it, its draft).
pub fn reopen_key(session: &EditSession) -> &'static str {
    match session.target {
        EditTarget::IdentityPatch { .. } => "p",
        EditTarget::NewIdentity => "n",
        _ => "e",
    }
}

/// Keep `State::unsaved_drafts` in step with the draft effects `update` produced: a
/// written draft is unsaved until it is discarded (saved, or thrown away).
pub(super) fn track_drafts(state: &mut State, effects: &[Effect]) {
    for effect in effects {
        match effect {
            Effect::WriteDraft { key, .. } => {
                let label = state
                    .editor
                    .as_ref()
                    .filter(|s| s.draft_key == *key)
                    .map_or_else(|| key.clone(), |s| s.editor.buffer().title().to_string());
                state.unsaved_drafts.insert(key.clone(), label);
            }
            Effect::DiscardDraft { key } => {
                state.unsaved_drafts.remove(key);
            }
            _ => {}
        }
    }
}
