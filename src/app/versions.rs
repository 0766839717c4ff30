//! The version of each Kratos profile's server: asked once, alongside the first request the
//! profile gets (its first list read, a `:find`, a lookup), kept on its tab, and shown in the
//! title bar. What it changes is in `provider::kratos::version`; here is only asking,
//! keeping, and the rules that apply to a tab.

use super::action::Effect;
use super::model::{ErrorInfo, Provider};
use super::provider::kratos::version::{self, Known, Rules, Version};
use super::state::State;

/// Ask the server of each Kratos profile the effects are about to use for its version, if
/// it was never asked.
pub fn ask_once(state: &mut State, effects: &mut Vec<Effect>) {
    // Called on every update: once each Kratos profile was asked, nothing is left to do.
    let unasked = |t: &super::state::Tab| {
        t.profile.provider == Provider::Kratos && t.version == Known::Unasked
    };
    if !state.tabs().iter().any(unasked) {
        return;
    }
    let used: Vec<String> = effects
        .iter()
        .filter(|e| !matches!(e, Effect::ReadVersion { .. }))
        .filter_map(|e| e.profile().map(str::to_string))
        .collect();
    if used.is_empty() {
        return;
    }
    for tab in state.tabs_mut() {
        if unasked(tab) && used.contains(&tab.profile.name) {
            tab.version = Known::Asked;
            effects.push(Effect::ReadVersion {
                profile: tab.profile.name.clone(),
            });
        }
    }
}

/// The server of `profile` answered (or could not): keep it; when it gives no rules of its
/// own, say once that the newest apply (unless an error is on the status line: a failing
/// server says more by its own error, and the title bar shows `v?`).
pub fn read(state: &mut State, profile: &str, result: Result<Version, ErrorInfo>) {
    let Some(tab) = state
        .tabs_mut()
        .iter_mut()
        .find(|t| t.profile.name == profile)
    else {
        return;
    };
    tab.version = match result {
        Ok(v) => Known::Read(v),
        Err(e) => Known::Unreadable(e.line),
    };
    if let Some(note) = version::unknown_note(profile, &tab.version)
        && state.current_error().is_none()
    {
        state.flash = Some(note);
    }
    state.dirty = true;
}

/// The Kratos rules for the profile of tab `tab` (the newest while its version is unknown).
pub fn rules_of(state: &State, tab: usize) -> &'static Rules {
    state
        .tab_at(tab)
        .map_or(&version::NEWEST, |t| version::rules(&t.version))
}

/// The Kratos rules of the profile in front.
pub fn rules(state: &State) -> &'static Rules {
    rules_of(state, state.active())
}

/// The version the server of the profile in front said, as it said it.
pub fn text(state: &State) -> Option<&str> {
    match &state.tab()?.version {
        Known::Read(v) => Some(&v.text),
        Known::Unasked | Known::Asked | Known::Unreadable(_) => None,
    }
}

/// What the title bar says of the version of the profile in front: as the server said it,
/// `v?` when it could not tell, nothing before it answers.
pub fn label(state: &State) -> Option<&str> {
    match &state.tab()?.version {
        Known::Read(v) => Some(&v.text),
        Known::Unreadable(_) => Some("v?"),
        Known::Unasked | Known::Asked => None,
    }
}
