//! Read-only, said up front. A profile can be read-only (`read_only = true` in its config)
//! and so can the whole session (`--read-only`); either way the title bar says so, and a
//! key that would change something is refused before any editor or confirmation opens.
//! The refusal below the UI (the runtime's `effects::admit` and the HTTP layer) stays: this
//! only saves the user typing a change that could never be sent.

use crate::keymap::KeyAction;

use super::state::State;

/// Why the active profile cannot change anything, if it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnly {
    /// `--read-only` on the command line: every profile.
    Flag,
    /// `read_only = true` in this profile's config.
    Profile,
    Both,
    /// The SSH key this session is served for has `idtui-role="read"` (or no role).
    Key,
}

impl ReadOnly {
    /// The title bar badge.
    pub fn badge(self) -> &'static str {
        match self {
            ReadOnly::Flag => " READ-ONLY (--read-only) ",
            ReadOnly::Profile => " READ-ONLY (profile) ",
            ReadOnly::Both => " READ-ONLY (--read-only, profile) ",
            ReadOnly::Key => " READ-ONLY (read key) ",
        }
    }
}

/// The read-only level of the active profile.
pub fn level(state: &State) -> Option<ReadOnly> {
    let profile = state.tab().is_some_and(|t| t.profile.read_only);
    if state.read_only && state.remote.as_ref().is_some_and(|r| r.read_key) {
        return Some(ReadOnly::Key);
    }
    match (state.read_only, profile) {
        (true, true) => Some(ReadOnly::Both),
        (true, false) => Some(ReadOnly::Flag),
        (false, true) => Some(ReadOnly::Profile),
        (false, false) => None,
    }
}

/// What a key that changes something would have started, or `None` for keys that only look.
fn change_started_by(action: KeyAction) -> Option<&'static str> {
    Some(match action {
        KeyAction::Edit | KeyAction::ExternalEdit => "editing",
        KeyAction::Patch => "JSON Patch",
        KeyAction::New => "creating an identity",
        KeyAction::RevokeSession | KeyAction::RevokeAll => "revoking sessions",
        KeyAction::Delete => "deleting",
        _ => return None,
    })
}

/// Refuse `action` when it would start a change on a read-only profile: the flash says
/// what was refused and which setting makes it read-only. Returns whether it refused.
pub fn refuse(state: &mut State, action: KeyAction) -> bool {
    match change_started_by(action) {
        Some(what) => refuse_change(state, what),
        None => false,
    }
}

/// Refuse a change named `what` (a command's, say) on a read-only profile, as `refuse` does
/// for keys. Returns whether it refused.
pub fn refuse_change(state: &mut State, what: &str) -> bool {
    let Some(level) = level(state) else {
        return false;
    };
    let profile = state
        .tab()
        .map(|t| t.profile.name.clone())
        .unwrap_or_default();
    let why = match level {
        ReadOnly::Flag => "idtui was started with --read-only".to_string(),
        ReadOnly::Profile => format!("profile `{profile}` has read_only = true"),
        ReadOnly::Both => {
            format!(
                "idtui was started with --read-only and profile `{profile}` has read_only = true"
            )
        }
        ReadOnly::Key => "your SSH key is a read key".to_string(),
    };
    state.flash = Some(format!("read-only: {what} is off ({why})"));
    true
}
