//! The profiles a run works with, as the dashboard and the subcommands both open them: the
//! config file's (the one named, else the default path when it exists), or with no config
//! at all an embedded sandbox with demo data and its three profiles. Each becomes a backend
//! that connects (runs its `token_command`…) only when first used.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};

use crate::api;
use crate::app::{ProfileInfo, Provider};
use crate::config::{Config, Profile, embedded_profiles};
use crate::sandbox::{self, SandboxOptions};

use super::backend::{Backend, Backends};
use super::lazy::Lazy;

/// The profiles opened, in the config's order.
pub struct Opened {
    pub profiles: Vec<(String, Profile)>,
    /// `--profile`, else the config's `default_profile` (checked to exist).
    pub first: Option<String>,
    /// The embedded sandbox serving them, when there was no config (stopped by the caller).
    pub sandbox: Option<sandbox::RunningSandbox>,
    /// The config file read, if any.
    pub path: Option<PathBuf>,
}

impl Opened {
    /// The profile named `name`.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p)
    }
}

/// The config file a run reads: the one named, else the default path when a file is there
/// (else none: the embedded sandbox).
pub fn config_path(config: Option<PathBuf>) -> Option<PathBuf> {
    config.or_else(|| Config::default_path().filter(|p| p.exists()))
}

/// The config file at `path`, read and checked, with at least one profile.
pub fn load_config(path: &Path) -> anyhow::Result<Config> {
    let config = Config::load(path)?;
    if config.profiles.is_empty() {
        bail!("{} defines no [profiles.NAME] table", path.display());
    }
    Ok(config)
}

/// Open the profiles of `config` (or of the default config file, or the embedded sandbox).
pub async fn open(config: Option<PathBuf>, profile: Option<String>) -> anyhow::Result<Opened> {
    let path = config_path(config);
    match &path {
        Some(file) => {
            let config = load_config(file)?;
            let first = profile.or(config.default_profile.clone());
            if let Some(p) = &first {
                config.profile(p)?;
            }
            Ok(Opened {
                profiles: config.profiles.into_iter().collect(),
                first,
                sandbox: None,
                path,
            })
        }
        None => {
            #[allow(unused_mut, reason = "changed only in debug builds, just below")]
            let mut options = SandboxOptions::embedded();
            // A test-only way to crash the embedded sandbox's handlers (debug builds only).
            #[cfg(debug_assertions)]
            if std::env::var("IDTUI_TEST_PANIC").as_deref() == Ok("sandbox") {
                options.faults = "panic=1".parse().ok();
            }
            let credential = options.provider_credential().map(str::to_owned);
            let running = sandbox::start(options)
                .await
                .context("cannot start the embedded sandbox")?;
            let profiles = embedded_profiles(&running.base_url, credential.as_deref());
            if let Some(p) = &profile
                && !profiles.iter().any(|(n, _)| n == p)
            {
                bail!("no profile `{p}` (the embedded sandbox has kratos, core and headless)");
            }
            Ok(Opened {
                profiles,
                first: profile,
                sandbox: Some(running),
                path: None,
            })
        }
    }
}

/// The app's provider for the client's.
pub fn provider(p: api::Provider) -> Provider {
    match p {
        api::Provider::Kratos => Provider::Kratos,
        api::Provider::Core => Provider::Core,
        api::Provider::Headless => Provider::Headless,
    }
}

/// The host (and port) shown in the title bar. Any `user:password@` in the url is dropped:
/// the bar is on screen, and a secret must never be.
pub fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_string()
}

/// A backend for each profile (nothing connected until first used), and what the app knows
/// of each.
pub fn backends(profiles: &[(String, Profile)], read_only: bool) -> (Backends, Vec<ProfileInfo>) {
    let mut backends = Backends::default();
    let mut infos = Vec::new();
    for (name, profile) in profiles {
        let backend: Arc<dyn Backend> = Arc::new(Lazy::new(profile.clone(), read_only));
        backends.insert(name.clone(), backend);
        infos.push(ProfileInfo {
            name: name.clone(),
            provider: provider(profile.provider),
            host: host(&profile.url),
            read_only: profile.read_only,
            page_size: profile.page_size.map(|n| n as usize),
            concurrency: profile.concurrency.map(|n| n as usize),
        });
    }
    (backends, infos)
}

#[cfg(test)]
mod tests {
    use super::host;

    #[test]
    fn the_title_bar_host_never_shows_credentials_from_the_url() {
        assert_eq!(host("https://tenant.example.com/api"), "tenant.example.com");
        assert_eq!(host("http://127.0.0.1:4455"), "127.0.0.1:4455");
        assert_eq!(
            host("https://user:p@ss@kratos.internal:4434/x"),
            "kratos.internal:4434"
        );
        assert_eq!(host("https://user:secret@h?q=1"), "h");
    }
}
