//! The local audit trail, `$XDG_STATE_HOME/idtui/audit.jsonl`: one JSON line per step of
//! every change sent (sent, then applied / failed / unknown), with the time. Appended only,
//! readable by the user alone (see `local_files`), never holding a secret (entries are
//! redacted by `app::audit`). Each line names who made the change: the SSH key a
//! `serve --ssh` session came in with, or else the local login.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::app::audit::AuditEntry;

/// Who a served session acts as: its SSH key's fingerprint (`SHA256:…`) and the name the
/// server gave the key (from its authorized_keys comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub fingerprint: String,
    pub name: String,
}

/// Shared by every task that writes or reads the trail, so cloned often: every field is
/// shared or small.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: Arc<Path>,
    /// The trail kept open between lines (a bulk change writes two a change), with the
    /// device and inode it was opened as; lines are written one at a time, in the order
    /// the runtime hands them over.
    open: Arc<Mutex<Option<(File, u64, u64)>>>,
    /// The front end every line is written from, when it is not the dashboard (`cli`).
    front: Option<&'static str>,
    /// Written as each line's `"actor"`.
    actor: Arc<serde_json::Value>,
    /// The only fingerprint whose lines `:audit` shows, for a key that may read but not
    /// change: it sees what it did, not what the others did.
    shown_only_to: Option<Arc<str>>,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> AuditLog {
        let path: PathBuf = path.into();
        AuditLog {
            path: Arc::from(path),
            open: Arc::new(Mutex::new(None)),
            front: None,
            actor: Arc::new(serde_json::json!({ "user": local_user() })),
            shown_only_to: None,
        }
    }

    /// The same trail, each line's `"actor"` the SSH key a served session came in with
    /// (`{"fingerprint": "SHA256:…", "name": "alice"}`) rather than the local login.
    pub fn actor(mut self, actor: Actor) -> AuditLog {
        let Actor { fingerprint, name } = actor;
        self.actor = Arc::new(serde_json::json!({ "fingerprint": fingerprint, "name": name }));
        self
    }

    /// The same trail, `:audit` showing only the lines whose actor has `fingerprint`.
    pub fn shown_only_to(mut self, fingerprint: String) -> AuditLog {
        self.shown_only_to = Some(Arc::from(fingerprint));
        self
    }

    /// The fingerprint whose lines alone `:audit` shows; `None` shows every line.
    pub fn shown_only(&self) -> Option<&str> {
        self.shown_only_to.as_deref()
    }

    /// The same trail, each line marked `"via": front` (`cli` for the subcommands); a line
    /// whose outcome a re-read told keeps that as `"checked_by": "re-read"`.
    pub fn via(mut self, front: &'static str) -> AuditLog {
        self.front = Some(front);
        self
    }

    /// `$XDG_STATE_HOME/idtui/audit.jsonl`.
    pub fn default_path() -> PathBuf {
        crate::logging::state_dir().join("audit.jsonl")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `entry` with the current time as one line.
    pub fn append(&self, entry: &AuditEntry) -> io::Result<()> {
        let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut line = serde_json::to_value(entry).map_err(io::Error::other)?;
        if let Some(map) = line.as_object_mut() {
            map.insert("time".into(), time.into());
            map.insert("actor".into(), (*self.actor).clone());
            if let Some(front) = self.front {
                if let Some(checked) = map.remove("via") {
                    map.insert("checked_by".into(), checked);
                }
                map.insert("via".into(), front.into());
            }
        }
        let mut text = serde_json::to_string(&line).map_err(io::Error::other)?;
        text.push('\n');
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        // The file kept open is written to only while the path still names it: one moved
        // away, removed or replaced (by a link, say) is opened again, with every check.
        let same = |meta: &std::fs::Metadata, dev: u64, ino: u64| {
            use std::os::unix::fs::MetadataExt;
            meta.dev() == dev && meta.ino() == ino && !meta.file_type().is_symlink()
        };
        let current = std::fs::symlink_metadata(&self.path).ok();
        let reuse = matches!((&*open, &current), (Some((_, dev, ino)), Some(meta)) if same(meta, *dev, *ino));
        if !reuse {
            *open = None;
            if let Some(dir) = self.path.parent() {
                crate::local_files::private_dir(dir)?;
            }
            let file = crate::local_files::open_append(&self.path)?;
            let meta = file.metadata()?;
            use std::os::unix::fs::MetadataExt;
            *open = Some((file, meta.dev(), meta.ino()));
        }
        let (file, _, _) = open.as_mut().expect("opened above");
        file.write_all(text.as_bytes())
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))
    }
}

/// Who runs this process, as the trail names a change made outside a served session.
fn local_user() -> String {
    login_name(std::env::var_os("USER"), std::env::var_os("LOGNAME"))
}

