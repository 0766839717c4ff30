//! The real binary in a pseudo-terminal: the embedded sandbox with demo data, and a
//! configured profile against `idtui sandbox --generate 10000`. Every wait is bounded.

mod common;

use std::time::{Duration, Instant};

use common::pty::{Key, PtySession};
use common::sandbox::Sandbox;

const WAIT: Duration = Duration::from_secs(8);

/// The terminal was handed back: alternate screen left and cursor shown after the last draw.
fn assert_restored(session: &PtySession) {
    let raw = String::from_utf8_lossy(&session.raw_output()).into_owned();
    let entered = raw
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    let shown = raw.rfind("\x1b[?25h").expect("cursor shown again");
    assert!(
        left > entered && shown > entered,
        "restore sequences out of order"
    );
}

fn wait(session: &PtySession, needle: &str) -> String {
    session.expect_text(needle, WAIT)
}

#[test]
fn embedded_sandbox_browse_filter_detail_help_and_quit() {
    let mut s = PtySession::spawn(&[], &[], 80, 24);
    wait(&s, "ada.lovelace@example.com");
    let screen = s.screen_text();
    assert!(screen.contains("kratos") && screen.contains("core") && screen.contains("headless"));
    assert!(screen.contains("of 35"), "{screen}");

    // Help is generated from the keymap.
    s.send("?");
    wait(&s, "move down one row");
    s.send("q");
    s.wait_for(|t| !t.contains("move down one row"), WAIT)
        .unwrap();

    // Local filter over the loaded rows (text anywhere, any case).
    s.send("/");
    s.send("grace");
    let screen = s
        .wait_for(
            |t| t.contains("filter “grace”") || t.contains("/grace"),
            WAIT,
        )
        .unwrap();
    assert!(screen.contains("grace.hopper@example.com"), "{screen}");
    assert!(!screen.contains("ada.lovelace@example.com"), "{screen}");
    s.send_key(Key::Esc);
    // Wait for the prompt to close: Esc followed at once by Enter reads as Alt-Enter.
    s.wait_for(|t| !t.contains("/grace"), WAIT).unwrap();

    // Enter opens the detail of the row the filter chose, with its sessions and credentials.
    s.send_key(Key::Enter);
    let screen = wait(&s, "Traits");
    assert!(
        screen.contains("[Sessions]") && screen.contains("[Credentials]"),
        "{screen}"
    );
    assert!(screen.contains("grace.hopper@example.com"), "{screen}");
    s.send_key(Key::Tab);
    s.send_key(Key::Tab);
    wait(&s, "IDENTIFIERS");
    // Esc goes back to the list with the same row selected.
    s.send_key(Key::Esc);
    wait(&s, "[Identities]");

    // Demo data with escape sequences is shown as visible placeholders, never interpreted.
    assert!(!s.screen_text().contains("owned"));

    s.send("q");
    let status = s.wait_exit(WAIT).expect("idtui exits on q");
    assert!(status.success());
    assert_restored(&s);
}

#[test]
fn resize_and_sigterm_restore_the_terminal() {
    let mut s = PtySession::spawn(&[], &[], 80, 24);
    wait(&s, "ada.lovelace@example.com");
    s.resize(120, 40);
    // More rows fit: the footer moves down and the table shows more identities.
    // The footer (second line from the bottom) moves to the new last-but-one row.
    s.wait_for(
        |t| t.lines().nth(38).is_some_and(|l| l.contains("1 of 35")),
        WAIT,
    )
    .unwrap();
    s.signal("TERM");
    assert!(s.wait_exit(WAIT).is_some(), "exits on SIGTERM");
    assert_restored(&s);
}

#[test]
fn sighup_ends_the_session_cleanly() {
    let mut s = PtySession::spawn(&[], &[], 80, 24);
    wait(&s, "ada.lovelace@example.com");
    s.signal("HUP");
    assert!(s.wait_exit(WAIT).is_some(), "exits on SIGHUP");
    assert_restored(&s);
}

