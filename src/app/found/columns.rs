//! The columns of `:find`'s results.

use super::fields::Found;
use crate::app::column::{Cell, Column};
use crate::app::row::{Fields, Row};

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
