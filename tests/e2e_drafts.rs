//! Drafts, leaving and read-only, end to end: the real binary in a pseudo-terminal. A long
//! bracketed paste survives `kill -9` exactly as shown; quitting with unsaved drafts asks;
//! one Esc closes a dirty editor and keeps its draft; SIGTERM writes what was just typed;
//! a read-only profile says so and opens nothing that changes data. Every wait is bounded.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::pty::{Key, PtySession};
use idtui::drafts::DraftStore;

const WAIT: Duration = Duration::from_secs(10);

fn wait(session: &PtySession, needle: &str) -> String {
    session.expect_text(needle, WAIT)
}

/// The text of the one draft in `state_dir` (`XDG_STATE_HOME`), as the editor will restore
/// it, or `None` when there is no draft. The one place that knows the draft file format.
fn draft_text(state_dir: &Path) -> Option<String> {
    let store = DraftStore::new(state_dir.join("idtui").join("drafts"));
    let drafts = store.list().expect("list drafts");
    assert!(drafts.len() <= 1, "one draft expected: {drafts:?}");
    let file = std::fs::read_to_string(&drafts.first()?.path).expect("read the draft");
    Some(idtui::app::editing::parse_draft(&file).0)
}

/// Waits (bounded) until the draft in `state_dir` satisfies `check`; returns it.
fn wait_for_draft(state_dir: &Path, mut check: impl FnMut(Option<&str>) -> bool) -> Option<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = draft_text(state_dir);
        if check(text.as_deref()) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "draft never matched; last: {text:?}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The editor's text rows on screen, by line number: `│ 12 text… │`.
fn editor_rows(screen: &str) -> Vec<(usize, String)> {
    screen
        .lines()
        .filter_map(|row| {
            let inner = row.strip_prefix('│')?.strip_suffix('│')?;
            let trimmed = inner.trim_start();
            let number = trimmed.split(' ').next()?;
            let n: usize = number.parse().ok()?;
            let text = trimmed.get(number.len() + 1..).unwrap_or("").trim_end();
            Some((n, text.to_string()))
        })
        .collect()
}

/// The patch editor on the first identity, ready for typing (the server's copy is in).
fn open_patch_editor(s: &mut PtySession) {
    s.send("p");
    wait(s, "examples (help only, not in the patch)");
    wait(s, "Ln 2, Col 3");
}

/// A JSON Patch of at least 10,000 characters, one operation a line, as a terminal sends a
/// paste (CR line breaks); continuation lines carry their own two-space indent.
fn long_patch() -> (String, usize) {
    let mut lines = Vec::new();
    let mut n = 0;
    while lines.iter().map(|l: &String| l.len() + 1).sum::<usize>() < 10_000 {
        n += 1;
        let indent = if n == 1 { "" } else { "  " };
        lines.push(format!(
            r#"{indent}{{"op": "add", "path": "/metadata_public/k{n:04}", "value": "v{n:04}-abcdefghijklmnop"}},"#
        ));
    }
    let last = lines.last_mut().unwrap();
    last.pop(); // no comma after the last operation
    (lines.join("\r"), n)
}

