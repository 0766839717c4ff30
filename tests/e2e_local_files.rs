//! The dashboard's local files, end to end: the real binary, started by `sh` after a
//! `umask`, keeps its state directory 0700 and every file in it 0600 (log, audit trail,
//! drafts), writes no secret into the audit trail, and refuses links planted in place of
//! its files, saying so on screen and writing nothing through them. Every wait is bounded.

#![cfg(unix)]

mod common;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::pty::{Key, PtySession};

const WAIT: Duration = Duration::from_secs(10);
/// A password hash a careless admin pasted into the admin metadata.
const BCRYPT: &str = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
const API_KEY: &str = "ak_live_e2e_0123456789";

fn wait(session: &PtySession, needle: &str) -> String {
    session.expect_text(needle, WAIT)
}

/// The dashboard, run by `sh` once it has set `umask`.
fn spawn_with_umask(umask: &str, env: &[(&str, &str)]) -> PtySession {
    let script = format!("umask {umask}; exec \"$0\"");
    let program = env!("CARGO_BIN_EXE_idtui");
    PtySession::spawn_program("sh", &["-c", &script, program], env, 200, 30)
}

fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// `p` on the first identity, `op` typed into the patch editor.
fn patch_editor_with(s: &mut PtySession, op: &str) {
    s.send("p");
    wait(s, "examples (help only, not in the patch)");
    wait(s, "Ln 2, Col 3");
    s.send(op);
    wait(s, "[modified]");
}

/// Saves a patch putting an API key and a bcrypt hash into the admin metadata.
fn save_a_patch(s: &mut PtySession) {
    wait(s, "ada.lovelace@example.com");
    patch_editor_with(
        s,
        &format!(
            r#"{{"op": "add", "path": "/metadata_admin", "value": {{"api_key": "{API_KEY}", "legacy": "{BCRYPT}", "tier": "gold"}}}}"#
        ),
    );
    s.send_key(Key::Ctrl('s'));
}

/// Leaves a patch as a draft (`Esc` writes it at once).
fn keep_a_draft(s: &mut PtySession) {
    patch_editor_with(s, r#"{"op": "remove", "path": "/metadata_public/plan"}"#);
    s.send_key(Key::Esc);
}

/// `Ctrl-c`, and `k` (keep the drafts) if it asks.
fn quit(s: &mut PtySession) {
    s.send_key(Key::Ctrl('c'));
    if s.wait_for(|t| t.contains("Quit?"), WAIT).is_ok() {
        s.send("k");
    }
    assert!(s.wait_exit(WAIT).is_some(), "quits");
}

/// The status bar shows `needle` once the flash of the last step ("done: …") goes, which
/// any key does: `j` and back.
fn status_shows(s: &mut PtySession, needle: &str) {
    s.send("j");
    wait(s, needle);
    s.send("k");
}

fn drafts_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn state_files_are_private_under_umask_022_and_000_and_the_trail_holds_no_secret() {
    for umask in ["022", "000"] {
        let mut s = spawn_with_umask(umask, &[]);
        save_a_patch(&mut s);
        wait(&s, "done: patch identity");
        keep_a_draft(&mut s);
        wait(&s, "draft kept: p reopens it");
        let state = s.state_dir().join("idtui");
        let drafts = state.join("drafts");
        let deadline = Instant::now() + WAIT;
        while drafts_in(&drafts).is_empty() {
            assert!(Instant::now() < deadline, "no draft written");
            std::thread::sleep(Duration::from_millis(25));
        }
        quit(&mut s);

        assert_eq!(mode_of(&state), 0o700, "umask {umask}: state dir");
        assert_eq!(mode_of(&drafts), 0o700, "umask {umask}: drafts dir");
        let mut files = vec![state.join("audit.jsonl"), state.join("idtui.log")];
        files.extend(drafts_in(&drafts));
        assert_eq!(files.len(), 3, "{files:?}");
        for file in &files {
            assert_eq!(mode_of(file), 0o600, "umask {umask}: {}", file.display());
        }

        let trail = std::fs::read_to_string(state.join("audit.jsonl")).unwrap();
        assert!(trail.contains("/metadata_admin"), "{trail}");
        assert!(trail.contains("gold"), "{trail}");
        assert!(!trail.contains(API_KEY), "{trail}");
        assert!(!trail.contains("$2b$"), "{trail}");
    }
}

#[test]
fn links_in_place_of_the_trail_log_and_drafts_are_named_and_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let trail_target = outside.path().join("trail-target");
    let log_target = outside.path().join("log-target");
    let drafts_target = outside.path().join("drafts-target");
    std::fs::write(&trail_target, "outside trail\n").unwrap();
    std::fs::write(&log_target, "outside log\n").unwrap();
    std::fs::create_dir(&drafts_target).unwrap();

    let xdg = tempfile::tempdir().unwrap();
    let state = xdg.path().join("idtui");
    std::fs::create_dir(&state).unwrap();
    let trail = state.join("audit.jsonl");
    let log = state.join("idtui.log");
    let drafts = state.join("drafts");
    symlink(&trail_target, &trail).unwrap();
    symlink(&log_target, &log).unwrap();
    symlink(&drafts_target, &drafts).unwrap();

    let xdg_env = xdg.path().to_str().unwrap().to_string();
    let mut s = spawn_with_umask("022", &[("XDG_STATE_HOME", &xdg_env)]);
    // The dashboard starts, and says so at once; `:error` names every one.
    wait(&s, "is a symbolic link");
    wait(&s, "ada.lovelace@example.com");
    s.send(":error");
    s.send_key(Key::Enter);
    for link in [&trail, &log, &drafts] {
        wait(&s, &format!("{} is a symbolic link", link.display()));
    }
    s.send_key(Key::Esc);
    s.wait_for(|t| !t.contains("┌ Error "), WAIT).unwrap();

    // The change is made; its audit line is not written, and the status bar says why once
    // it no longer says "done".
    save_a_patch(&mut s);
    wait(&s, "done: patch identity");
    status_shows(
        &mut s,
        &format!(
            "audit trail not written: {} is a symbolic link",
            trail.display()
        ),
    );
    keep_a_draft(&mut s);
    wait(&s, "draft kept");
    status_shows(
        &mut s,
        &format!("draft not written: {} is a symbolic link", drafts.display()),
    );
    quit(&mut s);

    assert_eq!(
        std::fs::read_to_string(&trail_target).unwrap(),
        "outside trail\n"
    );
    assert_eq!(
        std::fs::read_to_string(&log_target).unwrap(),
        "outside log\n"
    );
    assert!(drafts_in(&drafts_target).is_empty());
    for link in [&trail, &log, &drafts] {
        assert!(
            std::fs::symlink_metadata(link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{} left as it was",
            link.display()
        );
    }
}
