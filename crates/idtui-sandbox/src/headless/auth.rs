//! Coassemble API keys (`Authorization: COASSEMBLE:<workspaceId>:<secret>`, no `Bearer`),
//! the per-IP rolling-minute rate limit, and plan gating of deletes.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::errors::HlError;
use crate::{AppState, HeadlessPlan, secret_eq};

const WINDOW: Duration = Duration::from_secs(60);

/// Admitted requests per client IP within the last minute.
#[derive(Clone, Default)]
pub struct RateLimiter {
    seen: Arc<Mutex<HashMap<IpAddr, VecDeque<Instant>>>>,
}

impl RateLimiter {
    /// Admit one request from `ip`, or say in how many seconds a slot frees.
    fn admit(&self, ip: IpAddr, per_minute: u32) -> Result<(), u64> {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let window = seen.entry(ip).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            window.pop_front();
        }
        if window.len() >= per_minute as usize {
            let oldest = window.front().copied().unwrap_or(now);
            let wait = WINDOW.saturating_sub(now.duration_since(oldest));
            // Round up: a client that waits exactly this long must get in.
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }
        window.push_back(now);
        Ok(())
    }
}

/// Extractor that admits a request to the headless API (rate limit first, then the key).
pub struct HeadlessAuth;

impl FromRequestParts<AppState> for HeadlessAuth {
    type Rejection = HlError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HlError> {
        let limit = state.options.headless_rate_limit;
        if limit > 0 {
            let ip = parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
                .unwrap_or(IpAddr::from([127, 0, 0, 1]));
            state
                .headless
                .limiter
                .admit(ip, limit)
                .map_err(HlError::too_many_requests)?;
        }
        let Some(expected) = state.options.provider_credential() else {
            return Ok(HeadlessAuth);
        };
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| HlError::unauthorized("Missing Authorization header"))?
            .to_str()
            .map_err(|_| HlError::unauthorized("Malformed Authorization header"))?
            .trim();
        if value.to_ascii_lowercase().starts_with("bearer ") {
            return Err(HlError::unauthorized(
                "Bearer tokens are not accepted: send `Authorization: COASSEMBLE:<workspaceId>:<secret>`",
            ));
        }
        let mut parts_iter = value.splitn(3, ':');
        let (Some("COASSEMBLE"), Some(workspace), Some(secret)) =
            (parts_iter.next(), parts_iter.next(), parts_iter.next())
        else {
            return Err(HlError::unauthorized(
                "Malformed API key: expected `COASSEMBLE:<workspaceId>:<secret>`",
            ));
        };
        if workspace.is_empty() || !workspace.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HlError::unauthorized(
                "Malformed API key: the workspace id must be numeric",
            ));
        }
        // The key names its workspace: a secret for another workspace is no key here.
        if workspace != state.options.headless_workspace || !secret_eq(secret, expected) {
            return Err(HlError::unauthorized("Invalid API key"));
        }
        Ok(HeadlessAuth)
    }
}

/// Deletes need Embed Automate or Embed Partner.
pub fn require_delete_plan(state: &AppState) -> Result<(), HlError> {
    match state.options.headless_plan {
        HeadlessPlan::Automate | HeadlessPlan::Partner => Ok(()),
        HeadlessPlan::Core => Err(HlError::forbidden(
            "Your plan does not include deleting identities (Embed Automate or above)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_admits_the_limit_then_names_the_wait() {
        let limiter = RateLimiter::default();
        let ip = IpAddr::from([127, 0, 0, 1]);
        let other = IpAddr::from([127, 0, 0, 2]);
        assert!(limiter.admit(ip, 2).is_ok());
        assert!(limiter.admit(ip, 2).is_ok());
        let wait = limiter.admit(ip, 2).unwrap_err();
        assert!((59..=60).contains(&wait), "{wait}");
        // Per IP: another client still gets in.
        assert!(limiter.admit(other, 2).is_ok());
    }
}