#[test]
fn no_color_output_has_no_colour_sequences() {
    let mut s = PtySession::spawn(&[], &[("NO_COLOR", "1")], 80, 24);
    wait(&s, "ada.lovelace@example.com");
    s.send("q");
    s.wait_exit(WAIT).expect("exits");
    let raw = String::from_utf8_lossy(&s.raw_output()).into_owned();
    for sgr in [
        "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m", "\x1b[38;", "\x1b[48;",
    ] {
        assert!(!raw.contains(sgr), "colour sequence {sgr:?} with NO_COLOR");
    }
}

fn sandbox(generate: usize) -> Sandbox {
    Sandbox::start(&["--generate", &generate.to_string()])
}

#[test]
fn configured_profile_scrolls_to_the_end_of_10000_rows_and_back() {
    let sb = sandbox(10_000);
    let dir = tempfile::tempdir().unwrap();
    let config = sb.kratos_config(dir.path());
    let config = config.to_str().unwrap();
    let mut s = PtySession::spawn(&["--config", config, "--profile", "kratos"], &[], 80, 24);
    let screen = wait(&s, "more below");
    assert!(
        screen.contains("1 of ") && screen.contains("@gen.example.com"),
        "{screen}"
    );

    // Scrolling down never waits for a page: rows are read ahead.
    for _ in 0..30 {
        s.send_key(Key::PageDown);
    }
    wait(&s, "571 of ");

    // G walks to the end with visible progress; memory stays bounded (checked in unit tests).
    let started = Instant::now();
    s.send("G");
    let screen = s
        .wait_for(
            |t| t.contains("10,000 of 10,000") && t.contains("· end"),
            Duration::from_secs(40),
        )
        .unwrap();
    eprintln!("G over 10,000 rows took {:?}", started.elapsed());
    assert!(!screen.contains("loading…"), "{screen}");

    // Back to the top: the first page was dropped and is fetched again by its cursor.
    s.send("g");
    wait(&s, "1 of 10,000");

    s.send("q");
    assert!(s.wait_exit(WAIT).is_some());
    assert_restored(&s);
}

#[test]
fn read_only_refuses_revocation_before_any_confirmation_opens() {
    // `--read-only` is refused up front now; the refusal below the UI (the runtime's
    // `effects::admit`, the HTTP layer) is tested where it lives, since no key reaches it.
    let sb = sandbox(20);
    let dir = tempfile::tempdir().unwrap();
    let config = sb.kratos_config(dir.path());
    let mut s = PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--read-only"],
        &[],
        100,
        30,
    );
    wait(&s, "READ-ONLY (--read-only)");
    wait(&s, "of 20");
    s.send("X");
    let screen = wait(
        &s,
        "read-only: revoking sessions is off (idtui was started with --read-only)",
    );
    assert!(
        !screen.contains("Type "),
        "no confirmation opened:\n{screen}"
    );
    s.send("q");
    assert!(s.wait_exit(WAIT).is_some());
}

