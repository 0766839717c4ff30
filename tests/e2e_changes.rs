//! Changes you can trust, end to end: the real binary in a pseudo-terminal against
//! `idtui sandbox`, each checked on the sandbox's state and request log. A colleague's curl is
//! played by plain HTTP calls to the same sandbox. Every wait is bounded.

mod common;

use std::time::{Duration, Instant};

use common::pty::{Key, PtySession};
use common::sandbox::Sandbox;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

/// These tests drive real processes under injected faults and latency; run one at a time so
/// they do not starve each other of the machine's two cores.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}
/// Grace Hopper in the demo data set.
const GRACE: &str = "c24bf686-c7b8-59d3-8a1c-ce810931791e";

fn dashboard(sandbox: &Sandbox, cols: u16, rows: u16) -> PtySession {
    let home = tempfile::tempdir().unwrap();
    let config = sandbox.kratos_config(home.path());
    let s = PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--profile", "kratos"],
        &[],
        cols,
        rows,
    );
    // The config lives as long as the test: leak the directory (it is tiny).
    std::mem::forget(home);
    s
}

/// Open the dashboard on Grace's row (a server search by her email).
fn on_grace(sandbox: &Sandbox) -> PtySession {
    let mut s = dashboard(sandbox, 100, 30);
    s.expect_text("kwame.mensah@example.gh", Duration::from_secs(20));
    s.send("/");
    s.send("grace.hopper@example.com");
    s.send_key(Key::Enter);
    s.expect_text("search “grace.hopper@example.com”", Duration::from_secs(20));
    s
}

fn grace(sandbox: &Sandbox) -> Value {
    let (status, body) = sandbox.call("GET", &format!("/admin/identities/{GRACE}"), None);
    assert_eq!(status, 200);
    body
}

/// Empty the editor: to the top (a new patch starts with the cursor inside its array), then
/// Ctrl-k deletes to the end of the line, then the line break.
fn clear_editor(s: &mut PtySession, lines: usize) {
    for _ in 0..lines {
        s.send_key(Key::Up);
    }
    s.send_key(Key::Home);
    for _ in 0..lines * 2 {
        s.send_key(Key::Ctrl('k'));
    }
}

/// After the editor's first line `{`, add a top-level field.
fn add_field_after_first_line(s: &mut PtySession, field: &str) {
    s.send_key(Key::End);
    s.send_key(Key::Enter);
    s.send(&format!("{field},"));
}

/// Esc until the editor is gone (a dirty editor may ask for a second Esc; two at once would
/// read as Alt-Esc).
fn close_editor(s: &mut PtySession) {
    for _ in 0..2 {
        s.send_key(Key::Esc);
        if s.wait_for(|t| !t.contains("Ln "), Duration::from_millis(800))
            .is_ok()
        {
            return;
        }
    }
    s.wait_for(|t| !t.contains("Ln "), WAIT).unwrap();
}

fn wait_any(s: &PtySession, needles: &[&str], timeout: Duration) -> (usize, String) {
    let screen = s
        .wait_for(|t| needles.iter().any(|n| t.contains(n)), timeout)
        .unwrap_or_else(|screen| panic!("none of {needles:?} within {timeout:?}:\n{screen}"));
    let i = needles.iter().position(|n| screen.contains(n)).unwrap();
    (i, screen)
}

#[test]
fn an_edit_after_a_patch_starts_from_the_server_and_an_unchanged_save_sends_nothing() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = on_grace(&sandbox);
    s.send_key(Key::Enter);
    s.expect_text("Traits", WAIT);
    s.send("p");
    s.expect_text("JSON Patch for identity", WAIT);
    clear_editor(&mut s, 4);
    s.send(r#"[{"op": "replace", "path": "/metadata_public/plan", "value": "team"}]"#);
    s.send_key(Key::Ctrl('s'));
    s.expect_text("done: patch identity", WAIT);
    assert_eq!(grace(&sandbox)["metadata_public"]["plan"], "team");
    // The detail was read again; e opens from a fresh read too, and Ctrl-s without an edit
    // sends nothing.
    s.send("e");
    s.expect_text("\"team\"", WAIT);
    s.send_key(Key::Ctrl('s'));
    s.expect_text("nothing sent", WAIT);
    assert_eq!(sandbox.count("PUT", "/admin/identities"), 0);
    assert_eq!(sandbox.count("PATCH", "/admin/identities"), 1);
    assert_eq!(grace(&sandbox)["metadata_public"]["plan"], "team");
}

