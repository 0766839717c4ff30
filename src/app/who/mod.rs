//! WHO arguments (`:revoke WHO`, `:goto WHO`, `:sessions WHO`, `:recovery-link WHO`, …):
//! the person named by an email, username, id, id prefix or external id, looked up with the
//! profile's own search (Kratos by credential identifier, MATTR by email claim, Coassemble by
//! identifier) and among the rows already loaded. One match goes on with the command; several
//! open a picker; none says so.

pub mod purpose;

use crossterm::event::{KeyCode, KeyEvent};
use serde_json::Value;

use super::action::FindFor;
use super::action::{Effect, Mutation};
use super::model::{ErrorInfo, Hit, ListKind, PageData};
use super::navigate::{open_object, refresh_detail, switch_tab};
use super::session_count::{count_of, request_count};
use super::state::{Count, Lookup, Mode, Owner, Pane, Picker, State};
use crate::app::provider::{core, kratos};

pub use purpose::{Purpose, unsupported};

/// Most matches a picker lists (the search is narrowed by typing more of WHO instead).
pub const PICK_MAX: usize = 50;
/// Look `who` up on the active profile for `purpose`; a box shows it until the answer.
pub fn start(state: &mut State, purpose: Purpose, who: &str, effects: &mut Vec<Effect>) {
    let Some(tab) = state.tab() else { return };
    if let Some(why) = unsupported(tab.profile.provider, &purpose) {
        state.flash = Some(format!("{}: {why}", purpose.command()));
        return;
    }
    let profile = tab.profile.name.clone();
    let ticket = state.ask(Owner::Nobody, FindFor::Lookup);
    let seq = ticket.seq;
    effects.push(Effect::Find {
        ticket,
        profile: profile.clone(),
        text: who.to_string(),
    });
    state.mode = Mode::Lookup(Lookup {
        seq,
        tab: state.active(),
        purpose,
        who: who.to_string(),
        doing: format!("looking up {who} on {profile}…"),
        hit: None,
    });
}

/// Go on with someone already in view (a selected row or an opened object).
pub fn start_with(state: &mut State, purpose: Purpose, hit: Hit, effects: &mut Vec<Effect>) {
    if let Some(why) = state
        .tab()
        .and_then(|t| unsupported(t.profile.provider, &purpose))
    {
        state.flash = Some(format!("{}: {why}", purpose.command()));
        return;
    }
    proceed(state, state.active(), purpose, String::new(), hit, effects);
}

/// Rows already loaded on `tab` whose id starts with `who` (an id prefix, 4 characters or
/// more of hex digits and dashes), for the kinds a lookup may find.
fn loaded_prefix_matches(state: &State, tab: usize, who: &str) -> Vec<Hit> {
    let prefix = who.to_ascii_lowercase();
    let hexish = prefix.len() >= 4 && prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if !hexish {
        return Vec::new();
    }
    let mut out: Vec<Hit> = Vec::new();
    let tables = state
        .tab_at(tab)
        .into_iter()
        .flat_map(|t| t.stack.iter())
        .flat_map(|s| s.panes.iter())
        .filter_map(|p| match p {
            Pane::Table(t) => Some(t),
            Pane::Detail(_) => None,
        });
    for t in tables {
        let kind = t.kind().object();
        if !kind.named_by_who() {
            continue;
        }
        for (_, row) in t.loaded_rows() {
            if !row.id.to_ascii_lowercase().starts_with(&prefix) {
                continue;
            }
            let hit = Hit {
                kind,
                row: row.clone(),
            };
            if !out.iter().any(|h| h.same_object(&hit)) {
                out.push(hit);
            }
        }
    }
    out
}

