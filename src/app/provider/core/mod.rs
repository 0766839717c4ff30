//! MATTR VII (the code calls it `Core`) on the app side: its lists (users, a user's
//! credentials) and objects, what each is called and holds, and the values a row of its
//! users list keeps (`columns` reads them).

use super::delete::{Delete, Typed};
use crate::app::mutation::Mutation;

pub mod change;
pub mod columns;
pub mod detail;

pub use change::Change;

/// How config files and the audit trail name the provider.
pub const KEY: &str = "core";
/// How people name it.
pub const SYSTEM: &str = "MATTR VII";

/// A MATTR list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum List {
    Users,
    Credentials { user: String },
}

/// What a MATTR row or detail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Object {
    User,
    Credential,
}

/// The lists a MATTR profile opens with.
pub fn root_lists() -> Vec<List> {
    vec![List::Users]
}

impl List {
    pub fn title(&self) -> &'static str {
        match self {
            List::Users => "Users",
            List::Credentials { .. } => "Credentials",
        }
    }

    pub fn object(&self) -> Object {
        match self {
            List::Users => Object::User,
            List::Credentials { .. } => Object::Credential,
        }
    }

    pub fn server_search_hint(&self) -> Option<&'static str> {
        match self {
            List::Users => Some("an email, or claims: given_name=Jamie"),
            List::Credentials { .. } => None,
        }
    }

    /// MATTR serves up to 1000 a page.
    pub fn walk_page_size(&self) -> Option<usize> {
        match self {
            List::Users | List::Credentials { .. } => Some(1000),
        }
    }
}

impl Object {
    /// Whether it is a person (what `:find` and a WHO argument look for).
    pub fn is_person(self) -> bool {
        match self {
            Object::User => true,
            Object::Credential => false,
        }
    }

    /// Whether a WHO argument can name it (a person, or a Coassemble client).
    pub fn named_by_who(self) -> bool {
        match self {
            Object::User => true,
            Object::Credential => false,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Object::User => "user",
            Object::Credential => "credential",
        }
    }

    /// What `d` does with it.
    pub fn delete(self, id: &str) -> Delete {
        match self {
            Object::User => Delete::Ask {
                mutation: Mutation::Core(Change::DeleteUser {
                    user: id.to_string(),
                }),
                typed: Typed::Start,
            },
            Object::Credential => Delete::Refused("MATTR credentials cannot be deleted from here"),
        }
    }

    /// The lists shown under an opened object, in pane order.
    pub fn children(self, id: &str) -> Vec<List> {
        match self {
            Object::User => vec![List::Credentials {
                user: id.to_string(),
            }],
            Object::Credential => Vec::new(),
        }
    }
}

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
