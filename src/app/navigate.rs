//! Moving around and reloading what is on screen: helpers the key handlers share (`update`,
//! the command line, confirmations, lookups, search results, the audit pane, paste).

use super::action::Effect;
use super::action::ObjectFor;
use super::credentials::rules::CredentialRef;
use super::detail::Detail;
use super::model::{ObjectKind, Row};
use super::state::{Owner, Pane, Screen, State};
use super::table::Table;
use crate::app::provider::kratos;

/// List endpoints return partial objects (Kratos lists omit credentials): fetch the full
/// object behind a detail that was opened from a row.
/// A Kratos credential's row has no config: its detail reads it (`include_credential`) only
/// once opened.
pub fn refresh_detail(state: &mut State, kind: ObjectKind, id: &str, effects: &mut Vec<Effect>) {
    let Some(tab) = state.tab() else { return };
    let wanted = match kind {
        ObjectKind::Kratos(kratos::Object::Identity) => true,
        ObjectKind::Kratos(kratos::Object::Credential) => CredentialRef::parse(id).is_some(),
        ObjectKind::Kratos(kratos::Object::Session)
        | ObjectKind::Core(_)
        | ObjectKind::Headless(_)
        | ObjectKind::AuditEntry
        | ObjectKind::Hit => false,
    };
    if !wanted {
        return;
    }
    let profile = tab.profile.name.clone();
    let purpose = ObjectFor::Refresh {
        tab: state.active(),
        kind,
        id: id.to_string(),
    };
    effects.push(Effect::FetchObject {
        ticket: state.ask(Owner::Nobody, purpose),
        profile,
        kind,
        id: id.to_string(),
    });
}

pub fn switch_tab(state: &mut State, index: usize) {
    state.select_tab(index);
}

/// Push a screen for an object: its detail, then its child lists.
pub fn open_object(state: &mut State, kind: ObjectKind, row: &Row) {
    let title = kind
        .name_of(row)
        .filter(|c| !c.is_empty())
        .map_or_else(|| row.id.clone(), str::to_string);
    let mut panes = vec![Pane::Detail(Detail::new(kind, &row.id, &title, &row.raw))];
    for child in kind.children(&row.id) {
        panes.push(Pane::Table(state.new_table(child)));
    }
    let crumb = crate::sanitize::cell(&title, 40);
    if let Some(tab) = state.tab_mut() {
        tab.stack.push(Screen {
            title: crumb,
            panes,
            focus: 0,
            back_to: None,
        });
    }
}

/// Refresh every table on the current screen in place: the selection stays on its row (see
/// `Table::refresh`). New uids make responses in flight stale.
pub fn refresh_screen(state: &mut State) {
    let Some(tab) = state.tab() else {
        return;
    };
    let n = tab.screen().panes.len();
    let rows = state.table_rows();
    for i in 0..n {
        let uid = state.fresh_uid();
        if let Some(Pane::Table(t)) = state.tab_mut().map(|t| &mut t.screen_mut().panes[i]) {
            t.refresh(uid, rows);
        }
    }
}

/// Marked sessions that were revoked together are unmarked once that succeeded (the list is
/// refreshed in place, so the marks would otherwise stay on the revoked rows).
/// Marked sessions whose revocation was applied are unmarked (an in-place refresh keeps the
/// rows, which would otherwise stay marked).
pub fn forget_revoked_marks(state: &mut State, tab: usize, sessions: &[String]) {
    let tables = state
        .tab_at_mut(tab)
        .into_iter()
        .flat_map(|t| t.stack.iter_mut())
        .flat_map(|s| s.panes.iter_mut());
    for pane in tables {
        if let Pane::Table(t) = pane {
            for id in sessions {
                t.unmark(id);
            }
        }
    }
}

/// Filter the focused table's loaded rows by `query` (the find prompt's text).
pub(super) fn refilter_focused(state: &mut State, query: &str) {
    if let Some(t) = state.focused_table_mut() {
        refilter(t, query);
    }
}

pub(super) fn refilter(t: &mut Table, query: &str) {
    let mut f = t.take_filter().unwrap_or_default();
    f.query = query.to_string();
    f.refresh(t.loaded_rows());
    t.set_filter(Some(f));
}
