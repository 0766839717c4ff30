//! What flows into `update` (actions) and out of it (effects). Effects are the only way the
//! app asks for I/O; the runtime runs them and is the single place mutating requests leave.

use crossterm::event::KeyEvent;

use super::audit::AuditEntry;
use super::model::{ErrorInfo, Hit, ListKind, ObjectKind, PageCursor, PageData, Row};

pub use super::mutation::{Courses, Done, Issued, Mutation};

#[derive(Debug, Clone)]
pub enum Action {
    Key(KeyEvent),
    /// Text pasted in the terminal (bracketed paste): one edit, never a stream of keys.
    Paste(String),
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
        result: Result<Done, ErrorInfo>,
    },
    /// What a search for people found on one profile (`Effect::Find`).
    Found {
        seq: u64,
        result: Result<Vec<Hit>, ErrorInfo>,
    },
    /// A saved draft for an editor that was just opened (`None`: there is none).
    DraftLoaded {
        key: String,
        text: Option<String>,
    },
    /// `$EDITOR` closed: the file's text, or why it could not be run or read.
    ExternalEdited {
        key: String,
        result: Result<String, String>,
    },
    /// An effect finished with something to tell the user (what was copied).
    Notice(String),
    /// An effect could not be run (clipboard refused, read-only refusal…).
    EffectFailed(ErrorInfo),
    /// Something outside the app (SIGTERM, SIGHUP, SIGINT) asks to stop.
    Terminate,
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
    /// Search `profile` for people (and, on Coassemble, clients) matching `text`: an email,
    /// username, id, external id or identifier, with the provider's own search.
    Find {
        seq: u64,
        profile: String,
        text: String,
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
    /// Keep the editor's text on disk until it is saved (`$XDG_STATE_HOME/idtui/drafts/`).
    WriteDraft {
        key: String,
        text: String,
    },
    LoadDraft {
        key: String,
    },
    DiscardDraft {
        key: String,
    },
    /// Write the drafts still waiting for a pause in the typing now (an editor closed).
    FlushDrafts,
    /// Suspend the dashboard and edit `text` (or the newer draft under `key`) in `$VISUAL` /
    /// `$EDITOR`; the result comes back as [`Action::ExternalEdited`] for review, never saved
    /// directly.
    ExternalEdit {
        key: String,
        text: String,
        /// The editor has no edits yet, so a draft on disk is newer than `text`.
        prefer_draft: bool,
    },
    /// Append a line to the local audit trail (`$XDG_STATE_HOME/idtui/audit.jsonl`).
    Audit(AuditEntry),
    /// Hand the terminal back to the shell and stop (Ctrl-z); resumed by SIGCONT (`fg`).
    Suspend,
    Quit,
}

impl Effect {
    pub fn is_mutating(&self) -> bool {
        match self {
            Effect::Mutate { .. } => true,
            Effect::FetchPage { .. }
            | Effect::FetchObject { .. }
            | Effect::Find { .. }
            | Effect::Copy { .. }
            | Effect::WriteDraft { .. }
            | Effect::LoadDraft { .. }
            | Effect::DiscardDraft { .. }
            | Effect::FlushDrafts
            | Effect::ExternalEdit { .. }
            | Effect::Audit(_)
            | Effect::Suspend
            | Effect::Quit => false,
        }
    }
}
