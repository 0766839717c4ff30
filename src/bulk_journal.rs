//! Bulk changes' journals on disk, `$XDG_STATE_HOME/idtui/bulk/KEY.jsonl` (what a line says
//! is `app::bulk::journal`). Lines are appended in the event loop, each before the effect it
//! announces runs, in one write each: a `kill -9` leaves every line written so far (the page
//! cache outlives the process). Private as every local file is (`local_files`). A journal
//! whose run ended is kept as a record; one that did not end is offered for resuming at the
//! next start.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::app::bulk::journal::{Line, Replayed, replay};

#[derive(Debug)]
pub struct BulkJournals {
    dir: PathBuf,
    /// The journal being written, kept open between lines.
    open: Mutex<Option<(String, File)>>,
}

impl BulkJournals {
    pub fn new(dir: impl Into<PathBuf>) -> BulkJournals {
        BulkJournals {
            dir: dir.into(),
            open: Mutex::new(None),
        }
    }

    /// `$XDG_STATE_HOME/idtui/bulk`.
    pub fn default_dir() -> PathBuf {
        crate::logging::state_dir().join("bulk")
    }

    pub fn path_of(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.jsonl"))
    }

    /// Append `line` to the journal `key`.
    pub fn append(&self, key: &str, line: &Line) -> io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(io::Error::other)?;
        text.push('\n');
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.as_ref().is_none_or(|(k, _)| k != key) {
            *open = Some((key.to_string(), self.open_journal(key)?));
        }
        let (_, file) = open.as_mut().expect("opened above");
        file.write_all(text.as_bytes())
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.path_of(key).display())))
    }

    /// Open `key` to append, private; a journal cut mid-line by a crash gets its line ended
    /// first, so the next line is read on its own.
    fn open_journal(&self, key: &str) -> io::Result<File> {
        crate::local_files::private_dir(&self.dir)?;
        let path = self.path_of(key);
        let mut file = crate::local_files::open_append(&path)?;
        let len = file.metadata()?.len();
        if len > 0 {
            let mut last = [0u8];
            let mut reader = crate::local_files::open_read(&path)?;
            reader.seek(SeekFrom::Start(len - 1))?;
            reader.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
            }
        }
        Ok(file)
    }

    /// Journals whose run did not end, oldest first, with what they say. One that cannot
    /// be read is reported by its path, not skipped silently.
    pub fn unfinished(&self) -> (Vec<(String, Replayed)>, Vec<String>) {
        let (mut found, mut problems) = (Vec::new(), Vec::new());
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (found, problems),
            Err(e) => return (found, vec![format!("{}: {e}", self.dir.display())]),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        // Keys are UUIDv7: their order is the order the runs started in.
        paths.sort();
        for path in paths {
            let Some(key) = key_of(&path) else { continue };
            match crate::local_files::read_to_string(&path) {
                Ok(text) => match replay(&text) {
                    Some(r) if !r.ended => found.push((key, r)),
                    Some(_) => {}
                    None => problems.push(format!(
                        "bulk journal {} has no plan line: not resumed",
                        path.display()
                    )),
                },
                Err(e) => problems.push(format!("bulk journal not read: {e}")),
            }
        }
        (found, problems)
    }
}

fn key_of(path: &Path) -> Option<String> {
    path.file_stem()?.to_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::bulk::journal::Outcome;
    use crate::app::bulk::op::{Op, Target};
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn an_unended_journal_is_found_again_and_a_cut_line_does_not_swallow_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let journals = BulkJournals::new(dir.path().join("bulk"));
        let plan = Line::Plan(Box::new(crate::app::bulk::journal::PlanLine {
            profile: "prod".into(),
            target: Target::CoreUsers,
            op: Op::Delete,
            items: vec![("u1".into(), "ada".into()), ("u2".into(), "bo".into())],
            concurrency: 4,
        }));
        journals.append("k1", &plan).unwrap();
        let path = journals.path_of("k1");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // A crash cut the next line; a new process appends after it.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(br#"{"outcome":{"ite"#)
            .unwrap();
        let again = BulkJournals::new(dir.path().join("bulk"));
        let done = Line::Outcome {
            item: 0,
            outcome: Outcome::Applied("deleted".into()),
        };
        again.append("k1", &done).unwrap();
        let (found, problems) = again.unfinished();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "k1");
        assert_eq!(
            found[0].1.items[0].outcome,
            Some(Outcome::Applied("deleted".into()))
        );
        again.append("k1", &Line::End { stopped: false }).unwrap();
        assert!(again.unfinished().0.is_empty());
    }
}
