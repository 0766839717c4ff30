//! The terminal is always handed back, whatever ends or interrupts the dashboard: SIGQUIT,
//! Ctrl-z and SIGTSTP (then SIGCONT), a panic on the event loop, and a panic in a
//! background task (which must not end the session or touch the terminal). The real binary
//! runs in a pseudo-terminal; panics come from a test-only trigger of debug builds.

mod common;

use std::time::Duration;

use common::pty::{Key, PtySession};

const WAIT: Duration = Duration::from_secs(10);

/// After the last draw: alternate screen left, cursor shown.
fn restored_after_last_draw(raw: &str) -> bool {
    let left = raw.rfind("\x1b[?1049l");
    let shown = raw.rfind("\x1b[?25h");
    let entered = raw.rfind("\x1b[?1049h");
    matches!((left, shown, entered), (Some(l), Some(s), Some(e)) if l > e && s > e)
}

fn started() -> PtySession {
    let s = PtySession::spawn(&[], &[], 80, 24);
    s.expect_text("ada.lovelace@example.com", WAIT);
    assert!(s.raw_mode(), "the dashboard runs in raw mode");
    s
}

#[test]
fn sigquit_restores_the_terminal_and_exits_131() {
    let mut s = started();
    s.signal("QUIT");
    let status = s.wait_exit(WAIT).expect("exits on SIGQUIT");
    assert_eq!(status.exit_code(), 128 + 3);
    assert!(restored_after_last_draw(&String::from_utf8_lossy(
        &s.raw_output()
    )));
}

#[test]
fn sigterm_and_sighup_exit_with_128_plus_their_number() {
    for (name, n) in [("TERM", 15), ("HUP", 1)] {
        let mut s = started();
        s.signal(name);
        let status = s.wait_exit(WAIT).expect("exits");
        assert_eq!(status.exit_code(), 128 + n, "SIG{name}");
    }
}

#[test]
fn ctrl_z_and_sigtstp_hand_the_terminal_back_and_sigcont_takes_it_again() {
    let mut s = started();
    for stop in ["key", "signal"] {
        let before = s.raw_output().len();
        match stop {
            "key" => s.send_key(Key::Ctrl('z')),
            _ => s.signal("TSTP"),
        }
        s.wait_state('T', WAIT);
        let raw = String::from_utf8_lossy(&s.raw_output()[before..]).into_owned();
        assert!(
            raw.contains("\x1b[?1049l") && raw.contains("\x1b[?25h"),
            "{stop}: screen left and cursor shown: {raw:?}"
        );
        assert!(!s.raw_mode(), "{stop}: the shell gets a cooked terminal");
        s.signal("CONT");
        s.wait_for(
            |t| t.contains("ada.lovelace@example.com") && t.contains("of 35"),
            WAIT,
        )
        .unwrap_or_else(|screen| panic!("{stop}: redrawn after SIGCONT: {screen}"));
        assert!(s.raw_mode(), "{stop}: raw again after SIGCONT");
        assert_ne!(s.process_state(), 'T');
    }
    // Still fully working.
    s.send("j");
    s.expect_text("2 of 35", WAIT);
    s.send("q");
    assert!(s.wait_exit(WAIT).expect("exits").success());
}

#[test]
fn a_panic_on_the_event_loop_restores_the_terminal_before_the_message() {
    let mut s = PtySession::spawn(&[], &[("IDTUI_TEST_PANIC", "ui")], 80, 24);
    s.expect_text("ada.lovelace@example.com", WAIT);
    s.send("!");
    let status = s.wait_exit(WAIT).expect("a panic ends the process");
    assert!(!status.success());
    let raw = String::from_utf8_lossy(&s.raw_output()).into_owned();
    let entered = raw.rfind("\x1b[?1049h").expect("alternate screen entered");
    let left = entered
        + raw[entered..]
            .find("\x1b[?1049l")
            .expect("alternate screen left");
    let message = raw
        .rfind("test-only panic")
        .expect("the panic message is shown");
    assert!(left < message, "restored before the message is printed");
    assert!(restored_after_last_draw(&raw));
}

