//! MATTR VII (the code calls it `Core`): its users.

pub mod columns;

pub use columns::*;
