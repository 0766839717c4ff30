//! Profiles: which backend to talk to and how to find its secret. Secrets are only ever
//! named by reference (environment variable, file, command) and are held in [`Secret`],
//! which never prints its value.
//!
//! ```toml
//! default_profile = "prod"
//!
//! [profiles.prod]                      # Ory Network / Kratos admin API
//! provider = "kratos"
//! url = "https://my-project.projects.oryapis.com"
//! token_env = "ORY_API_KEY"            # sent as `Authorization: Bearer …`
//! read_only = true
//!
//! [profiles.mattr]                     # MATTR VII, OAuth client credentials
//! provider = "core"
//! url = "https://tenant.vii.au01.mattr.global"
//! auth_url = "https://auth.au01.mattr.global"
//! client_id = "…"
//! client_secret_command = "pass show mattr/client-secret"
//! audience = "https://tenant.vii.au01.mattr.global"
//!
//! [profiles.embed]                     # Coassemble headless
//! provider = "headless"
//! url = "https://api.coassemble.com/api"
//! workspace_id = "1234"
//! token_file = "/home/me/.config/idtui/coassemble.key"
//! ```
//!
//! A `token_file` or `client_secret_file` that its group or others may read is refused, as
//! ssh refuses such a key; `chmod 600 FILE` is the fix the error names.
//!
//! Also per profile: `timeout_secs` (30), `connect_timeout_secs` (10), `page_size` (rows per
//! page while browsing, 100; 1 to the provider's maximum), `concurrency` (items of a bulk
//! change sent at once, 4; 1 to 32), `ca_file` (extra PEM
//! roots), core `prefix` (`/v1`, or `/core/v1` for older tenants), kratos `public_url` (where
//! `/schemas` lives) and `auth_header` (a gateway header carrying the raw token). Proxies come
//! from the usual `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` variables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub use crate::api::{Provider, Secret};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The io error is said in the message itself, and so is not also a `source` (an error
    /// chain printed whole would say it twice).
    #[error("cannot read {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Bad TOML or an unknown key; toml's message names the key and its line.
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: profile `{profile}`: {message}")]
    Invalid {
        path: PathBuf,
        profile: String,
        message: String,
    },
    #[error("profile `{profile}`: {message}")]
    Secret { profile: String, message: String },
    #[error("no profile named `{0}`")]
    UnknownProfile(String),
}

/// The whole file: `[profiles.NAME]` tables.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profile opened when `--profile` is not given.
    #[serde(default)]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One backend. Which keys apply depends on `provider`; see the README for examples.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Filled in from the table name when loading.
    #[serde(skip)]
    pub name: String,
    pub provider: Provider,
    /// Base URL, possibly with a path prefix.
    pub url: String,

    /// The API token (Kratos / Ory Network, a static MATTR token, the Coassemble secret).
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Run through `sh -c`; its trimmed stdout is the secret.
    pub token_command: Option<String>,

    /// MATTR OAuth client credentials.
    pub auth_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_env: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    pub client_secret_command: Option<String>,
    pub audience: Option<String>,
    /// MATTR path prefix: `/v1` (current docs, the default) or `/core/v1` (older tenants).
    pub prefix: Option<String>,

    /// Kratos public URL for `/schemas` (the admin port only redirects there).
    pub public_url: Option<String>,
    /// Header carrying the token, when a deployment wants one other than `Authorization`.
    pub auth_header: Option<String>,

    /// Coassemble workspace id (the secret comes from `token_*`).
    pub workspace_id: Option<String>,

    pub timeout_secs: Option<u64>,
    pub connect_timeout_secs: Option<u64>,
    /// Rows asked for per page while browsing (walks to the end use the provider's largest).
    pub page_size: Option<u32>,
    /// Items of a bulk change sent at once (4 when unset; 1 to 32).
    pub concurrency: Option<u32>,
    /// Extra trusted CA certificates (PEM).
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub read_only: bool,

    /// A secret held in memory: the embedded sandbox's generated credential. Never read from
    /// a file or the command line; the config file names secrets only by reference.
    #[serde(skip)]
    pub inline_token: Option<Secret>,
}