/// The answer to a lookup (`FindFor::Lookup`) came back.
pub fn on_found(
    state: &mut State,
    seq: u64,
    result: Result<Vec<Hit>, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    let lookup = match &state.mode {
        Mode::Lookup(l) if l.seq == seq && l.hit.is_none() => l.clone(),
        // Cancelled with Esc, or replaced: nothing waits for it any more.
        _ => return,
    };
    state.dirty = true;
    state.mode = Mode::Normal;
    let found = match result {
        Ok(found) => found,
        Err(mut err) => {
            err.line = format!("{} {}: {}", lookup.purpose.command(), lookup.who, err.line);
            state.error = Some(err);
            return;
        }
    };
    let mut hits = loaded_prefix_matches(state, lookup.tab, &lookup.who);
    for hit in found {
        if !hits.iter().any(|h| h.same_object(&hit)) {
            hits.push(hit);
        }
    }
    if lookup.purpose != Purpose::Goto {
        hits.retain(|h| h.kind.is_person());
    }
    match hits.len() {
        0 => {
            let profile = state
                .tab_at(lookup.tab)
                .map(|t| t.profile.name.clone())
                .unwrap_or_default();
            let line = format!(
                "{}: no one matches “{}” on {profile}",
                lookup.purpose.command(),
                lookup.who
            );
            state.error = Some(ErrorInfo::new(
                line.clone(),
                format!("{line}\n\n{}", super::command_table::WHO_HELP),
            ));
        }
        1 => {
            let hit = hits.remove(0);
            proceed(state, lookup.tab, lookup.purpose, lookup.who, hit, effects);
        }
        _ => {
            hits.truncate(PICK_MAX);
            state.mode = Mode::Pick(Picker {
                tab: lookup.tab,
                purpose: lookup.purpose,
                who: lookup.who,
                hits,
                selected: 0,
            });
        }
    }
}

/// One person was found (or picked): do what the command is for.
fn proceed(
    state: &mut State,
    tab: usize,
    purpose: Purpose,
    who: String,
    hit: Hit,
    effects: &mut Vec<Effect>,
) {
    state.mode = Mode::Normal;
    if tab != state.active() {
        switch_tab(state, tab);
    }
    let command = purpose.command();
    if matches!(
        purpose,
        Purpose::Goto | Purpose::Sessions | Purpose::Credentials
    ) {
        // A jump to someone, not a step further down: what was open above the profile's
        // lists is left, so the breadcrumb names only where the jump went.
        if let Some(t) = state.tab_mut() {
            t.stack.truncate(1);
        }
    }
    match purpose {
        Purpose::Goto => {
            open_object(state, hit.kind, &hit.row);
            refresh_detail(state, hit.kind, &hit.row.id, effects);
        }
        Purpose::Sessions | Purpose::Credentials => {
            let sessions = purpose == Purpose::Sessions;
            open_object(state, hit.kind, &hit.row);
            refresh_detail(state, hit.kind, &hit.row.id, effects);
            let pane = state.tab().and_then(|t| {
                t.screen().panes.iter().position(|p| match p {
                    Pane::Table(t) if sessions => {
                        matches!(t.kind(), ListKind::Kratos(kratos::List::Sessions { .. }))
                    }
                    Pane::Table(t) => matches!(
                        t.kind(),
                        ListKind::Kratos(kratos::List::Credentials { .. })
                            | ListKind::Core(core::List::Credentials { .. })
                    ),
                    Pane::Detail(_) => false,
                })
            });
            if let (Some(i), Some(t)) = (pane, state.tab_mut()) {
                t.screen_mut().focus = i;
            }
        }
        Purpose::Revoke => count_sessions(state, tab, who, hit, effects),
        Purpose::Recovery { code, expires_in } => {
            let identity = hit.row.id.clone();
            let mutation = if code {
                Mutation::Kratos(kratos::Change::CreateRecoveryCode {
                    identity,
                    expires_in,
                })
            } else {
                Mutation::Kratos(kratos::Change::CreateRecoveryLink {
                    identity,
                    expires_in,
                })
            };
            super::confirm::ask(state, mutation, None, Some(hit.label()), None);
        }
        Purpose::Verify { verified, address } => {
            match choose_address(&hit.row.raw, address.as_deref(), &who) {
                Ok(address) => super::confirm::ask(
                    state,
                    Mutation::Kratos(kratos::Change::SetAddressVerified {
                        identity: hit.row.id.clone(),
                        address,
                        verified,
                    }),
                    None,
                    Some(hit.label()),
                    None,
                ),
                Err(why) => {
                    let line = format!("{command}: {why}");
                    state.error = Some(ErrorInfo::new(line.clone(), line));
                }
            }
        }
    }
}

