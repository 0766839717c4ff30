//! Diagnostics go to a file, never to the terminal the dashboard is drawing on:
//! `$XDG_STATE_HOME/idtui/idtui.log` (or `~/.local/state/idtui/idtui.log`), level from
//! `IDTUI_LOG` (an `EnvFilter` directive such as `debug` or `idtui::api=trace`).

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The environment variable holding the log filter.
pub const LOG_ENV: &str = "IDTUI_LOG";
const DEFAULT_FILTER: &str = "info";
/// Past this size the log is moved to `idtui.log.1` at start-up, so it never grows forever.
const ROTATE_BYTES: u64 = 10 * 1024 * 1024;

/// Keeps the background log writer alive; dropping it flushes what is still queued.
#[must_use = "logging stops when the guard is dropped"]
pub struct LogGuard {
    _worker: WorkerGuard,
}

/// `$XDG_STATE_HOME/idtui`, falling back to `~/.local/state/idtui`.
pub fn state_dir() -> PathBuf {
    state_dir_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

fn state_dir_from(xdg_state_home: Option<OsString>, home: Option<OsString>) -> PathBuf {
    // The XDG spec says relative values are invalid and must be ignored.
    let base = xdg_state_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| PathBuf::from(h).join(".local").join("state")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("idtui")
}

/// Where the log is written.
pub fn log_path() -> PathBuf {
    state_dir().join("idtui.log")
}

/// Installs the global subscriber writing to [`log_path`].
pub fn init() -> anyhow::Result<LogGuard> {
    let filter = std::env::var(LOG_ENV).unwrap_or_else(|_| DEFAULT_FILTER.to_string());
    let path = log_path();
    let (subscriber, guard) = file_subscriber(&path, &filter)?;
    tracing::subscriber::set_global_default(subscriber)
        .context("a tracing subscriber was already installed")?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "idtui started");
    Ok(guard)
}

/// A subscriber appending to `path` through a non-blocking writer thread.
fn file_subscriber(
    path: &Path,
    filter: &str,
) -> anyhow::Result<(impl tracing::Subscriber + Send + Sync + 'static, LogGuard)> {
    let filter = EnvFilter::try_new(filter)
        .with_context(|| format!("{LOG_ENV}={filter:?} is not a valid log filter"))?;
    let file = open_log(path)?;
    let (writer, worker) = tracing_appender::non_blocking(file);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .finish();
    Ok((subscriber, LogGuard { _worker: worker }))
}

/// Opens the log 0600 in a 0700 directory, never through a link (see `local_files`): it
/// names identities and hosts. A log past [`ROTATE_BYTES`] is moved to `idtui.log.1` first.
fn open_log(path: &Path) -> anyhow::Result<File> {
    if let Some(dir) = path.parent() {
        crate::local_files::private_dir(dir).context("cannot create the log directory")?;
    }
    let file = crate::local_files::open_append(path).context("cannot open the log file")?;
    if file.metadata().is_ok_and(|m| m.len() > ROTATE_BYTES) {
        let mut old = path.as_os_str().to_owned();
        old.push(".1");
        // Renaming the file just checked (not a link, already 0600) keeps the old log as
        // private as it was. Best effort: if the rename fails we keep appending to it.
        if std::fs::rename(path, old).is_ok() {
            return crate::local_files::open_append(path).context("cannot open the log file");
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_dir_follows_xdg_then_home() {
        assert_eq!(
            state_dir_from(Some("/xdg/state".into()), Some("/home/a".into())),
            PathBuf::from("/xdg/state/idtui")
        );
        assert_eq!(
            state_dir_from(None, Some("/home/a".into())),
            PathBuf::from("/home/a/.local/state/idtui")
        );
        // A relative XDG value is ignored, as the spec requires.
        assert_eq!(
            state_dir_from(Some("rel".into()), Some("/home/a".into())),
            PathBuf::from("/home/a/.local/state/idtui")
        );
    }

    #[test]
    fn writes_filtered_events_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("idtui.log");
        let (subscriber, guard) = file_subscriber(&path, "info").unwrap();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(profile = "prod", "listed identities");
            tracing::debug!("too chatty for info");
        });
        drop(guard); // flushes the writer thread
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("listed identities") && text.contains("profile=\"prod\""));
        assert!(!text.contains("too chatty"));
        assert!(!text.contains('\x1b'), "no colour codes in the file");
    }

    #[test]
    fn bad_filter_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = file_subscriber(&dir.path().join("l.log"), "idtui=loud")
            .err()
            .unwrap();
        assert!(err.to_string().contains("IDTUI_LOG"), "{err}");
    }
}