impl Profile {
    /// A profile with only provider and URL set.
    pub fn new(name: impl Into<String>, provider: Provider, url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            provider,
            url: url.into(),
            token_env: None,
            token_file: None,
            token_command: None,
            auth_url: None,
            client_id: None,
            client_secret_env: None,
            client_secret_file: None,
            client_secret_command: None,
            audience: None,
            prefix: None,
            public_url: None,
            auth_header: None,
            workspace_id: None,
            timeout_secs: None,
            connect_timeout_secs: None,
            page_size: None,
            concurrency: None,
            ca_file: None,
            read_only: false,
            inline_token: None,
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.unwrap_or(30).max(1))
    }

    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs.unwrap_or(10).max(1))
    }

    /// Whether the profile asks for OAuth client credentials rather than a static token.
    pub fn uses_oauth(&self) -> bool {
        self.client_id.is_some() || self.auth_url.is_some()
    }

    /// The token named by `token_env` / `token_file` / `token_command`, if any.
    pub fn resolve_token(&self) -> Result<Option<Secret>, ConfigError> {
        self.resolve(
            "token",
            self.token_env.as_deref(),
            self.token_file.as_deref(),
            self.token_command.as_deref(),
        )
    }

    /// The OAuth client secret named by `client_secret_env` / `_file` / `_command`, if any.
    pub fn resolve_client_secret(&self) -> Result<Option<Secret>, ConfigError> {
        self.resolve(
            "client_secret",
            self.client_secret_env.as_deref(),
            self.client_secret_file.as_deref(),
            self.client_secret_command.as_deref(),
        )
    }

    fn resolve(
        &self,
        what: &str,
        env: Option<&str>,
        file: Option<&Path>,
        command: Option<&str>,
    ) -> Result<Option<Secret>, ConfigError> {
        let fail = |message: String| ConfigError::Secret {
            profile: self.name.clone(),
            message,
        };
        let value = if let Some(var) = env {
            std::env::var(var)
                .map_err(|_| fail(format!("{what}_env: environment variable {var} is not set")))?
        } else if let Some(path) = file {
            read_secret_file(path).map_err(|m| fail(format!("{what}_file: {m}")))?
        } else if let Some(cmd) = command {
            let (status, stdout) = run_limited(cmd, COMMAND_LIMIT)
                .map_err(|e| fail(format!("{what}_command: {e}")))?;
            // Neither stdout nor stderr is quoted: either could hold the secret.
            if !status.success() {
                return Err(fail(format!("{what}_command failed ({status})")));
            }
            String::from_utf8(stdout).map_err(|_| {
                fail(format!(
                    "{what}_command printed something that is not UTF-8"
                ))
            })?
        } else if what == "token" {
            return Ok(self.inline_token.clone());
        } else {
            return Ok(None);
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(fail(format!("the {what} is empty")));
        }
        Ok(Some(Secret::new(value)))
    }

    /// Rules serde cannot express: at most one source per secret, and what each provider
    /// needs.
    fn check(&self) -> Result<(), String> {
        let count = |a: bool, b: bool, c: bool| a as u8 + b as u8 + c as u8;
        if count(
            self.token_env.is_some(),
            self.token_file.is_some(),
            self.token_command.is_some(),
        ) > 1
        {
            return Err("give only one of token_env, token_file, token_command".into());
        }
        let secret_sources = count(
            self.client_secret_env.is_some(),
            self.client_secret_file.is_some(),
            self.client_secret_command.is_some(),
        );
        if secret_sources > 1 {
            return Err(
                "give only one of client_secret_env, client_secret_file, client_secret_command"
                    .into(),
            );
        }
        if self.url.trim().is_empty() {
            return Err("url is empty".into());
        }
        if let Some(n) = self.page_size {
            let max = max_page_size(self.provider);
            if n == 0 || n > max {
                return Err(format!(
                    "page_size = {n}: give a number from 1 to {max} (the most a {} list serves per page)",
                    self.provider
                ));
            }
        }
        if let Some(n) = self.concurrency
            && !(1..=32).contains(&n)
        {
            return Err(format!(
                "concurrency = {n}: give a number from 1 to 32 (items of a bulk change sent at once)"
            ));
        }
        let only = |key: &str, set: bool, provider: &str| {
            if set {
                Err(format!("{key} applies only to {provider} profiles"))
            } else {
                Ok(())
            }
        };
        match self.provider {
            Provider::Kratos => {
                only("workspace_id", self.workspace_id.is_some(), "headless")?;
                only("prefix", self.prefix.is_some(), "core")?;
                only("auth_url/client_id", self.uses_oauth(), "core")?;
            }
            Provider::Core => {
                only("workspace_id", self.workspace_id.is_some(), "headless")?;
                only("public_url", self.public_url.is_some(), "kratos")?;
                if self.uses_oauth() {
                    if self.auth_url.is_none() || self.client_id.is_none() || secret_sources == 0 {
                        return Err("OAuth needs auth_url, client_id and client_secret_env (or _file/_command)".into());
                    }
                } else if secret_sources > 0 {
                    return Err("client_secret_* needs auth_url and client_id".into());
                }
                if let Some(p) = &self.prefix
                    && !p.starts_with('/')
                {
                    return Err(format!("prefix {p:?} must start with `/` (e.g. \"/v1\")"));
                }
            }
            Provider::Headless => {
                only("public_url", self.public_url.is_some(), "kratos")?;
                only("prefix", self.prefix.is_some(), "core")?;
                only("auth_url/client_id", self.uses_oauth(), "core")?;
                if self
                    .workspace_id
                    .as_deref()
                    .is_none_or(|w| w.trim().is_empty())
                {
                    return Err("headless profiles need workspace_id".into());
                }
            }
        }
        Ok(())
    }
}

