//! The dashboard's state machine: `State`, `Action`, `Effect` and `update`. Pure and
//! synchronous (no I/O, no awaits, no ratatui), so almost all behaviour is unit-tested here.

pub mod action;
pub mod audit;
pub mod audit_pane;
pub mod change;
pub mod command;
pub mod confirm;
pub mod detail;
pub mod editing;
pub mod find;
pub mod help;
pub mod leaving;
pub mod merge;
pub mod model;
pub mod paste;
pub mod read_only;
pub mod retry;
pub mod state;
pub mod table;
pub mod update;

#[cfg(test)]
mod tests;

pub use action::{Action, Courses, Effect, Mutation};
pub use model::{
    Column, ErrorInfo, ListKind, ObjectKind, PageCursor, PageData, ProfileInfo, Provider, Row,
};
pub use state::{Mode, Pane, State};
pub use update::update;
