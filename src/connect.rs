//! Build the API client a configured profile describes: the one place where the dashboard's
//! configuration meets `idtui-api` (which knows nothing of config files).

use std::sync::Arc;

use crate::api::{
    Api, ApiError, Auth, CoreApi, HeadlessApi, HttpLayer, HttpSettings, KratosApi, OAuthSource,
    Provider, RetryPolicy,
};
use crate::config::{ConfigError, Profile, Secret};

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
            let empty = Secret::new("");
            let auth = Auth::coassemble(provider, workspace, token.as_ref().unwrap_or(&empty))?;
            Api::Headless(HeadlessApi::new(HttpLayer::new(&settings, auth)?))
        }
    })
}
