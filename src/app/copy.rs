//! What `y`, `Y` and the recovery box copy: never a character a paste could act on.

use super::action::Effect;
use super::model::ErrorInfo;
use super::state::State;

/// Copy `text` unless a paste could act on it or it hides a character: a server chooses
/// ids, links and codes, and a raw ESC in one ends a bracketed paste, so what follows would
/// run in the admin's shell. Refused with the reason; `Y` copies the record escaped.
/// `multi_line` allows line breaks, for a pretty-printed JSON document only.
pub fn copy_text(
    state: &mut State,
    text: String,
    what: String,
    multi_line: bool,
    effects: &mut Vec<Effect>,
) {
    match crate::sanitize::copy_refusal(&text, multi_line) {
        None => effects.push(Effect::Copy { text, what }),
        Some(why) => {
            let line = format!(
                "{} not copied: {why} (Y copies the record as JSON, with it escaped)",
                crate::sanitize::clean_line(&what)
            );
            state.error = Some(ErrorInfo::new(line.clone(), line));
            state.dirty = true;
        }
    }
}
