//! `:find TEXT`: every open profile searched at once, each with its own provider's search
//! (the same one a WHO argument uses), the hits listed by profile as each profile answers,
//! so a slow or failing profile holds no one back. Enter opens a hit on its own profile.

pub mod columns;
pub mod fields;
pub mod run;

use crate::keymap::KeyAction;

use super::action::Effect;
use super::action::FindFor;
use super::model::{ErrorInfo, Hit, ListKind, Provider, Row};
use super::navigate::{open_object, refresh_detail, switch_tab};
use super::state::{Mode, Owner, Pane, Screen, State};
use fields::Found;
use run::{Answer, FindRun, Group};

/// Said when a key that acts on an object is pressed on a search hit.
pub const OPEN_FIRST: &str =
    "a search hit: Enter opens it on its own profile, where e, d, x and X apply";

/// Joins a profile and a hit's place in a row id (profile names are the user's own words).
const SEP: char = '\u{1f}';

/// `:find TEXT`: ask every profile, and show the (still empty) results at once.
pub fn start(state: &mut State, text: &str, effects: &mut Vec<Effect>) {
    let run = state.fresh_uid();
    let groups = state
        .tabs()
        .iter()
        .map(|t| Group {
            profile: t.profile.name.clone(),
            provider: t.profile.provider,
            answer: Answer::Searching,
        })
        .collect();
    // Runs that no screen shows any more are forgotten.
    let shown: Vec<u64> = state
        .tabs()
        .iter()
        .flat_map(|t| t.stack.iter())
        .flat_map(|s| s.panes.iter())
        .filter_map(|p| match p {
            Pane::Table(t) => match t.kind() {
                ListKind::Found { run } => Some(*run),
                _ => None,
            },
            Pane::Detail(_) => None,
        })
        .collect();
    state.finds.retain(|f| shown.contains(&f.run));
    state.finds.push(FindRun {
        run,
        text: text.to_string(),
        groups,
    });
    ask(state, run, effects);
    let table = state.new_table(ListKind::Found { run });
    let title = format!("find “{}”", crate::sanitize::cell(text, 30));
    if let Some(tab) = state.tab_mut() {
        tab.stack.push(Screen {
            title,
            panes: vec![Pane::Table(table)],
            focus: 0,
            back_to: None,
        });
    }
    show(state, run);
}

/// Send run `run`'s search to every profile it covers.
fn ask(state: &mut State, run: u64, effects: &mut Vec<Effect>) {
    let Some(find) = state.finds.iter().find(|f| f.run == run) else {
        return;
    };
    let (text, profiles): (String, Vec<String>) = (
        find.text.clone(),
        find.groups.iter().map(|g| g.profile.clone()).collect(),
    );
    for profile in profiles {
        let purpose = FindFor::Hits {
            run,
            profile: profile.clone(),
        };
        effects.push(Effect::Find {
            ticket: state.ask(Owner::Nobody, purpose),
            profile,
            text: text.clone(),
        });
    }
}

/// One profile answered run `run`.
pub fn on_hits(state: &mut State, run: u64, profile: &str, result: Result<Vec<Hit>, ErrorInfo>) {
    let Some(find) = state.finds.iter_mut().find(|f| f.run == run) else {
        return;
    };
    if let Some(g) = find.groups.iter_mut().find(|g| g.profile == profile) {
        g.answer = match result {
            Ok(hits) => Answer::Hits(hits),
            Err(e) => Answer::Failed(e),
        };
    }
    state.dirty = true;
    show(state, run);
}

