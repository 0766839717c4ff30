//! Coassemble (the code calls it `Headless`): what its lists show of clients and users, as
//! the values a row keeps; `columns` reads them.

pub mod columns;

/// What the clients list shows of a client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Client {
    pub name: String,
    /// How many users it has, when the server says.
    pub users: Option<u64>,
    /// Its metadata summed up on one line.
    pub metadata: String,
}

/// What a users list shows of a user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    /// Its name or email.
    pub name: String,
    /// The client it belongs to (blank for a workspace user).
    pub client: String,
    /// RFC 3339, as the server sent it.
    pub created: String,
    /// Its metadata summed up on one line.
    pub metadata: String,
}
