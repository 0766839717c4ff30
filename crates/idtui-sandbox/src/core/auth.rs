//! Bearer auth for the users API and the client-credentials token endpoint.
//!
//! With `--token T` a request must carry `Bearer T` itself or a token issued by
//! `POST /oauth/token` for client_secret T that has not yet expired. Without `--token`
//! everything is open, but the token endpoint still issues tokens so clients can run their
//! real OAuth code path against the sandbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::errors::CoreError;
use crate::{AppState, secret_eq};

/// Issued access tokens and when they stop being valid.
#[derive(Clone, Default)]
pub struct TokenStore {
    tokens: Arc<Mutex<HashMap<String, Instant>>>,
}

impl TokenStore {
    fn issue(&self, ttl: Duration) -> String {
        let token = format!("sbx_{}", uuid::Uuid::new_v4().simple());
        let now = Instant::now();
        let mut map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, expires| *expires > now);
        // A TTL the clock cannot add (`--core-token-ttl` is any u64) is as good as forever.
        let expires = now
            .checked_add(ttl)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
        map.insert(token.clone(), expires);
        token
    }

    fn is_valid(&self, token: &str) -> bool {
        let map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token)
            .is_some_and(|expires| *expires > Instant::now())
    }
}

/// Extractor that admits a request to the users API.
pub struct CoreAuth;

impl FromRequestParts<AppState> for CoreAuth {
    type Rejection = CoreError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, CoreError> {
        let Some(expected) = state.options.provider_credential() else {
            return Ok(CoreAuth);
        };
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| CoreError::unauthorized("Missing Authorization header"))?;
        let value = header
            .to_str()
            .map_err(|_| CoreError::unauthorized("Malformed Authorization header"))?;
        let token = value
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                CoreError::unauthorized("Authorization header must be `Bearer <access_token>`")
            })?;
        if secret_eq(token, expected) || state.core.tokens.is_valid(token) {
            Ok(CoreAuth)
        } else {
            Err(CoreError::unauthorized("Invalid or expired access token"))
        }
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// `POST /oauth/token` with a JSON body (`client_id`, `client_secret`, `audience`,
/// `grant_type: "client_credentials"`).
pub async fn issue_token(State(state): State<AppState>, body: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Body must be a JSON object",
        );
    };
    let field = |k: &str| body.get(k).and_then(Value::as_str);
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only client_credentials is supported",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing grant_type",
            );
        }
    }
    if field("client_id").is_none_or(str::is_empty) {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    if let Some(expected) = state.options.provider_credential()
        && !field("client_secret").is_some_and(|s| secret_eq(s, expected))
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    let ttl = state.options.core_token_ttl;
    let token = state.core.tokens.issue(Duration::from_secs(ttl));
    Json(json!({ "access_token": token, "expires_in": ttl, "token_type": "Bearer" }))
        .into_response()
}
