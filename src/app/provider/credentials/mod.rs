//! The credentials lists (an identity's under Kratos, a user's under MATTR share one table):
//! what they show of a credential, as the values a row keeps; `columns` reads them.

pub mod columns;
pub mod detail;

/// What a credentials list shows of a credential.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credential {
    /// Its type (`password`, `oidc`; a MATTR credential's type).
    pub kind: String,
    /// What it is known by, joined (a MATTR credential's profile).
    pub identifiers: String,
    /// RFC 3339, as the server sent it (a MATTR credential's issue time).
    pub created: String,
    /// `version N` (a MATTR credential's status).
    pub details: String,
}