/// The rows of a run: each profile's hits under its name, or a line saying where it is.
fn rows(find: &FindRun) -> Vec<Row> {
    let mut out = Vec::new();
    for g in &find.groups {
        let status = |text: String, what: &str| {
            Row::new(
                format!("{}{SEP}-", g.profile),
                Found {
                    profile: g.profile.clone(),
                    id: String::new(),
                    name: text,
                    what: what.to_string(),
                },
                serde_json::Value::Null,
            )
        };
        match &g.answer {
            Answer::Searching => out.push(status("searching…".into(), "")),
            Answer::Failed(e) => {
                out.push(status(format!("✗ {} (Enter: details)", e.line), "error"))
            }
            Answer::Hits(hits) if hits.is_empty() => {
                let hint = match g.provider {
                    Provider::Core if !super::find::core_searchable(&find.text) => {
                        "no match (MATTR matches a whole email or key=value claims)"
                    }
                    _ => "no match",
                };
                out.push(status(hint.into(), ""));
            }
            Answer::Hits(hits) => {
                for (i, h) in hits.iter().enumerate() {
                    let name = h.kind.name_of(&h.row).unwrap_or_default();
                    out.push(Row::new(
                        format!("{}{SEP}{i}", g.profile),
                        Found {
                            profile: g.profile.clone(),
                            id: h.row.id.clone(),
                            name: name.to_string(),
                            what: h.kind.label().to_string(),
                        },
                        h.row.raw.clone(),
                    ));
                }
            }
        }
    }
    out
}

/// Put run `run`'s rows in every table that shows it (the selection stays on its row).
fn show(state: &mut State, run: u64) {
    let Some(rows) = state.finds.iter().find(|f| f.run == run).map(rows) else {
        return;
    };
    let view = state.table_rows();
    let tables = state
        .tabs_mut()
        .iter_mut()
        .flat_map(|t| t.stack.iter_mut())
        .flat_map(|s| s.panes.iter_mut());
    for pane in tables {
        if let Pane::Table(t) = pane
            && *t.kind() == (ListKind::Found { run })
        {
            t.set_rows(rows.clone(), view);
        }
    }
}

/// Keys on the results: Enter opens, `r` searches again, `y` copies the hit's own id; keys
/// that act on an object say to open it first. `true` when the key was handled here.
pub fn intercepts(state: &mut State, action: KeyAction, effects: &mut Vec<Effect>) -> bool {
    let Some(Pane::Table(t)) = state.focused() else {
        return false;
    };
    let &ListKind::Found { run } = t.kind() else {
        return false;
    };
    let selected = t.selected_row().cloned();
    match action {
        KeyAction::Open => {
            if let Some(row) = selected {
                open(state, run, &row, effects);
            }
        }
        KeyAction::Refresh => {
            if let Some(find) = state.finds.iter_mut().find(|f| f.run == run) {
                for g in &mut find.groups {
                    g.answer = Answer::Searching;
                }
            }
            ask(state, run, effects);
            show(state, run);
        }
        KeyAction::CopyId => {
            let hit = selected.as_ref().and_then(columns::found);
            if let Some(id) = hit.map(|f| f.id.clone()).filter(|id| !id.is_empty()) {
                crate::app::copy::copy_text(state, id.clone(), format!("id {id}"), false, effects);
            }
        }
        KeyAction::Edit
        | KeyAction::Patch
        | KeyAction::New
        | KeyAction::ExternalEdit
        | KeyAction::RevokeSession
        | KeyAction::RevokeAll
        | KeyAction::Mark
        | KeyAction::Delete => state.flash = Some(OPEN_FIRST.into()),
        _ => return false,
    }
    true
}

/// Enter on a row: a hit opens on its profile; a failed profile shows its error.
fn open(state: &mut State, run: u64, row: &Row, effects: &mut Vec<Effect>) {
    let Some((profile, place)) = row.id.split_once(SEP) else {
        return;
    };
    let Some(group) = state
        .finds
        .iter()
        .find(|f| f.run == run)
        .and_then(|f| f.groups.iter().find(|g| g.profile == profile))
        .cloned()
    else {
        return;
    };
    let hit = match (&group.answer, place.parse::<usize>()) {
        (Answer::Hits(hits), Ok(i)) => hits.get(i).cloned(),
        (Answer::Failed(e), _) => {
            state.error = Some(e.clone());
            state.mode = Mode::ErrorDetail {
                scroll: 0,
                error: Box::new(e.clone()),
            };
            return;
        }
        _ => None,
    };
    let (Some(hit), Some(tab)) = (
        hit,
        state.tabs().iter().position(|t| t.profile.name == profile),
    ) else {
        return;
    };
    let results = state.active();
    switch_tab(state, tab);
    open_object(state, hit.kind, &hit.row);
    if tab != results
        && let Some(t) = state.tab_mut()
    {
        t.screen_mut().back_to = Some(results);
    }
    refresh_detail(state, hit.kind, &hit.row.id, effects);
}
