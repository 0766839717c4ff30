//! A draft is never lost: editor contents are written here until the server accepts them,
//! so a failed save, a dropped SSH connection or a crash leaves the text on disk.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use crate::local_files;

const EXTENSION: &str = "json";
/// Long keys are cut so file names stay well under common 255-byte limits.
const MAX_STEM_BYTES: usize = 150;

/// A directory of drafts, one file per key.
#[derive(Debug, Clone)]
pub struct DraftStore {
    dir: PathBuf,
}

/// A draft found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInfo {
    /// The file name without `.json`: the key, made safe.
    pub name: String,
    pub path: PathBuf,
    pub modified: SystemTime,
    pub bytes: u64,
}

impl DraftStore {
    pub fn new(dir: impl Into<PathBuf>) -> DraftStore {
        DraftStore { dir: dir.into() }
    }

    /// `$XDG_STATE_HOME/idtui/drafts/` (see [`crate::logging::state_dir`]).
    pub fn default_dir() -> PathBuf {
        crate::logging::state_dir().join("drafts")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the draft for `key` lives (whether or not it exists).
    pub fn path_for(&self, key: &str) -> PathBuf {
        self.dir.join(file_name(key))
    }

    /// Writes the draft atomically (see [`local_files::write_atomic`]), so a crash mid-write
    /// leaves the previous draft intact. Drafts hold identity data: 0600 in a 0700 directory.
    pub fn save(&self, key: &str, text: &str) -> io::Result<PathBuf> {
        local_files::private_dir(&self.dir)?;
        let target = self.path_for(key);
        local_files::write_atomic(&target, &self.dir.join(temp_name(key)), text.as_bytes())?;
        Ok(target)
    }

    /// The saved draft for `key`, if there is one. A link in its place is refused: it would
    /// load another file into the editor, and from there to the server.
    pub fn load(&self, key: &str) -> io::Result<Option<String>> {
        match local_files::read_to_string(&self.path_for(key)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes the draft for `key` (after a successful save); no draft is not an error.
    pub fn discard(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path_for(key)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Every draft in the store, newest first. A missing directory means no drafts.
    pub fn list(&self) -> io::Result<Vec<DraftInfo>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut drafts = Vec::new();
        for entry in entries {
            let entry = entry?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str() else {
                continue;
            };
            // Temporary files start with a dot; anything else is not ours.
            let Some(stem) = name.strip_suffix(".json") else {
                continue;
            };
            if stem.starts_with('.') {
                continue;
            }
            let meta = entry.metadata()?;
            if !meta.is_file() {
                continue;
            }
            drafts.push(DraftInfo {
                name: stem.to_string(),
                path: entry.path(),
                modified: meta.modified()?,
                bytes: meta.len(),
            });
        }
        drafts.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.name.cmp(&b.name)));
        Ok(drafts)
    }
}

/// `key` as a file name. A key that is already safe (`[A-Za-z0-9._-]`, not starting with a
/// dot) is used as is; otherwise unsafe characters become `-` and a hash of the original
/// key is appended so that different keys never share a file.
fn file_name(key: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let already_safe = !key.is_empty()
        && !key.starts_with('.')
        && key.len() <= MAX_STEM_BYTES
        && key.chars().all(safe);
    if already_safe {
        return format!("{key}.{EXTENSION}");
    }
    let mut stem: String = key
        .chars()
        .map(|c| if safe(c) { c } else { '-' })
        .take(MAX_STEM_BYTES)
        .collect();
    while stem.starts_with('.') {
        stem.replace_range(..1, "-");
    }
    format!("{stem}-{:016x}.{EXTENSION}", fnv1a(key.as_bytes()))
}

fn temp_name(key: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{}.{}.{n}.tmp", file_name(key), std::process::id())
}

/// FNV-1a: stable across Rust releases, unlike `DefaultHasher`, so names survive upgrades.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_discard_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts"));
        let key = "kratos-identity-3fa85f64-5717-4562-b3fc-2c963f66afa6-metadata_public";
        assert_eq!(store.load(key).unwrap(), None);
        let path = store.save(key, "{\"a\": 1}").unwrap();
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            format!("{key}.json")
        );
        store.save(key, "{\"a\": 2}").unwrap();
        assert_eq!(store.load(key).unwrap().as_deref(), Some("{\"a\": 2}"));
        store.discard(key).unwrap();
        assert_eq!(store.load(key).unwrap(), None);
        store.discard(key).unwrap();
    }

    #[test]
    fn unsafe_keys_get_safe_distinct_names() {
        let a = file_name("kratos/identity/../../etc/passwd");
        let b = file_name("kratos-identity-..-..-etc-passwd");
        assert!(!a.contains('/') && !a.starts_with('.'), "{a}");
        assert_ne!(a, b);
        assert_ne!(file_name("a/b"), file_name("a:b"));
        assert!(file_name("").ends_with(".json"));
        assert!(file_name(&"x".repeat(1000)).len() < 200);
        assert_eq!(file_name("..hidden"), file_name("..hidden"));
        assert!(!file_name("..hidden").starts_with('.'));
    }

    #[test]
    fn list_shows_drafts_but_not_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path());
        assert!(
            DraftStore::new(dir.path().join("missing"))
                .list()
                .unwrap()
                .is_empty()
        );
        store.save("core-user-1-claims", "{}").unwrap();
        store.save("headless/user 2", "{\"x\": true}").unwrap();
        fs::write(
            dir.path().join(".core-user-1-claims.json.1.0.tmp"),
            "partial",
        )
        .unwrap();
        fs::write(dir.path().join("notes.txt"), "not a draft").unwrap();
        let mut names: Vec<_> = store.list().unwrap().into_iter().map(|d| d.name).collect();
        names.sort();
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names[0], "core-user-1-claims");
        assert!(names[1].starts_with("headless-user-2-"));
    }

    #[cfg(unix)]
    #[test]
    fn drafts_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = DraftStore::new(dir.path()).save("k", "secret-ish").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_a_draft_is_neither_loaded_nor_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("id_ed25519");
        fs::write(&outside, "PRIVATE").unwrap();
        let store = DraftStore::new(dir.path().join("drafts"));
        fs::create_dir(store.dir()).unwrap();
        std::os::unix::fs::symlink(&outside, store.path_for("k")).unwrap();
        let err = store.load("k").unwrap_err().to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
        // Saving replaces the link with a file of its own.
        store.save("k", "draft").unwrap();
        assert_eq!(store.load("k").unwrap().as_deref(), Some("draft"));
        assert_eq!(fs::read_to_string(&outside).unwrap(), "PRIVATE");
    }
}
