//! Sandbox emulation of the Kratos API (being built).

use axum::Router;
use rusqlite::Connection;

use super::AppState;

/// Per-provider state shared by handlers (beyond the database).
#[derive(Clone, Default)]
pub struct KratosState {}

pub fn migrate(_conn: &Connection) -> rusqlite::Result<()> {
    Ok(())
}

pub fn seed_demo(_conn: &mut Connection) -> anyhow::Result<()> {
    Ok(())
}

pub fn generate(_conn: &mut Connection, _n: u64) -> anyhow::Result<()> {
    Ok(())
}

pub fn router() -> Router<AppState> {
    Router::new()
}
