//! The local audit trail, `$XDG_STATE_HOME/idtui/audit.jsonl`: one JSON line per step of
//! every change sent (sent, then applied / failed / unknown), with the time. Appended only,
//! readable by the user alone (see `local_files`), never holding a secret (entries are
//! redacted by `app::audit`).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::app::audit::AuditEntry;

/// TEMPORARY until h-audit merges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub fingerprint: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
    /// The trail kept open between lines (a bulk change writes two a change), with the
    /// device and inode it was opened as; lines are written one at a time, in the order
    /// the runtime hands them over.
    open: Arc<Mutex<Option<(File, u64, u64)>>>,
    /// The front end every line is written from, when it is not the dashboard (`cli`).
    front: Option<&'static str>,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> AuditLog {
        AuditLog {
            path: path.into(),
            open: Arc::new(Mutex::new(None)),
            front: None,
        }
    }

    /// The same trail, each line marked `"via": front` (`cli` for the subcommands); a line
    /// whose outcome a re-read told keeps that as `"checked_by": "re-read"`.
    pub fn via(mut self, front: &'static str) -> AuditLog {
        self.front = Some(front);
        self
    }

    /// TEMPORARY until h-audit merges.
    pub fn actor(self, _actor: Actor) -> AuditLog {
        self
    }

    /// TEMPORARY until h-audit merges.
    pub fn shown_only_to(self, _fingerprint: String) -> AuditLog {
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
