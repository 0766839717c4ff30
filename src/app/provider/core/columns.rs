//! The MATTR VII lists' columns (its users; its credentials share `credentials`), and the
//! values a row keeps for them.

use super::{List, User};
use crate::app::column::{Cell, Column, row_id, why};
use crate::app::provider::credentials;
use crate::app::row::{Fields, Row};

fn user(r: &Row) -> Option<&User> {
    match &r.fields {
        Fields::CoreUser(u) => Some(u),
        _ => None,
    }
}

/// The table of columns `list` is shown with.
pub fn of(list: &List) -> &'static [Column] {
    match list {
        List::Users => USERS,
        List::Credentials { .. } => credentials::columns::CREDENTIALS,
    }
}

pub const USERS: &[Column] = &[
    Column::id("ID", 8, 36, 0, row_id),
    Column::new("EMAIL / NAME", 12, 0, 0, |r| match user(r) {
        Some(u) => Cell::text(&u.name),
        None => why(r),
    }),
    Column::new("PROVIDER", 8, 16, 2, |r| {
        user(r).map_or(Cell::Empty, |u| Cell::text(&u.provider))
    }),
    Column::new("CREATED", 16, 16, 3, |r| {
        user(r).map_or(Cell::Empty, |u| Cell::Time(&u.created))
    }),
    Column::new("CLAIMS", 8, 0, 4, |r| {
        user(r).map_or(Cell::Empty, |u| Cell::text(&u.claims))
    }),
];
