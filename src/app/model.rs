//! View-model types the dashboard works with, and the registry of providers (`Provider`,
//! `ListKind`, `ObjectKind` nest each provider's own kinds from `provider/`). They carry no
//! HTTP types: the runtime's provider modules turn API models into these, so `app` can be
//! tested with plain data.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

pub use super::column::{Cell, Column};
use super::provider::{core, credentials, headless, kratos};
pub use super::raw::RawJson;
pub use super::row::{Fields, Row, Unreadable};

/// Which admin API a profile talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Kratos,
    Core,
    Headless,
}

impl Provider {
    pub fn key(self) -> &'static str {
        match self {
            Provider::Kratos => kratos::KEY,
            Provider::Core => core::KEY,
            Provider::Headless => headless::KEY,
        }
    }

    pub fn system(self) -> &'static str {
        match self {
            Provider::Kratos => kratos::SYSTEM,
            Provider::Core => core::SYSTEM,
            Provider::Headless => headless::SYSTEM,
        }
    }

    /// The lists a profile of this provider opens with.
    pub fn root_lists(self) -> Vec<ListKind> {
        match self {
            Provider::Kratos => kratos::root_lists()
                .into_iter()
                .map(ListKind::Kratos)
                .collect(),
            Provider::Core => core::root_lists().into_iter().map(ListKind::Core).collect(),
            Provider::Headless => headless::root_lists()
                .into_iter()
                .map(ListKind::Headless)
                .collect(),
        }
    }
}

/// A list the dashboard can page through: one of a provider's (its module says what each is
/// called, holds and shows), or one of the dashboard's own. Parent ids are part of the kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListKind {
    Kratos(kratos::List),
    Core(core::List),
    Headless(headless::List),
    /// The local audit trail (`:audit`), newest first; served from the file, not a backend.
    Audit,
    /// What `:find` found on every profile, grouped by profile; filled by the app as each
    /// profile answers (run `run` of `State::finds`), never fetched as a list.
    Found {
        run: u64,
    },
}

/// The `search` of a Kratos sessions list that keeps only the active sessions (`active=true`).
pub const ACTIVE_ONLY: &str = "active=true";

impl ListKind {
    /// The provider whose list it is (`None`: the dashboard's own).
    pub fn provider(&self) -> Option<Provider> {
        match self {
            ListKind::Kratos(_) => Some(Provider::Kratos),
            ListKind::Core(_) => Some(Provider::Core),
            ListKind::Headless(_) => Some(Provider::Headless),
            ListKind::Audit | ListKind::Found { .. } => None,
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            ListKind::Kratos(l) => l.title(),
            ListKind::Core(l) => l.title(),
            ListKind::Headless(l) => l.title(),
            ListKind::Audit => "Audit trail",
            ListKind::Found { .. } => "Found",
        }
    }

    /// What a row of this list is, for `:goto`, copy and detail titles.
    pub fn object(&self) -> ObjectKind {
        match self {
            ListKind::Kratos(l) => ObjectKind::Kratos(l.object()),
            ListKind::Core(l) => ObjectKind::Core(l.object()),
            ListKind::Headless(l) => ObjectKind::Headless(l.object()),
            ListKind::Audit => ObjectKind::AuditEntry,
            ListKind::Found { .. } => ObjectKind::Hit,
        }
    }

