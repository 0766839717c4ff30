//! A change on the server (`Mutation`) and what its answer brings back (`Done`, `Issued`):
//! plain data, named by effects, changes in flight and the audit trail alike.

use serde_json::Value;

use super::credentials::rules::CredentialRef;

/// A change on the server. Every variant is refused in read-only mode by the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    /// Kratos `DELETE /admin/sessions/{id}` (deactivates one session).
    RevokeSession { session: String },
    /// Kratos `DELETE /admin/sessions/{id}` for each marked session.
    RevokeSessions { sessions: Vec<String> },
    /// Kratos `DELETE /admin/identities/{id}/sessions`.
    RevokeAllSessions { identity: String },
    /// Kratos `DELETE /admin/identities/{id}`.
    DeleteIdentity { identity: String },
    /// Kratos `POST /admin/identities`.
    CreateIdentity { body: Value },
    /// MATTR `DELETE /users/{id}`.
    DeleteCoreUser { user: String },
    /// Coassemble `DELETE /client/{id}`: the client and everything tied to it.
    DeleteClient { client: String },
    /// Coassemble `DELETE /user/{id}`, with what happens to the user's courses.
    DeleteHeadlessUser {
        user: String,
        client: Option<String>,
        courses: Courses,
    },
    /// Kratos `DELETE /admin/identities/{id}/credentials/{type}[?identifier=]`: one
    /// credential type, or one link of an OIDC/SAML (or device key) credential.
    DeleteCredential {
        identity: String,
        kind: String,
        identifier: Option<String>,
    },
    /// Kratos `PUT /admin/identities/{id}` with the edited body.
    UpdateIdentity { identity: String, body: Value },
    /// Kratos `PATCH /admin/identities/{id}` (RFC 6902).
    PatchIdentity { identity: String, patch: Value },
    /// MATTR `PUT /users/{id}` replacing the user's claims.
    UpdateCoreClaims { user: String, claims: Value },
    /// Coassemble `PUT /client/{id}` replacing the client's metadata.
    UpdateClientMetadata { client: String, metadata: Value },
    /// Coassemble `PUT /user/{id}`: `body` holds `name`, `avatar` and the whole `metadata`;
    /// `clientIdentifier` goes with it when the user belongs to a client.
    UpdateHeadlessUser {
        user: String,
        client: Option<String>,
        body: Value,
    },
    /// Kratos `POST /admin/recovery/link`. Not idempotent: never resent on a lost answer.
    CreateRecoveryLink {
        identity: String,
        expires_in: Option<String>,
    },
    /// Kratos `POST /admin/recovery/code`. Not idempotent either.
    CreateRecoveryCode {
        identity: String,
        expires_in: Option<String>,
    },
    /// Kratos `PATCH /admin/identities/{id}` setting one verifiable address's `verified`
    /// (with its status and time, as Kratos' own verification does).
    SetAddressVerified {
        identity: String,
        address: String,
        verified: bool,
    },
    /// Kratos `PATCH /admin/sessions/{id}/extend`.
    ExtendSession { session: String },
}

/// A change's answer: a line for the status bar, and what it issued, if anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub message: String,
    pub issued: Option<Issued>,
}

impl From<String> for Done {
    fn from(message: String) -> Done {
        Done {
            message,
            issued: None,
        }
    }
}

impl From<&str> for Done {
    fn from(message: &str) -> Done {
        Done::from(message.to_string())
    }
}

/// A secret a change made for a person to use: a recovery link, and a code with it. Shown
/// once in its own box and copied on request; never in the status bar, the audit trail or a
/// log (`Debug` hides it).
#[derive(Clone, PartialEq)]
pub struct Issued {
    pub link: String,
    pub code: Option<String>,
    pub expires_at: Option<String>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("link", &"<hidden>")
            .field("code", &self.code.as_ref().map(|_| "<hidden>"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What happens to a deleted Coassemble user's courses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Courses {
    /// Given to the user with this identifier.
    Reallocate(String),
    Delete,
    Ignore,
}

impl Mutation {
    /// What is about to happen, naming the target (confirmations and messages).
    pub fn describe(&self) -> String {
        match self {
            Mutation::RevokeSession { session } => format!("revoke session {session}"),
            Mutation::RevokeSessions { sessions } => {
                format!("revoke {} marked sessions", sessions.len())
            }
            Mutation::RevokeAllSessions { identity } => {
                format!("revoke ALL sessions of identity {identity}")
            }
            Mutation::DeleteIdentity { identity } => format!("delete identity {identity}"),
            Mutation::CreateIdentity { .. } => "create an identity".to_string(),
            Mutation::DeleteCoreUser { user } => format!("delete user {user}"),
            Mutation::DeleteClient { client } => {
                format!("delete client {client} with all its users and courses")
            }
            Mutation::DeleteHeadlessUser { user, courses, .. } => match courses {
                Courses::Reallocate(to) => {
                    format!("delete user {user} and give their courses to {to}")
                }
                Courses::Delete => format!("delete user {user} and their courses"),
                Courses::Ignore => format!("delete user {user} and leave their courses"),
            },
            Mutation::DeleteCredential {
                identity,
                kind,
                identifier,
            } => {
                let what = CredentialRef::new(identity, kind, identifier.as_deref()).label();
                format!("delete the {what} of identity {identity}")
            }
            Mutation::UpdateIdentity { identity, .. } => format!("update identity {identity}"),
            Mutation::PatchIdentity { identity, .. } => format!("patch identity {identity}"),
            Mutation::UpdateCoreClaims { user, .. } => format!("update the claims of user {user}"),
            Mutation::UpdateClientMetadata { client, .. } => {
                format!("update the metadata of client {client}")
            }
            Mutation::UpdateHeadlessUser { user, client, .. } => match client {
                Some(c) => format!("update user {user} of client {c}"),
                None => format!("update user {user}"),
            },
            Mutation::CreateRecoveryLink { identity, .. } => {
                format!("create a recovery link for identity {identity}")
            }
            Mutation::CreateRecoveryCode { identity, .. } => {
                format!("create a recovery code for identity {identity}")
            }
            Mutation::SetAddressVerified {
                identity,
                address,
                verified,
            } => format!(
                "mark address {address} of identity {identity} {}",
                if *verified { "verified" } else { "unverified" }
            ),
            Mutation::ExtendSession { session } => format!("extend session {session}"),
        }
    }
}
