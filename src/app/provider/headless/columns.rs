//! The Coassemble lists' columns (clients, users), and the values a row keeps for them.

use super::{Client, List, User};
use crate::app::column::{Cell, Column, row_id, why};
use crate::app::row::{Fields, Row};

fn client(r: &Row) -> Option<&Client> {
    match &r.fields {
        Fields::HeadlessClient(c) => Some(c),
        _ => None,
    }
}

fn user(r: &Row) -> Option<&User> {
    match &r.fields {
        Fields::HeadlessUser(u) => Some(u),
        _ => None,
    }
}

/// The table of columns `list` is shown with.
pub fn of(list: &List) -> &'static [Column] {
    match list {
        List::Clients => CLIENTS,
        List::Users { .. } => USERS,
    }
}

pub const CLIENTS: &[Column] = &[
    Column::id("ID", 8, 36, 0, row_id),
    Column::new("NAME", 10, 0, 0, |r| match client(r) {
        Some(c) => Cell::text(&c.name),
        None => why(r),
    }),
    Column::new("USERS", 5, 8, 2, |r| {
        client(r).map_or(Cell::Empty, |c| Cell::Count(c.users))
    }),
    Column::new("METADATA", 8, 0, 3, |r| {
        client(r).map_or(Cell::Empty, |c| Cell::text(&c.metadata))
    }),
];

pub const USERS: &[Column] = &[
    Column::id("IDENTIFIER", 8, 24, 0, row_id),
    Column::new("NAME / EMAIL", 12, 0, 0, |r| match user(r) {
        Some(u) => Cell::text(&u.name),
        None => why(r),
    }),
    Column::new("CLIENT", 8, 20, 1, |r| {
        user(r).map_or(Cell::Empty, |u| Cell::text(&u.client))
    }),
    Column::new("CREATED", 16, 16, 3, |r| {
        user(r).map_or(Cell::Empty, |u| Cell::Time(&u.created))
    }),
    Column::new("METADATA", 8, 0, 4, |r| {
        user(r).map_or(Cell::Empty, |u| Cell::text(&u.metadata))
    }),
];
