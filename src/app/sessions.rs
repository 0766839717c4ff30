//! `:extend`: the selected Kratos session's expiry pushed out by the server's lifespan, sent
//! through the change lifecycle (a lost answer is settled by reading the session again: a
//! new expiry means it was applied).

use serde_json::Value;

use super::action::{Effect, Mutation};
use super::change::{Change, Expect, Stage};
use super::model::ObjectKind;
use super::state::{Pane, State};
use super::subject;
use super::who::{Purpose, unsupported};
use crate::app::provider::kratos;

pub fn extend(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(tab) = state.tab() else { return };
    if let Some(why) = unsupported(tab.profile.provider, &Purpose::Sessions) {
        state.flash = Some(format!(":extend: {why}"));
        return;
    }
    let (profile, provider) = (tab.profile.name.clone(), tab.profile.provider);
    let selected = match state.focused() {
        Some(Pane::Table(t)) if t.kind().is_sessions() => t.selected_row().map(|r| {
            (
                r.id.clone(),
                r.raw.shared(),
                subject::session_owner(state, t.kind(), &r.raw),
            )
        }),
        Some(Pane::Detail(d)) if d.kind == ObjectKind::Kratos(kratos::Object::Session) => Some((
            d.id.clone(),
            d.raw.clone(),
            subject::session_owner(
                state,
                &super::model::ListKind::Kratos(kratos::List::Identities),
                &d.raw,
            ),
        )),
        _ => None,
    };
    let Some((session, raw, owner)) = selected else {
        state.flash =
            Some(":extend: select a session (in a Sessions list or :all-sessions)".into());
        return;
    };
    let before = raw
        .get("expires_at")
        .and_then(Value::as_str)
        .map(str::to_string);
    let change = Change {
        tab: state.active(),
        profile,
        provider,
        mutation: Mutation::Kratos(kratos::Change::ExtendSession {
            session: session.clone(),
        }),
        subject: owner,
        expect: Expect::Extended { session, before },
        audit_change: None,
        draft: None,
        batch: None,
        stage: Stage::Sending,
    };
    if super::settle::send(state, change, effects).is_some() {
        state.flash = Some("extending the session…".into());
    }
}