    /// A hint for the find prompt: what Enter sends to the server, if anything.
    pub fn server_search_hint(&self) -> Option<&'static str> {
        match self {
            ListKind::Kratos(l) => l.server_search_hint(),
            ListKind::Core(l) => l.server_search_hint(),
            ListKind::Headless(l) => l.server_search_hint(),
            ListKind::Audit | ListKind::Found { .. } => None,
        }
    }

    /// The list's table of columns: what the layout fits and the renderer draws.
    pub fn columns(&self) -> &'static [Column] {
        match self {
            ListKind::Kratos(l) => kratos::columns::of(l),
            ListKind::Core(l) => core::columns::of(l),
            ListKind::Headless(l) => headless::columns::of(l),
            ListKind::Audit => super::audit_pane::columns::COLUMNS,
            ListKind::Found { .. } => super::found::columns::COLUMNS,
        }
    }

    /// Rows asked for per page while walking to the end (`G`): the most the provider serves,
    /// so a walk takes as few round trips as it can. `None` where the position of a page
    /// depends on the page size (Coassemble's page numbers): such a list keeps one size.
    pub fn walk_page_size(&self) -> Option<usize> {
        match self {
            ListKind::Kratos(l) => l.walk_page_size(),
            ListKind::Core(l) => l.walk_page_size(),
            ListKind::Headless(l) => l.walk_page_size(),
            ListKind::Audit | ListKind::Found { .. } => None,
        }
    }

    /// Whether rows of this list can be marked (`space`, `:mark`) for a bulk change.
    pub fn markable(&self) -> bool {
        match self {
            ListKind::Kratos(l) => l.markable(),
            // A MATTR credential has no delete call.
            ListKind::Core(l) => matches!(l, core::List::Users),
            ListKind::Headless(_) => true,
            ListKind::Audit | ListKind::Found { .. } => false,
        }
    }

    /// A list of Kratos sessions (what `x` revokes and `:extend` extends).
    pub fn is_sessions(&self) -> bool {
        matches!(self, ListKind::Kratos(l) if l.is_sessions())
    }
}

/// One object type, as opened in the detail view: one of a provider's, or one of the
/// dashboard's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ObjectKind {
    Kratos(kratos::Object),
    Core(core::Object),
    Headless(headless::Object),
    /// One line of the local audit trail.
    AuditEntry,
    /// One row of `:find`: something found on some profile (Enter opens it there).
    Hit,
}

impl ObjectKind {
    /// The provider whose object it is (`None`: the dashboard's own).
    pub fn provider(self) -> Option<Provider> {
        match self {
            ObjectKind::Kratos(_) => Some(Provider::Kratos),
            ObjectKind::Core(_) => Some(Provider::Core),
            ObjectKind::Headless(_) => Some(Provider::Headless),
            ObjectKind::AuditEntry | ObjectKind::Hit => None,
        }
    }

    /// Whether it is a person (what `:find` and a WHO argument look for).
    pub fn is_person(self) -> bool {
        match self {
            ObjectKind::Kratos(o) => o.is_person(),
            ObjectKind::Core(o) => o.is_person(),
            ObjectKind::Headless(o) => o.is_person(),
            ObjectKind::AuditEntry | ObjectKind::Hit => false,
        }
    }

    /// Whether a WHO argument can name it (a person, or a Coassemble client).
    pub fn named_by_who(self) -> bool {
        match self {
            ObjectKind::Kratos(o) => o.named_by_who(),
            ObjectKind::Core(o) => o.named_by_who(),
            ObjectKind::Headless(o) => o.named_by_who(),
            ObjectKind::AuditEntry | ObjectKind::Hit => false,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Kratos(o) => o.label(),
            ObjectKind::Core(o) => o.label(),
            ObjectKind::Headless(o) => o.label(),
            ObjectKind::AuditEntry => "audit entry",
            ObjectKind::Hit => "search hit",
        }
    }

    /// The text of `row` that names the object for people (an email, a display name), if
    /// any; otherwise the id does. A session has no name; an unreadable record says why in
    /// place of a name, except in a credentials list, whose name column is the type.
    pub fn name_of(self, row: &Row) -> Option<&str> {
        match (self, &row.fields) {
            (ObjectKind::Kratos(kratos::Object::Session), _) => None,
            (
                ObjectKind::Kratos(kratos::Object::Credential)
                | ObjectKind::Core(core::Object::Credential),
                Fields::Unreadable(_),
            ) => Some(&row.id),
            (_, fields) => fields.name(),
        }
    }