/// The contents of a secret file, refused (as ssh refuses such a private key) when anyone
/// but its owner may read or change it: the secret is then as good as shared, and working
/// on quietly would hide that. The mode is read from the file opened, not from its name,
/// so what is checked is what is read.
fn read_secret_file(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().map_err(cannot)?.permissions().mode();
        if let Some(problem) = secret_file_mode_problem(path, mode) {
            return Err(problem);
        }
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(cannot)?;
    Ok(text)
}

/// Why a secret file (`token_file`, `client_secret_file`) with `mode` is refused, naming the
/// fix, or `None` when only its owner has rights on it. `idtui config check` says the same.
pub fn secret_file_mode_problem(path: &Path, mode: u32) -> Option<String> {
    let mode = mode & 0o7777;
    if mode & 0o077 == 0 {
        return None;
    }
    let who = if mode & 0o004 != 0 {
        "anyone on this machine can read it"
    } else if mode & 0o040 != 0 {
        "its group can read it"
    } else {
        "its group or others have rights on it"
    };
    Some(format!(
        "{} has mode {mode:04o}: {who}, so it is refused; make it yours alone: chmod 600 {}",
        path.display(),
        shell_word(&path.display().to_string())
    ))
}

/// `word` as one shell word, quoted only when it must be, for a command to copy.
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The largest `page_size` every list of `provider` serves (Kratos identities stop at 500).
pub fn max_page_size(provider: Provider) -> u32 {
    match provider {
        Provider::Kratos => crate::api::kratos::MAX_IDENTITY_PAGE,
        Provider::Core => crate::api::core::MAX_LIMIT,
        Provider::Headless => crate::api::headless::MAX_LENGTH,
    }
}

/// Longest a `token_command` (or `client_secret_command`) may run: a password manager
/// waiting for a prompt nobody sees must not hang a profile for ever.
pub const COMMAND_LIMIT: Duration = Duration::from_secs(10);

