//! The command line (names fixed by DESIGN.md; tests and docs rely on them).

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::sandbox::SandboxOptions;

#[derive(Debug, Parser)]
#[command(
    name = "idtui",
    version,
    about = "Terminal dashboard for Kratos, MATTR VII and Coassemble identities",
    after_help = crate::script::exit::help_text()
)]
pub struct Cli {
    /// Config file with [profiles.NAME] tables (default: $XDG_CONFIG_HOME/idtui/config.toml).
    /// With no config file at all, idtui starts an embedded sandbox with demo data.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Profile to open first (the dashboard) or to act on (the subcommands).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Refuse every mutating request (enforced below the UI).
    #[arg(long, global = true)]
    pub read_only: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the local emulator of the three admin APIs.
    Sandbox(Box<SandboxOptions>),
    /// Print the effective keymap (defaults plus user overrides); checks the config too.
    Keys,
    /// Print a list: identities (Kratos), users (MATTR, Coassemble), clients (Coassemble),
    /// sessions (Kratos, active ones).
    List(ListArgs),
    /// Print one person (or Coassemble client), the server's record whole.
    Get(GetArgs),
    /// Search every profile for TEXT, as `:find` does.
    Find(FindArgs),
    /// Print the sessions of WHO (Kratos).
    Sessions(SessionsArgs),
    /// Revoke every active session of WHO, or of every match of --search (Kratos).
    Revoke(RevokeArgs),
    /// Apply a JSON Patch to WHO, or to every match of --search (Kratos); its `test`
    /// operations are checked against a fresh read of each identity.
    Patch(PatchArgs),
    /// Set a metadata key (Kratos: KEY, public.KEY or admin.KEY; MATTR: a claim;
    /// Coassemble: metadata) on WHO, or on every match of --search.
    Set(SetArgs),
    /// Remove a metadata key from WHO, or from every match of --search.
    Unset(UnsetArgs),
    /// Edit WHO's editable part in $VISUAL / $EDITOR, read fresh; saved only if nobody
    /// changed it meanwhile.
    Edit(EditArgs),
    /// Delete WHO, or every match of --search.
    Delete(DeleteArgs),
    /// Make a Kratos recovery link or code for WHO.
    Recovery(RecoveryArgs),
    /// Write a whole list to FILE (.jsonl, .json, .csv; - for stdout), as `:export` does.
    Export(ExportArgs),
    /// Print a shell completion script.
    ///
    /// For bash, `source <(idtui completions bash)` in ~/.bashrc; for the other shells, save
    /// it where the shell loads completions from. --profile completes the profile names of
    /// the config as it is when the script is made: run it again after the config changes.
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    ///
    /// Read it with `idtui man | man -l -`.
    Man,
    /// Check the config file: profiles, secrets, file permissions, each API reachable.
    Config(ConfigArgs),
    /// Serve the dashboard over SSH: one dashboard per connection, keys with roles.
    ///
    /// Public keys only, from an OpenSSH authorized_keys file whose lines may carry
    /// idtui-role="read"|"write" (default read) and idtui-profiles="a,b" (default all); the
    /// key's comment names the person. The file is read again for every connection. No
    /// shell, command, sftp or forwarding is ever allowed. With no config, the demo sandbox
    /// is served. SIGTERM, SIGINT or SIGHUP ends every session (drafts written) and the server.
    Serve(ServeArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Serve over SSH (required: the only way idtui is served).
    #[arg(long, required = true)]
    pub ssh: bool,
    /// Address and port to listen on (loopback unless told otherwise).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:2222")]
    pub listen: std::net::SocketAddr,
    /// The authorized keys (default: ~/.ssh/authorized_keys of the user running it).
    #[arg(long, value_name = "FILE")]
    pub authorized_keys: Option<PathBuf>,
    /// An OpenSSH private host key (default: an Ed25519 key made on first start in the
    /// state directory).
    #[arg(long, value_name = "FILE")]
    pub host_key: Option<PathBuf>,
    /// Most sessions at once.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_sessions: u32,
    /// Most sessions at once for one key.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_sessions_per_key: u32,
    /// A session with no input for this long ends (drafts kept): 90s, 30m, 8h.
    #[arg(long, value_name = "TIME", default_value = "30m", value_parser = parse_duration)]
    pub idle_timeout: std::time::Duration,
    /// Failed logins from one address (in 10 minutes) after which it is turned away.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_auth_failures: u32,
}

/// `90s`, `30m`, `8h` (a number alone is seconds).
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a time such as 90s, 30m or 8h"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("`{text}`: the unit is s, m or h")),
    };
    if seconds == 0 {
        return Err("the idle timeout must be at least 1s".into());
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// The lists a subcommand names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListName {
    Identities,
    Users,
    Clients,
    Sessions,
}

