//! The command line (names fixed by DESIGN.md; tests and docs rely on them).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
