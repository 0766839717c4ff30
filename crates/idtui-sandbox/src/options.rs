//! Options of `idtui sandbox`, shared by the command line and the embedded sandbox.

use std::fs::File;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use clap::{Args, ValueEnum};

use super::faults::FaultSpec;

/// Which Coassemble plan the emulated workspace is on: deletes need Embed Automate or above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum HeadlessPlan {
    Core,
    #[default]
    Automate,
    Partner,
}

/// Which Ory Kratos the sandbox answers as (`--kratos-version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum KratosVersion {
    /// Ory Kratos v1.3.1, the last open-source release before the calendar versions.
    #[value(name = "1.3.1")]
    V1_3_1,
    /// The current API that Ory Network and the official SDK 25.x speak (v26.2.0); where that
    /// API did not change, it answers as v1.3.1 does.
    #[default]
    #[value(name = "latest")]
    Latest,
}

impl KratosVersion {
    /// What `GET /version` answers.
    pub fn version_string(self) -> &'static str {
        match self {
            KratosVersion::V1_3_1 => "v1.3.1",
            KratosVersion::Latest => super::kratos::EMULATED_VERSION,
        }
    }

    pub fn is_v1_3_1(self) -> bool {
        self == KratosVersion::V1_3_1
    }
}

impl std::str::FromStr for KratosVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        <Self as ValueEnum>::from_str(s, false)
    }
}

#[derive(Clone, Debug, Args)]
pub struct SandboxOptions {
    /// Address to listen on. Loopback by default; anything else must be asked for.
    #[arg(long, default_value = "127.0.0.1:4455")]
    pub listen: SocketAddr,

    /// SQLite database file; data persists across restarts. In memory when omitted.
    #[arg(long)]
    pub db: Option<PathBuf>,

    /// Load the demo data set from assets/ (only into empty tables).
    #[arg(long)]
    pub demo: bool,

    /// Generate N deterministic synthetic records per provider.
    #[arg(long, value_name = "N")]
    pub generate: Option<u64>,

    /// Require this credential on every API (Kratos: `Bearer T`; MATTR: `Bearer T` or a token
    /// from /oauth/token with client_secret T; Coassemble: `COASSEMBLE:<workspace>:T`).
    /// Without it MATTR and Coassemble still require a credential, generated per run and
    /// printed at start, and Kratos admin is open (as a self-hosted Kratos is).
    /// On the command line every local user can read it with `ps`: prefer --token-file or
    /// the IDTUI_SANDBOX_TOKEN environment variable, which keep it out of the process list.
    #[arg(
        long,
        value_name = "T",
        env = "IDTUI_SANDBOX_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// Read the --token credential from FILE (surrounding whitespace trimmed), which keeps it
    /// out of `ps`. Not with --token; it takes precedence over IDTUI_SANDBOX_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Whether `token` was typed on the command line, where `ps` shows it (rather than taken
    /// from the environment or a file): `idtui sandbox` then warns. Clap's derive loses where a
    /// value came from, so the command line sets this from its `ArgMatches`.
    #[arg(skip)]
    pub token_in_argv: bool,

    /// Inject faults, e.g. `latency=200ms,5xx=0.1,429=0.05,drop=0.02,truncate=0.02,seed=7`.
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<FaultSpec>,

    /// Append one JSON line per request (time, method, path, status, duration_ms).
    #[arg(long, value_name = "FILE")]
    pub request_log: Option<PathBuf>,

    /// Which Ory Kratos the Kratos admin API answers as: `1.3.1` (the open-source release)
    /// or `latest` (the current API of Ory Network and the official SDK).
    #[arg(long, value_enum, value_name = "VERSION", default_value_t = KratosVersion::Latest)]
    pub kratos_version: KratosVersion,

    /// Coassemble plan of the emulated workspace (delete needs automate or partner).
    #[arg(long, value_enum, default_value_t = HeadlessPlan::Automate)]
    pub headless_plan: HeadlessPlan,

    /// Coassemble requests per minute per client IP before 429 (0 turns the limit off).
    #[arg(long, default_value_t = 100)]
    pub headless_rate_limit: u32,

    /// Lifetime in seconds of MATTR access tokens issued by /oauth/token.
    #[arg(long, default_value_t = 3600)]
    pub core_token_ttl: u64,

    /// The Coassemble workspace id the credential belongs to (`COASSEMBLE:<id>:<secret>`).
    #[arg(long, value_name = "ID", default_value = "1")]
    pub headless_workspace: String,

    /// Allow listening on a non-loopback address.
    #[arg(long)]
    pub allow_remote: bool,

    /// The credential MATTR and Coassemble require when `token` is not set (the real services
    /// always want one). `idtui sandbox` and the embedded sandbox generate one per run; `None`
    /// leaves those two open, for tests that are not about auth.
    #[arg(skip)]
    pub provider_token: Option<String>,
}

impl SandboxOptions {
    /// The embedded sandbox the dashboard starts with no config: random loopback port,
    /// in-memory database, demo data, no auth and no rate limit.
    pub fn embedded() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: None,
            demo: true,
            generate: None,
            token: None,
            token_file: None,
            token_in_argv: false,
            faults: None,
            request_log: None,
            kratos_version: KratosVersion::Latest,
            headless_plan: HeadlessPlan::Automate,
            headless_rate_limit: 0,
            core_token_ttl: 3600,
            headless_workspace: "1".into(),
            allow_remote: false,
            provider_token: Some(generate_token()),
        }
    }

    /// What MATTR and Coassemble require: `--token`, else the generated credential.
    pub fn provider_credential(&self) -> Option<&str> {
        self.token.as_deref().or(self.provider_token.as_deref())
    }

    /// Replace `token_file` by the token it holds, so everything after start-up reads
    /// `token` alone. A missing, unreadable, oversized or blank file is an error: starting with
    /// no credential (Kratos admin open) because a path was mistyped would be worse. The file
    /// overrides a token from the environment, as a command line overrides the environment.
    pub fn read_token_file(&mut self) -> anyhow::Result<()> {
        let Some(path) = self.token_file.take() else {
            return Ok(());
        };
        if self.token_in_argv {
            bail!("--token and --token-file cannot be used together");
        }
        self.token = Some(read_token(&path)?);
        Ok(())
    }

    /// A bare sandbox for tests: random loopback port, in-memory, empty, no limits.
    pub fn for_tests() -> Self {
        Self {
            demo: false,
            provider_token: None,
            ..Self::embedded()
        }
    }
}

/// Longer than any credential anyone types; a bound so `--token-file /dev/zero` is an error,
/// not a process filling its memory.
const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

fn read_token(path: &Path) -> anyhow::Result<String> {
    let shown = path.display();
    let file = File::open(path).with_context(|| format!("cannot read token file {shown}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read token file {shown}"))?;
    if bytes.len() as u64 > MAX_TOKEN_FILE_BYTES {
        bail!(
            "token file {shown} is larger than {MAX_TOKEN_FILE_BYTES} bytes; is it the right file?"
        );
    }
    let text =
        String::from_utf8(bytes).map_err(|_| anyhow!("token file {shown} is not UTF-8 text"))?;
    let token = text.trim();
    if token.is_empty() {
        bail!("token file {shown} is empty");
    }
    Ok(token.to_owned())
}

/// A fresh random credential for one sandbox run.
pub fn generate_token() -> String {
    format!("sbx_{}", uuid::Uuid::new_v4().simple())
}
