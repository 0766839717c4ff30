//! Admin authentication and the response conventions shared by every Kratos route.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::{KratosError, request_id};
use crate::{AppState, secret_eq};

/// Guard for `/admin/*` handlers: with a configured token, `Authorization: Bearer <token>`
/// is required (Ory Network's `oryAccessToken`); self-hosted Kratos has no auth at all.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = KratosError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, KratosError> {
        let Some(expected) = state.options.token.as_deref() else {
            return Ok(Admin);
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given.is_some_and(|g| secret_eq(g, expected)) {
            Ok(Admin)
        } else {
            Err(KratosError::unauthorized())
        }
    }
}

/// Echo `X-Request-ID` into error bodies and mark every admin response uncacheable, as
/// Kratos' admin router does (errors and writes included; the public routes are not marked).
pub async fn conventions(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let admin = ["/admin", "/identities", "/sessions", "/recovery"]
        .iter()
        .any(|p| path.starts_with(p));
    let rid = request_id(req.headers());
    let mut resp = next.run(req).await;
    if let Some(rid) = rid
        && let Some(err) = resp.extensions().get::<KratosError>().cloned()
    {
        let mut err = err;
        err.request = Some(rid);
        resp = err.into_response();
    }
    // The router's own plain-text 404 and 405 come before the admin handlers: unmarked.
    let from_router = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    if admin && !from_router {
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache, no-store, must-revalidate"),
        );
    }
    resp
}
