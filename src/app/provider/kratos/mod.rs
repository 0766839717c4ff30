//! Ory Kratos on the app side: its lists (identities, an identity's sessions and
//! credentials, every session) and objects, what each is called and holds, and the values a
//! row of its lists keeps (`columns` reads them).

use super::delete::{Delete, Typed};
use crate::app::mutation::Mutation;

pub mod change;
pub mod columns;
pub mod detail;
pub mod version;

pub use change::Change;

/// How config files and the audit trail name the provider.
pub const KEY: &str = "kratos";
/// How people name it.
pub const SYSTEM: &str = "Ory Kratos";

/// A Kratos list. Parent ids are part of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum List {
    Identities,
    Sessions {
        identity: String,
    },
    Credentials {
        identity: String,
    },
    /// Every session (`GET /admin/sessions`, identity expanded), newest first.
    AllSessions {
        active_only: bool,
    },
}

/// What a Kratos row or detail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Object {
    Identity,
    Session,
    Credential,
}

/// The lists a Kratos profile opens with.
pub fn root_lists() -> Vec<List> {
    vec![List::Identities]
}

impl List {
    pub fn title(&self) -> &'static str {
        match self {
            List::Identities => "Identities",
            List::Sessions { .. } => "Sessions",
            List::Credentials { .. } => "Credentials",
            List::AllSessions { active_only: true } => "Active sessions",
            List::AllSessions { active_only: false } => "All sessions",
        }
    }

    pub fn object(&self) -> Object {
        match self {
            List::Identities => Object::Identity,
            List::Sessions { .. } | List::AllSessions { .. } => Object::Session,
            List::Credentials { .. } => Object::Credential,
        }
    }

    pub fn server_search_hint(&self) -> Option<&'static str> {
        match self {
            List::Identities => Some("email/username, id or ext:EXTERNAL_ID"),
            List::Sessions { .. } | List::Credentials { .. } | List::AllSessions { .. } => None,
        }
    }

    /// The most rows Kratos serves per page (identities 500, sessions 1000); its
    /// credentials come whole with the identity.
    pub fn walk_page_size(&self) -> Option<usize> {
        match self {
            List::Identities => Some(500),
            List::Sessions { .. } | List::AllSessions { .. } => Some(1000),
            List::Credentials { .. } => None,
        }
    }

    /// Sessions can be marked for a bulk revoke.
    pub fn markable(&self) -> bool {
        match self {
            List::Identities | List::Sessions { .. } | List::AllSessions { .. } => true,
            // Each credential delete is judged against what the identity keeps (its last
            // first factor is refused), so credentials go one at a time.
            List::Credentials { .. } => false,
        }
    }

    /// A list of sessions (what `x` revokes and `:extend` extends).
    pub fn is_sessions(&self) -> bool {
        matches!(self, List::Sessions { .. } | List::AllSessions { .. })
    }
}

impl Object {
    /// Whether it is a person (what `:find` and a WHO argument look for).
    pub fn is_person(self) -> bool {
        match self {
            Object::Identity => true,
            Object::Session | Object::Credential => false,
        }
    }

    /// Whether a WHO argument can name it (a person, or a Coassemble client).
    pub fn named_by_who(self) -> bool {
        match self {
            Object::Identity => true,
            Object::Session | Object::Credential => false,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Object::Identity => "identity",
            Object::Session => "session",
            Object::Credential => "credential",
        }
    }

    /// What `d` does with it.
    pub fn delete(self, id: &str) -> Delete {
        match self {
            // Cascading (sessions and credentials go too).
            Object::Identity => Delete::Ask {
                mutation: Mutation::Kratos(Change::DeleteIdentity {
                    identity: id.to_string(),
                }),
                typed: Typed::Start,
            },
            Object::Session => Delete::Refused("sessions are revoked with x"),
            // A credential whose row reads is taken by `credentials::ask_delete` first.
            Object::Credential => Delete::Refused("this credential cannot be deleted from here"),
        }
    }

    /// The lists shown under an opened object, in pane order.
    pub fn children(self, id: &str) -> Vec<List> {
        match self {
            Object::Identity => vec![
                List::Sessions {
                    identity: id.to_string(),
                },
                List::Credentials {
                    identity: id.to_string(),
                },
            ],
            Object::Session | Object::Credential => Vec::new(),
        }
    }
}

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
