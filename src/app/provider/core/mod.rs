//! MATTR VII (the code calls it `Core`): what its users list shows of a user, as the values a
//! row keeps; `columns` reads them.

pub mod columns;

/// What the users list shows of a MATTR user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    /// Its email or name from its claims.
    pub name: String,
    /// The subject at its authentication provider.
    pub provider: String,
    /// RFC 3339, as the server sent it.
    pub created: String,
    /// Its claims summed up on one line.
    pub claims: String,
}