/// Which verifiable address of `identity` to mark: the one named (as the ADDRESS argument,
/// or as the WHO itself), or the only one it has.
pub fn choose_address(identity: &Value, named: Option<&str>, who: &str) -> Result<String, String> {
    let addresses: Vec<&str> = identity
        .get("verifiable_addresses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get("value").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let same = |a: &&str, b: &str| a.eq_ignore_ascii_case(b.trim());
    if let Some(name) = named {
        return addresses
            .iter()
            .find(|a| same(a, name))
            .map(|a| a.to_string())
            .ok_or_else(|| {
                format!(
                    "{name} is not a verifiable address of this identity (it has: {})",
                    list_or_none(&addresses)
                )
            });
    }
    if let Some(a) = addresses.iter().find(|a| same(a, who)) {
        return Ok(a.to_string());
    }
    match addresses.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err("this identity has no verifiable address".into()),
        many => Err(format!(
            "which address? it has {}: name one (:verify ADDRESS)",
            many.join(", ")
        )),
    }
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// `:revoke`: count the person's active sessions before asking, so the question says how
/// many go.
fn count_sessions(state: &mut State, tab: usize, who: String, hit: Hit, effects: &mut Vec<Effect>) {
    let Some(profile) = state.tab_at(tab).map(|t| t.profile.name.clone()) else {
        return;
    };
    let seq = request_count(state, &profile, &hit.row.id, effects);
    state.mode = Mode::Lookup(Lookup {
        seq,
        tab,
        purpose: Purpose::Revoke,
        who,
        doing: format!("counting the active sessions of {}…", hit.label()),
        hit: Some(hit),
    });
}

/// A count of active sessions came back (`PageFor::SessionCount`): for the
/// `:revoke` lookup waiting on it, or for an `X` question already on screen.
pub fn on_count(state: &mut State, seq: u64, result: Result<PageData, ErrorInfo>) {
    let count = match &result {
        Ok(page) => count_of(page),
        Err(e) => Count::Failed(e.line.clone()),
    };
    state.dirty = true;
    match &mut state.mode {
        Mode::Confirm(c) if c.count == Some(Count::Counting(seq)) => {
            if let Count::Known {
                active: 0,
                more: false,
            } = count
            {
                // Nothing to revoke: the question is withdrawn rather than asked about none.
                let who = c.subject.clone().unwrap_or_else(|| "this identity".into());
                state.mode = Mode::Normal;
                state.flash = Some(format!("{who} has no active session; nothing sent"));
            } else {
                c.count = Some(count);
            }
        }
        Mode::Lookup(l) if l.seq == seq => {
            let Some(hit) = l.hit.clone() else { return };
            state.mode = Mode::Normal;
            if let Count::Known { active: 0, .. } = count {
                state.flash = Some(format!(
                    ":revoke: {} has no active session; nothing sent",
                    hit.label()
                ));
                return;
            }
            super::confirm::ask(
                state,
                Mutation::Kratos(kratos::Change::RevokeAllSessions {
                    identity: hit.row.id.clone(),
                }),
                None,
                Some(hit.label()),
                Some(count),
            );
        }
        _ => {}
    }
}

/// Keys while a lookup is out: Esc gives up; anything else waits (a confirm key typed
/// before the question is shown must not answer it).
pub fn on_lookup_key(state: &mut State, key: KeyEvent) {
    if key.code == KeyCode::Esc {
        state.mode = Mode::Normal;
        state.flash = Some("cancelled".into());
    } else if let Mode::Lookup(l) = &state.mode {
        state.flash = Some(format!("{} (Esc cancels)", l.doing));
    }
}

/// Keys of the picker: j/k or arrows move, Enter chooses, Esc cancels.
pub fn on_pick_key(
    state: &mut State,
    mut picker: Picker,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    let last = picker.hits.len().saturating_sub(1);
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            state.mode = Mode::Normal;
            state.flash = Some("cancelled".into());
        }
        KeyCode::Down | KeyCode::Char('j') => {
            picker.selected = (picker.selected + 1).min(last);
            state.mode = Mode::Pick(picker);
        }
        KeyCode::Up | KeyCode::Char('k') => {
            picker.selected = picker.selected.saturating_sub(1);
            state.mode = Mode::Pick(picker);
        }
        KeyCode::Enter => {
            let Some(hit) = picker.hits.get(picker.selected).cloned() else {
                state.mode = Mode::Normal;
                return;
            };
            proceed(state, picker.tab, picker.purpose, picker.who, hit, effects);
        }
        _ => state.mode = Mode::Pick(picker),
    }
}
