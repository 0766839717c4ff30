//! Sandbox emulation of the Ory Kratos admin API (`api/kratos.md`): identities, credentials,
//! JSON Patch, sessions, recovery links and codes, and identity schemas over SQLite. One port
//! plays both Kratos' admin and public ports, so admin routes answer with and without the
//! `/admin` prefix.

mod auth;
mod batch;
mod credentials;
mod demo;
mod duration;
mod errors;
mod generate;
mod go_json;
mod go_shape;
mod identities;
mod json_patch_go;
mod list;
mod login;
mod model;
mod pagination;
mod patch;
mod recovery;
mod routing_v1_3_1;
mod schemas;
mod sessions;
mod store;
mod synthetic;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, patch as patch_route, post};
use rusqlite::Connection;
use serde_json::json;

use super::AppState;
use auth::Admin;
use errors::KResult;
use pagination::json_response;

pub use demo::seed_demo;
pub use generate::generate;

/// The version `/version` reports in `latest` mode: the Kratos release whose API is emulated.
pub const EMULATED_VERSION: &str = "v26.2.0";

/// Per-provider state shared by handlers (beyond the database): the login flows started on
/// the public API. Schemas are compiled once into a process-wide table.
#[derive(Clone, Default)]
pub struct KratosState {
    login_flows: login::LoginFlows,
}

pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(store::MIGRATION)?;
    conn.execute_batch(store::SESSION_INDEXES)
}

/// Routes served both under `/admin` and bare, as Kratos' admin port does.
fn admin_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/identities",
            get(list::list)
                .post(identities::create)
                .patch(batch::handler),
        )
        .route(
            "/identities/by/external/{external_id}",
            get(identities::get_by_external),
        )
        .route(
            "/identities/{id}",
            get(identities::get)
                .put(identities::update)
                .patch(patch::handler)
                .delete(identities::delete),
        )
        .route(
            "/identities/{id}/credentials/{kind}",
            delete(identities::delete_credential),
        )
        .route(
            "/identities/{id}/sessions",
            get(sessions::list_for_identity).delete(sessions::delete_for_identity),
        )
        .route("/sessions", get(sessions::list))
        .route(
            "/sessions/{id}",
            get(sessions::get).delete(sessions::disable),
        )
        .route("/sessions/{id}/extend", patch_route(sessions::extend))
        .route("/recovery/link", post(recovery::link))
        .route("/recovery/code", post(recovery::code_for_identity))
}

async fn admin_schemas(_: Admin, q: RawQuery) -> KResult<Response> {
    schemas::list(q).await
}

async fn admin_schema(_: Admin, id: Path<String>) -> KResult<Response> {
    schemas::get(id).await
}

/// Kratos' router answers an unknown path and a wrong method in Go's plain text, not in the
/// JSON error envelope.
async fn not_found() -> Response {
    plain_not_found()
}

/// Go's `404 page not found`, as Kratos's router answers a path it has no route for.
pub(crate) fn plain_not_found() -> Response {
    plain(StatusCode::NOT_FOUND, "404 page not found\n")
}

async fn method_not_allowed() -> Response {
    method_not_allowed_response()
}

pub(crate) fn method_not_allowed_response() -> Response {
    plain(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n")
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
        .into_response()
}

async fn health() -> Response {
    json_response(StatusCode::OK, &json!({"status": "ok"}), HeaderMap::new())
}

/// `{"version": …}`: the release the sandbox answers as (`--kratos-version`).
async fn version(State(state): State<AppState>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"version": state.options.kratos_version.version_string()}),
        HeaderMap::new(),
    )
}

pub fn router(state: &AppState) -> Router<AppState> {
    let admin = admin_routes()
        .route("/schemas", get(admin_schemas))
        .route("/schemas/{id}", get(admin_schema))
        .route("/health/alive", get(health))
        .route("/health/ready", get(health))
        .route("/version", get(version))
        .route("/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/admin", admin)
        .merge(admin_routes())
        .route("/schemas", get(schemas::list))
        .route("/schemas/{id}", get(schemas::get))
        .route("/self-service/login/api", get(login::start))
        .route("/self-service/login", axum::routing::post(login::submit))
        .route("/health/alive", get(health))
        .route("/health/ready", get(health))
        .route("/version", get(version))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(auth::conventions))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            routing_v1_3_1::layer,
        ))
}