#[test]
fn a_change_made_over_http_while_editing_is_shown_and_nothing_is_sent_until_chosen() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = on_grace(&sandbox);
    s.send("e");
    s.expect_text("\"schema_id\"", WAIT);
    add_field_after_first_line(&mut s, r#""metadata_admin": {"note": "mine-1"}"#);
    // A colleague deactivates her meanwhile.
    let (status, _) = sandbox.call(
        "PATCH",
        &format!("/admin/identities/{GRACE}"),
        Some(json!([{"op": "replace", "path": "/state", "value": "inactive"}])),
    );
    assert_eq!(status, 200);
    s.send_key(Key::Ctrl('s'));
    let screen = s.expect_text("changed on the server", WAIT);
    assert!(screen.contains("nothing was sent"), "{screen}");
    assert!(
        screen.contains("\"inactive\""),
        "theirs is shown:\n{screen}"
    );
    assert!(screen.contains("mine-1"), "mine is shown:\n{screen}");
    sandbox.barrier();
    assert_eq!(sandbox.count("PUT", "/admin/identities"), 0, "nothing sent");
    // Merge: both changes end up on the server.
    s.send("m");
    s.expect_text("merged onto the server's version", WAIT);
    assert_eq!(
        sandbox.count("PUT", "/admin/identities"),
        0,
        "merge is reviewed first"
    );
    s.send_key(Key::Ctrl('s'));
    s.expect_text("done: update identity", WAIT);
    let g = grace(&sandbox);
    assert_eq!(g["state"], "inactive", "their change kept");
    assert_eq!(g["metadata_admin"]["note"], "mine-1", "mine applied");
    assert_eq!(sandbox.count("PUT", "/admin/identities"), 1);
}

#[test]
fn a_draft_restored_after_a_change_over_http_warns_and_does_not_revert_it() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = on_grace(&sandbox);
    s.send("e");
    s.expect_text("\"schema_id\"", WAIT);
    add_field_after_first_line(&mut s, r#""metadata_admin": {"note": "draft-1"}"#);
    s.expect_text("[modified]", WAIT);
    close_editor(&mut s);
    let (status, _) = sandbox.call(
        "PATCH",
        &format!("/admin/identities/{GRACE}"),
        Some(json!([
            {"op": "replace", "path": "/state", "value": "inactive"},
            {"op": "replace", "path": "/metadata_public/plan", "value": "curl"}
        ])),
    );
    assert_eq!(status, 200);
    s.send("r");
    s.expect_text("plan=curl", WAIT);
    s.send("e");
    let screen = s.expect_text("changed since this draft was made", WAIT);
    assert!(screen.contains("draft-1"), "{screen}");
    s.send_key(Key::Ctrl('s'));
    s.expect_text("changed on the server", WAIT);
    sandbox.barrier();
    assert_eq!(sandbox.count("PUT", "/admin/identities"), 0);
    let g = grace(&sandbox);
    assert_eq!(g["state"], "inactive");
    assert_eq!(g["metadata_public"]["plan"], "curl");
}

