//! Ory Kratos: what its lists show of identities and sessions (also every session,
//! `:all-sessions`), as the values a row keeps; `columns` reads them.

pub mod columns;

/// What the identities list shows of an identity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// Its email or username (`IdentitySummary::name`).
    pub name: String,
    pub state: String,
    pub schema: String,
    /// RFC 3339, as the server sent it.
    pub created: String,
    /// Its public and admin metadata summed up on one line.
    pub metadata: String,
}

/// What a sessions list shows of a session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    pub active: bool,
    /// Its authenticator assurance level (`aal1`…).
    pub aal: String,
    pub ip: String,
    /// The user agent of its device.
    pub device: String,
    /// RFC 3339, as the server sent it.
    pub expires: String,
}

/// A session of `:all-sessions`: the session, and the person it belongs to (the identity's
/// name, or its id when it has none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllSession {
    pub session: Session,
    pub identity: String,
}
