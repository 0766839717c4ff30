//! Naming people in confirmations and messages: `nguyen.an@example.vn (48602316)` rather than
//! a UUID, from what is already on screen (a row, an opened object, a session's expanded
//! identity). Nothing here reads the network.

use serde_json::Value;

use super::detail::Detail;
use super::model::{Hit, ListKind, ObjectKind, Row, person_label, short_id};
use super::state::{Pane, State};
use crate::app::provider::kratos;

/// What people call a Kratos identity object: an email, a username or a phone number.
pub fn identity_name(identity: &Value) -> Option<String> {
    let traits = identity.get("traits")?;
    ["email", "username", "phone"]
        .iter()
        .find_map(|k| traits.get(*k).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `name (short id)` for an identity known by its id: from an opened detail or a loaded
/// row of the active profile, or the short id alone.
pub fn identity_label(state: &State, id: &str) -> String {
    let Some(tab) = state.tab() else {
        return id.to_string();
    };
    let panes = tab.stack.iter().rev().flat_map(|s| s.panes.iter());
    for pane in panes {
        match pane {
            Pane::Detail(d)
                if d.kind == ObjectKind::Kratos(kratos::Object::Identity) && d.id == id =>
            {
                if let Some(name) = identity_name(&d.raw) {
                    return format!("{name} ({})", short_id(id));
                }
            }
            Pane::Table(t) if *t.kind() == ListKind::Kratos(kratos::List::Identities) => {
                if let Some((_, row)) = t.loaded_rows().find(|(_, r)| r.id == id) {
                    return person_label(ObjectKind::Kratos(kratos::Object::Identity), row);
                }
            }
            _ => {}
        }
    }
    format!("identity {}", short_id(id))
}

/// Who a session belongs to: its expanded identity, or the identity whose sessions are
/// listed.
pub fn session_owner(state: &State, list: &ListKind, session: &Value) -> Option<String> {
    let identity = session.get("identity").filter(|i| i.is_object());
    if let Some(i) = identity
        && let Some(id) = i.get("id").and_then(Value::as_str)
    {
        return Some(match identity_name(i) {
            Some(name) => format!("{name} ({})", short_id(id)),
            None => identity_label(state, id),
        });
    }
    match list {
        ListKind::Kratos(kratos::List::Sessions { identity }) => {
            Some(identity_label(state, identity))
        }
        _ => None,
    }
}

/// The people behind several sessions: one label, or how many people and who.
pub fn owners(labels: Vec<String>) -> Option<String> {
    let mut distinct: Vec<String> = Vec::new();
    for l in labels {
        if !distinct.contains(&l) {
            distinct.push(l);
        }
    }
    match distinct.len() {
        0 => None,
        1 => distinct.pop(),
        n => Some(format!("{n} people: {}", distinct.join(", "))),
    }
}

/// The row or object in view as a hit (its kind and row), for commands without a WHO.
pub fn in_view(state: &State) -> Option<Hit> {
    match state.focused()? {
        Pane::Table(t) => {
            let kind = t.kind().object();
            match t.kind() {
                // In an identity's own lists, the identity is the one in view.
                ListKind::Kratos(kratos::List::Sessions { identity })
                | ListKind::Kratos(kratos::List::Credentials { identity }) => opened(
                    state,
                    ObjectKind::Kratos(kratos::Object::Identity),
                    identity,
                ),
                _ => t.selected_row().map(|row| Hit {
                    kind,
                    row: row.clone(),
                }),
            }
        }
        Pane::Detail(d) => Some(detail_hit(d)),
    }
}

/// An opened object as a hit: its kind, and a row naming it by the detail's title.
pub fn detail_hit(d: &Detail) -> Hit {
    Hit {
        kind: d.kind,
        row: Row {
            id: d.id.clone(),
            fields: d.kind.named(d.title.clone()),
            raw: d.raw.clone().into(),
        },
    }
}

/// An opened object of the active screen stack, as a hit.
fn opened(state: &State, kind: ObjectKind, id: &str) -> Option<Hit> {
    let tab = state.tab()?;
    tab.stack
        .iter()
        .rev()
        .flat_map(|s| s.panes.iter())
        .find_map(|p| match p {
            Pane::Detail(d) if d.kind == kind && d.id == id => Some(detail_hit(d)),
            _ => None,
        })
}
