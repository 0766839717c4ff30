//! View-model types the dashboard works with. They carry no HTTP types: the runtime's adapter
//! turns API models into these, so `app` can be tested with plain data.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

pub use super::raw::RawJson;

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
            Provider::Kratos => "kratos",
            Provider::Core => "core",
            Provider::Headless => "headless",
        }
    }

    pub fn system(self) -> &'static str {
        match self {
            Provider::Kratos => "Ory Kratos",
            Provider::Core => "MATTR VII",
            Provider::Headless => "Coassemble",
        }
    }

    /// The lists a profile of this provider opens with.
    pub fn root_lists(self) -> Vec<ListKind> {
        match self {
            Provider::Kratos => vec![ListKind::KratosIdentities],
            Provider::Core => vec![ListKind::CoreUsers],
            Provider::Headless => vec![
                ListKind::HeadlessClients,
                ListKind::HeadlessUsers { client: None },
            ],
        }
    }
}

/// A list the dashboard can page through. Parent ids are part of the kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListKind {
    KratosIdentities,
    KratosSessions {
        identity: String,
    },
    KratosCredentials {
        identity: String,
    },
    CoreUsers,
    CoreCredentials {
        user: String,
    },
    HeadlessClients,
    HeadlessUsers {
        client: Option<String>,
    },
    /// The local audit trail (`:audit`), newest first; served from the file, not a backend.
    Audit,
    /// Every Kratos session (`GET /admin/sessions`, identity expanded), newest first.
    AllSessions {
        active_only: bool,
    },
    /// What `:find` found on every profile, grouped by profile; filled by the app as each
    /// profile answers (run `run` of `State::finds`), never fetched as a list.
    Found {
        run: u64,
    },
}

/// The `search` of a Kratos sessions list that keeps only the active sessions (`active=true`).
pub const ACTIVE_ONLY: &str = "active=true";

impl ListKind {
    pub fn title(&self) -> &'static str {
        match self {
            ListKind::KratosIdentities => "Identities",
            ListKind::KratosSessions { .. } => "Sessions",
            ListKind::KratosCredentials { .. } | ListKind::CoreCredentials { .. } => "Credentials",
            ListKind::CoreUsers | ListKind::HeadlessUsers { .. } => "Users",
            ListKind::HeadlessClients => "Clients",
            ListKind::Audit => "Audit trail",
            ListKind::AllSessions { active_only: true } => "Active sessions",
            ListKind::AllSessions { active_only: false } => "All sessions",
            ListKind::Found { .. } => "Found",
        }
    }

    /// What a row of this list is, for `:goto`, copy and detail titles.
    pub fn object(&self) -> ObjectKind {
        match self {
            ListKind::KratosIdentities => ObjectKind::Identity,
            ListKind::KratosSessions { .. } | ListKind::AllSessions { .. } => ObjectKind::Session,
            ListKind::KratosCredentials { .. } | ListKind::CoreCredentials { .. } => {
                ObjectKind::Credential
            }
            ListKind::CoreUsers => ObjectKind::CoreUser,
            ListKind::HeadlessClients => ObjectKind::HeadlessClient,
            ListKind::HeadlessUsers { .. } => ObjectKind::HeadlessUser,
            ListKind::Audit => ObjectKind::AuditEntry,
            ListKind::Found { .. } => ObjectKind::Hit,
        }
    }

    /// A hint for the find prompt: what Enter sends to the server, if anything.
    pub fn server_search_hint(&self) -> Option<&'static str> {
        match self {
            ListKind::KratosIdentities => Some("email/username, id or ext:EXTERNAL_ID"),
            ListKind::CoreUsers => Some("an email, or claims: given_name=Jamie"),
            ListKind::HeadlessUsers { .. } => Some("client identifier"),
            _ => None,
        }
    }

    pub fn columns(&self) -> &'static [Column] {
        match self {
            ListKind::KratosIdentities => &IDENTITY_COLUMNS,
            ListKind::KratosSessions { .. } => &SESSION_COLUMNS,
            ListKind::KratosCredentials { .. } | ListKind::CoreCredentials { .. } => {
                &CREDENTIAL_COLUMNS
            }
            ListKind::CoreUsers => &CORE_USER_COLUMNS,
            ListKind::HeadlessClients => &CLIENT_COLUMNS,
            ListKind::HeadlessUsers { .. } => &HEADLESS_USER_COLUMNS,
            ListKind::Audit => &AUDIT_COLUMNS,
            ListKind::AllSessions { .. } => &ALL_SESSION_COLUMNS,
            ListKind::Found { .. } => &FOUND_COLUMNS,
        }
    }

    /// Rows asked for per page while walking to the end (`G`): the most the provider serves,
    /// so a walk takes as few round trips as it can. `None` where the position of a page
    /// depends on the page size (Coassemble's page numbers): such a list keeps one size.
    pub fn walk_page_size(&self) -> Option<usize> {
        match self {
            ListKind::KratosIdentities => Some(500),
            ListKind::KratosSessions { .. } | ListKind::AllSessions { .. } => Some(1000),
            ListKind::CoreUsers | ListKind::CoreCredentials { .. } => Some(1000),
            _ => None,
        }
    }

    /// Whether rows of this list can be marked with `space` for a bulk revoke.
    pub fn markable(&self) -> bool {
        matches!(
            self,
            ListKind::KratosSessions { .. } | ListKind::AllSessions { .. }
        )
    }
}

