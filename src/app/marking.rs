//! `:mark all|none|invert` and what a list that cannot be marked says. `space` (in `update`)
//! marks one row; `:mark all` reads the whole list on the server (`table::mark_walk`).

use super::model::{ListKind, Provider};
use super::state::State;
use crate::app::provider::{core, kratos};

/// Why rows of `kind` cannot be marked, if they cannot.
pub fn not_markable(kind: &ListKind) -> Option<String> {
    if kind.markable() {
        return None;
    }
    Some(match kind {
        ListKind::Kratos(kratos::List::Credentials { .. }) => {
            "credentials are deleted one at a time (d): each delete is judged against the \
             first factors the identity keeps"
                .into()
        }
        ListKind::Core(core::List::Credentials { .. }) => {
            format!(
                "nothing to mark: {} has no call that changes a credential",
                Provider::Core.system()
            )
        }
        ListKind::Audit => "the audit trail is a record: its lines cannot be marked".into(),
        ListKind::Found { .. } => {
            "marks are for a profile's lists: open the hit's list to mark rows there".into()
        }
        _ => "rows of this list cannot be marked".into(),
    })
}

/// `:mark all|none|invert` on the list in front.
pub fn command(state: &mut State, arg: &str) {
    let Some(t) = state.focused_table_mut() else {
        state.flash = Some(":mark: open a list first (marks are for a list's rows)".into());
        return;
    };
    if let Some(why) = not_markable(t.kind()) {
        state.flash = Some(format!(":mark: {why}"));
        return;
    }
    state.flash = Some(match arg.trim() {
        "all" => {
            t.start_mark_walk();
            match t.search() {
                Some(s) => format!("marking every row the search “{s}” finds… (Esc stops)"),
                None => "marking every row of the list on the server… (Esc stops)".into(),
            }
        }
        "none" => {
            let n = t.marked().len();
            t.stop_mark_walk();
            t.marks_mut().clear();
            format!("{n} marks cleared")
        }
        "invert" => {
            let loaded: Vec<(String, String)> = t
                .loaded_rows()
                .map(|(_, r)| (r.id.clone(), r.fields.name().unwrap_or("").to_string()))
                .collect();
            for (id, name) in &loaded {
                t.marks_mut().toggle(id, name);
            }
            format!(
                "marks inverted over the {} loaded rows ({} marked now)",
                loaded.len(),
                t.marked().len()
            )
        }
        other => format!(":mark {other}: expected all, none or invert"),
    });
}

/// `Esc` on a list marking all its rows: stop, keeping what is marked. Whether it did.
pub fn stop(state: &mut State) -> bool {
    let Some(t) = state.focused_table_mut() else {
        return false;
    };
    if !t.stop_mark_walk() {
        return false;
    }
    let n = t.marked().len();
    state.flash = Some(format!("stopped marking: {n} marked"));
    true
}
