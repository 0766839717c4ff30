//! The dashboard's state machine: `State`, `Action`, `Effect` and `update`. Pure and
//! synchronous (no I/O, no awaits, no ratatui), so almost all behaviour is unit-tested here.
//!
//! The modules import each other without cycles (`scripts/module-cycles.py`), so each can be
//! read from the ones below it: plain data (`mutation`, `change::types`, `editing::session`,
//! `who::purpose`, `found::run`…) under `state`; behaviour taking `&mut State` above it;
//! `navigate` under the handlers that share it; `update` on top.

pub mod action;
pub mod audit;
pub mod audit_pane;
pub mod bulk;
pub mod cell;
pub mod change;
pub mod column;
pub mod column_choices;
pub mod column_chooser;
pub mod command;
pub mod command_table;
pub mod confirm;
pub mod copy;
pub mod credential_import;
pub mod credentials;
pub mod detail;
pub mod editing;
pub mod export;
pub mod find;
pub mod found;
pub mod help;
pub mod history;
pub mod issued;
pub mod leaving;
pub mod marking;
pub mod marks;
pub mod merge;
pub mod model;
pub mod mutation;
pub mod navigate;
pub mod paste;
pub mod provider;
pub mod raw;
pub mod read_only;
pub mod retry;
pub mod row;
pub mod session_count;
pub mod sessions;
pub mod settle;
pub mod settled;
pub mod sorting;
pub mod state;
pub mod subject;
pub mod table;
pub mod update;
pub mod versions;
pub mod watch;
pub mod who;

#[cfg(test)]
mod tests;

pub use action::{
    Action, Courses, Done, Effect, FindFor, Issued, Mutation, ObjectFor, PageFor, Ticket,
};
pub use model::{
    Cell, Column, ErrorInfo, Fields, Hit, ListKind, ObjectKind, PageCursor, PageData, ProfileInfo,
    Provider, Row,
};
pub use state::{Mode, Pane, Remote, State};
pub use update::update;
