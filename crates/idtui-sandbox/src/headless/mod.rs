//! Sandbox emulation of the Coassemble headless (Embed) Identities API, served under both
//! `/api/v1/headless` and `/v1/headless`, with its API-key auth, per-IP rate limit, plan
//! gating, bare-array page/length lists and `{message, error}` envelope.

mod auth;
mod clients;
mod courses;
mod demo;
mod embed;
mod errors;
mod generate;
mod paging;
mod store;
mod users;

use axum::Router;
use axum::routing::{get, post};
use rusqlite::Connection;

use super::AppState;

pub use demo::seed_demo;
pub use generate::generate;

/// Per-provider state shared by handlers (beyond the database).
#[derive(Clone, Default)]
pub struct HeadlessState {
    limiter: auth::RateLimiter,
}

pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    store::migrate(conn)
}

fn headless_api() -> Router<AppState> {
    Router::new()
        .route("/clients", get(clients::list))
        .route(
            "/client/{identifier}",
            get(clients::get)
                .put(clients::update)
                .delete(clients::delete),
        )
        .route("/users", get(users::list))
        .route(
            "/user/{identifier}",
            get(users::get).put(users::update).delete(users::delete),
        )
        .route("/embed/course", post(embed::course))
        .route("/courses", get(embed::courses))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/api/v1/headless", headless_api())
        .nest("/v1/headless", headless_api())
}
