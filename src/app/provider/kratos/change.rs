//! The changes Kratos takes, one variant per admin call (each refused in read-only mode by
//! the runtime), and how each is named in confirmations and messages.

use serde_json::Value;

use crate::app::credentials::rules::CredentialRef;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Change {
    /// `DELETE /admin/sessions/{id}` (deactivates one session).
    RevokeSession { session: String },
    /// `DELETE /admin/sessions/{id}` for each marked session.
    RevokeSessions { sessions: Vec<String> },
    /// `DELETE /admin/identities/{id}/sessions`.
    RevokeAllSessions { identity: String },
    /// `DELETE /admin/identities/{id}`.
    DeleteIdentity { identity: String },
    /// `POST /admin/identities`.
    CreateIdentity { body: Value },
    /// `DELETE /admin/identities/{id}/credentials/{type}[?identifier=]`: one credential
    /// type, or one link of an OIDC/SAML (or device key) credential.
    DeleteCredential {
        identity: String,
        kind: String,
        identifier: Option<String>,
    },
    /// `PUT /admin/identities/{id}` with the edited body.
    UpdateIdentity { identity: String, body: Value },
    /// `PATCH /admin/identities/{id}` (RFC 6902).
    PatchIdentity { identity: String, patch: Value },
    /// `POST /admin/recovery/link`. Not idempotent: never resent on a lost answer.
    CreateRecoveryLink {
        identity: String,
        expires_in: Option<String>,
    },
    /// `POST /admin/recovery/code`. Not idempotent either.
    CreateRecoveryCode {
        identity: String,
        expires_in: Option<String>,
    },
    /// `PATCH /admin/identities/{id}` setting one verifiable address's `verified` (with its
    /// status and time, as Kratos' own verification does).
    SetAddressVerified {
        identity: String,
        address: String,
        verified: bool,
    },
    /// `PATCH /admin/sessions/{id}/extend`.
    ExtendSession { session: String },
}

impl Change {
    /// What is about to happen, naming the target.
    pub fn describe(&self) -> String {
        match self {
            Change::RevokeSession { session } => format!("revoke session {session}"),
            Change::RevokeSessions { sessions } => {
                format!("revoke {} marked sessions", sessions.len())
            }
            Change::RevokeAllSessions { identity } => {
                format!("revoke ALL sessions of identity {identity}")
            }
            Change::DeleteIdentity { identity } => format!("delete identity {identity}"),
            Change::CreateIdentity { .. } => "create an identity".to_string(),
            Change::DeleteCredential {
                identity,
                kind,
                identifier,
            } => {
                let what = CredentialRef::new(identity, kind, identifier.as_deref()).label();
                format!("delete the {what} of identity {identity}")
            }
            Change::UpdateIdentity { identity, .. } => format!("update identity {identity}"),
            Change::PatchIdentity { identity, .. } => format!("patch identity {identity}"),
            Change::CreateRecoveryLink { identity, .. } => {
                format!("create a recovery link for identity {identity}")
            }
            Change::CreateRecoveryCode { identity, .. } => {
                format!("create a recovery code for identity {identity}")
            }
            Change::SetAddressVerified {
                identity,
                address,
                verified,
            } => format!(
                "mark address {address} of identity {identity} {}",
                if *verified { "verified" } else { "unverified" }
            ),
            Change::ExtendSession { session } => format!("extend session {session}"),
        }
    }
}
