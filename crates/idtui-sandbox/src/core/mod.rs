//! Sandbox emulation of the MATTR VII core users API (`/core/v1/*` as in older tenants and
//! `/v1/*` as in current ones), with its bearer/OAuth auth, cursor pagination, error
//! envelope and analytic events.

mod auth;
mod demo;
mod errors;
mod events;
mod generate;
mod handlers;
mod pagination;
mod search;
mod store;

use axum::Router;
use axum::routing::{get, post};
use rusqlite::Connection;

use super::AppState;

pub use demo::seed_demo;
pub use generate::generate;

/// Per-provider state shared by handlers (beyond the database).
#[derive(Clone, Default)]
pub struct CoreState {
    tokens: auth::TokenStore,
}

pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    store::migrate(conn)
}

fn users_api() -> Router<AppState> {
    Router::new()
        .route(
            "/users",
            get(handlers::list_users).post(handlers::create_user),
        )
        .route("/users/search", post(handlers::search_users))
        .route(
            "/users/{id}",
            get(handlers::get_user)
                .put(handlers::update_user)
                .delete(handlers::delete_user),
        )
        .route("/users/{id}/credentials", get(handlers::list_credentials))
        .route("/analytics/events", get(events::list_events))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/core/v1", users_api())
        .nest("/v1", users_api())
        .route("/oauth/token", post(auth::issue_token))
}