#[test]
fn fifty_patch_adds_with_half_the_answers_cut_land_exactly_once_each() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo", "--faults", "truncate=0.5,seed=11"]);
    let (status, _) = {
        // Set up the list the patches append to (retried: the faults hit curl too).
        let mut answer = (0, Value::Null);
        for _ in 0..20 {
            answer = sandbox.call(
                "PATCH",
                &format!("/admin/identities/{GRACE}"),
                Some(json!([{"op": "add", "path": "/metadata_public/tags", "value": []}])),
            );
            if answer.0 == 200 && grace_tags(&sandbox).is_some() {
                break;
            }
        }
        answer
    };
    assert!(status == 200 || grace_tags(&sandbox).is_some());
    let mut s = on_grace(&sandbox);
    let started = Instant::now();
    let mut sends = 0;
    for round in 0..50 {
        loop {
            assert!(started.elapsed() < Duration::from_secs(240), "too slow");
            s.send("p");
            let (i, _) = wait_any(&s, &["Ctrl-s save", "cannot edit"], WAIT);
            if i == 1 {
                s.send_key(Key::Esc);
                continue;
            }
            clear_editor(&mut s, 4);
            s.send(&format!(
                r#"[{{"op": "add", "path": "/metadata_public/tags/-", "value": "r{round}"}}]"#
            ));
            break;
        }
        // One intended save: Ctrl-s again only once the outcome says it did not land.
        loop {
            // Bounded: a run that cannot make progress fails instead of hanging the suite.
            assert!(started.elapsed() < Duration::from_secs(240), "too slow");
            let settled = settled_lines(&s).len();
            s.send_key(Key::Ctrl('s'));
            // The outcome is the audit line the change writes, or (no change sent) the
            // editor saying the server copy could not be read before saving.
            s.wait_for(|t| !t.contains("could not be read before saving"), WAIT)
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            let outcome = loop {
                if let Some(o) = settled_lines(&s).get(settled..).and_then(|n| n.first()) {
                    break o.clone();
                }
                if s.screen_text().contains("could not be read before saving") {
                    break "not sent".to_string();
                }
                assert!(
                    Instant::now() < deadline,
                    "no outcome:\n{}",
                    s.screen_text()
                );
                std::thread::sleep(Duration::from_millis(20));
            };
            match outcome.as_str() {
                "applied" => break,
                "failed" | "not sent" => continue,
                _ => {
                    // Unknown: nothing may be resent until r finds out.
                    close_editor(&mut s);
                    let known = settled_lines(&s).len();
                    s.send("r");
                    let deadline = Instant::now() + Duration::from_secs(30);
                    let found = loop {
                        if let Some(o) = settled_lines(&s).get(known..).and_then(|n| n.first()) {
                            break o.clone();
                        }
                        assert!(Instant::now() < deadline, "r did not settle it");
                        std::thread::sleep(Duration::from_millis(20));
                    };
                    if found == "applied" {
                        break;
                    }
                    // Not applied: the draft brings the same patch back for one more save.
                    s.send("p");
                    s.expect_text("Ctrl-s save", WAIT);
                }
            }
        }
        s.wait_for(|t| !t.contains("Ln "), WAIT).unwrap();
        sends += 1;
    }
    let expected: Vec<Value> = (0..50).map(|r| json!(format!("r{r}"))).collect();
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(tags) = grace_tags(&sandbox)
            && tags == expected
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "tags: {:?}",
            grace_tags(&sandbox)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(sends, 50);
}

/// The outcomes in the audit trail so far (applied, failed, unknown; `sent` lines left out).
fn settled_lines(s: &PtySession) -> Vec<String> {
    let path = s.state_dir().join("idtui").join("audit.jsonl");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["outcome"].as_str().map(str::to_string))
        .filter(|o| o != "sent")
        .collect()
}

/// Grace's tags, read past the injected faults.
fn grace_tags(sandbox: &Sandbox) -> Option<Vec<Value>> {
    for _ in 0..30 {
        let (status, body) = sandbox.call("GET", &format!("/admin/identities/{GRACE}"), None);
        if status == 200 && body.is_object() {
            return body["metadata_public"]["tags"].as_array().cloned();
        }
    }
    panic!("could not read Grace past the faults");
}

#[test]
fn x_y_x_y_under_latency_sends_one_delete() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo", "--faults", "latency=1500ms"]);
    let mut s = on_grace(&sandbox);
    s.send_key(Key::Enter);
    s.expect_text("Traits", Duration::from_secs(20));
    s.send(":sessions");
    s.send_key(Key::Enter);
    s.wait_for(
        |t| t.contains("ACTIVE") && t.lines().any(|l| l.contains(" yes ")),
        Duration::from_secs(20),
    )
    .unwrap();
    s.send("x");
    s.expect_text("About to revoke session", WAIT);
    s.send("y");
    s.send("x");
    s.expect_text("busy", WAIT);
    s.send("y");
    s.expect_text("done: revoke session", Duration::from_secs(20));
    assert_eq!(sandbox.count("DELETE", "/admin/sessions/"), 1);
}

