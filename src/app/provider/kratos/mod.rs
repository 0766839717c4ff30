//! Ory Kratos: identities and their sessions (also every session, `:all-sessions`).

pub mod columns;

pub use columns::*;