#[test]
fn a_10000_character_paste_survives_kill_9_exactly_as_shown() {
    let mut s = PtySession::spawn(&[], &[], 100, 30);
    wait(&s, "ada.lovelace@example.com");
    open_patch_editor(&mut s);
    let (paste, n) = long_patch();
    assert!(paste.len() >= 10_000);
    assert!(
        s.bracketed_paste(),
        "bracketed paste is on in the dashboard"
    );
    s.send_paste(&paste);
    let last = format!("k{n:04}");
    let screen = s
        .wait_for(|t| t.contains(&last) && t.contains("[modified]"), WAIT)
        .unwrap();
    // Pasted inside the empty array, each line exactly as pasted: no auto-indent.
    let expected = format!("[\n  {}\n]", paste.replace('\r', "\n"));
    let state = s.state_dir();
    wait_for_draft(&state, |d| d == Some(expected.as_str()));
    s.signal("KILL");
    assert!(s.wait_exit(WAIT).is_some(), "killed");
    let draft = draft_text(&state).expect("the draft survived kill -9");
    assert_eq!(draft, expected, "the draft is the whole paste");
    // And it is what the screen showed: every editor row matches the draft's line.
    let rows = editor_rows(&screen);
    assert!(
        rows.len() >= 10,
        "editor rows on screen: {rows:?}\n{screen}"
    );
    let lines: Vec<&str> = draft.lines().collect();
    for (number, text) in &rows {
        assert_eq!(lines[number - 1].trim_end(), text, "line {number}");
    }
    assert!(rows.iter().any(|(_, t)| t.contains(&last)), "{screen}");

    // The next run restores it.
    let state_env = state.to_str().unwrap().to_string();
    let mut again = PtySession::spawn(&[], &[("XDG_STATE_HOME", &state_env)], 100, 30);
    wait(&again, "ada.lovelace@example.com");
    again.send("p");
    let screen = wait(&again, "restored your unsaved draft");
    let rows = editor_rows(&screen);
    assert!(rows.len() >= 10, "{screen}");
    for (number, text) in &rows {
        assert_eq!(lines[number - 1].trim_end(), text, "line {number}");
    }
    again.send_key(Key::Ctrl('c'));
    wait(&again, "Quit?");
    again.send("k");
    assert!(again.wait_exit(WAIT).is_some());
}

#[test]
fn quitting_with_an_unsaved_draft_asks_and_k_d_esc_do_what_they_say() {
    let mut s = PtySession::spawn(&[], &[], 100, 30);
    wait(&s, "ada.lovelace@example.com");
    open_patch_editor(&mut s);
    let op = r#"{"op": "remove", "path": "/metadata_public/plan"}"#;
    s.send(op);
    wait(&s, "[modified]");
    s.send_key(Key::Esc);
    wait(&s, "draft kept: p reopens it");
    let state = s.state_dir();
    let expected = format!("[\n  {op}\n]");
    wait_for_draft(&state, |d| d == Some(expected.as_str()));

    // q asks; Esc stays and keeps everything.
    s.send("q");
    let screen = wait(&s, "Quit? Not saved to the server yet:");
    assert!(
        screen.contains("draft not saved to the server: JSON Patch for identity"),
        "{screen}"
    );
    s.send_key(Key::Esc);
    wait(&s, "not quitting: nothing was discarded");
    assert!(
        s.wait_exit(Duration::from_millis(300)).is_none(),
        "still running"
    );

    // :quit asks too; k keeps the draft and quits.
    s.send(":quit");
    s.send_key(Key::Enter);
    wait(&s, "Quit? Not saved to the server yet:");
    s.send("k");
    assert!(s.wait_exit(WAIT).expect("k quits").success());
    assert_eq!(draft_text(&state).as_deref(), Some(expected.as_str()));

    // Next run: the draft comes back; Ctrl-C asks, d discards it and quits.
    let state_env = state.to_str().unwrap().to_string();
    let mut again = PtySession::spawn(&[], &[("XDG_STATE_HOME", &state_env)], 100, 30);
    wait(&again, "ada.lovelace@example.com");
    again.send("p");
    wait(&again, "restored your unsaved draft");
    again.send_key(Key::Ctrl('c'));
    let screen = wait(&again, "Quit? Not saved to the server yet:");
    assert!(screen.contains("open editor, unsaved changes"), "{screen}");
    again.send("d");
    assert!(again.wait_exit(WAIT).expect("d quits").success());
    assert_eq!(draft_text(&state), None, "discarded");
}

