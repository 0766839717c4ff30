//! The subcommands about idtui itself: `completions`, `man`, `config check`; and the check of
//! the config file that `idtui keys` makes before printing the keymap. None of them opens a
//! profile's connection or starts the embedded sandbox (`config check` sends one read of its
//! own to each API it checks).

mod check;
mod completion;
mod manual;

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{CompletionsArgs, ConfigAction, ConfigArgs};
use crate::config::Config;

use super::{Failure, Global};

/// `idtui completions SHELL`: the shell's completion script on stdout.
pub fn completions(global: &Global, args: &CompletionsArgs) -> Result<(), Failure> {
    let profiles = completion::profile_names(global.config.as_deref());
    for warning in &profiles.warnings {
        super::say(&format!("warning: {warning}"));
    }
    write_stdout(completion::script(args.shell, &profiles).as_bytes())
}

/// `idtui man`: the manual page, roff, on stdout.
pub fn man() -> Result<(), Failure> {
    write_stdout(&manual::page())
}

/// `idtui config ACTION`.
pub async fn config(global: &Global, args: &ConfigArgs) -> Result<(), Failure> {
    match args.action {
        ConfigAction::Check => check::run(global).await,
    }
}

/// The config file a run reads: `--config FILE`, else the default path when a file is there
/// (else none: the embedded sandbox), as the dashboard and the subcommands choose it.
pub fn config_path(global: &Global) -> Option<PathBuf> {
    crate::runtime::profiles::config_path(global.config.clone())
}

/// The config file `global` names (or the default one, when it exists) read and checked as
/// opening its profiles would: readable, valid TOML with known keys, each profile coherent,
/// at least one profile, and `--profile` (or `default_profile`) one of them. No config file
/// at all is fine (the embedded sandbox), with a `--profile` of the sandbox's. `idtui keys` runs this first, so that a broken
/// config is said rather than hidden behind a keymap printed as if all were well.
pub fn check_config_loads(global: &Global) -> Result<(), Failure> {
    let Some(path) = config_path(global) else {
        // The embedded sandbox's profiles, then.
        let names: Vec<String> = crate::config::embedded_profiles("http://127.0.0.1", None)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        return match &global.profile {
            Some(p) if !names.contains(p) => Err(Failure::error(format!(
                "no profile `{p}`: there is no config file, and the embedded sandbox has {}",
                names.join(", ")
            ))),
            _ => Ok(()),
        };
    };
    let config = load(&path)?;
    if let Some(name) = global.profile.as_ref().or(config.default_profile.as_ref()) {
        config.profile(name)?;
    }
    Ok(())
}

/// `path` read and parsed, with at least one profile.
fn load(path: &std::path::Path) -> Result<Config, Failure> {
    Ok(crate::runtime::profiles::load_config(path)?)
}

/// `bytes` on stdout. A reader that went away (`idtui man | head`) is no error.
fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::error(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}
