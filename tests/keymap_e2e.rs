//! `idtui keys` run in a real pseudo-terminal, with a user override file.

mod common;

use std::time::Duration;

use common::pty::PtySession;

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn keys_in_a_terminal_show_user_overrides() {
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(config.path().join("idtui")).unwrap();
    std::fs::write(
        config.path().join("idtui/keybindings.toml"),
        "refresh = [\"F5\", \"Ctrl-r\"]\n",
    )
    .unwrap();
    let config_home = config.path().to_str().unwrap();
    let mut session = PtySession::spawn(&["keys"], &[("XDG_CONFIG_HOME", config_home)], 120, 50);
    let status = session.wait_exit(WAIT).expect("idtui keys exits");
    assert!(status.success(), "{}", session.screen_text());
    let screen = session.screen_text();
    let refresh = screen
        .lines()
        .find(|l| l.contains("refresh*"))
        .unwrap_or_else(|| panic!("no overridden refresh line:\n{screen}"));
    assert!(refresh.contains("F5, Ctrl-r"), "{refresh}");
    assert!(screen.contains("overrides (*) from"), "{screen}");
    // Plain text output: no alternate screen, nothing to restore.
    assert!(!String::from_utf8_lossy(&session.raw_output()).contains("\x1b[?1049h"));
}