/// One object type, as opened in the detail view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Identity,
    Session,
    Credential,
    CoreUser,
    HeadlessClient,
    HeadlessUser,
    /// One line of the local audit trail.
    AuditEntry,
    /// One row of `:find`: something found on some profile (Enter opens it there).
    Hit,
}

impl ObjectKind {
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Identity => "identity",
            ObjectKind::Session => "session",
            ObjectKind::Credential => "credential",
            ObjectKind::CoreUser => "user",
            ObjectKind::HeadlessClient => "client",
            ObjectKind::HeadlessUser => "user",
            ObjectKind::AuditEntry => "audit entry",
            ObjectKind::Hit => "search hit",
        }
    }

    /// Which cell of a row names the object for people (an email, a display name), if any;
    /// otherwise the id does.
    pub fn name_cell(self) -> Option<usize> {
        match self {
            ObjectKind::Identity
            | ObjectKind::CoreUser
            | ObjectKind::HeadlessClient
            | ObjectKind::HeadlessUser => Some(1),
            ObjectKind::Credential => Some(0),
            // The request path.
            ObjectKind::AuditEntry => Some(3),
            ObjectKind::Hit => Some(2),
            ObjectKind::Session => None,
        }
    }

    /// The lists shown under an opened object (drill-down), in pane order.
    pub fn children(self, id: &str) -> Vec<ListKind> {
        match self {
            ObjectKind::Identity => vec![
                ListKind::KratosSessions {
                    identity: id.to_string(),
                },
                ListKind::KratosCredentials {
                    identity: id.to_string(),
                },
            ],
            ObjectKind::CoreUser => vec![ListKind::CoreCredentials {
                user: id.to_string(),
            }],
            ObjectKind::HeadlessClient => vec![ListKind::HeadlessUsers {
                client: Some(id.to_string()),
            }],
            _ => Vec::new(),
        }
    }
}

/// A table column: a title and how much width it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    /// Never narrower than this (the column is hidden instead when it does not fit).
    pub min: u16,
    /// Never wider than this; 0 means "takes what is left".
    pub max: u16,
    /// Lower numbers survive longer when the terminal is narrow.
    pub priority: u8,
    /// An identifier: when cut, its middle is elided so rows that share a prefix (UUIDv7,
    /// counter-derived ids) still look different.
    pub is_id: bool,
}

const fn col(title: &'static str, min: u16, max: u16, priority: u8) -> Column {
    Column {
        title,
        min,
        max,
        priority,
        is_id: false,
    }
}

const fn id_col(title: &'static str, min: u16, max: u16, priority: u8) -> Column {
    Column {
        is_id: true,
        ..col(title, min, max, priority)
    }
}

