//! Coassemble (the code calls it `Headless`): its clients and users.

pub mod columns;

pub use columns::*;
