//! What every subcommand starts from: the profiles (the config's, or the embedded sandbox's
//! with no config), a backend for each over the same clients as the dashboard, the audit
//! trail (lines marked `"via": "cli"`) and the bulk journals; and which profile a
//! subcommand acts on.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::app::{ProfileInfo, Provider};
use crate::audit_log::AuditLog;
use crate::bulk_journal::BulkJournals;
use crate::runtime::Backends;
use crate::runtime::profiles::{self, Opened};

use super::exit::Failure;

/// The options every subcommand shares (`--config`, `--profile`, `--read-only`).
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub read_only: bool,
}

pub struct Ctx {
    pub opened: Opened,
    pub backends: Backends,
    pub infos: Vec<ProfileInfo>,
    /// `--read-only`: every change refused below the subcommands, as in the dashboard.
    pub read_only: bool,
    pub audit: AuditLog,
    pub journals: BulkJournals,
    /// Where a question can be asked and progress drawn.
    pub terminal: Terminal,
}

/// Which of the standard streams are terminals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

impl Terminal {
    pub fn detect() -> Terminal {
        Terminal {
            stdin: std::io::stdin().is_terminal(),
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        }
    }

    /// A person is there to answer a question: stdin and stderr are a terminal.
    pub fn can_ask(self) -> bool {
        self.stdin && self.stderr
    }
}

impl Ctx {
    pub async fn open(global: &Global) -> Result<Ctx, Failure> {
        let opened = profiles::open(global.config.clone(), global.profile.clone()).await?;
        let (backends, infos) = profiles::backends(&opened.profiles, global.read_only);
        // What an older idtui or a wider umask left open is closed before anything is
        // written there, as the dashboard does at start.
        for (_, problem) in crate::local_files::tighten_tree(&crate::logging::state_dir()) {
            eprintln!(
                "warning: {}",
                crate::sanitize::clean_line(&problem.to_string())
            );
        }
        Ok(Ctx {
            opened,
            backends,
            infos,
            read_only: global.read_only,
            audit: AuditLog::new(AuditLog::default_path()).via("cli"),
            journals: BulkJournals::new(BulkJournals::default_dir()),
            terminal: Terminal::detect(),
        })
    }

    /// Stop the embedded sandbox, if one was started.
    pub async fn close(self) {
        if let Some(s) = self.opened.sandbox {
            s.stop().await;
        }
    }

    /// The profiles a WHO is looked for on: the one named (`--profile`, `default_profile`),
    /// else every profile whose provider `fits`.
    pub fn candidates(
        &self,
        fits: impl Fn(Provider) -> bool,
        what: &str,
    ) -> Result<Vec<&ProfileInfo>, Failure> {
        if self.opened.first.is_some() {
            return self.profile_for(fits, what).map(|p| vec![p]);
        }
        let fitting: Vec<&ProfileInfo> = self.infos.iter().filter(|i| fits(i.provider)).collect();
        if fitting.is_empty() {
            return Err(Failure::usage(format!("no profile fits: {what}")));
        }
        Ok(fitting)
    }

    /// The profile to act on: `--profile` (or the config's `default_profile`), else the one
    /// profile whose provider `fits`, else a usage error naming the candidates. `what` says
    /// what the subcommand needs, for the errors ("sessions are Kratos's").
    pub fn profile_for(
        &self,
        fits: impl Fn(Provider) -> bool,
        what: &str,
    ) -> Result<&ProfileInfo, Failure> {
        if let Some(name) = &self.opened.first {
            let info = self
                .infos
                .iter()
                .find(|i| &i.name == name)
                .ok_or_else(|| Failure::usage(format!("no profile named `{name}`")))?;
            if !fits(info.provider) {
                return Err(Failure::usage(format!(
                    "profile {name} is {}: {what}",
                    info.provider.system()
                )));
            }
            return Ok(info);
        }
        let fitting: Vec<&ProfileInfo> = self.infos.iter().filter(|i| fits(i.provider)).collect();
        match fitting.as_slice() {
            [one] => Ok(one),
            [] => Err(Failure::usage(format!("no profile fits: {what}"))),
            many => Err(Failure::usage(format!(
                "several profiles fit ({}): choose one with --profile",
                many.iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}
