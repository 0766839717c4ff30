//! Kratos credentials from the dashboard: `d` on a row of the Credentials pane (or an opened
//! credential) reads the identity, then asks, or says why the server would refuse so nothing
//! is sent. The rules themselves are in `rules`.

pub mod rules;

use serde_json::Value;

use super::action::ObjectFor;
use super::action::{Effect, Mutation};
use super::model::{ErrorInfo, ListKind, ObjectKind, Provider, Row};
use super::state::{Confirm, Input, Mode, Owner, Pane, State};
use crate::app::provider::kratos;

pub use rules::{ALL, CredentialRef, config_types, deleted, per_identifier, plan};

/// The Kratos credential in focus: a row of a Credentials pane or an opened credential.
fn focused(state: &State) -> Option<CredentialRef> {
    match state.tab()?.profile.provider {
        Provider::Kratos => {}
        Provider::Core | Provider::Headless => return None,
    }
    match state.focused()? {
        Pane::Table(t)
            if matches!(t.kind(), ListKind::Kratos(kratos::List::Credentials { .. })) =>
        {
            CredentialRef::parse(&t.selected_row()?.id)
        }
        Pane::Detail(d) if d.kind == ObjectKind::Kratos(kratos::Object::Credential) => {
            CredentialRef::parse(&d.id)
        }
        _ => None,
    }
}

/// `d` on a Kratos credential: read what the identity holds now, then ask (or say why the
/// server would refuse, sending nothing). Returns false when no Kratos credential is in
/// focus, so `d` means what it means elsewhere.
pub fn ask_delete(state: &mut State, effects: &mut Vec<Effect>) -> bool {
    let Some(target) = focused(state) else {
        return false;
    };
    // Refused whatever the identity holds on this release (v1.3.1: every password): say
    // why before anything is sent, not even the read.
    if let Some(why) = super::versions::rules(state).delete_refused(&target.kind) {
        refuse(state, &target, &why, false);
        return true;
    }
    let Some(profile) = state.tab().map(|t| t.profile.name.clone()) else {
        return true;
    };
    if let Some(why) = super::settle::busy(state, &profile, &target.identity) {
        state.flash = Some(why);
        return true;
    }
    let purpose = ObjectFor::CredentialCheck {
        tab: state.active(),
        target: target.id(),
    };
    effects.push(Effect::FetchObject {
        ticket: state.ask(Owner::Nobody, purpose),
        profile,
        kind: ObjectKind::Kratos(kratos::Object::Credential),
        id: target.delete_check().id(),
    });
    state.flash = Some(format!(
        "reading the identity to see what deleting its {} would do…",
        target.label()
    ));
    true
}

/// The read behind a `d` came back: ask, or refuse with the server's reason.
pub fn check_loaded(state: &mut State, tab: usize, target: &str, result: Result<Row, ErrorInfo>) {
    let Some(target) = CredentialRef::parse(target) else {
        return;
    };
    // The user moved on (another tab, another row, a prompt open): ask nothing.
    if tab != state.active()
        || !matches!(state.mode, Mode::Normal)
        || state.editor.is_some()
        || focused(state).as_ref() != Some(&target)
    {
        return;
    }
    let row = match result {
        Ok(row) => row,
        Err(err) => {
            state.flash = None;
            state.error = Some(err);
            return;
        }
    };
    let creds = row.raw.get("credentials").cloned().unwrap_or(Value::Null);
    match plan(&creds, &target, super::versions::rules_of(state, tab)) {
        Ok(note) => {
            state.flash = None;
            state.mode = Mode::Confirm(Confirm {
                mutation: Mutation::Kratos(kratos::Change::DeleteCredential {
                    identity: target.identity.clone(),
                    kind: target.kind.clone(),
                    identifier: target.identifier.clone(),
                }),
                type_to_confirm: None,
                input: Input::default(),
                note: Some(note),
                subject: None,
                count: None,
            });
        }
        Err(why) => refuse(state, &target, &why, true),
    }
}

/// Say why nothing was sent: the reason Kratos would give, in the status bar and `:error`.
/// `read`: judged on a fresh read of the identity (else on its type alone).
fn refuse(state: &mut State, target: &CredentialRef, why: &str, read: bool) {
    state.flash = None;
    // The server's reason first: a status bar cuts the end of a long line.
    let line = format!("refused, nothing sent: {why}");
    let kratos = match super::versions::text(state) {
        Some(v) => format!("Kratos {}", crate::sanitize::cell(v, 20)),
        None => "Kratos".to_string(),
    };
    // One sentence a line: the error overlay cuts long lines.
    let mut details = vec![
        format!("identity:   {}", target.identity),
        format!("credential: {}", target.label()),
        format!("{kratos} would refuse to delete it:"),
    ];
    details.extend(why.split_inclusive(". ").map(|s| format!("  {}", s.trim())));
    details.push(if read {
        "Nothing was sent (checked on a fresh read of the identity).".into()
    } else {
        "Nothing was sent (this server refuses it for any identity).".into()
    });
    let details = details.join("\n");
    state.error = Some(ErrorInfo::new(line, details));
}

/// After a delete, a credential detail of `identity` open on top of tab `tab` shows what is
/// gone or changed: go back to the identity, whose panes are then refreshed in place.
pub fn leave_deleted_detail(state: &mut State, tab: usize, identity: &str) {
    let Some(t) = state.tab_at_mut(tab) else {
        return;
    };
    let on_top = t.stack.len() > 1
        && t.screen().panes.iter().any(|p| {
            matches!(p, Pane::Detail(d) if d.kind == ObjectKind::Kratos(kratos::Object::Credential)
                && CredentialRef::parse(&d.id).is_some_and(|c| c.identity == identity))
        });
    if on_top {
        t.stack.pop();
    }
}
