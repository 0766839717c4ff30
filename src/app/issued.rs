//! A recovery link or code just made: shown once in its own box, copied on request, and
//! gone when the box closes (never in the status bar, the audit trail or a log).

use crossterm::event::{KeyCode, KeyEvent};

use super::action::Effect;
use super::state::{IssuedView, Mode, State};

/// A recovery link or code came back: show it now, or once the box or line in the way is
/// closed.
pub fn show(state: &mut State, view: IssuedView) {
    if state.mode == Mode::Normal && state.editor.is_none() {
        state.mode = Mode::Issued(view);
    } else {
        state.issued_waiting = Some(view);
    }
}

/// Show a recovery link or code that waited for the screen to be free.
pub fn show_waiting(state: &mut State) {
    if state.mode == Mode::Normal
        && state.editor.is_none()
        && let Some(view) = state.issued_waiting.take()
    {
        state.mode = Mode::Issued(view);
        state.dirty = true;
    }
}

/// Keys of the recovery box: `y` copies the link, `c` the code; any other key closes it
/// (and the secret is gone from memory).
pub fn on_key(state: &mut State, view: IssuedView, key: KeyEvent, effects: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Char('y') => {
            let what = format!("the {} link", view.what);
            super::copy::copy_text(state, view.issued.link.clone(), what, false, effects);
            state.mode = Mode::Issued(view);
        }
        KeyCode::Char('c') if view.issued.code.is_some() => {
            let code = view.issued.code.clone().unwrap_or_default();
            super::copy::copy_text(state, code, "the recovery code".into(), false, effects);
            state.mode = Mode::Issued(view);
        }
        _ => state.mode = Mode::Normal,
    }
}