/// Run `cmd` through `sh -c` with no input, for at most `limit`; its status and stdout.
/// Past the limit the command (and anything it started) is killed.
fn run_limited(cmd: &str, limit: Duration) -> Result<(std::process::ExitStatus, Vec<u8>), String> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|e| format!("cannot run sh: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    // Read meanwhile, so a chatty command cannot fill the pipe and stall.
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let out = reader.join().unwrap_or_default();
            return Ok((status, out));
        }
        if std::time::Instant::now() >= deadline {
            // The command's own process group (`process_group(0)` above): what it started too.
            #[cfg(unix)]
            crate::sys::kill_process_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "did not finish within {} s; killed",
                limit.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

impl Config {
    /// `$XDG_CONFIG_HOME/idtui/config.toml` (or the platform's equivalent).
    pub fn default_path() -> Option<PathBuf> {
        Some(config_dir()?.join("config.toml"))
    }

    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_owned(),
            error,
        })?;
        Self::parse(&text, path)
    }

    /// Parse file contents; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: one_line(&e.to_string()),
        })?;
        for (name, profile) in &mut config.profiles {
            profile.name = name.clone();
            profile.check().map_err(|message| ConfigError::Invalid {
                path: path.to_owned(),
                profile: name.clone(),
                message,
            })?;
        }
        if let Some(d) = &config.default_profile
            && !config.profiles.contains_key(d)
        {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                message: format!("default_profile `{d}` is not defined"),
            });
        }
        Ok(config)
    }

    pub fn profile(&self, name: &str) -> Result<&Profile, ConfigError> {
        self.profiles
            .get(name)
            .ok_or_else(|| ConfigError::UnknownProfile(name.to_owned()))
    }
}

/// `$XDG_CONFIG_HOME/idtui` (or the platform's equivalent): where `config.toml` and
/// `keybindings.toml` live. A relative `XDG_CONFIG_HOME` is ignored, as the XDG spec says.
pub fn config_dir() -> Option<PathBuf> {
    config_dir_from(std::env::var_os("XDG_CONFIG_HOME"))
}

fn config_dir_from(xdg_config_home: Option<std::ffi::OsString>) -> Option<PathBuf> {
    match xdg_config_home.map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => Some(dir.join("idtui")),
        _ => directories::ProjectDirs::from("", "", "idtui").map(|d| d.config_dir().to_path_buf()),
    }
}

/// toml's messages span several lines (a source excerpt with a caret); keep it to one line
/// so it fits a status bar, key name and line number included. The excerpt (`4 | key = …`)
/// is dropped: it would echo a secret written inline by mistake.
fn one_line(msg: &str) -> String {
    let mut parts: Vec<&str> = msg
        .lines()
        .map(str::trim)
        .filter(|l| {
            let after_line_number = l.trim_start_matches(|c: char| c.is_ascii_digit());
            !l.is_empty()
                && !after_line_number.trim_start().starts_with('|')
                && !l.chars().all(|c| c == '^' || c == ' ')
        })
        .collect();
    parts.dedup();
    parts.join(" ")
}

/// Three profiles named `kratos`, `core` and `headless` for the sandbox at `base_url` (the
/// embedded default). The sandbox runs without auth, so no secret is involved.
/// `credential` is what the embedded sandbox's MATTR and Coassemble require; its Kratos admin
/// is open.
pub fn embedded_profiles(base_url: &str, credential: Option<&str>) -> Vec<(String, Profile)> {
    let base = base_url.trim_end_matches('/');
    let mut core = Profile::new("core", Provider::Core, base);
    core.prefix = Some("/v1".into());
    core.inline_token = credential.map(Secret::new);
    let mut headless = Profile::new("headless", Provider::Headless, format!("{base}/api"));
    headless.workspace_id = Some("1".into());
    headless.inline_token = credential.map(Secret::new);
    [
        Profile::new("kratos", Provider::Kratos, base),
        core,
        headless,
    ]
    .into_iter()
    .map(|p| (p.name.clone(), p))
    .collect()
}

#[cfg(test)]
mod tests;
