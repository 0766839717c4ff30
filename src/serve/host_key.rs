//! The server's host key: brought with `--host-key`, or an Ed25519 key made on first start
//! in the state directory (0600, never through a link) and used from then on, so clients
//! see the same fingerprint after every restart.

use std::path::{Path, PathBuf};

use anyhow::Context;
use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::rand_core::OsRng;
use russh::keys::{Algorithm, HashAlg, PrivateKey};

/// The host key and where it came from.
pub struct HostKey {
    pub key: PrivateKey,
    pub path: PathBuf,
    /// Made just now (first start).
    pub created: bool,
}

impl HostKey {
    /// `SHA256:…`, as a client's first-connection prompt shows it.
    pub fn fingerprint(&self) -> String {
        self.key
            .public_key()
            .fingerprint(HashAlg::Sha256)
            .to_string()
    }
}

/// `$XDG_STATE_HOME/idtui/ssh_host_ed25519_key`.
pub fn default_path() -> PathBuf {
    crate::logging::state_dir().join("ssh_host_ed25519_key")
}

/// The key at `given`, else the one in the state directory, made there when missing.
pub fn load_or_create(given: Option<&Path>) -> anyhow::Result<HostKey> {
    if let Some(path) = given {
        let key = read(path)?;
        return Ok(HostKey {
            key,
            path: path.to_path_buf(),
            created: false,
        });
    }
    let path = default_path();
    match read(&path) {
        Ok(key) => {
            return Ok(HostKey {
                key,
                path,
                created: false,
            });
        }
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound) => {}
        Err(e) => return Err(e),
    }
    let key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519)
        .context("cannot make an Ed25519 host key")?;
    let text = key
        .to_openssh(LineEnding::LF)
        .context("cannot encode the host key")?;
    if let Some(dir) = path.parent() {
        crate::local_files::private_dir(dir)?;
    }
    let temp = path.with_extension("new");
    let _ = std::fs::remove_file(&temp);
    crate::local_files::write_atomic(&path, &temp, text.as_bytes())
        .with_context(|| format!("cannot write the host key to {}", path.display()))?;
    Ok(HostKey {
        key,
        path,
        created: true,
    })
}

/// An OpenSSH private key file, opened without following a link, refused when others can
/// read it (as sshd refuses such a host key).
fn read(path: &Path) -> anyhow::Result<PrivateKey> {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    // Opened as it is: a key brought with --host-key is the owner's file, not ours to chmod.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let mode = file.metadata()?.mode();
    if mode & 0o077 != 0 {
        anyhow::bail!(
            "{} is readable by others ({:o}): `chmod 600` it first",
            path.display(),
            mode & 0o777
        );
    }
    let mut text = String::new();
    file.read_to_string(&mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    PrivateKey::from_openssh(text.as_bytes())
        .with_context(|| format!("{} is not an OpenSSH private key", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_is_used_and_one_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).unwrap();
        std::fs::write(&path, key.to_openssh(LineEnding::LF).unwrap().as_bytes()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = load_or_create(Some(&path)).err().unwrap().to_string();
        assert!(refused.contains("chmod 600"), "{refused}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let loaded = load_or_create(Some(&path)).unwrap();
        assert_eq!(loaded.key.public_key(), key.public_key());
        assert!(!loaded.created);
    }
}
