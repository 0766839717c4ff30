//! Typed clients for the three admin APIs over one shared HTTP layer. The dashboard never
//! speaks HTTP itself: it asks these clients for pages and mutations and gets typed results
//! or one [`ApiError`].

pub mod auth;
pub mod core;
pub mod error;
pub mod headless;
pub mod http;
pub mod items;
pub mod kratos;
pub mod models;
pub mod page;
mod request;
pub mod retry;

use std::sync::Arc;

pub use self::core::CoreApi;
pub use auth::{Auth, OAuthSource};
pub use error::{ApiError, ErrorKind, Provider};
pub use headless::HeadlessApi;
pub use http::{HttpLayer, HttpSettings};
pub use items::BadItem;
pub use kratos::KratosApi;
pub use models::*;
pub use page::{Cursor, Link, Page, parse_link_header, resolve_link};
pub use retry::RetryPolicy;

use crate::config::{ConfigError, Profile};

/// A connected client for one profile. Cheap to clone and `Send + Sync`.
#[derive(Clone, Debug)]
pub enum Api {
    Kratos(KratosApi),
    Core(CoreApi),
    Headless(HeadlessApi),
}

impl Api {
    pub fn provider(&self) -> Provider {
        self.http().provider()
    }

    pub fn read_only(&self) -> bool {
        self.http().read_only()
    }

    pub fn http(&self) -> &HttpLayer {
        match self {
            Api::Kratos(k) => k.http(),
            Api::Core(c) => c.http(),
            Api::Headless(h) => h.http(),
        }
    }
}

/// Build the client a profile describes. Secrets are resolved here (environment, file or
/// command), so this may block while a `token_command` runs: call it at startup or from
/// `spawn_blocking`, not on the UI loop. No request is sent. `read_only` (or the profile's own `read_only`) makes the
/// layer refuse every mutating request.
pub fn connect(profile: &Profile, read_only: bool) -> Result<Api, ApiError> {
    connect_with(profile, read_only, RetryPolicy::default())
}

/// [`connect`] with a chosen retry policy.
pub fn connect_with(
    profile: &Profile,
    read_only: bool,
    retry: RetryPolicy,
) -> Result<Api, ApiError> {
    let provider = profile.provider;
    let secret_err = |e: ConfigError| ApiError::config(provider, e.to_string());
    let settings = HttpSettings {
        provider,
        base_url: profile.url.clone(),
        timeout: profile.timeout(),
        connect_timeout: profile.connect_timeout(),
        ca_file: profile.ca_file.clone(),
        read_only: read_only || profile.read_only,
        retry,
    };
    let token = profile.resolve_token().map_err(secret_err)?;
    let token_auth = || match &token {
        Some(t) => Auth::bearer(provider, profile.auth_header.as_deref(), t),
        None => Ok(Auth::None),
    };
    Ok(match provider {
        Provider::Kratos => {
            let auth = token_auth()?;
            let admin = HttpLayer::new(&settings, auth.clone())?;
            let public = match &profile.public_url {
                Some(url) => Some(HttpLayer::new(
                    &HttpSettings {
                        base_url: url.clone(),
                        ..settings.clone()
                    },
                    auth,
                )?),
                None => None,
            };
            Api::Kratos(KratosApi::new(admin, public))
        }
        Provider::Core => {
            let auth = if profile.uses_oauth() {
                let missing = |k: &str| ApiError::config(provider, format!("OAuth needs {k}"));
                let secret = profile
                    .resolve_client_secret()
                    .map_err(secret_err)?
                    .ok_or_else(|| missing("client_secret_env (or _file/_command)"))?;
                Auth::OAuth(Arc::new(OAuthSource::new(
                    provider,
                    profile
                        .auth_url
                        .as_deref()
                        .ok_or_else(|| missing("auth_url"))?,
                    profile
                        .client_id
                        .clone()
                        .ok_or_else(|| missing("client_id"))?,
                    secret,
                    profile.audience.clone(),
                )?))
            } else {
                token_auth()?
            };
            let http = HttpLayer::new(&settings, auth)?;
            Api::Core(CoreApi::new(http, profile.prefix.as_deref()))
        }
        Provider::Headless => {
            let workspace = profile
                .workspace_id
                .as_deref()
                .filter(|w| !w.trim().is_empty())
                .ok_or_else(|| ApiError::config(provider, "headless profiles need workspace_id"))?;
            // The embedded sandbox runs without a secret; a real workspace always has one,
            // and the server's 401 then says so.
            let empty = crate::config::Secret::new("");
            let auth = Auth::coassemble(provider, workspace, token.as_ref().unwrap_or(&empty))?;
            Api::Headless(HeadlessApi::new(HttpLayer::new(&settings, auth)?))
        }
    })
}

#[cfg(test)]
mod tests;