#[test]
fn a_panic_in_the_embedded_sandbox_is_an_error_on_screen_not_a_broken_terminal() {
    // Every handler of the embedded sandbox panics: each read fails, on a worker thread.
    let mut s = PtySession::spawn(&[], &[("IDTUI_TEST_PANIC", "sandbox")], 80, 24);
    s.expect_text("could not load", Duration::from_secs(40));
    let raw = String::from_utf8_lossy(&s.raw_output()).into_owned();
    assert!(
        !raw.contains("\x1b[?1049l"),
        "the terminal was not given up while the loop draws"
    );
    assert!(s.raw_mode(), "still in raw mode");
    // The dashboard still answers keys and quits cleanly.
    s.send("?");
    s.expect_text("Help", WAIT);
    s.send_key(Key::Esc);
    // Esc followed at once by q would read as Alt-q.
    s.wait_for(|t| !t.contains("Help"), WAIT).unwrap();
    s.send("q");
    assert!(s.wait_exit(WAIT).expect("exits").success());
    assert!(restored_after_last_draw(&String::from_utf8_lossy(
        &s.raw_output()
    )));
}

#[test]
fn hostile_argv_and_keybindings_never_reach_the_terminal_raw() {
    // A profile name that would set the window title if printed as is.
    let mut s = PtySession::spawn(&["--profile", "\x1b]2;pwned\x07"], &[], 80, 24);
    let status = s.wait_exit(WAIT).expect("refused");
    assert!(!status.success());
    let raw = String::from_utf8_lossy(&s.raw_output()).into_owned();
    assert!(!raw.contains("\x1b]2;"), "{raw:?}");
    assert!(raw.contains("␛]2;pwned␇"), "shown, visibly: {raw:?}");

    // An unknown option carrying an escape: clap's message is cleaned too.
    let mut s = PtySession::spawn(&["--\x1b]2;x\x07"], &[], 80, 24);
    s.wait_exit(WAIT).expect("refused");
    assert!(!String::from_utf8_lossy(&s.raw_output()).contains("\x1b]2;"));

    // `idtui keys` with a keybindings file whose action names carry escapes: the warnings
    // name them, visibly.
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(config.path().join("idtui")).unwrap();
    std::fs::write(
        config.path().join("idtui/keybindings.toml"),
        "\"\\u001b]2;pwned\\u0007\" = [\"z\"]\n",
    )
    .unwrap();
    let dir = config.path().to_str().unwrap();
    let mut s = PtySession::spawn(&["keys"], &[("XDG_CONFIG_HOME", dir)], 80, 24);
    assert!(s.wait_exit(WAIT).expect("prints and exits").success());
    let raw = String::from_utf8_lossy(&s.raw_output()).into_owned();
    assert!(raw.contains("unknown action"), "{raw}");
    assert!(!raw.contains("\x1b]2;"), "{raw:?}");
}

#[test]
fn a_burst_of_keys_longer_than_a_kilobyte_is_taken_in_whole_without_another_key() {
    // As tmux's paste-buffer without bracketed paste, or keys typed during a stall: all of
    // it is queued on the terminal at once.
    let mut s = started();
    let burst = format!(":{}END", "x".repeat(3_000));
    s.send(&burst);
    s.wait_for(|t| t.contains("xxxxEND"), WAIT)
        .unwrap_or_else(|screen| panic!("the end of the burst never arrived: {screen}"));
    s.send_key(Key::Esc);
    // Esc alone (`q` right behind it would read as Alt-q).
    s.wait_for(|t| !t.contains("xxxxEND"), WAIT)
        .unwrap_or_else(|screen| panic!("Esc closes the command line: {screen}"));
    s.send("q");
    assert!(s.wait_exit(WAIT).expect("exits").success());
}