/// How records are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Columns for people (the default on a terminal).
    Table,
    /// One JSON array of the server's records, whole.
    Json,
    /// One record per line, as the server sent it (the default into a pipe or file).
    Jsonl,
    /// The columns, RFC 4180.
    Csv,
    /// The records as YAML documents.
    Yaml,
}

#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(short = 'o', long = "output", value_name = "FORMAT")]
    pub format: Option<OutputFormat>,
    /// Columns for table and csv, by header or path (e.g. `id,email,traits.name.last`).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ChangeArgs {
    /// Do it without asking (needed without a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Print the requests it would send (secrets masked) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    #[arg(value_enum)]
    pub list: ListName,
    /// Narrow the list with the provider's own search.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Every page, not only the first.
    #[arg(long)]
    pub all: bool,
    /// Most records printed without --all.
    #[arg(long, value_name = "N", default_value_t = 100, conflicts_with = "all")]
    pub limit: usize,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct GetArgs {
    /// An email, username, id, external id (ext:ID) or Coassemble identifier.
    pub who: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct FindArgs {
    pub text: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SessionsArgs {
    pub who: String,
    /// Inactive (revoked, expired) sessions too.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Who a change acts on: one person, or every match of a search.
#[derive(Debug, Clone, clap::Args)]
pub struct Whom {
    /// Act on every match of the provider's search (a plan first, journaled, resumable).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RevokeArgs {
    #[arg(required_unless_present = "search", conflicts_with = "search")]
    pub who: Option<String>,
    #[command(flatten)]
    pub whom: Whom,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("patch").required(true).args(["file", "op"])))]
pub struct PatchArgs {
    #[arg(required_unless_present = "search", conflicts_with = "search")]
    pub who: Option<String>,
    #[command(flatten)]
    pub whom: Whom,
    /// A file holding the JSON Patch (an array of operations); - reads stdin.
    #[arg(long, value_name = "PATCH.json")]
    pub file: Option<PathBuf>,
    /// One operation (or an array of them) as JSON; repeatable.
    #[arg(long, value_name = "JSON", conflicts_with = "file")]
    pub op: Vec<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
#[command(
    override_usage = "idtui set [OPTIONS] WHO KEY=JSON\n       idtui set [OPTIONS] --search TEXT KEY=JSON"
)]
pub struct SetArgs {
    /// `WHO KEY=JSON`, or `KEY=JSON` alone with --search (a bare word is a string).
    #[arg(num_args = 1..=2, value_names = ["WHO", "KEY=JSON"], required = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub whom: Whom,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
#[command(
    override_usage = "idtui unset [OPTIONS] WHO KEY\n       idtui unset [OPTIONS] --search TEXT KEY"
)]
pub struct UnsetArgs {
    /// `WHO KEY`, or `KEY` alone with --search.
    #[arg(num_args = 1..=2, value_names = ["WHO", "KEY"], required = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub whom: Whom,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct EditArgs {
    pub who: String,
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DeleteArgs {
    #[arg(required_unless_present = "search", conflicts_with = "search")]
    pub who: Option<String>,
    #[command(flatten)]
    pub whom: Whom,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecoveryKind {
    /// A link the person opens.
    Link,
    /// A code the person types on the recovery page.
    Code,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RecoveryArgs {
    #[arg(value_enum)]
    pub kind: RecoveryKind,
    pub who: String,
    /// How long it stays valid, like 30m or 2h (default: the server's, 1h).
    #[arg(long, value_name = "DURATION")]
    pub expires: Option<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub list: ListName,
    /// Where: .jsonl, .json or .csv by its extension; - writes to stdout (as -o says, jsonl
    /// by default).
    pub file: String,
    /// Narrow the list with the provider's own search.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Replace FILE if it exists (as `:export!`).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ConfigAction {
    /// Per profile: provider, URL, where the secret comes from and whether it can be read
    /// (never printed), file permissions, and a read-only probe of the API. Exit 0 only if
    /// every check passes.
    Check,
}

impl Cli {
    /// Parse the process's arguments as `Cli::try_parse` does, and note whether the sandbox's
    /// `--token` was typed on the command line (rather than read from `IDTUI_SANDBOX_TOKEN`),
    /// which only the `ArgMatches` behind the derive can tell.
    pub fn try_parse_noting_sources() -> Result<Cli, clap::Error> {
        Self::try_parse_from_noting_sources(std::env::args_os())
    }

    pub fn try_parse_from_noting_sources<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut matches = Cli::command().try_get_matches_from(args)?;
        let sandbox = matches.subcommand_matches("sandbox");
        let token_in_argv =
            sandbox.and_then(|m| m.value_source("token")) == Some(ValueSource::CommandLine);
        // Checked here rather than by `conflicts_with`, which would also refuse --token-file
        // while IDTUI_SANDBOX_TOKEN is merely set, naming a --token the user never typed.
        if token_in_argv && sandbox.is_some_and(|m| m.contains_id("token_file")) {
            return Err(Cli::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                "--token and --token-file cannot be used together; --token-file keeps the \
                 token out of `ps`",
            ));
        }
        let mut cli =
            Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut Cli::command()))?;
        if let Some(Command::Sandbox(opts)) = &mut cli.command {
            opts.token_in_argv = token_in_argv;
        }
        Ok(cli)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox_options(args: &[&str]) -> SandboxOptions {
        match Cli::try_parse_from_noting_sources(args).unwrap().command {
            Some(Command::Sandbox(opts)) => *opts,
            other => panic!("not the sandbox: {other:?}"),
        }
    }

