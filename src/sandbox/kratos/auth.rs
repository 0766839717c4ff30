//! Admin authentication and the response conventions shared by every Kratos route.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::{KratosError, request_id};
use crate::sandbox::{AppState, secret_eq};

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

/// Echo `X-Request-ID` into error bodies and mark GET responses uncacheable, as Kratos does.
pub async fn conventions(req: Request, next: Next) -> Response {
    let is_get = req.method() == Method::GET;
    let rid = request_id(req.headers());
    let mut resp = next.run(req).await;
    if let Some(rid) = rid
        && let Some(err) = resp.extensions().get::<KratosError>().cloned()
    {
        let mut err = err;
        err.request = Some(rid);
        resp = err.into_response();
    }
    if is_get {
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache, no-store, must-revalidate"),
        );
    }
    resp
}
