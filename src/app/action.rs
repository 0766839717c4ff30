//! What flows into `update` (actions) and out of it (effects). Effects are the only way the
//! app asks for I/O; the runtime runs them and is the single place mutating requests leave.

use crossterm::event::KeyEvent;

use super::model::{ErrorInfo, ListKind, ObjectKind, PageCursor, PageData, Row};

#[derive(Debug, Clone)]
pub enum Action {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Spinner frame; the runtime only ticks while requests are in flight.
    Tick,
    PageLoaded {
        seq: u64,
        result: Result<PageData, ErrorInfo>,
    },
    ObjectLoaded {
        seq: u64,
        result: Result<Row, ErrorInfo>,
    },
    MutationDone {
        seq: u64,
        result: Result<String, ErrorInfo>,
    },
    /// An effect finished with something to tell the user (what was copied).
    Notice(String),
    /// An effect could not be run (clipboard refused, read-only refusal…).
    EffectFailed(ErrorInfo),
    /// Something outside the app (SIGTERM, SIGHUP, SIGINT) asks to stop.
    Terminate,
}

/// A change on the server. Every variant is refused in read-only mode by the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// Kratos `DELETE /admin/sessions/{id}` (deactivates one session).
    RevokeSession { session: String },
    /// Kratos `DELETE /admin/identities/{id}/sessions`.
    RevokeAllSessions { identity: String },
    /// Kratos `DELETE /admin/identities/{id}`.
    DeleteIdentity { identity: String },
}

impl Mutation {
    /// What is about to happen, naming the target (confirmations and messages).
    pub fn describe(&self) -> String {
        match self {
            Mutation::RevokeSession { session } => format!("revoke session {session}"),
            Mutation::RevokeAllSessions { identity } => {
                format!("revoke ALL sessions of identity {identity}")
            }
            Mutation::DeleteIdentity { identity } => format!("delete identity {identity}"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Effect {
    FetchPage {
        seq: u64,
        profile: String,
        list: ListKind,
        search: Option<String>,
        cursor: PageCursor,
        size: usize,
    },
    FetchObject {
        seq: u64,
        profile: String,
        kind: ObjectKind,
        id: String,
    },
    /// Put text on the user's clipboard through OSC 52 (written by the runtime).
    Copy {
        text: String,
        what: String,
    },
    Mutate {
        seq: u64,
        profile: String,
        mutation: Mutation,
    },
    Quit,
}

impl Effect {
    pub fn is_mutating(&self) -> bool {
        match self {
            Effect::Mutate { .. } => true,
            Effect::FetchPage { .. }
            | Effect::FetchObject { .. }
            | Effect::Copy { .. }
            | Effect::Quit => false,
        }
    }
}
