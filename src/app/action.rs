//! What flows into `update` (actions) and out of it (effects). Effects are the only way the
//! app asks for I/O; the runtime runs them and is the single place mutating requests leave.

use crossterm::event::KeyEvent;

use super::audit::AuditEntry;
use super::export::job::{ExportJob, Exported};
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
        ticket: Ticket<PageFor>,
        result: Result<PageData, ErrorInfo>,
    },
    ObjectLoaded {
        ticket: Ticket<ObjectFor>,
        result: Result<Row, ErrorInfo>,
    },
    /// The answer to the change sent as `seq`: the key of that change in `State::changes`.
    MutationDone {
        seq: u64,
        result: Result<Done, ErrorInfo>,
    },
    /// What the server of `profile` says its version is (`Effect::ReadVersion`).
    VersionRead {
        profile: String,
        result: Result<super::provider::kratos::version::Version, ErrorInfo>,
    },
    /// What a search for people found on one profile (`Effect::Find`).
    Found {
        ticket: Ticket<FindFor>,
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
    /// The export `seq` has written `rows` so far, lately at `per_second`.
    ExportProgress {
        seq: u64,
        rows: u64,
        per_second: u64,
    },
    /// The export `seq` ended: what it wrote, or why it stopped (its partial file removed).
    ExportDone {
        seq: u64,
        result: Result<Exported, ErrorInfo>,
    },
}

/// A read's ticket: the seq that tells it from every other request (and lets it be withdrawn:
/// see `State::ask`), and what its answer is for. The effect carries it out and the action
/// brings it back unchanged, so an answer says by itself what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket<P> {
    pub seq: u64,
    pub purpose: P,
}

/// What a page read is for.
#[derive(Debug, Clone, PartialEq)]
pub enum PageFor {
    /// Page `page` of the table `table` (its uid).
    Table { table: u64, page: usize },
    /// A re-read telling whether the change sent as `change` landed.
    Verify { change: u64 },
    /// The active sessions of someone a question or a lookup waits on (`who::on_count`).
    SessionCount,
    /// A page of `:mark all` reading the whole list of the table `table` (its uid).
    MarkAll { table: u64 },
}

/// What an object read is for.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectFor {
    /// The full object behind a detail opened from a (partial) list row.
    Refresh {
        tab: usize,
        kind: ObjectKind,
        id: String,
    },
    /// A re-read telling whether the change sent as `change` landed.
    Verify { change: u64 },
    /// The fresh copy the editor `key` starts from.
    EditorBase { key: String },
    /// The read just before the editor `key` saves, to catch a concurrent change.
    PreSave { key: String },
    /// `d` on a Kratos credential: the identity read to know what the delete would do.
    CredentialCheck { tab: usize, target: String },
    /// The fresh copy a bulk change's item is changed from.
    Bulk { batch: super::change::BatchItem },
}

/// What a search for people is for.
#[derive(Debug, Clone, PartialEq)]
pub enum FindFor {
    /// A WHO argument being looked up (`Mode::Lookup`).
    Lookup,
    /// One profile's answer to the `:find` run `run`.
    Hits { run: u64, profile: String },
}

#[derive(Debug, Clone)]
pub enum Effect {
    FetchPage {
        ticket: Ticket<PageFor>,
        profile: String,
        list: ListKind,
        search: Option<String>,
        cursor: PageCursor,
        size: usize,
    },
    FetchObject {
        ticket: Ticket<ObjectFor>,
        profile: String,
        kind: ObjectKind,
        id: String,
    },
    /// Search `profile` for people (and, on Coassemble, clients) matching `text`: an email,
    /// username, id, external id or identifier, with the provider's own search.
    Find {
        ticket: Ticket<FindFor>,
        profile: String,
        text: String,
    },
    /// Ask the server of `profile` its version (`GET /version`), once per profile: the
    /// answer comes back as [`Action::VersionRead`] for that profile.
    ReadVersion {
        profile: String,
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
    /// Append `line` to the journal of the bulk change `key`
    /// (`$XDG_STATE_HOME/idtui/bulk/KEY.jsonl`), in the loop, before any later effect runs.
    Journal {
        key: String,
        line: Box<super::bulk::journal::Line>,
    },
    /// Keep a `:` command run for the next runs' history (`$XDG_STATE_HOME/idtui/history`).
    RememberCommand(String),
    /// Write `columns.toml` (the columns chosen with `:columns`) with this text.
    SaveColumns(String),
    /// Hand the terminal back to the shell and stop (Ctrl-z); resumed by SIGCONT (`fg`).
    Suspend,
    Quit,
    /// Write a list, the marked rows or an object to a file or the clipboard (`:export`): a
    /// read, walked by the runtime; stopped when its seq is no longer awaited.
    Export(ExportJob),
}

impl Effect {
    pub fn is_mutating(&self) -> bool {
        match self {
            Effect::Mutate { .. } => true,
            Effect::FetchPage { .. }
            | Effect::FetchObject { .. }
            | Effect::Find { .. }
            | Effect::ReadVersion { .. }
            | Effect::Copy { .. }
            | Effect::WriteDraft { .. }
            | Effect::LoadDraft { .. }
            | Effect::DiscardDraft { .. }
            | Effect::FlushDrafts
            | Effect::ExternalEdit { .. }
            | Effect::Audit(_)
            | Effect::Journal { .. }
            | Effect::RememberCommand(_)
            | Effect::SaveColumns(_)
            | Effect::Suspend
            | Effect::Quit
            | Effect::Export(_) => false,
        }
    }

    /// The profile whose server the effect asks, if it asks one.
    pub fn profile(&self) -> Option<&str> {
        match self {
            Effect::FetchPage { profile, .. }
            | Effect::FetchObject { profile, .. }
            | Effect::Find { profile, .. }
            | Effect::Mutate { profile, .. }
            | Effect::ReadVersion { profile } => Some(profile),
            Effect::Copy { .. }
            | Effect::WriteDraft { .. }
            | Effect::LoadDraft { .. }
            | Effect::DiscardDraft { .. }
            | Effect::FlushDrafts
            | Effect::ExternalEdit { .. }
            | Effect::Audit(_)
            | Effect::Journal { .. }
            | Effect::RememberCommand(_)
            | Effect::SaveColumns(_)
            | Effect::Suspend
            | Effect::Quit
            | Effect::Export(_) => None,
        }
    }
}
