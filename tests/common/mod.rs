//! Shared helpers for integration tests.
// Each integration test is its own crate and uses only part of these helpers, so unused
// items are expected in any single one of them.
#![allow(dead_code)]

pub mod pty;
pub mod sandbox;
