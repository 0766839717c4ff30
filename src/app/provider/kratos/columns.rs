//! The Kratos lists' columns, and the values a row of each keeps for them.

use super::{Identity, List, Session};
use crate::app::column::{Cell, Column, row_id, why};
use crate::app::provider::credentials;
use crate::app::row::{Fields, Row};

fn identity(r: &Row) -> Option<&Identity> {
    match &r.fields {
        Fields::Identity(i) => Some(i),
        _ => None,
    }
}

fn session(r: &Row) -> Option<&Session> {
    match &r.fields {
        Fields::Session(s) => Some(s),
        Fields::AllSession(a) => Some(&a.session),
        _ => None,
    }
}

/// The table of columns `list` is shown with.
pub fn of(list: &List) -> &'static [Column] {
    match list {
        List::Identities => IDENTITIES,
        List::Sessions { .. } => SESSIONS,
        List::Credentials { .. } => credentials::columns::CREDENTIALS,
        List::AllSessions { .. } => ALL_SESSIONS,
    }
}

pub const IDENTITIES: &[Column] = &[
    Column::id("ID", 8, 36, 0, row_id),
    Column::new("EMAIL / USERNAME", 12, 0, 0, |r| match identity(r) {
        Some(i) => Cell::text(&i.name),
        None => why(r),
    }),
    Column::new("STATE", 8, 8, 1, |r| {
        identity(r).map_or(Cell::Empty, |i| Cell::text(&i.state))
    }),
    Column::new("SCHEMA", 6, 12, 3, |r| {
        identity(r).map_or(Cell::Empty, |i| Cell::text(&i.schema))
    }),
    Column::new("CREATED", 16, 16, 2, |r| {
        identity(r).map_or(Cell::Empty, |i| Cell::Time(&i.created))
    }),
    Column::new("METADATA", 8, 0, 4, |r| {
        identity(r).map_or(Cell::Empty, |i| Cell::text(&i.metadata))
    }),
];

/// An unreadable record has no activity to show: its reason goes in the second column.
fn active(r: &Row) -> Cell<'_> {
    match session(r) {
        Some(s) => Cell::Flag(s.active),
        None => why(r),
    }
}

fn aal(r: &Row) -> Cell<'_> {
    session(r).map_or(Cell::Empty, |s| Cell::text(&s.aal))
}

fn ip(r: &Row) -> Cell<'_> {
    session(r).map_or(Cell::Empty, |s| Cell::text(&s.ip))
}

fn device(r: &Row) -> Cell<'_> {
    session(r).map_or(Cell::Empty, |s| Cell::text(&s.device))
}

fn expires(r: &Row) -> Cell<'_> {
    session(r).map_or(Cell::Empty, |s| Cell::Time(&s.expires))
}

pub const SESSIONS: &[Column] = &[
    Column::id("ID", 8, 36, 0, row_id),
    Column::new("ACTIVE", 6, 6, 0, active),
    Column::new("AAL", 4, 4, 1, aal),
    Column::new("IP", 7, 39, 2, ip),
    Column::new("DEVICE", 10, 0, 3, device),
    Column::new("EXPIRES", 16, 16, 1, expires),
];

/// The columns of an identity's sessions, with the person after ACTIVE.
pub const ALL_SESSIONS: &[Column] = &[
    Column::id("ID", 8, 36, 0, row_id),
    Column::new("ACTIVE", 6, 6, 0, active),
    // Wide enough that the device gives way first on an 80-column screen.
    Column::new("IDENTITY", 24, 0, 0, |r| match &r.fields {
        Fields::AllSession(a) => Cell::text(&a.identity),
        _ => Cell::Empty,
    }),
    Column::new("AAL", 4, 4, 3, aal),
    Column::new("IP", 7, 39, 2, ip),
    Column::new("DEVICE", 10, 0, 4, device),
    Column::new("EXPIRES", 16, 16, 1, expires),
];