    /// Fields of this kind holding only a name (a detail's title), so `Hit::label` reads it
    /// as it reads a listed row's.
    pub fn named(self, name: String) -> Fields {
        let credential = |name| {
            credentials::Credential {
                kind: name,
                ..Default::default()
            }
            .into()
        };
        match self {
            ObjectKind::Kratos(kratos::Object::Identity) => kratos::Identity {
                name,
                ..Default::default()
            }
            .into(),
            ObjectKind::Kratos(kratos::Object::Session) => kratos::Session::default().into(),
            ObjectKind::Kratos(kratos::Object::Credential)
            | ObjectKind::Core(core::Object::Credential) => credential(name),
            ObjectKind::Core(core::Object::User) => core::User {
                name,
                ..Default::default()
            }
            .into(),
            ObjectKind::Headless(headless::Object::Client) => headless::Client {
                name,
                ..Default::default()
            }
            .into(),
            ObjectKind::Headless(headless::Object::User) => headless::User {
                name,
                ..Default::default()
            }
            .into(),
            ObjectKind::AuditEntry => super::audit_pane::fields::Entry {
                path: name,
                ..Default::default()
            }
            .into(),
            ObjectKind::Hit => super::found::fields::Found {
                name,
                ..Default::default()
            }
            .into(),
        }
    }

    /// The lists shown under an opened object (drill-down), in pane order.
    pub fn children(self, id: &str) -> Vec<ListKind> {
        match self {
            ObjectKind::Kratos(o) => o.children(id).into_iter().map(ListKind::Kratos).collect(),
            ObjectKind::Core(o) => o.children(id).into_iter().map(ListKind::Core).collect(),
            ObjectKind::Headless(o) => o.children(id).into_iter().map(ListKind::Headless).collect(),
            ObjectKind::AuditEntry | ObjectKind::Hit => Vec::new(),
        }
    }
}

/// The table of columns a kind of row is listed with. (Here, not beside `Fields`, so the
/// tables can read rows without a cycle.)
impl Fields {
    /// The table of columns this kind of row is listed with (the list's own, but for an
    /// unreadable record, which any list may hold: then its id and why).
    pub fn columns(&self) -> &'static [Column] {
        match self {
            Fields::Identity(_) => kratos::columns::IDENTITIES,
            Fields::Session(_) => kratos::columns::SESSIONS,
            Fields::AllSession(_) => kratos::columns::ALL_SESSIONS,
            Fields::Credential(_) => credentials::columns::CREDENTIALS,
            Fields::CoreUser(_) => core::columns::USERS,
            Fields::HeadlessClient(_) => headless::columns::CLIENTS,
            Fields::HeadlessUser(_) => headless::columns::USERS,
            Fields::AuditEntry(_) => super::audit_pane::columns::COLUMNS,
            Fields::Found(_) => super::found::columns::COLUMNS,
            Fields::Unreadable(_) => super::column::UNREADABLE,
        }
    }
}

/// Something a search for people found (`:find`, a WHO argument): what it is, and its row.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: ObjectKind,
    pub row: Row,
}

impl Hit {
    /// How people name it: `nguyen.an@example.vn (48602316)`, or the id alone.
    pub fn label(&self) -> String {
        person_label(self.kind, &self.row)
    }

    /// The Coassemble client a user belongs to (`None` for a workspace user, or another kind).
    pub fn client(&self) -> Option<&str> {
        match self.kind {
            ObjectKind::Headless(headless::Object::User) => self
                .row
                .raw
                .get("clientIdentifier")
                .and_then(serde_json::Value::as_str)
                .filter(|c| !c.is_empty()),
            _ => None,
        }
    }

    /// Whether both name the same object: a Coassemble identifier names a user only with
    /// its client, so two clients' users of one identifier are two hits.
    pub fn same_object(&self, other: &Hit) -> bool {
        self.kind == other.kind && self.row.id == other.row.id && self.client() == other.client()
    }

    /// What it is, for a picker: `user of client acme-corp`, `identity`.
    pub fn what(&self) -> String {
        match self.client() {
            Some(client) => format!("{} of client {client}", self.kind.label()),
            None => self.kind.label().to_string(),
        }
    }
}

/// How a confirmation names an object for people: its email or name with the start of its
/// id, or the id alone when it has no name (untrusted text: cleaned where drawn).
pub fn person_label(kind: ObjectKind, row: &Row) -> String {
    named(&row.id, kind.name_of(row).unwrap_or(""))
}

/// `name (start of id)`, or the id alone when the name is empty or the id itself.
pub fn named(id: &str, name: &str) -> String {
    match name.trim() {
        "" => id.to_string(),
        name if name == id => id.to_string(),
        name => format!("{name} ({})", short_id(id)),
    }
}

