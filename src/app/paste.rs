//! Pasted text (bracketed paste) arrives as one piece: in an editor it is one edit and one
//! draft write, with no auto-indent applied to its lines; in the find and command prompts
//! it is inserted as one line (line breaks become spaces); anywhere else it is ignored, so
//! a paste can never answer a question or run keys.

use crate::sanitize;

use super::action::Effect;
use super::state::{Mode, State};

pub fn on_paste(state: &mut State, text: &str, effects: &mut Vec<Effect>) {
    state.dirty = true;
    state.flash = None;
    match state.mode.clone() {
        Mode::Normal if state.editor.is_some() => super::editing::paste(state, text, effects),
        Mode::Find(mut input) => {
            input.text.push_str(&one_line(text));
            super::navigate::refilter_focused(state, &input.text);
            state.mode = Mode::Find(input);
        }
        Mode::Command(mut input) => {
            input.text.push_str(&one_line(text));
            state.mode = Mode::Command(input);
        }
        Mode::Normal => {
            state.flash = Some("paste ignored: paste into an editor, / or :".into());
        }
        _ => {}
    }
}

/// `text` for a one-line prompt: a trailing line break dropped, the others as spaces, no
/// control characters.
pub fn one_line(text: &str) -> String {
    text.trim_end_matches(['\r', '\n'])
        .replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\r' | '\n' | '\t' => Some(' '),
            c if sanitize::is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}
