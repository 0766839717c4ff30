//! How a request is authenticated: nothing (self-hosted Kratos), a fixed header (a bearer
//! token, Coassemble's `COASSEMBLE:<workspace>:<secret>`), or OAuth client credentials with
//! a cached token (MATTR).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{Value, json};

use super::error::{ApiError, ErrorKind, Provider};
use super::headers::{header_value, redact_userinfo};
use crate::Secret;

#[derive(Clone, Default)]
pub enum Auth {
    #[default]
    None,
    /// The same header on every request; the value is marked sensitive.
    Static(HeaderName, HeaderValue),
    OAuth(Arc<OAuthSource>),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::Static(name, _) => write!(f, "Auth::Static({name}: ***)"),
            Auth::OAuth(src) => write!(
                f,
                "Auth::OAuth({})",
                redact_userinfo(src.token_url.as_str())
            ),
        }
    }
}

impl Auth {
    /// `<header>: <value>`; with the `Authorization` header the value is `Bearer <token>`,
    /// with any other header (a deployment's own gateway header) the raw token.
    pub fn bearer(
        provider: Provider,
        header: Option<&str>,
        token: &Secret,
    ) -> Result<Self, ApiError> {
        let name = header.unwrap_or("Authorization");
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            ApiError::config(
                provider,
                format!("auth_header {name:?} is not a valid header name"),
            )
        })?;
        let value = if name == reqwest::header::AUTHORIZATION {
            format!("Bearer {}", token.expose())
        } else {
            token.expose().to_owned()
        };
        Ok(Auth::Static(name, header_value(provider, &value)?))
    }

    /// Coassemble: the whole key is the header value, with no `Bearer`.
    pub fn coassemble(
        provider: Provider,
        workspace_id: &str,
        secret: &Secret,
    ) -> Result<Self, ApiError> {
        let value = format!("COASSEMBLE:{}:{}", workspace_id.trim(), secret.expose());
        Ok(Auth::Static(
            reqwest::header::AUTHORIZATION,
            header_value(provider, &value)?,
        ))
    }

    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Auth::OAuth(_))
    }

    pub(crate) async fn invalidate(&self) {
        if let Auth::OAuth(src) = self {
            *src.cached.lock().await = None;
        }
    }

    /// The header to send; an OAuth token is fetched (or refreshed) with `client`.
    pub(crate) async fn header(
        &self,
        client: &reqwest::Client,
        provider: Provider,
    ) -> Result<Option<(HeaderName, HeaderValue)>, ApiError> {
        Ok(match self {
            Auth::None => None,
            Auth::Static(name, value) => Some((name.clone(), value.clone())),
            Auth::OAuth(src) => {
                let token = src.token(client, provider).await?;
                Some((
                    reqwest::header::AUTHORIZATION,
                    header_value(provider, &format!("Bearer {}", token.expose()))?,
                ))
            }
        })
    }
}

/// The longest a token is kept before asking for a new one, whatever its `expires_in` says
/// (a server's number must not be able to overflow the clock, nor keep a token for years).
const LONGEST_TOKEN_LIFE: Duration = Duration::from_secs(24 * 3600);

/// When to fetch a new token for one that lives `ttl` from `now`: a little early, so a
/// request never leaves with a token that expires on the way (a fifth of the lifetime, at
/// most half a minute).
fn refresh_at(now: Instant, ttl: Duration) -> Instant {
    let ttl = ttl.min(LONGEST_TOKEN_LIFE);
    let margin = (ttl / 5).min(Duration::from_secs(30));
    now.checked_add(ttl - margin).unwrap_or(now)
}

/// A token answer is a few hundred bytes; anything past this is not one.
const MAX_TOKEN_ANSWER_BYTES: usize = 64 * 1024;

/// OAuth 2 client credentials against `POST {auth_url}/oauth/token` (MATTR's token
/// endpoint), with the token cached until shortly before it expires.
pub struct OAuthSource {
    token_url: Url,
    client_id: String,
    client_secret: Secret,
    audience: Option<String>,
    cached: tokio::sync::Mutex<Option<CachedToken>>,
}

struct CachedToken {
    token: Secret,
    refresh_at: Instant,
}

