//! `idtui config check`: the config file and each of its profiles (or only `--profile`'s),
//! one line per check on stdout, and exit 0 only when every check passed. Per profile: its
//! provider and host (never the url's credentials), where its secret comes from and whether
//! it can be read (never the secret itself), the mode of a secret file, and one read of the
//! API (the first page of its main list, one record) with how it was answered and how long
//! it took. Nothing is changed anywhere: the read goes through a client that refuses every
//! mutating request.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::api::RetryPolicy;
use crate::app::PageCursor;
use crate::config::{Config, ConfigError, Profile, Secret};
use crate::runtime::profiles;
use crate::runtime::provider;

use super::{Failure, Global};

pub async fn run(global: &Global) -> Result<(), Failure> {
    let Some(path) = super::config_path(global) else {
        return Err(Failure::error(match Config::default_path() {
            Some(default) => format!(
                "no config file at {} (the default path): idtui would use the embedded \
                 sandbox; write one there, or name one with --config FILE",
                default.display()
            ),
            None => "no config file: no config directory could be found (set \
                     XDG_CONFIG_HOME or HOME), so idtui would use the embedded sandbox"
                .to_string(),
        }));
    };
    let mut report = Report::default();
    report.heading(&format!("config {}", path.display()));
    if let Some((verdict, line)) = config_mode(&path) {
        report.add(verdict, &line);
    }
    let config = super::load(&path)?;
    let names: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
    report.add(
        Verdict::Ok,
        &format!(
            "read: {} profile{} ({})",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ),
    );
    let chosen: Vec<&Profile> = match &global.profile {
        Some(name) => vec![config.profile(name).map_err(|_| {
            Failure::error(format!(
                "no profile named `{name}` in {} (it has {})",
                path.display(),
                names.join(", ")
            ))
        })?],
        None => config.profiles.values().collect(),
    };
    for profile in chosen {
        check_profile(&mut report, profile).await;
    }
    report.verdict()
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    Fail,
    /// Not made, because an earlier check of the same profile failed.
    Skip,
}

/// The lines written so far and how the checks went. Each line is written as soon as its
/// check is done (a probe may take a while), cleaned of anything a terminal would act on,
/// with any secret read meanwhile masked (a server could echo one back).
#[derive(Default)]
struct Report {
    passed: usize,
    failed: usize,
    skipped: usize,
    secrets: Vec<Secret>,
}

impl Report {
    fn heading(&mut self, text: &str) {
        self.write(text);
    }

    fn add(&mut self, verdict: Verdict, text: &str) {
        let word = match verdict {
            Verdict::Ok => {
                self.passed += 1;
                "ok"
            }
            Verdict::Fail => {
                self.failed += 1;
                "FAIL"
            }
            Verdict::Skip => {
                self.skipped += 1;
                "skip"
            }
        };
        self.write(&format!("  {word:<6}{text}"));
    }

    fn write(&self, line: &str) {
        let mut line = line.to_string();
        for secret in &self.secrets {
            if !secret.expose().is_empty() {
                line = line.replace(secret.expose(), "[secret]");
            }
        }
        let line = crate::sanitize::clean_line(&line);
        // A reader gone away (`| head`) only stops the report.
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }

    fn verdict(self) -> Result<(), Failure> {
        let total = self.passed + self.failed + self.skipped;
        if self.failed == 0 && self.skipped == 0 {
            self.write(&format!("config check: all {total} checks passed"));
            return Ok(());
        }
        let skipped = if self.skipped > 0 {
            format!(", {} not made", self.skipped)
        } else {
            String::new()
        };
        Err(Failure::error(format!(
            "config check: {} of {total} checks failed{skipped}",
            self.failed
        )))
    }
}

