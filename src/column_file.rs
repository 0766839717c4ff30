//! `columns.toml` in the config directory: the columns chosen with `:columns`
//! (`app::column_choices`), read at start and written whole, atomically, when a choice is
//! kept. Like the local files, it is never opened through a link.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct ColumnFile {
    path: PathBuf,
}

impl ColumnFile {
    pub fn new(path: impl Into<PathBuf>) -> ColumnFile {
        ColumnFile { path: path.into() }
    }

    /// `$XDG_CONFIG_HOME/idtui/columns.toml`, beside `keybindings.toml`.
    pub fn default_path() -> Option<PathBuf> {
        Some(crate::config::config_dir()?.join("columns.toml"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text; `None` when there is no file yet.
    pub fn load(&self) -> io::Result<Option<String>> {
        match crate::local_files::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replace the file with `text` (a crash mid-write leaves the previous one).
    pub fn save(&self, text: &str) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            crate::local_files::private_dir(dir)?;
        }
        let temp = self.path.with_extension("toml.tmp");
        crate::local_files::write_atomic(&self.path, &temp, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::column_choices::ColumnChoices;
    use crate::app::model::ListKind;
    use crate::app::provider::kratos;

    #[test]
    fn choices_saved_come_back_and_a_bad_file_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = ColumnFile::new(dir.path().join("config/idtui/columns.toml"));
        assert_eq!(file.load().unwrap(), None, "no file: no choices");
        let list = ListKind::Kratos(kratos::List::Identities);
        let mut choices = ColumnChoices::default();
        let path = crate::app::column::JsonPath::parse("traits.name.last").unwrap();
        let chosen = vec![
            crate::app::column::Shown::Builtin(&kratos::columns::IDENTITIES[1]),
            crate::app::column::Shown::Path(Box::new(path)),
            crate::app::column::Shown::Builtin(&kratos::columns::IDENTITIES[0]),
        ];
        choices.set("prod", &list, &chosen);
        file.save(&choices.to_toml()).unwrap();
        let text = file.load().unwrap().unwrap();
        assert!(
            text.contains("identities = [\"EMAIL / USERNAME\", \"traits.name.last\", \"ID\"]"),
            "{text}"
        );
        let back = ColumnChoices::parse(&text);
        assert_eq!(back.unreadable(), None);
        assert_eq!(back.shown("prod", &list), chosen);
        assert_eq!(
            back.shown("staging", &list).len(),
            kratos::columns::IDENTITIES.len(),
            "other profiles keep the defaults"
        );

        let bad = ColumnChoices::parse("[prod\nidentities = 3");
        assert!(bad.unreadable().is_some());
        assert_eq!(
            bad.shown("prod", &list).len(),
            kratos::columns::IDENTITIES.len(),
            "defaults used"
        );
    }
}
