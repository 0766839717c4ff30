//! The pseudo-terminal harness itself, exercised on small shell programs.

mod common;

use std::time::Duration;

use common::pty::{Key, PtySession};

const WAIT: Duration = Duration::from_secs(10);

fn sh(script: &str, cols: u16, rows: u16) -> PtySession {
    PtySession::spawn_program("sh", &["-c", script], &[], cols, rows)
}

#[test]
fn reads_the_screen_and_types_a_line() {
    let mut session = sh("printf hello; read x; echo got $x", 40, 10);
    session.expect_text("hello", WAIT);
    session.send("world");
    session.send_key(Key::Enter);
    let screen = session.expect_text("got world", WAIT);
    assert!(screen.starts_with("helloworld"), "{screen}");
    let status = session.wait_exit(WAIT).expect("sh exits");
    assert!(status.success());
    assert!(String::from_utf8_lossy(&session.raw_output()).contains("got world"));
}

#[test]
fn environment_is_isolated() {
    // EXTRA is not in the test's environment: it reaches the child only through `env`.
    let session = PtySession::spawn_program(
        "sh",
        &[
            "-c",
            "echo \"term=$TERM\"; echo \"cfg=$XDG_CONFIG_HOME\"; echo \"tmux=${TMUX:-none}\"; echo \"x=$EXTRA\"",
        ],
        &[("EXTRA", "given")],
        200,
        10,
    );
    let screen = session.expect_text("x=given", WAIT);
    assert!(screen.contains("term=xterm-256color"), "{screen}");
    assert!(screen.contains("tmux=none"), "{screen}");
    let cfg = session.config_dir();
    assert!(
        screen.contains(&format!("cfg={}", cfg.display())),
        "{screen}"
    );
    assert!(cfg.starts_with(session.home()));
}

#[test]
fn sends_control_keys_and_reports_the_exit_code() {
    // `cat -v` shows control bytes visibly; Ctrl-D on an empty line then ends it.
    let mut session = sh("stty -echo; cat -v; exit 3", 40, 10);
    session.send_key(Key::Esc);
    session.send_key(Key::Up);
    session.send_key(Key::Enter);
    session.expect_text("^[^[[A", WAIT);
    session.send_key(Key::Ctrl('d'));
    let status = session.wait_exit(WAIT).expect("sh exits");
    assert_eq!(status.exit_code(), 3);
}

#[test]
fn resize_reaches_the_program() {
    let mut session = sh("stty size; read x; stty size; read y", 80, 24);
    session.expect_text("24 80", WAIT);
    session.resize(100, 30);
    session.send_key(Key::Enter);
    session.expect_text("30 100", WAIT);
}

#[test]
fn answers_cursor_position_queries() {
    // A program asking where the cursor is (as crossterm does) gets an answer instead
    // of hanging: the reply is read back and shown escaped.
    let mut session = sh(
        "stty raw -echo; printf 'ab\\033[6n'; r=$(dd bs=1 count=6 2>/dev/null | od -An -c | tr -d ' '); stty sane; echo; echo \"reply:$r\"",
        40,
        10,
    );
    session.expect_text("reply:033[1;3R", WAIT);
    session.wait_exit(WAIT).expect("sh exits");
}

#[test]
fn timeout_returns_the_screen_and_drop_kills_the_program() {
    let session = sh("echo waiting; sleep 600", 40, 10);
    session.expect_text("waiting", WAIT);
    let err = session
        .wait_for(|s| s.contains("never"), Duration::from_millis(200))
        .unwrap_err();
    assert!(
        err.contains("timed out") && err.contains("waiting"),
        "{err}"
    );
    // Dropping must not wait for the ten-minute sleep.
    drop(session);
}

#[test]
fn a_closed_terminal_ends_waiting_early() {
    let session = sh("echo bye", 40, 10);
    let err = session
        .wait_for(|s| s.contains("never"), Duration::from_secs(60))
        .unwrap_err();
    assert!(
        err.contains("closed the terminal") && err.contains("bye"),
        "{err}"
    );
}