#[test]
fn n_under_latency_with_repeated_ctrl_s_creates_one_identity() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo", "--faults", "latency=1500ms"]);
    let mut s = dashboard(&sandbox, 100, 30);
    s.expect_text("kwame.mensah@example.gh", Duration::from_secs(20));
    s.send("n");
    s.expect_text("new identity", WAIT);
    // The template's email line is line 5: `    "email": ""`.
    for _ in 0..4 {
        s.send_key(Key::Down);
    }
    s.send_key(Key::End);
    s.send_key(Key::Left);
    s.send("once@example.com");
    for _ in 0..4 {
        s.send_key(Key::Ctrl('s'));
    }
    s.expect_text("created identity", Duration::from_secs(20));
    // Open n again: the draft is gone, so nothing can be sent twice from it.
    s.send("n");
    s.expect_text("new identity", WAIT);
    let screen = s.screen_text();
    assert!(!screen.contains("once@example.com"), "{screen}");
    assert_eq!(sandbox.count("POST", "/admin/identities"), 1);
}

#[test]
fn an_object_with_bidi_and_control_characters_opens_unmodified_and_sends_nothing() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = dashboard(&sandbox, 100, 30);
    s.expect_text("kwame.mensah@example.gh", WAIT);
    s.send("/");
    s.send("mallory@example.com");
    s.send_key(Key::Enter);
    s.expect_text("search “mallory@example.com”", WAIT);
    s.send("e");
    let screen = s.expect_text("\"schema_id\"", WAIT);
    assert!(!screen.contains("[modified]"), "{screen}");
    s.send_key(Key::Ctrl('s'));
    s.expect_text("nothing sent", WAIT);
    assert_eq!(sandbox.count("PUT", "/admin/identities"), 0);
}

#[test]
fn a_patch_removing_the_password_says_what_it_does_goes_only_after_y_and_the_server_refuses_it() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo"]);
    let hash = |sandbox: &Sandbox| {
        let (_, g) = sandbox.call(
            "GET",
            &format!("/admin/identities/{GRACE}?include_credential=password"),
            None,
        );
        g["credentials"]["password"]["config"]["hashed_password"].clone()
    };
    assert!(
        hash(&sandbox).is_string(),
        "demo Grace signs in with a password"
    );
    let mut s = on_grace(&sandbox);
    s.send("p");
    s.expect_text("Ctrl-s save", WAIT);
    clear_editor(&mut s, 4);
    s.send(r#"[{"op": "remove", "path": "/credentials/password"}]"#);
    s.send_key(Key::Ctrl('s'));
    let screen = s.expect_text("y sends it", WAIT);
    assert!(screen.contains("password"), "{screen}");
    // Any other key goes back with nothing sent.
    s.send_key(Key::Right);
    s.wait_for(|t| !t.contains("y sends it"), WAIT).unwrap();
    sandbox.barrier();
    assert_eq!(sandbox.count("PATCH", "/admin/identities"), 0);
    s.send_key(Key::Ctrl('s'));
    s.expect_text("y sends it", WAIT);
    s.send("y");
    // Kratos refuses a remove under /credentials (its patch document holds none of them):
    // the server's words are shown, the text is kept, and the hash is still there.
    let screen = s.expect_text("doc is missing path", WAIT);
    assert!(screen.contains("your text is kept"), "{screen}");
    sandbox.barrier();
    assert_eq!(sandbox.count("PATCH", "/admin/identities"), 1);
    assert!(hash(&sandbox).is_string(), "{}", hash(&sandbox));
}