/// The start of an id that people recognise (the first 8 characters).
pub fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

/// Separates a Coassemble user's identifier from its client in an object id handed to the
/// runtime (identifiers are unique only within a client). A control character, which no
/// identifier worth addressing contains; it never reaches the network or the screen.
const SCOPE: char = '\u{1f}';

/// The id that reads a Coassemble user of `client` (or of the workspace when `None`).
pub fn scoped_user(identifier: &str, client: Option<&str>) -> String {
    match client {
        Some(c) => format!("{identifier}{SCOPE}{c}"),
        None => identifier.to_string(),
    }
}

/// A scoped user id back into identifier and client.
pub fn split_scoped_user(id: &str) -> (&str, Option<&str>) {
    match id.split_once(SCOPE) {
        Some((user, client)) => (user, Some(client)),
        None => (id, None),
    }
}

/// Where a page starts, as the API client understands it. Opaque to the app: the runtime's
/// provider module stores its own cursor type inside and gets it back when it refetches.
#[derive(Clone)]
pub enum PageCursor {
    First,
    Opaque(Arc<dyn Any + Send + Sync>),
}

impl PageCursor {
    pub fn wrap<T: Any + Send + Sync>(cursor: T) -> PageCursor {
        PageCursor::Opaque(Arc::new(cursor))
    }

    pub fn get<T: Any>(&self) -> Option<&T> {
        match self {
            PageCursor::First => None,
            PageCursor::Opaque(inner) => inner.downcast_ref::<T>(),
        }
    }
}

impl fmt::Debug for PageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageCursor::First => f.write_str("PageCursor::First"),
            PageCursor::Opaque(_) => f.write_str("PageCursor::Opaque"),
        }
    }
}

/// One page as delivered by a backend.
#[derive(Debug, Clone)]
pub struct PageData {
    pub rows: Vec<Row>,
    pub next: Option<PageCursor>,
    /// The total when the API reports one.
    pub total: Option<u64>,
}

/// An API failure as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// One status-bar line (provider, code and message).
    pub line: String,
    /// Every field of the error, for `:error`.
    pub details: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// The answer was lost or cut (timeout, broken connection, unreadable body): a change
    /// sent may or may not have been applied.
    pub lost: bool,
    /// The provider's request id, when it gave one.
    pub request_id: Option<String>,
    /// How long the server asked to wait before trying again (429/503 `Retry-After`).
    pub retry_after: Option<std::time::Duration>,
    /// The answer broke one of the client's bounds (too large, too many records, a gzip
    /// bomb): the same read would bring the same, so it is not tried again by itself.
    pub over_limit: bool,
}

impl ErrorInfo {
    pub fn new(line: impl Into<String>, details: impl Into<String>) -> ErrorInfo {
        ErrorInfo {
            line: line.into(),
            details: details.into(),
            status: None,
            lost: false,
            request_id: None,
            retry_after: None,
            over_limit: false,
        }
    }

    /// Whether the same read may well succeed later: the answer was lost, the server was
    /// busy or failing (408, 425, 429, 5xx). Refusals (other 4xx, bad configuration) are not.
    pub fn transient(&self) -> bool {
        !self.over_limit
            && (self.lost
                || self.retry_after.is_some()
                || self
                    .status
                    .is_some_and(|s| matches!(s, 408 | 425 | 429) || s >= 500))
    }

    /// Whether a change that got this answer may still have been applied: the answer was
    /// lost, or a server error (a gateway timeout, a crash after the write) says nothing.
    pub fn outcome_unknown(&self) -> bool {
        self.lost || self.status.is_some_and(|s| s >= 500)
    }
}

/// One open profile: its name, provider and where it points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    pub provider: Provider,
    pub host: String,
    /// `read_only = true` in the profile's config (the HTTP layer refuses its changes).
    pub read_only: bool,
    /// Rows per page while browsing (`page_size` in the config); the default when `None`.
    pub page_size: Option<usize>,
    /// Items of a bulk change sent at once (`concurrency` in the config); 4 when `None`.
    pub concurrency: Option<usize>,
}