impl OAuthSource {
    pub fn new(
        provider: Provider,
        auth_url: &str,
        client_id: String,
        client_secret: Secret,
        audience: Option<String>,
    ) -> Result<Self, ApiError> {
        let mut token_url = Url::parse(auth_url.trim())
            .map_err(|e| ApiError::config(provider, format!("invalid auth_url: {e}")))?;
        match token_url.path_segments_mut() {
            Ok(mut segs) => {
                segs.pop_if_empty().extend(["oauth", "token"]);
            }
            Err(()) => return Err(ApiError::config(provider, "auth_url cannot be a base URL")),
        }
        Ok(Self {
            token_url,
            client_id,
            client_secret,
            audience,
            cached: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid token, fetching a new one when none is cached or the cached one is about to
    /// expire. Concurrent callers wait for one fetch instead of each starting their own.
    async fn token(
        &self,
        client: &reqwest::Client,
        provider: Provider,
    ) -> Result<Secret, ApiError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && Instant::now() < c.refresh_at
        {
            return Ok(c.token.clone());
        }
        let fetched = self.fetch(client, provider).await?;
        let token = fetched.token.clone();
        *cached = Some(fetched);
        Ok(token)
    }

    async fn fetch(
        &self,
        client: &reqwest::Client,
        provider: Provider,
    ) -> Result<CachedToken, ApiError> {
        let mut body = json!({
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose(),
            "grant_type": "client_credentials",
        });
        if let Some(aud) = &self.audience {
            body["audience"] = Value::String(aud.clone());
        }
        let auth_err = |msg: String| ApiError::new(ErrorKind::Auth, provider, msg);
        let mut resp = client
            .post(self.token_url.clone())
            .header("Accept", "application/json")
            .header("Accept-Encoding", "gzip")
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                let kind = if e.is_timeout() {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Connect
                };
                ApiError::new(
                    kind,
                    provider,
                    format!("token request failed: {}", e.without_url()),
                )
            })?;
        let status = resp.status().as_u16();
        if (300..400).contains(&status) {
            // The client follows no redirect: a 307/308 would re-send the client secret to
            // the host it names, and a token from there would then be trusted.
            let mut err = crate::headers::redirect_refused(provider, status, resp.headers());
            err.kind = ErrorKind::Auth;
            err.message = format!("token request {}", err.message);
            return Err(err);
        }
        let headers = resp.headers().clone();
        let bytes = crate::body::BodyReader::new(provider, &headers, MAX_TOKEN_ANSWER_BYTES)?
            .all(&mut resp)
            .await
            .map_err(|e| {
                let mut err = e.into_error(provider, false);
                err.kind = ErrorKind::Auth;
                err.message = format!("token answer not read: {}", err.message);
                err
            })?;
        if !(200..300).contains(&status) {
            let mut err = ApiError::from_response(provider, status, &bytes);
            // A token endpoint that is down or busy is worth another try on a read; one
            // that refuses the client is not.
            if !err.is_transient() {
                err.kind = ErrorKind::Auth;
            }
            err.message = format!("token request failed: {}", err.message);
            return Err(err);
        }
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| auth_err(format!("token answer is not JSON ({e})")))?;
        let token = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| auth_err("token answer has no access_token".into()))?;
        let ttl = Duration::from_secs(
            v.get("expires_in")
                .and_then(|e| e.as_u64().or_else(|| e.as_str()?.parse().ok()))
                .unwrap_or(3600),
        );
        Ok(CachedToken {
            token: Secret::new(token),
            refresh_at: refresh_at(Instant::now(), ttl),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_expires_in_gives_a_refresh_time_without_overflow() {
        let now = Instant::now();
        assert_eq!(
            refresh_at(now, Duration::from_secs(3600)),
            now + Duration::from_secs(3570)
        );
        assert_eq!(
            refresh_at(now, Duration::from_secs(10)),
            now + Duration::from_secs(8)
        );
        assert_eq!(refresh_at(now, Duration::ZERO), now);
        // u64::MAX seconds would overflow `Instant`: the token is kept a day at most.
        let huge = refresh_at(now, Duration::from_secs(u64::MAX));
        assert_eq!(huge, now + LONGEST_TOKEN_LIFE - Duration::from_secs(30));
    }
}