/// The config file's mode: nobody but its owner may change it, since whoever can chooses
/// the commands idtui runs (`token_command`) and where it sends secrets (as ssh refuses a
/// config file others can write). Others may read it: it names secrets, never holds them.
#[cfg(unix)]
fn config_mode(path: &Path) -> Option<(Verdict, String)> {
    use std::os::unix::fs::PermissionsExt;
    // A missing or unreadable file is said by the read that follows.
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    Some(if mode & 0o022 != 0 {
        let who = if mode & 0o002 != 0 {
            "anyone on this machine"
        } else {
            "its group"
        };
        (
            Verdict::Fail,
            format!(
                "mode {mode:04o}: {who} can change it, and so the commands idtui runs and \
                 where it sends secrets; make it yours alone: chmod 600 {}",
                crate::config::shell_word(&path.display().to_string())
            ),
        )
    } else if mode & 0o044 != 0 {
        (
            Verdict::Ok,
            format!("mode {mode:04o}: only you can change it (others may read it)"),
        )
    } else {
        (Verdict::Ok, format!("mode {mode:04o}: yours alone"))
    })
}

#[cfg(not(unix))]
fn config_mode(_path: &Path) -> Option<(Verdict, String)> {
    None
}

/// Where a secret comes from, as the config names it.
enum Source<'a> {
    Env(&'a str),
    File(&'a Path),
    Command,
    /// The embedded sandbox's credential, held in memory.
    Inline,
    Nothing,
}

impl Source<'_> {
    fn token(p: &Profile) -> Source<'_> {
        if let Some(var) = &p.token_env {
            Source::Env(var)
        } else if let Some(file) = &p.token_file {
            Source::File(file)
        } else if p.token_command.is_some() {
            Source::Command
        } else if p.inline_token.is_some() {
            Source::Inline
        } else {
            Source::Nothing
        }
    }

    fn client_secret(p: &Profile) -> Source<'_> {
        if let Some(var) = &p.client_secret_env {
            Source::Env(var)
        } else if let Some(file) = &p.client_secret_file {
            Source::File(file)
        } else if p.client_secret_command.is_some() {
            Source::Command
        } else {
            Source::Nothing
        }
    }

    /// "token from env ORY_API_KEY" (`key` is the config's prefix: token, client_secret).
    fn describe(&self, what: &str, key: &str) -> String {
        match self {
            Source::Env(var) => format!("{what} from env {var}"),
            Source::File(path) => format!("{what} from file {}", path.display()),
            // The command itself is not shown: it may carry more than it should.
            Source::Command => format!("{what} from {key}_command"),
            Source::Inline => format!("{what} held in memory (the embedded sandbox's)"),
            Source::Nothing => format!("{what}: none configured"),
        }
    }

    /// What reading it did, when it worked.
    fn got(&self) -> &'static str {
        match self {
            Source::Env(_) => "set",
            Source::File(_) => "read",
            Source::Command => "the command printed one",
            Source::Inline | Source::Nothing => "present",
        }
    }
}

async fn check_profile(report: &mut Report, profile: &Profile) {
    report.heading(&format!("profile {}", profile.name));
    let app_provider = profiles::provider(profile.provider);
    report.add(
        Verdict::Ok,
        &format!(
            "provider {} ({}), url {}{}",
            profile.provider,
            app_provider.system(),
            profiles::host(&profile.url),
            if profile.read_only { ", read-only" } else { "" }
        ),
    );
    let oauth = profile.uses_oauth();
    let (source, what, key) = if oauth {
        (
            Source::client_secret(profile),
            "OAuth client secret",
            "client_secret",
        )
    } else {
        (Source::token(profile), "token", "token")
    };
    let described = source.describe(what, key);
    let mut refused = false;
    if let Source::File(path) = source
        && let Some((verdict, line)) = secret_file_mode(path, key)
    {
        refused = verdict == Verdict::Fail;
        report.add(verdict, &line);
    }
    let secret = if refused {
        report.add(
            Verdict::Fail,
            &format!("{described}: not read while others have rights on the file (above)"),
        );
        None
    } else if let Source::Nothing = source {
        report.add(
            Verdict::Ok,
            &format!("{described}: requests are sent without credentials"),
        );
        Some(None)
    } else {
        let p = profile.clone();
        let resolved = tokio::task::spawn_blocking(move || {
            if oauth {
                p.resolve_client_secret()
            } else {
                p.resolve_token()
            }
        })
        .await;
        match resolved {
            Ok(Ok(secret)) => {
                let oauth_client = match (oauth, &profile.client_id, &profile.auth_url) {
                    (true, Some(id), Some(auth)) => {
                        format!(" (client {id}, tokens from {})", profiles::host(auth))
                    }
                    _ => String::new(),
                };
                report.add(
                    Verdict::Ok,
                    &format!("{described}: {}{oauth_client}", source.got()),
                );
                if let Some(s) = &secret {
                    report.secrets.push(s.clone());
                }
                Some(secret)
            }
            Ok(Err(e)) => {
                let why = match e {
                    // "token_env: environment variable X is not set": the line names the
                    // source already.
                    ConfigError::Secret { message, .. } => match message.split_once(": ") {
                        Some((head, rest)) if head.starts_with(key) && !head.contains(' ') => {
                            rest.to_string()
                        }
                        _ => message,
                    },
                    other => other.to_string(),
                };
                report.add(Verdict::Fail, &format!("{described}: {why}"));
                None
            }
            Err(e) => {
                report.add(Verdict::Fail, &format!("{described}: {e}"));
                None
            }
        }
    };
    match secret {
        Some(secret) => probe(report, profile, secret).await,
        None => report.add(
            Verdict::Skip,
            &format!("probe: not sent, without its {what}"),
        ),
    }
}

