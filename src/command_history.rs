//! The `:` command line's history kept between runs, `$XDG_STATE_HOME/idtui/history`: one
//! command per line, appended as each is run (a `kill -9` loses none), read back at start.
//! Readable by the user alone and never opened through a link (`local_files`): commands name
//! people (`:revoke ada@example.com`), as a shell history does.

use std::io;
use std::path::{Path, PathBuf};

/// Lines read back at start (the in-memory history keeps as many).
pub const KEEP: usize = 100;
/// Past this many lines the file is rewritten with the newest `KEEP` at start.
const REWRITE_OVER: usize = 4 * KEEP;

#[derive(Debug, Clone)]
pub struct CommandHistory {
    path: PathBuf,
}

impl CommandHistory {
    pub fn new(path: impl Into<PathBuf>) -> CommandHistory {
        CommandHistory { path: path.into() }
    }

    /// `$XDG_STATE_HOME/idtui/history`.
    pub fn default_path() -> PathBuf {
        crate::logging::state_dir().join("history")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The newest `KEEP` commands, oldest first; none when there is no file yet. A line
    /// holding a control character (the file edited by hand, or planted) is left out.
    pub fn load(&self) -> io::Result<Vec<String>> {
        let text = match crate::local_files::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.chars().any(char::is_control))
            .collect();
        let newest: Vec<String> = lines[lines.len().saturating_sub(KEEP)..]
            .iter()
            .map(|l| l.to_string())
            .collect();
        if lines.len() > REWRITE_OVER {
            let mut kept = newest.join("\n");
            kept.push('\n');
            let temp = self.path.with_extension("tmp");
            crate::local_files::write_atomic(&self.path, &temp, kept.as_bytes())?;
        }
        Ok(newest)
    }

    /// Appends one command run. A line break or control character in it would split or hide
    /// a line, so such a command is not kept.
    pub fn append(&self, line: &str) -> io::Result<()> {
        if line.chars().any(char::is_control) {
            return Ok(());
        }
        crate::local_files::append(&self.path, format!("{line}\n").as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn commands_come_back_in_order_from_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let h = CommandHistory::new(dir.path().join("state/history"));
        assert!(h.load().unwrap().is_empty(), "no file: no history");
        h.append("find ada").unwrap();
        h.append("revoke ada@example.com").unwrap();
        h.append("goto \u{1b}[2J").unwrap();
        assert_eq!(
            h.load().unwrap(),
            ["find ada", "revoke ada@example.com"],
            "a line with a control character is not kept"
        );
        let mode = std::fs::metadata(h.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn only_the_newest_are_read_and_a_long_file_is_cut_back() {
        let dir = tempfile::tempdir().unwrap();
        let h = CommandHistory::new(dir.path().join("history"));
        for i in 0..(REWRITE_OVER + 10) {
            h.append(&format!("find {i}")).unwrap();
        }
        let loaded = h.load().unwrap();
        assert_eq!(loaded.len(), KEEP);
        assert_eq!(
            loaded.last().unwrap(),
            &format!("find {}", REWRITE_OVER + 9)
        );
        let text = std::fs::read_to_string(h.path()).unwrap();
        assert_eq!(text.lines().count(), KEEP, "rewritten with the newest");
        assert_eq!(h.load().unwrap(), loaded);
    }
}