/// Open `email`'s identity (a server search) and its Sessions pane, its rows loaded.
fn sessions_of(s: &mut PtySession, email: &str) {
    s.expect_text("kwame.mensah@example.gh", Duration::from_secs(20));
    s.send("/");
    s.send(email);
    s.send_key(Key::Enter);
    s.expect_text(&format!("search “{email}”"), WAIT);
    s.send_key(Key::Enter);
    s.expect_text("Traits", WAIT);
    s.send(":sessions");
    s.send_key(Key::Enter);
    s.wait_for(|t| t.contains("ACTIVE") && t.contains(" aal"), WAIT)
        .unwrap_or_else(|screen| panic!("no session rows:\n{screen}"));
}

#[test]
fn x_on_an_inactive_session_says_so_and_sends_nothing() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = dashboard(&sandbox, 100, 30);
    // Alan's session f71efafc was revoked before the demo starts.
    sessions_of(&mut s, "alan.turing@example.org");
    for _ in 0..4 {
        if s.selected_row()
            .is_some_and(|(_, r)| r.contains("f71efafc"))
        {
            break;
        }
        let before = s.selected_row();
        s.send("j");
        let deadline = Instant::now() + Duration::from_secs(2);
        while s.selected_row() == before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let (_, row) = s.selected_row().unwrap();
    assert!(row.contains("f71efafc") && row.contains(" no "), "{row}");
    s.send("x");
    let screen = s.expect_text("nothing sent: session f71efafc", WAIT);
    assert!(screen.contains("is already inactive"), "{screen}");
    assert!(!screen.contains("About to revoke"), "{screen}");
    s.send("y");
    // The key was taken (it clears the line), and whatever it sent is logged by the barrier.
    s.wait_for(|t| !t.contains("nothing sent: session f71efafc"), WAIT)
        .unwrap();
    sandbox.barrier();
    assert_eq!(sandbox.count("DELETE", "/admin/sessions/"), 0);
}

#[test]
fn x_y_x_y_a_third_of_a_second_apart_sends_one_delete() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = dashboard(&sandbox, 100, 30);
    sessions_of(&mut s, "grace.hopper@example.com");
    let (_, row) = s.selected_row().unwrap();
    assert!(row.contains("e2861762") && row.contains(" yes "), "{row}");
    for key in ["x", "y", "x", "y"] {
        s.send(key);
        std::thread::sleep(Duration::from_millis(300));
    }
    // The list read again shows it revoked; a second DELETE would have gone before that.
    s.send("r");
    s.wait_for(
        |t| {
            t.lines()
                .any(|l| l.contains("e2861762") && l.contains(" no "))
        },
        WAIT,
    )
    .unwrap_or_else(|screen| panic!("not shown revoked:\n{screen}"));
    assert_eq!(sandbox.count("DELETE", "/admin/sessions/"), 1);
    // And a third x, on the row now shown inactive, says so.
    s.send("x");
    s.expect_text("nothing sent", WAIT);
    assert_eq!(sandbox.count("DELETE", "/admin/sessions/"), 1);
}

#[test]
fn esc_while_the_save_checks_the_server_cancels_it_and_nothing_is_sent() {
    let _serial = serial();
    let sandbox = Sandbox::start(&["--demo", "--faults", "latency=1500ms"]);
    let mut s = on_grace(&sandbox);
    s.send("e");
    s.expect_text("\"schema_id\"", Duration::from_secs(20));
    add_field_after_first_line(&mut s, r#""metadata_admin": {"note": "cancelled-1"}"#);
    s.expect_text("[modified]", WAIT);
    s.send_key(Key::Ctrl('s'));
    s.expect_text("checking the server copy before saving", WAIT);
    s.send_key(Key::Esc);
    let screen = s.expect_text("save cancelled", WAIT);
    assert!(screen.contains("nothing was sent"), "{screen}");
    // The pre-save read is no longer waited for (the runtime cancels it), and an answer
    // of it would be older than the next round trip's: reopen the draft from a fresh read.
    s.send("e");
    s.expect_text("cancelled-1", Duration::from_secs(20));
    assert_eq!(sandbox.count("PUT", "/admin/identities"), 0);
    assert_ne!(grace(&sandbox)["metadata_admin"]["note"], "cancelled-1");
}