/// A secret file's mode, judged as reading it judges it.
#[cfg(unix)]
fn secret_file_mode(path: &Path, key: &str) -> Option<(Verdict, String)> {
    use std::os::unix::fs::PermissionsExt;
    // A missing or unreadable file is said by reading it.
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    Some(match crate::config::secret_file_mode_problem(path, mode) {
        Some(problem) => (Verdict::Fail, format!("{key}_file {problem}")),
        None => (
            Verdict::Ok,
            format!(
                "{key}_file {} has mode {:04o}: yours alone",
                path.display(),
                mode & 0o7777
            ),
        ),
    })
}

#[cfg(not(unix))]
fn secret_file_mode(_path: &Path, _key: &str) -> Option<(Verdict, String)> {
    None
}

/// One read of the profile's main list (its first page, one record), as the dashboard
/// would send it but tried once (no retries to hide what happened) through a client that
/// refuses any change. `token` is the one read above, so a `token_command` runs only once.
async fn probe(report: &mut Report, profile: &Profile, token: Option<Secret>) {
    let mut p = profile.clone();
    if !p.uses_oauth() {
        p.token_env = None;
        p.token_file = None;
        p.token_command = None;
        p.inline_token = token;
    }
    let Some(list) = profiles::provider(p.provider)
        .root_lists()
        .into_iter()
        .next()
    else {
        report.add(Verdict::Skip, "probe: the provider has no list to read");
        return;
    };
    let what = format!("probe: first page of {}", list.title().to_lowercase());
    let started = Instant::now();
    let connected = tokio::task::spawn_blocking(move || {
        crate::connect::connect_with(&p, true, RetryPolicy::none())
    })
    .await;
    let api = match connected {
        Ok(Ok(api)) => api,
        Ok(Err(e)) => {
            let info = provider::error_info(&e);
            report.add(Verdict::Fail, &format!("{what}: not sent: {}", info.line));
            return;
        }
        Err(e) => {
            report.add(Verdict::Fail, &format!("{what}: not sent: {e}"));
            return;
        }
    };
    let answer = provider::backend(api)
        .list(list, None, PageCursor::First, 1)
        .await;
    let ms = started.elapsed().as_millis();
    match answer {
        Ok(page) => report.add(
            Verdict::Ok,
            &format!(
                "{what}: HTTP 2xx in {ms} ms ({} record{})",
                page.rows.len(),
                if page.rows.len() == 1 { "" } else { "s" }
            ),
        ),
        Err(e) => match e.status {
            Some(status) => report.add(
                Verdict::Fail,
                &format!("{what}: HTTP {status} in {ms} ms: {}", e.line),
            ),
            None => report.add(
                Verdict::Fail,
                &format!("{what}: no answer after {ms} ms: {}", e.line),
            ),
        },
    }
}
