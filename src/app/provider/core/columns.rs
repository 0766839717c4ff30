//! The MATTR VII lists' columns (its users; its credentials share `credentials`), and the
//! values a row keeps for them.

use crate::app::column::{row_id, why};
use crate::app::model::{Cell, Column, Fields, Row};

/// What the users list shows of a MATTR user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    /// Its email or name from its claims.
    pub name: String,
    /// The subject at its authentication provider.
    pub provider: String,
    /// RFC 3339, as the server sent it.
    pub created: String,
    /// Its claims summed up on one line.
    pub claims: String,
}

fn user(r: &Row) -> Option<&User> {
    match &r.fields {
        Fields::CoreUser(u) => Some(u),
        _ => None,
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
