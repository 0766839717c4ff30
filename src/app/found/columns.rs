//! The columns of `:find`'s results, and what a line of them keeps.

use crate::app::model::{Cell, Column, Fields, Row};

/// A line of the results: a hit on a profile, or where that profile's search is (no id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found {
    /// The profile's name (the user's own words).
    pub profile: String,
    /// The hit's own id on its profile (the row's id is the place in the results).
    pub id: String,
    /// How people name the hit; on a profile's status line, what its search came to.
    pub name: String,
    /// What the hit is (`identity`, `user`), or `error`.
    pub what: String,
}

pub fn found(r: &Row) -> Option<&Found> {
    match &r.fields {
        Fields::Found(f) => Some(f),
        _ => None,
    }
}

// The profile grows first (alone in the first priority), so a group's name reads whole.
pub const COLUMNS: &[Column] = &[
    Column::new("PROFILE", 7, 16, 0, |r| {
        found(r).map_or(Cell::Empty, |f| Cell::text(&f.profile))
    }),
    Column::id("ID", 8, 36, 1, |r| {
        found(r).map_or(Cell::Empty, |f| Cell::text(&f.id))
    }),
    Column::new("NAME / EMAIL", 12, 0, 1, |r| {
        found(r).map_or(Cell::Empty, |f| Cell::text(&f.name))
    }),
    Column::new("WHAT", 8, 12, 2, |r| {
        found(r).map_or(Cell::Empty, |f| Cell::text(&f.what))
    }),
];
