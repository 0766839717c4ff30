//! The audit trail's columns.

use super::fields::Entry;
use crate::app::column::{Cell, Column};
use crate::app::row::{Fields, Row};

pub fn entry(r: &Row) -> Option<&Entry> {
    match &r.fields {
        Fields::AuditEntry(e) => Some(e),
        _ => None,
    }
}

pub const COLUMNS: &[Column] = &[
    Column::new("TIME (UTC)", 19, 19, 0, |r| {
        entry(r).map_or(Cell::Empty, |e| Cell::TimeToSecond(&e.time))
    }),
    Column::new("PROFILE", 7, 16, 1, |r| {
        entry(r).map_or(Cell::Empty, |e| Cell::text(&e.profile))
    }),
    // Names fit in a few letters; a long one is cut rather than squeezing the path out.
    Column::new("BY", 6, 16, 1, |r| {
        entry(r).map_or(Cell::Empty, |e| Cell::text(&e.by))
    }),
    Column::new("METHOD", 6, 6, 0, |r| {
        entry(r).map_or(Cell::Empty, |e| Cell::text(&e.method))
    }),
    // Cut in the middle: a path ends with the object's id.
    Column::id("PATH", 12, 0, 0, |r| {
        entry(r).map_or(Cell::Empty, |e| Cell::text(&e.path))
    }),
    Column::new("OUTCOME", 7, 9, 0, |r| {
        entry(r).map_or(Cell::Empty, |e| Cell::text(&e.outcome))
    }),
    Column::id("REQUEST ID", 10, 36, 2, |r| {
        entry(r).map_or(Cell::Empty, |e| Cell::text(&e.request_id))
    }),
];
