//! Coassemble (the code calls it `Headless`) on the app side: its lists (clients, users of
//! the workspace or of a client) and objects, what each is called and holds, and the values
//! a row of its lists keeps (`columns` reads them).

use super::delete::{Delete, Typed};
use crate::app::mutation::Mutation;

pub mod change;
pub mod columns;
pub mod detail;

pub use change::Change;

/// How config files and the audit trail name the provider.
pub const KEY: &str = "headless";
/// How people name it.
pub const SYSTEM: &str = "Coassemble";

/// A Coassemble list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum List {
    Clients,
    /// The users of `client`, or of the workspace when `None`.
    Users {
        client: Option<String>,
    },
}

/// What a Coassemble row or detail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Object {
    Client,
    User,
}

/// The lists a Coassemble profile opens with.
pub fn root_lists() -> Vec<List> {
    vec![List::Clients, List::Users { client: None }]
}

impl List {
    pub fn title(&self) -> &'static str {
        match self {
            List::Clients => "Clients",
            List::Users { .. } => "Users",
        }
    }

    pub fn object(&self) -> Object {
        match self {
            List::Clients => Object::Client,
            List::Users { .. } => Object::User,
        }
    }

    pub fn server_search_hint(&self) -> Option<&'static str> {
        match self {
            List::Users { .. } => Some("client identifier"),
            List::Clients => None,
        }
    }

    /// Coassemble pages by number, so a page's place depends on its size: one size.
    pub fn walk_page_size(&self) -> Option<usize> {
        match self {
            List::Clients | List::Users { .. } => None,
        }
    }
}

impl Object {
    /// Whether it is a person (what `:find` and a WHO argument look for).
    pub fn is_person(self) -> bool {
        match self {
            Object::User => true,
            Object::Client => false,
        }
    }

    /// Whether a WHO argument can name it (a person, or a Coassemble client).
    pub fn named_by_who(self) -> bool {
        match self {
            Object::User | Object::Client => true,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Object::Client => "client",
            Object::User => "user",
        }
    }

    /// What `d` does with it.
    pub fn delete(self, id: &str) -> Delete {
        match self {
            // Takes every user and course of the client with it.
            Object::Client => Delete::Ask {
                mutation: Mutation::Headless(Change::DeleteClient {
                    client: id.to_string(),
                }),
                typed: Typed::Whole,
            },
            Object::User => Delete::ChooseCourses,
        }
    }

    /// The lists shown under an opened object, in pane order.
    pub fn children(self, id: &str) -> Vec<List> {
        match self {
            Object::Client => vec![List::Users {
                client: Some(id.to_string()),
            }],
            Object::User => Vec::new(),
        }
    }
}

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
