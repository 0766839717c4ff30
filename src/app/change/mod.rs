//! Changes on the server, from the read they start from until their outcome is known:
//! applied, failed or unknown. One change per object at a time; a lost answer is settled by
//! reading the object again before anything can be sent again; every step goes to the audit
//! trail.
//!
//! This module is the lifecycle alone, with no screen and no I/O, so the dashboard, a
//! command line and a session over SSH can all drive it: `flow` holds the steps (checked
//! against the server copy, sent, answered, re-read, settled), `types` what a change is and
//! what a re-read must show, `verdict` how a re-read is judged. The dashboard's driver is
//! `app::settle`.

pub mod flow;
pub mod types;
pub mod verdict;

use super::credentials::rules::CredentialRef;
use super::model::ObjectKind;
use super::mutation::Mutation;
use crate::app::provider::{core, headless, kratos};

pub use types::{
    BatchItem, CREATED, Change, Expect, Field, Outcome, SentDraft, Stage, headless_user_body,
    identity_body, objects_of,
};

/// What a re-read must show for a change sent from a confirmation (no editor) to count as
/// applied; `None` for the changes an editor or `:extend` sends, which know their starting
/// point.
pub fn expect_of(mutation: &Mutation) -> Option<Expect> {
    Some(match mutation {
        Mutation::Kratos(kratos::Change::RevokeSession { session }) => Expect::SessionsRevoked {
            sessions: vec![session.clone()],
        },
        Mutation::Kratos(kratos::Change::RevokeSessions { sessions }) => Expect::SessionsRevoked {
            sessions: sessions.clone(),
        },
        Mutation::Kratos(kratos::Change::RevokeAllSessions { identity }) => {
            Expect::NoActiveSession {
                identity: identity.clone(),
            }
        }
        Mutation::Kratos(kratos::Change::DeleteIdentity { identity }) => Expect::Gone {
            kind: ObjectKind::Kratos(kratos::Object::Identity),
            id: identity.clone(),
        },
        Mutation::Kratos(kratos::Change::DeleteCredential {
            identity,
            kind,
            identifier,
        }) => Expect::CredentialGone {
            id: CredentialRef::new(identity, kind, identifier.as_deref()).id(),
        },
        Mutation::Core(core::Change::DeleteUser { user }) => Expect::Gone {
            kind: ObjectKind::Core(core::Object::User),
            id: user.clone(),
        },
        Mutation::Headless(headless::Change::DeleteClient { client }) => Expect::Gone {
            kind: ObjectKind::Headless(headless::Object::Client),
            id: client.clone(),
        },
        Mutation::Headless(headless::Change::DeleteUser { user, client, .. }) => Expect::Gone {
            kind: ObjectKind::Headless(headless::Object::User),
            id: super::model::scoped_user(user, client.as_deref()),
        },
        Mutation::Kratos(kratos::Change::SetAddressVerified {
            identity,
            address,
            verified,
        }) => Expect::AddressVerified {
            identity: identity.clone(),
            address: address.clone(),
            verified: *verified,
        },
        Mutation::Kratos(kratos::Change::CreateRecoveryLink { .. })
        | Mutation::Kratos(kratos::Change::CreateRecoveryCode { .. }) => Expect::NotRereadable,
        // Edits are sent by the editors, which know their base; an extension by `:extend`,
        // which knows the expiry it starts from.
        Mutation::Kratos(kratos::Change::UpdateIdentity { .. })
        | Mutation::Kratos(kratos::Change::PatchIdentity { .. })
        | Mutation::Kratos(kratos::Change::CreateIdentity { .. })
        | Mutation::Core(core::Change::UpdateClaims { .. })
        | Mutation::Headless(headless::Change::UpdateClientMetadata { .. })
        | Mutation::Headless(headless::Change::UpdateUser { .. })
        | Mutation::Kratos(kratos::Change::ExtendSession { .. }) => return None,
    })
}

/// Why nothing else may be sent to the objects `change` holds while it is unsettled.
pub fn held_by(change: &Change) -> String {
    let what = change.mutation.describe();
    match &change.stage {
        Stage::Sending => format!("busy: “{what}” is still waiting for its answer"),
        Stage::Verifying { .. } => {
            format!("busy: the answer to “{what}” was lost; checking whether it was applied")
        }
        Stage::Unknown { .. } => format!(
            "refused: whether “{what}” was applied is unknown; r checks again before anything is resent"
        ),
    }
}