#[test]
fn patch_from_a_restored_draft_saves_and_a_refused_one_keeps_the_editor() {
    let mut s = PtySession::spawn(&[], &[], 100, 30);
    wait(&s, "ada.lovelace@example.com");
    // Put Grace on the selected row: a server search by her email.
    s.send("/");
    s.send("grace.hopper@example.com");
    s.send_key(Key::Enter);
    wait(&s, "search “grace.hopper@example.com”");
    let drafts = idtui::drafts::DraftStore::new(s.state_dir().join("idtui").join("drafts"));
    let key = "kratos-patch-c24bf686-c7b8-59d3-8a1c-ce810931791e";

    // A draft left from an earlier session comes back and saves.
    drafts
        .save(
            key,
            r#"[{"op": "replace", "path": "/metadata_public/plan", "value": "e2e-plan"}]"#,
        )
        .unwrap();
    s.send("p");
    wait(&s, "restored your unsaved draft");
    s.send_key(Key::Ctrl('s'));
    wait(&s, "done: patch identity");
    // The draft file goes once the save succeeded (removed in the background).
    let deadline = Instant::now() + WAIT;
    while drafts.load(key).unwrap().is_some() {
        assert!(
            Instant::now() < deadline,
            "draft not removed after the save"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The list is reloaded after a change; open the row once it is back.
    wait(&s, "plan=e2e-plan");
    s.send_key(Key::Enter);
    wait(&s, "plan: e2e-plan");
    s.send_key(Key::Esc);
    wait(&s, "[Identities]");

    // The server refuses (traits must match the schema): the editor stays with the error.
    drafts
        .save(
            key,
            r#"[{"op": "replace", "path": "/traits/email", "value": 42}]"#,
        )
        .unwrap();
    s.send("p");
    wait(&s, "restored your unsaved draft");
    s.send_key(Key::Ctrl('s'));
    let screen = wait(&s, "not saved");
    assert!(
        screen.contains("/traits/email"),
        "the text is still there:\n{screen}"
    );
    assert!(drafts.load(key).unwrap().is_some(), "the draft is kept");
    // Ctrl-C asks about the unsaved text; a second Ctrl-C keeps the draft and quits.
    s.send_key(Key::Ctrl('c'));
    wait(&s, "Quit? Not saved to the server yet:");
    s.send_key(Key::Ctrl('c'));
    assert!(s.wait_exit(WAIT).is_some());
    assert!(drafts.load(key).unwrap().is_some(), "the draft is kept");
    assert_restored(&s);
}

#[test]
fn capital_e_edits_in_editor_then_ctrl_s_saves_the_reviewed_text() {
    // A scripted $EDITOR: it rewrites the file it is given and exits.
    let mut s = PtySession::spawn(&[], &[("EDITOR", "sed -i s/Acme/ACME-e2e/")], 100, 30);
    wait(&s, "ada.lovelace@example.com");
    s.send(":");
    s.send("profile headless");
    s.send_key(Key::Enter);
    wait(&s, "acme-corp");
    s.send("E");
    let screen = wait(&s, "edited in $EDITOR");
    assert!(screen.contains("ACME-e2e Corporation"), "{screen}");
    assert!(screen.contains("[modified]"), "not saved yet:\n{screen}");
    // Keys reach the dashboard again after the editor gave the terminal back.
    s.send_key(Key::Ctrl('s'));
    wait(&s, "done: update the metadata of client acme-corp");
    wait(&s, "displayName=ACME-e2e Corporation");
    s.send("q");
    assert!(s.wait_exit(WAIT).is_some());
    assert_restored(&s);
}

#[test]
fn y_copies_the_id_through_osc52_and_keymap_issues_show_at_start() {
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(config.path().join("idtui")).unwrap();
    std::fs::write(
        config.path().join("idtui/keybindings.toml"),
        "copy_id = [\"c\"]\nteleport = [\"t\"]\n",
    )
    .unwrap();
    let home = config.path().to_str().unwrap();
    let mut s = PtySession::spawn(&[], &[("XDG_CONFIG_HOME", home)], 100, 30);
    // The unknown action is reported with file and line; the valid override applies.
    wait(&s, "keybindings.toml:2");
    let screen = wait(&s, "ada.lovelace");
    // The selected (first) row's id, as far as the ID column shows it.
    let first_row = screen.lines().nth(3).unwrap();
    let shown_id = first_row.split('…').next().unwrap().trim();
    s.send("c");
    wait(&s, "copied id");
    let raw = String::from_utf8_lossy(&s.raw_output()).into_owned();
    let start = raw.find("\x1b]52;c;").expect("an OSC 52 sequence");
    let payload: String = raw[start + 7..]
        .chars()
        .take_while(|c| *c != '\x07')
        .collect();
    use base64::Engine;
    let copied = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .unwrap();
    let copied = String::from_utf8(copied).unwrap();
    assert!(uuid::Uuid::parse_str(&copied).is_ok(), "copied {copied:?}");
    assert!(
        copied.starts_with(shown_id),
        "copied {copied}, row shows {shown_id}"
    );
    s.send("q");
    assert!(s.wait_exit(WAIT).is_some());
}

#[test]
fn x_revokes_the_selected_session_after_naming_it() {
    let mut s = PtySession::spawn(&[], &[], 120, 30);
    wait(&s, "ada.lovelace@example.com");
    s.send("/");
    s.send("grace.hopper@example.com");
    s.send_key(Key::Enter);
    wait(&s, "search “grace.hopper@example.com”");
    s.send_key(Key::Enter);
    wait(&s, "Traits");
    s.send(":sessions");
    s.send_key(Key::Enter);
    // The header shows before the rows arrive: wait for the first row itself.
    let screen = s
        .wait_for(
            |t| {
                t.lines()
                    .skip_while(|l| !l.contains("ACTIVE"))
                    .nth(1)
                    .is_some_and(|l| !l.trim().is_empty() && !l.contains("loading…"))
            },
            WAIT,
        )
        .unwrap();
    // The selected (first) row: an active session in the demo data.
    let row = screen
        .lines()
        .skip_while(|l| !l.contains("ACTIVE"))
        .nth(1)
        .expect("a session row");
    assert!(row.contains(" yes "), "{row}");
    let first = row
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('…')
        .to_string();
    s.send("x");
    let screen = wait(&s, "About to revoke session");
    assert!(
        screen.contains(&first),
        "the confirmation names {first}:\n{screen}"
    );
    s.send("y");
    wait(&s, "done: revoke session");
    // The list is reloaded and shows the session inactive.
    s.wait_for(
        |t| {
            t.lines()
                .any(|l| l.starts_with(&first) && l.contains(" no "))
        },
        WAIT,
    )
    .unwrap();
    s.send("q");
    assert!(s.wait_exit(WAIT).is_some());
}

/// The identity-list requests in the sandbox's request log (`--request-log`), in order.
fn identity_list_requests(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["path"].as_str().map(str::to_string))
        .filter(|p| p.starts_with("/admin/identities?"))
        .collect()
}

/// Waits until `log` stops growing for a while (the dashboard's read-ahead is done).
fn settle(log: &std::path::Path) {
    let deadline = Instant::now() + WAIT;
    let mut last = (usize::MAX, Instant::now());
    loop {
        let n = std::fs::read_to_string(log).map_or(0, |t| t.lines().count());
        if n != last.0 {
            last = (n, Instant::now());
        } else if last.1.elapsed() > Duration::from_millis(400) {
            return;
        }
        assert!(Instant::now() < deadline, "requests never settled");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Waits until the selected row, as drawn, satisfies `check`; returns (line, text).
fn wait_selected(s: &PtySession, mut check: impl FnMut(u16, &str) -> bool) -> (u16, String) {
    let deadline = Instant::now() + WAIT;
    loop {
        let selected = s.selected_row();
        if let Some((line, text)) = &selected
            && check(*line, text)
            && !s.screen_text().contains("refreshing…")
        {
            return selected.unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "selected row {selected:?} never matched; screen:\n{}",
            s.screen_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn r_and_a_delete_keep_the_selection_on_its_row_of_a_generated_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(2000);
    let log = sb.log_path().to_path_buf();
    let config = sb.kratos_config(dir.path());
    let mut s = PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--profile", "kratos"],
        &[],
        100,
        30,
    );
    wait(&s, "more below");
    // Row 422 (page 4 of 100 rows): 17 screens of 25 rows down, then three rows up (so
    // rows show below it).
    for _ in 0..17 {
        s.send_key(Key::PageDown);
    }
    wait(&s, "426 of ");
    s.send("kkk");
    wait(&s, "423 of ");
    settle(&log);
    let (line, before) = s.selected_row().expect("a selected row");
    assert!(before.contains("@gen.example.com"), "{before}");
    let next = s.line(line + 1);
    assert!(
        next.contains("@gen.example.com") && next != before,
        "{next}"
    );
    let asked_before = identity_list_requests(&log).len();
    let drawn_before = s.raw_output().len();

    s.send("r");
    // The pages around the selection are fetched again by their saved cursors: the list is
    // not read again from the top.
    let deadline = Instant::now() + WAIT;
    while identity_list_requests(&log).len() == asked_before {
        assert!(Instant::now() < deadline, "r sent no request");
        std::thread::sleep(Duration::from_millis(20));
    }
    let after = wait_selected(&s, |l, text| l == line && text == before);
    assert_eq!(
        after,
        (line, before.clone()),
        "same identity on the same line"
    );
    settle(&log);
    let asked: Vec<String> = identity_list_requests(&log)[asked_before..].to_vec();
    assert!(!asked.is_empty());
    assert!(
        asked.iter().all(|p| p.contains("page_token=")),
        "a first-page request after r: {asked:?}"
    );
    let drawn = String::from_utf8_lossy(&s.raw_output()[drawn_before..]).into_owned();
    assert!(
        !drawn.contains("loading…"),
        "the rows flashed to loading during the refresh"
    );
    assert!(s.screen_text().contains("423 of "));

    // Delete the selected identity: the row that was below it is selected, on the same line.
    s.send("d");
    let screen = wait(&s, "Type ");
    let prefix = screen
        .split("Type ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(before.starts_with(&prefix), "{prefix} names {before}");
    s.send(&prefix);
    s.send_key(Key::Enter);
    wait(&s, "done: delete identity");
    let after = wait_selected(&s, |l, text| l == line && text == next);
    assert_eq!(after, (line, next));
    let screen = s.screen_text();
    assert!(screen.contains("423 of "), "{screen}");
    assert!(!screen.contains(before.trim_end()), "{screen}");
    s.send("q");
    assert!(s.wait_exit(WAIT).is_some());
}

#[test]
fn a_revoked_session_stays_selected_and_audit_shows_the_revocation() {
    let mut s = PtySession::spawn(&[], &[], 120, 30);
    wait(&s, "ada.lovelace@example.com");
    s.send("/");
    s.send("katherine.johnson@example.com");
    s.send_key(Key::Enter);
    wait(&s, "search “katherine.johnson@example.com”");
    s.send_key(Key::Enter);
    wait(&s, "Traits");
    s.send(":sessions");
    s.send_key(Key::Enter);
    wait(&s, "1 of 3");
    // The second session.
    s.send("j");
    wait(&s, "2 of 3");
    let (line, row) = wait_selected(&s, |_, text| text.contains(" yes "));
    let id_start: String = row
        .split_whitespace()
        .next()
        .unwrap()
        .chars()
        .take(8)
        .collect();
    s.send("x");
    let screen = wait(&s, "About to revoke session");
    assert!(screen.contains(&id_start), "{screen}");
    s.send("y");
    wait(&s, "done: revoke session");
    // The list is read again: the same session, now inactive, is still the selected row.
    let (after_line, after) = wait_selected(&s, |_, text| text.contains(" no "));
    assert_eq!(after_line, line, "same line");
    assert!(after.starts_with(&id_start), "same session: {after}");
    assert!(s.screen_text().contains("2 of 3"));

    // The audit trail has the revocation, newest first.
    s.send(":audit");
    s.send_key(Key::Enter);
    wait(&s, "[Audit trail]");
    let screen = s
        .wait_for(|t| t.contains(&format!("/admin/sessions/{id_start}")), WAIT)
        .unwrap();
    let first = screen
        .lines()
        .skip_while(|l| !l.contains("TIME (UTC)"))
        .nth(1)
        .unwrap();
    assert!(
        first.contains("DELETE") && first.contains(&id_start) && first.contains("applied"),
        "{screen}"
    );
    // Enter shows the whole line.
    s.send_key(Key::Enter);
    let screen = wait(&s, "Audit entry");
    assert!(screen.contains("outcome: applied"), "{screen}");
    // The trail cannot be changed from here.
    s.send("d");
    wait(&s, "the audit trail is a record");
    let written = std::fs::read_to_string(s.state_dir().join("idtui/audit.jsonl")).unwrap();
    assert!(written.contains(&id_start), "{written}");
    s.send("q");
    assert!(s.wait_exit(WAIT).is_some());
}