// Every row's `cells` follow the column order of its list kind.
const IDENTITY_COLUMNS: [Column; 6] = [
    id_col("ID", 8, 36, 0),
    col("EMAIL / USERNAME", 12, 0, 0),
    col("STATE", 8, 8, 1),
    col("SCHEMA", 6, 12, 3),
    col("CREATED", 16, 16, 2),
    col("METADATA", 8, 0, 4),
];
const SESSION_COLUMNS: [Column; 6] = [
    id_col("ID", 8, 36, 0),
    col("ACTIVE", 6, 6, 0),
    col("AAL", 4, 4, 1),
    col("IP", 7, 39, 2),
    col("DEVICE", 10, 0, 3),
    col("EXPIRES", 16, 16, 1),
];
const CREDENTIAL_COLUMNS: [Column; 4] = [
    col("TYPE", 6, 12, 0),
    col("IDENTIFIERS", 12, 0, 0),
    col("CREATED", 16, 16, 2),
    col("DETAILS", 8, 0, 3),
];
const CORE_USER_COLUMNS: [Column; 5] = [
    id_col("ID", 8, 36, 0),
    col("EMAIL / NAME", 12, 0, 0),
    col("PROVIDER", 8, 16, 2),
    col("CREATED", 16, 16, 3),
    col("CLAIMS", 8, 0, 4),
];
const CLIENT_COLUMNS: [Column; 4] = [
    id_col("ID", 8, 36, 0),
    col("NAME", 10, 0, 0),
    col("USERS", 5, 8, 2),
    col("METADATA", 8, 0, 3),
];
const AUDIT_COLUMNS: [Column; 6] = [
    col("TIME (UTC)", 19, 19, 0),
    col("PROFILE", 7, 16, 1),
    col("METHOD", 6, 6, 0),
    // Cut in the middle: a path ends with the object's id.
    id_col("PATH", 12, 0, 0),
    col("OUTCOME", 7, 9, 0),
    id_col("REQUEST ID", 10, 36, 2),
];
const ALL_SESSION_COLUMNS: [Column; 7] = [
    id_col("ID", 8, 36, 0),
    col("ACTIVE", 6, 6, 0),
    // Wide enough that the device gives way first on an 80-column screen.
    col("IDENTITY", 24, 0, 0),
    col("AAL", 4, 4, 3),
    col("IP", 7, 39, 2),
    col("DEVICE", 10, 0, 4),
    col("EXPIRES", 16, 16, 1),
];
// The profile grows first (alone in the first priority), so a group's name reads whole.
const FOUND_COLUMNS: [Column; 4] = [
    col("PROFILE", 7, 16, 0),
    id_col("ID", 8, 36, 1),
    col("NAME / EMAIL", 12, 0, 1),
    col("WHAT", 8, 12, 2),
];
const HEADLESS_USER_COLUMNS: [Column; 5] = [
    id_col("IDENTIFIER", 8, 24, 0),
    col("NAME / EMAIL", 12, 0, 0),
    col("CLIENT", 8, 20, 1),
    col("CREATED", 16, 16, 3),
    col("METADATA", 8, 0, 4),
];

/// One row of a table: the object's id, its cells (untrusted text, cleaned when drawn) and
/// the whole object for the detail view and `Y`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub cells: Vec<String>,
    pub raw: RawJson,
}

impl Row {
    pub fn new(id: impl Into<String>, cells: Vec<String>, raw: impl Into<RawJson>) -> Row {
        Row {
            id: id.into(),
            cells,
            raw: raw.into(),
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
            ObjectKind::HeadlessUser => self
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
    let name = kind
        .name_cell()
        .and_then(|i| row.cells.get(i))
        .map(|c| c.trim())
        .filter(|c| !c.is_empty() && *c != row.id);
    match name {
        Some(name) => format!("{name} ({})", short_id(&row.id)),
        None => row.id.clone(),
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
/// adapter stores its own cursor type inside and gets it back when it refetches.
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
}
