//! Files the sandbox writes (its database and request log) are readable by their owner only,
//! whatever the umask: they hold identities, credential hashes and the paths of every request.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
#[cfg(unix)]
use std::{
    fs::Permissions,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
};

/// Owner read and write, nothing for group or others.
#[cfg(unix)]
pub const MODE: u32 = 0o600;

/// Open `path` for appending, created 0600; an existing file with a wider mode is narrowed.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    options.mode(MODE);
    let file = options.open(path)?;
    restrict(&file)?;
    Ok(file)
}

/// Create `path` empty and 0600 if it does not exist, or narrow it to 0600 if it does, without
/// touching its content: SQLite then gives the `-wal`, `-shm` and journal files it creates the
/// database file's mode.
pub fn create_or_restrict(path: &Path) -> io::Result<()> {
    open_append(path).map(drop)
}

/// Narrow `path` to 0600 when it exists (a `-wal` or `-shm` left by an earlier run).
pub fn restrict_if_exists(path: &Path) -> io::Result<()> {
    match OpenOptions::new().read(true).open(path) {
        Ok(file) => restrict(&file),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Exactly 0600, through the open file so the mode changes on what was opened even if the
/// path is replaced meanwhile. Creating with 0600 is not enough on its own: an existing file
/// keeps its mode, and an odd umask (0200) can leave a new one short of owner write.
#[cfg(unix)]
fn restrict(file: &File) -> io::Result<()> {
    if file.metadata()?.permissions().mode() & 0o777 != MODE {
        file.set_permissions(Permissions::from_mode(MODE))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &File) -> io::Result<()> {
    Ok(())
}
