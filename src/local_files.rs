//! The dashboard's own files under `$XDG_STATE_HOME/idtui` (audit trail, log, drafts): every
//! directory 0700 and every file 0600 whatever the umask, and none of them reached through
//! a symbolic link. Everything the dashboard keeps there is opened through this module, so
//! the rule holds in one place.
//!
//! Modes are set exactly after creation rather than left to `mode & !umask`: a umask can
//! only take bits away, and one that took the owner's would leave a file the dashboard
//! cannot write back, or a directory it cannot enter. A file or directory that already
//! exists with a wider mode is tightened; changing the mode of one that belongs to someone
//! else fails, and that is reported rather than used.
//!
//! A link is refused, not followed: whoever planted it would choose where the audit trail
//! or a draft (identity data) is written, or what a draft loads into the editor.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Mode of every directory the dashboard creates for its state.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file the dashboard writes there.
pub const FILE_MODE: u32 = 0o600;

/// Makes `dir` a private directory: created 0700 (missing parents too) or, if it exists,
/// checked to be a real directory rather than a link, and tightened to 0700.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(meta) => own_dir(dir, &meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                create_parents(parent)?;
            }
            make_dir(dir)?;
            let meta = fs::symlink_metadata(dir).map_err(|e| at(dir, e))?;
            own_dir(dir, &meta)
        }
        Err(e) => Err(at(dir, e)),
    }
}

/// Opens `path` to append to, creating it 0600; an existing file is checked and tightened.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    open(path, &mut options)
}

/// Appends `bytes` to `path` in one write (O_APPEND keeps concurrent runs from interleaving
/// a line), creating its directory 0700 and the file 0600 as [`open_append`] does.
pub fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    open_append(path)?.write_all(bytes).map_err(|e| at(path, e))
}

/// Creates `path` 0600 to write, failing if anything (a link included) is there already: a
/// temporary file nobody else can have planted or be writing.
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    open(path, &mut options)
}

/// Opens an existing `path` to read, never through a link; `NotFound` when it is missing.
pub fn open_read(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    open(path, &mut options)
}

/// The whole text of `path`, opened as [`open_read`] does.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    let mut text = String::new();
    open_read(path)?
        .read_to_string(&mut text)
        .map_err(|e| at(path, e))?;
    Ok(text)
}

/// Replaces `target` with `bytes` atomically: written to `temp` (which must not exist, in
/// the same directory), synced, then renamed over `target`, so a crash mid-write leaves the
/// previous contents. `temp` is created exclusively and without following links, so a link
/// planted under its name cannot redirect the write; the rename replaces a link at `target`
/// rather than writing through it.
pub fn write_atomic(target: &Path, temp: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = create_new(temp)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| at(temp, e))
        .and_then(|()| fs::rename(temp, target).map_err(|e| at(target, e)));
    if written.is_err() {
        // Ours: `create_new` made it, so this removes no one else's file.
        let _ = fs::remove_file(temp);
    }
    written
}

/// Deepest level of the state directory looked at by [`tighten_tree`] (it holds `drafts/`,
/// files, and `ssh/KEY/drafts/` for each SSH key served; nothing deeper is ours).
const TREE_DEPTH: usize = 4;

/// Checks the state directory at start, before anything is written there: `dir` and what
/// is under it are tightened (files 0600, directories 0700: what an older idtui or another
/// umask left wider), and links are reported, never followed. Each problem names its path.
/// A missing `dir` is no problem: it is created private when first written to.
pub fn tighten_tree(dir: &Path) -> Vec<(PathBuf, io::Error)> {
    let mut problems = Vec::new();
    walk(dir, 0, &mut problems);
    problems
}

fn walk(path: &Path, depth: usize, problems: &mut Vec<(PathBuf, io::Error)>) {
    if let Err(e) = tighten(path) {
        problems.push((path.to_path_buf(), e));
        return;
    }
    let is_dir = fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    if !is_dir || depth >= TREE_DEPTH {
        return;
    }
    match fs::read_dir(path) {
        Ok(entries) => {
            for entry in entries.flatten() {
                walk(&entry.path(), depth + 1, problems);
            }
        }
        Err(e) => problems.push((path.to_path_buf(), at(path, e))),
    }
}

/// Checks an existing entry of the state directory without opening it: a link is refused,
/// a file tightened to 0600 and a directory to 0700. A missing entry is fine.
pub fn tighten(path: &Path) -> io::Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(at(path, e)),
    };
    if meta.file_type().is_symlink() {
        return Err(link_refused(path));
    }
    if meta.is_dir() {
        own_dir(path, &meta)
    } else if meta.is_file() {
        set_mode(path, &meta, FILE_MODE, |p| fs::set_permissions(path, p))
    } else {
        Ok(())
    }
}

fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|e| {
        // O_NOFOLLOW fails with ELOOP on Linux but EMLINK or EFTYPE elsewhere; asking the
        // file system says "link" the same way everywhere.
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            link_refused(path)
        } else if e.kind() == io::ErrorKind::NotFound {
            e
        } else {
            at(path, e)
        }
    })?;
    let meta = file.metadata().map_err(|e| at(path, e))?;
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    set_mode(path, &meta, FILE_MODE, |p| file.set_permissions(p))?;
    Ok(file)
}

/// `dir` exists: it must be a directory (not a link to one) that is, or now is, 0700.
fn own_dir(dir: &Path, meta: &fs::Metadata) -> io::Result<()> {
    if meta.file_type().is_symlink() {
        return Err(link_refused(dir));
    }
    if !meta.is_dir() {
        return Err(io::Error::other(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    set_mode(dir, meta, DIR_MODE, |p| fs::set_permissions(dir, p))
}

/// Creates the missing ancestors of a state directory 0700, as the XDG spec asks of
/// `$XDG_STATE_HOME`. Existing ones, links included (a home on another disk), are the
/// user's business and left as they are.
fn create_parents(dir: &Path) -> io::Result<()> {
    if fs::metadata(dir).is_ok() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_parents(parent)?;
    }
    make_dir(dir)?;
    // Exactly 0700 at once, so that even a umask taking the owner's bits lets the next
    // level be created inside.
    let meta = fs::metadata(dir).map_err(|e| at(dir, e))?;
    set_mode(dir, &meta, DIR_MODE, |p| fs::set_permissions(dir, p))
}

fn make_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    match builder.create(dir) {
        // Someone created it meanwhile (another idtui): what it is gets checked next.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map_err(|e| at(dir, e)),
    }
}

/// Sets `want` through `chmod` unless the mode is exactly that already. Only the owner (or
/// root) may change a mode, so a refusal here means the entry is not ours to use.
fn set_mode(
    path: &Path,
    meta: &fs::Metadata,
    want: u32,
    chmod: impl FnOnce(fs::Permissions) -> io::Result<()>,
) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let have = meta.permissions().mode() & 0o7777;
        if have != want {
            return chmod(fs::Permissions::from_mode(want)).map_err(|e| {
                if e.kind() == io::ErrorKind::PermissionDenied {
                    io::Error::new(
                        e.kind(),
                        format!(
                            "{} has mode {have:04o} and belongs to another user; idtui keeps \
                             its files only where nobody else can reach them",
                            path.display()
                        ),
                    )
                } else {
                    at(path, e)
                }
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta, want, chmod);
    Ok(())
}

fn link_refused(path: &Path) -> io::Error {
    io::Error::other(format!(
        "{} is a symbolic link; idtui does not follow links to its own files (remove it)",
        path.display()
    ))
}

/// `e` with the path it concerns, keeping its kind (callers still tell `NotFound`).
fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    /// Where [`umask_child`] works, set by [`modes_are_exact_whatever_the_umask`].
    const CHILD_DIR: &str = "IDTUI_LOCAL_FILES_CHILD_DIR";

    fn mode_of(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn chmod(path: &Path, bits: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(bits)).unwrap();
    }

    /// Everything the dashboard makes in its state directory, made under `root`.
    fn make_state(root: &Path) {
        let state = root.join("xdg/state/idtui");
        private_dir(&state).unwrap();
        let drafts = state.join("drafts");
        private_dir(&drafts).unwrap();
        open_append(&state.join("audit.jsonl"))
            .unwrap()
            .write_all(b"{}\n")
            .unwrap();
        write_atomic(&drafts.join("d.json"), &drafts.join(".d.json.tmp"), b"{}").unwrap();
    }

    fn assert_private_state(root: &Path) {
        let state = root.join("xdg/state/idtui");
        for dir in [root.join("xdg"), root.join("xdg/state"), state.clone()] {
            assert_eq!(mode_of(&dir), DIR_MODE, "{}", dir.display());
        }
        assert_eq!(mode_of(&state.join("drafts")), DIR_MODE);
        assert_eq!(mode_of(&state.join("audit.jsonl")), FILE_MODE);
        assert_eq!(mode_of(&state.join("drafts/d.json")), FILE_MODE);
        assert!(!state.join("drafts/.d.json.tmp").exists());
    }

    /// The umask is the process's own, so each is tried in a child: this test binary again,
    /// run by `sh` after `umask`, doing only [`umask_child`]. 0277 takes even the owner's
    /// write and search bits: left to `mode & !umask`, nothing could be created inside.
    #[test]
    fn modes_are_exact_whatever_the_umask() {
        let me = std::env::current_exe().unwrap();
        for umask in ["022", "000", "077", "277"] {
            let root = tempfile::tempdir().unwrap();
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
                .arg(&me)
                .args(["--exact", "local_files::tests::umask_child", "--ignored"])
                .args(["--test-threads", "1", "--quiet"])
                .env(CHILD_DIR, root.path())
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "child under umask {umask}: {status}");
            assert_private_state(root.path());
        }
    }

    #[test]
    #[ignore = "run by modes_are_exact_whatever_the_umask, under a umask of its choosing"]
    fn umask_child() {
        make_state(Path::new(&std::env::var_os(CHILD_DIR).expect(CHILD_DIR)));
    }

    #[test]
    fn wider_modes_left_from_before_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let state = root.path().join("idtui");
        let drafts = state.join("drafts");
        fs::create_dir_all(&drafts).unwrap();
        for (path, bits) in [(&state, 0o755), (&drafts, 0o777)] {
            chmod(path, bits);
        }
        let old_draft = drafts.join("old.json");
        let log = state.join("idtui.log");
        for file in [&old_draft, &log] {
            fs::write(file, "x").unwrap();
            chmod(file, 0o644);
        }
        assert!(tighten_tree(&state).is_empty());
        assert_eq!(mode_of(&state), DIR_MODE);
        assert_eq!(mode_of(&drafts), DIR_MODE);
        assert_eq!(mode_of(&old_draft), FILE_MODE);
        assert_eq!(mode_of(&log), FILE_MODE);
        // And on the way in, whichever opens first.
        chmod(&state, 0o750);
        chmod(&log, 0o664);
        private_dir(&state).unwrap();
        open_append(&log).unwrap();
        assert_eq!((mode_of(&state), mode_of(&log)), (DIR_MODE, FILE_MODE));
        chmod(&old_draft, 0o640);
        assert_eq!(read_to_string(&old_draft).unwrap(), "x");
        assert_eq!(mode_of(&old_draft), FILE_MODE);
        assert!(tighten_tree(&root.path().join("missing")).is_empty());
    }

    #[test]
    fn links_are_refused_and_nothing_is_written_through_them() {
        let root = tempfile::tempdir().unwrap();
        let outside = root.path().join("outside");
        fs::create_dir(&outside).unwrap();
        chmod(&outside, 0o755);
        let target = outside.join("target");
        fs::write(&target, "untouched").unwrap();
        chmod(&target, 0o644);
        let state = root.path().join("idtui");
        private_dir(&state).unwrap();
        let refused = |e: io::Error, path: &Path| {
            let message = e.to_string();
            assert!(
                message.contains(&format!("{} is a symbolic link", path.display())),
                "{message}"
            );
        };

        let audit = state.join("audit.jsonl");
        symlink(&target, &audit).unwrap();
        refused(open_append(&audit).unwrap_err(), &audit);
        refused(open_read(&audit).unwrap_err(), &audit);
        refused(read_to_string(&audit).unwrap_err(), &audit);
        // A link to nowhere is no better: following it would create the file it names.
        let dangling = state.join("idtui.log");
        symlink(outside.join("created"), &dangling).unwrap();
        refused(open_append(&dangling).unwrap_err(), &dangling);
        assert!(!outside.join("created").exists());

        // A link planted under the temporary name of an atomic write.
        let draft = state.join("d.json");
        let temp = state.join(".d.json.tmp");
        symlink(&target, &temp).unwrap();
        refused(write_atomic(&draft, &temp, b"draft").unwrap_err(), &temp);
        assert!(
            fs::symlink_metadata(&temp)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(!draft.exists());
        // A link in place of the draft itself is replaced, not written through.
        let other = state.join("e.json");
        symlink(&target, &other).unwrap();
        write_atomic(&other, &state.join(".e.json.tmp"), b"draft").unwrap();
        assert!(fs::symlink_metadata(&other).unwrap().is_file());
        assert_eq!(mode_of(&other), FILE_MODE);

        // A directory link: neither used nor tightened through.
        let drafts = state.join("drafts");
        symlink(&outside, &drafts).unwrap();
        refused(private_dir(&drafts).unwrap_err(), &drafts);
        let mut reported: Vec<PathBuf> = tighten_tree(&state)
            .into_iter()
            .map(|(path, e)| {
                refused(e, &path);
                path
            })
            .collect();
        reported.sort();
        assert_eq!(reported, [temp, audit, drafts, dangling]);

        assert_eq!(fs::read_to_string(&target).unwrap(), "untouched");
        assert_eq!(mode_of(&target), 0o644);
        assert_eq!(mode_of(&outside), 0o755);
        let names: Vec<_> = fs::read_dir(&outside).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
