//! The command line (names fixed by DESIGN.md; tests and docs rely on them).

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::sandbox::SandboxOptions;

#[derive(Debug, Parser)]
#[command(
    name = "idtui",
    version,
    about = "Terminal dashboard for Kratos, MATTR VII and Coassemble identities"
)]
pub struct Cli {
    /// Config file with [profiles.NAME] tables (default: $XDG_CONFIG_HOME/idtui/config.toml).
    /// With no config file at all, idtui starts an embedded sandbox with demo data.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Profile to open first.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Refuse every mutating request (enforced below the UI).
    #[arg(long)]
    pub read_only: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the local emulator of the three admin APIs.
    Sandbox(Box<SandboxOptions>),
    /// Print the effective keymap (defaults plus user overrides).
    Keys,
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
