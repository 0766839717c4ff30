//! Changes on the server, from the read they start from until their outcome is known:
//! applied, failed or unknown. One change per object at a time; a lost answer is settled by
//! reading the object again before anything can be sent again; every step goes to the audit
//! trail.
//!
//! The lifecycle itself is `flow`: plain steps any front end drives (checked against the
//! server copy, sent, answered, re-read, settled), with what a re-read must show (`types`)
//! and how one is judged (`verdict`). The dashboard drives it through effects in `settle`,
//! and sends through `send` here once `busy` finds the objects free; `plain` is the change a
//! confirmation sends. What a settled change means for the screen goes up as a `Report`.

pub mod flow;
pub mod settle;
pub mod types;
pub mod verdict;

use super::action::Effect;
use super::credentials::rules::CredentialRef;
use super::model::ObjectKind;
use super::mutation::Mutation;
use super::state::State;

pub use types::{
    CREATED, Change, Expect, Field, Outcome, SentDraft, Stage, headless_user_body, identity_body,
    objects_of,
};

/// Why nothing may be sent to `object` on `profile` now, if a change to it is unsettled.
pub fn busy(state: &State, profile: &str, object: &str) -> Option<String> {
    let change = state
        .changes
        .values()
        .find(|c| c.profile == profile && c.objects().iter().any(|o| o == object))?;
    let what = change.mutation.describe();
    Some(match &change.stage {
        Stage::Sending => format!("busy: “{what}” is still waiting for its answer"),
        Stage::Verifying { .. } => {
            format!("busy: the answer to “{what}” was lost; checking whether it was applied")
        }
        Stage::Unknown { .. } => format!(
            "refused: whether “{what}” was applied is unknown; r checks again before anything is resent"
        ),
    })
}

/// Issue `change` and return its seq, unless an unsettled change holds one of its objects
/// (then say so in the status bar). The audit trail gets a `sent` line first.
pub fn send(state: &mut State, change: Change, effects: &mut Vec<Effect>) -> Option<u64> {
    for object in change.objects() {
        if let Some(why) = busy(state, &change.profile, &object) {
            state.flash = Some(why);
            return None;
        }
    }
    let seq = state.change_seq();
    effects.push(Effect::Audit(flow::sent_line(&change)));
    effects.push(Effect::Mutate {
        seq,
        profile: change.profile.clone(),
        mutation: change.mutation.clone(),
    });
    state.changes.insert(seq, change);
    Some(seq)
}

/// The change a confirmation sends: no editor, and what a re-read must show.
pub fn plain(state: &State, tab: usize, mutation: Mutation) -> Option<Change> {
    let t = state.tab_at(tab)?;
    let expect = match &mutation {
        Mutation::RevokeSession { session } => Expect::SessionsRevoked {
            sessions: vec![session.clone()],
        },
        Mutation::RevokeSessions { sessions } => Expect::SessionsRevoked {
            sessions: sessions.clone(),
        },
        Mutation::RevokeAllSessions { identity } => Expect::NoActiveSession {
            identity: identity.clone(),
        },
        Mutation::DeleteIdentity { identity } => Expect::Gone {
            kind: ObjectKind::Identity,
            id: identity.clone(),
        },
        Mutation::DeleteCredential {
            identity,
            kind,
            identifier,
        } => Expect::CredentialGone {
            id: CredentialRef::new(identity, kind, identifier.as_deref()).id(),
        },
        Mutation::DeleteCoreUser { user } => Expect::Gone {
            kind: ObjectKind::CoreUser,
            id: user.clone(),
        },
        Mutation::DeleteClient { client } => Expect::Gone {
            kind: ObjectKind::HeadlessClient,
            id: client.clone(),
        },
        Mutation::DeleteHeadlessUser { user, client, .. } => Expect::Gone {
            kind: ObjectKind::HeadlessUser,
            id: super::model::scoped_user(user, client.as_deref()),
        },
        Mutation::SetAddressVerified {
            identity,
            address,
            verified,
        } => Expect::AddressVerified {
            identity: identity.clone(),
            address: address.clone(),
            verified: *verified,
        },
        Mutation::CreateRecoveryLink { .. } | Mutation::CreateRecoveryCode { .. } => {
            Expect::NotRereadable
        }
        // Edits are sent by the editors, which know their base; an extension by `:extend`,
        // which knows the expiry it starts from.
        Mutation::UpdateIdentity { .. }
        | Mutation::PatchIdentity { .. }
        | Mutation::CreateIdentity { .. }
        | Mutation::UpdateCoreClaims { .. }
        | Mutation::UpdateClientMetadata { .. }
        | Mutation::UpdateHeadlessUser { .. }
        | Mutation::ExtendSession { .. } => return None,
    };
    Some(Change {
        tab,
        profile: t.profile.name.clone(),
        provider: t.profile.provider,
        subject: None,
        mutation,
        expect,
        audit_change: None,
        draft: None,
        stage: Stage::Sending,
    })
}
