//! The credentials lists' columns (an identity's under Kratos, a user's under MATTR: one
//! table), and the values a row of them keeps.

use super::Credential;
use crate::app::column::{Cell, Column, row_id, why};
use crate::app::row::{Fields, Row};

fn credential(r: &Row) -> Option<&Credential> {
    match &r.fields {
        Fields::Credential(c) => Some(c),
        _ => None,
    }
}

pub const CREDENTIALS: &[Column] = &[
    // An unreadable record shows its id where the type would be, and why beside it.
    Column::new("TYPE", 6, 12, 0, |r| match credential(r) {
        Some(c) => Cell::text(&c.kind),
        None if matches!(r.fields, Fields::Unreadable(_)) => row_id(r),
        None => Cell::Empty,
    }),
    Column::new("IDENTIFIERS", 12, 0, 0, |r| match credential(r) {
        Some(c) => Cell::text(&c.identifiers),
        None => why(r),
    }),
    Column::new("CREATED", 16, 16, 2, |r| {
        credential(r).map_or(Cell::Empty, |c| Cell::Time(&c.created))
    }),
    Column::new("DETAILS", 8, 0, 3, |r| {
        credential(r).map_or(Cell::Empty, |c| Cell::text(&c.details))
    }),
];