    #[test]
    fn a_token_typed_on_the_command_line_is_noted() {
        let opts = sandbox_options(&["idtui", "sandbox", "--token", "t0k"]);
        assert_eq!(opts.token.as_deref(), Some("t0k"));
        assert!(opts.token_in_argv);
        let opts = sandbox_options(&["idtui", "sandbox", "--token-file", "/nonexistent"]);
        assert!(!opts.token_in_argv);
        assert!(opts.token.is_none());
    }

    #[test]
    fn serve_times_read_as_seconds_minutes_or_hours() {
        assert_eq!(parse_duration("90"), Ok(std::time::Duration::from_secs(90)));
        assert_eq!(
            parse_duration("30m"),
            Ok(std::time::Duration::from_secs(1800))
        );
        assert_eq!(
            parse_duration("8h"),
            Ok(std::time::Duration::from_secs(28_800))
        );
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn serve_needs_ssh_and_listens_on_loopback_by_default() {
        assert!(Cli::try_parse_from_noting_sources(["idtui", "serve"]).is_err());
        let cli = Cli::try_parse_from_noting_sources(["idtui", "serve", "--ssh"]).unwrap();
        let Some(Command::Serve(args)) = cli.command else {
            panic!("not serve")
        };
        assert!(args.listen.ip().is_loopback());
        assert_eq!(args.listen.port(), 2222);
    }

    #[test]
    fn token_and_token_file_exclude_each_other() {
        let err = Cli::try_parse_from_noting_sources([
            "idtui",
            "sandbox",
            "--token",
            "t",
            "--token-file",
            "f",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }
}