/// `USER`, else `LOGNAME`, else `unknown` (a service run without a login): every line
/// names someone, so one that does not was written before lines named anyone.
fn login_name(user: Option<OsString>, logname: Option<OsString>) -> String {
    [user, logname]
        .into_iter()
        .flatten()
        .map(|v| v.to_string_lossy().into_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::audit::AuditOutcome;
    use crate::app::provider::kratos;
    use crate::app::{Mutation, Provider};
    use std::fs;

    #[test]
    fn lines_are_appended_with_a_time_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("state/audit.jsonl"));
        let m = Mutation::Kratos(kratos::Change::RevokeSession {
            session: "s1".into(),
        });
        for outcome in [AuditOutcome::Sent, AuditOutcome::Applied] {
            // The runtime names the request before writing, as the effect does.
            let mut entry = AuditEntry::new("p", Provider::Kratos, &m, None, outcome);
            let line = crate::runtime::provider::kratos::request_line(&m);
            (entry.method, entry.path) = (line.method, line.path);
            log.append(&entry).unwrap();
        }
        let text = fs::read_to_string(log.path()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["outcome"], "sent");
        assert_eq!(lines[1]["outcome"], "applied");
        assert_eq!(lines[1]["path"], "/admin/sessions/s1");
        assert!(lines[0]["time"].as_str().unwrap().ends_with('Z'));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(log.path()), 0o600);
            assert_eq!(mode(log.path().parent().unwrap()), 0o700);
        }
    }

    /// The lines `log` writes for one change sent then settled by a re-read.
    fn written(log: &AuditLog) -> Vec<serde_json::Value> {
        let m = Mutation::Kratos(kratos::Change::RevokeSession {
            session: "s1".into(),
        });
        let mut entry = AuditEntry::new("p", Provider::Kratos, &m, None, AuditOutcome::Sent);
        log.append(&entry).unwrap();
        entry.outcome = AuditOutcome::Applied;
        entry.via = Some("re-read");
        log.append(&entry).unwrap();
        fs::read_to_string(log.path())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn a_line_names_the_local_login_when_no_key_made_it() {
        let dir = tempfile::tempdir().unwrap();
        for log in [
            AuditLog::new(dir.path().join("dashboard.jsonl")),
            AuditLog::new(dir.path().join("cli.jsonl")).via("cli"),
        ] {
            for line in written(&log) {
                assert_eq!(line["actor"], serde_json::json!({ "user": local_user() }));
            }
        }
        assert!(!local_user().is_empty());
    }

    #[test]
    fn the_login_is_user_else_logname_else_unknown() {
        let os = |s: &str| Some(OsString::from(s));
        assert_eq!(login_name(os("alice"), os("bob")), "alice");
        assert_eq!(login_name(None, os("bob")), "bob");
        assert_eq!(login_name(os(""), os("bob")), "bob");
        assert_eq!(login_name(None, None), "unknown");
        assert_eq!(login_name(os(""), os("")), "unknown");
    }

    #[test]
    fn a_key_is_named_on_every_line_with_its_front() {
        let dir = tempfile::tempdir().unwrap();
        let alice = Actor {
            fingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s".into(),
            name: "alice".into(),
        };
        let log = AuditLog::new(dir.path().join("audit.jsonl"))
            .via("ssh")
            .actor(alice.clone());
        // The front and the actor are kept by every copy the tasks hold.
        let lines = written(&log.clone());
        assert_eq!(lines.len(), 2);
        for line in &lines {
            assert_eq!(
                line["actor"],
                serde_json::json!({"fingerprint": alice.fingerprint, "name": "alice"})
            );
            assert_eq!(line["via"], "ssh");
        }
        assert_eq!(lines[1]["checked_by"], "re-read");
        assert_eq!(lines[1]["outcome"], "applied");
        // Either order of the builders writes the same.
        let other = AuditLog::new(dir.path().join("other.jsonl"))
            .actor(alice)
            .via("ssh");
        assert_eq!(written(&other)[0]["actor"], lines[0]["actor"]);
        assert_eq!(log.shown_only(), None, "a write key sees the whole trail");
    }

    #[test]
    fn a_name_is_stored_as_given_and_a_read_key_is_shown_its_own_lines() {
        let dir = tempfile::tempdir().unwrap();
        let name = "ev\u{1b}[2Je \"q\"\n";
        let log = AuditLog::new(dir.path().join("audit.jsonl"))
            .via("ssh")
            .actor(Actor {
                fingerprint: "SHA256:eve".into(),
                name: name.into(),
            })
            .shown_only_to("SHA256:eve".into());
        assert_eq!(log.clone().shown_only(), Some("SHA256:eve"));
        let lines = written(&log);
        assert_eq!(lines[0]["actor"]["name"], name);
        let text = fs::read_to_string(log.path()).unwrap();
        assert_eq!(text.lines().count(), 2, "escaped: still one line each");
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_the_trail_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("elsewhere.txt");
        fs::write(&outside, "not the trail\n").unwrap();
        let path = dir.path().join("audit.jsonl");
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        let log = AuditLog::new(&path);
        let m = Mutation::Kratos(kratos::Change::RevokeSession {
            session: "s1".into(),
        });
        let err = log
            .append(&AuditEntry::new(
                "p",
                Provider::Kratos,
                &m,
                None,
                AuditOutcome::Sent,
            ))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("{} is a symbolic link", path.display())),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&outside).unwrap(), "not the trail\n");
    }

    #[cfg(unix)]
    #[test]
    fn the_trail_kept_open_is_left_when_its_path_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::new(&path);
        let m = Mutation::Kratos(kratos::Change::RevokeSession {
            session: "s1".into(),
        });
        let entry = AuditEntry::new("p", Provider::Kratos, &m, None, AuditOutcome::Sent);
        log.append(&entry).unwrap();
        // Moved away (rotated): the next line starts a new file at the path.
        fs::rename(&path, dir.path().join("old.jsonl")).unwrap();
        log.append(&entry).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 1);
        // A link planted at the path is refused, not written through.
        let outside = dir.path().join("elsewhere.txt");
        fs::write(&outside, "not the trail\n").unwrap();
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        assert!(log.append(&entry).is_err());
        assert_eq!(fs::read_to_string(&outside).unwrap(), "not the trail\n");
    }
}