#[test]
fn one_esc_closes_a_dirty_editor_keeping_its_draft_and_sigterm_writes_the_last_keys() {
    let mut s = PtySession::spawn(&[], &[], 100, 30);
    wait(&s, "ada.lovelace@example.com");
    s.send("e");
    wait(&s, "Ctrl-s save");
    s.send("x");
    let screen = wait(&s, "[modified]");
    assert!(
        screen.contains("Esc closes, keeping your draft (e reopens it)"),
        "the footer says what Esc does:\n{screen}"
    );
    s.send_key(Key::Esc);
    let screen = wait(&s, "draft kept: e reopens it");
    assert!(
        !screen.contains("[modified]"),
        "one Esc closed it:\n{screen}"
    );
    let state = s.state_dir();
    let kept = wait_for_draft(&state, |d| d.is_some_and(|t| t.starts_with("x{"))).unwrap();

    // e brings it back; what is typed right before SIGTERM is on disk after it, and
    // SIGTERM never asks.
    s.send("e");
    wait(&s, "restored your unsaved draft");
    s.send("yz");
    wait(&s, "yzx{");
    s.signal("TERM");
    assert!(s.wait_exit(WAIT).is_some(), "SIGTERM exits without asking");
    assert_eq!(draft_text(&state), Some(format!("yz{kept}")));
}

#[test]
fn sighup_writes_the_keys_typed_just_before_it() {
    // The SSH connection dropped: no question, and nothing typed is lost.
    let mut s = PtySession::spawn(&[], &[], 100, 30);
    wait(&s, "ada.lovelace@example.com");
    s.send("e");
    wait(&s, "Ctrl-s save");
    s.send("hup");
    wait(&s, "hup{");
    s.signal("HUP");
    assert!(s.wait_exit(WAIT).is_some(), "SIGHUP exits without asking");
    let draft = draft_text(&s.state_dir()).expect("the draft was written");
    assert!(draft.starts_with("hup{\n"), "{draft}");
}

struct Sandbox {
    child: Child,
    base: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `idtui sandbox --demo` on a free loopback port.
fn demo_sandbox() -> Sandbox {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idtui"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--demo"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("sandbox exited early").unwrap();
        if let Some(rest) = line.strip_prefix("idtui sandbox listening on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Sandbox { child, base }
}

#[test]
fn a_read_only_profile_shows_its_badge_and_change_keys_open_nothing() {
    let sb = demo_sandbox();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.kratos]\nprovider = \"kratos\"\nurl = \"{}\"\nread_only = true\n",
            sb.base
        ),
    )
    .unwrap();
    let mut s = PtySession::spawn(&["--config", config.to_str().unwrap()], &[], 120, 30);
    wait(&s, "READ-ONLY (profile)");
    wait(&s, "ada.lovelace@example.com");

    s.send("e");
    let screen = wait(
        &s,
        "read-only: editing is off (profile `kratos` has read_only = true)",
    );
    assert!(!screen.contains("Ctrl-s"), "no editor opened:\n{screen}");

    // In Grace's sessions, where x would otherwise ask to revoke one.
    s.send("/");
    s.send("grace.hopper@example.com");
    s.send_key(Key::Enter);
    wait(&s, "search “grace.hopper@example.com”");
    s.send_key(Key::Enter);
    wait(&s, "Traits");
    s.send(":sessions");
    s.send_key(Key::Enter);
    wait(&s, "ACTIVE");
    s.send("x");
    let screen = wait(&s, "read-only: revoking sessions is off");
    assert!(!screen.contains("About to revoke"), "{screen}");
    // X, then d: had X opened its typed confirmation, the d would have gone into it.
    s.send("X");
    s.send("d");
    let screen = wait(&s, "read-only: deleting is off");
    assert!(
        !screen.contains("Type "),
        "no confirmation opened:\n{screen}"
    );

    // Nothing unsaved: q quits at once.
    s.send("q");
    assert!(s.wait_exit(WAIT).expect("q quits").success());
}
