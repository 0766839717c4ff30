//! A table's row: the object's id, the typed values its list's columns read, and the whole
//! object. The lowest of the view-model types: the tables of columns read it, and it names
//! none of them.

use super::audit_pane::fields::Entry;
use super::found::fields::Found;
use super::provider::{core, credentials, headless, kratos};
use super::raw::RawJson;

/// One row of a table: the object's id, the typed values its list's columns read (untrusted
/// text, cleaned when drawn) and the whole object for the detail view and `Y`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub fields: Fields,
    pub raw: RawJson,
}

impl Row {
    pub fn new(id: impl Into<String>, fields: impl Into<Fields>, raw: impl Into<RawJson>) -> Row {
        Row {
            id: id.into(),
            fields: fields.into(),
            raw: raw.into(),
        }
    }
}

/// What a row shows, one variant per kind of row, each read by its list's columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Fields {
    Identity(kratos::Identity),
    Session(kratos::Session),
    /// A session of `:all-sessions`, with the person it belongs to.
    AllSession(kratos::AllSession),
    /// A Kratos or MATTR credential.
    Credential(credentials::Credential),
    CoreUser(core::User),
    HeadlessClient(headless::Client),
    HeadlessUser(headless::User),
    AuditEntry(Entry),
    /// A line of `:find`: a hit, or where a profile's search is.
    Found(Found),
    /// A record that could not be read (its id, when one was found, is the row's).
    Unreadable(Unreadable),
}

/// Why a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unreadable {
    /// Already worded for the name column: `✗ unreadable record: …`.
    pub why: String,
}

impl Fields {
    /// The text that names the object for people (an email, a display name, a credential's
    /// type, an audit line's path), if its kind has one; an unreadable record says why.
    pub fn name(&self) -> Option<&str> {
        match self {
            Fields::Identity(i) => Some(&i.name),
            Fields::CoreUser(u) => Some(&u.name),
            Fields::HeadlessClient(c) => Some(&c.name),
            Fields::HeadlessUser(u) => Some(&u.name),
            Fields::Credential(c) => Some(&c.kind),
            Fields::AuditEntry(e) => Some(&e.path),
            Fields::Found(f) => Some(&f.name),
            Fields::Unreadable(u) => Some(&u.why),
            Fields::Session(_) | Fields::AllSession(_) => None,
        }
    }
}

macro_rules! fields_from {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for Fields {
            fn from(f: $ty) -> Fields {
                Fields::$variant(f)
            }
        }
    )*};
}

fields_from!(
    Identity(kratos::Identity),
    Session(kratos::Session),
    AllSession(kratos::AllSession),
    Credential(credentials::Credential),
    CoreUser(core::User),
    HeadlessClient(headless::Client),
    HeadlessUser(headless::User),
    AuditEntry(Entry),
    Found(Found),
    Unreadable(Unreadable),
);
