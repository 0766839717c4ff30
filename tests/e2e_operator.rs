//! The operator's commands end to end: the real binary in a pseudo-terminal against
//! `idtui sandbox --demo`, each checked over HTTP and in the sandbox's request log. Every
//! wait is bounded.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::pty::{Key, PtySession};
use common::sandbox::{Logged, Sandbox};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);
/// The sandbox's credential in the tests that open MATTR or Coassemble profiles.
const TOKEN: &str = "sbx_e2e_operator_token_0123456789";
/// Demo identities.
const NGUYEN: &str = "48602316-9036-5418-a058-0d8c52e54cab";
const GRACE: &str = "c24bf686-c7b8-59d3-8a1c-ce810931791e";

fn wait(s: &PtySession, needle: &str) -> String {
    s.expect_text(needle, WAIT)
}

/// Waits until every needle is on screen at once (a frame can be read half drawn).
fn wait_all(s: &PtySession, needles: &[&str]) -> String {
    s.wait_for(|t| needles.iter().all(|n| t.contains(n)), WAIT)
        .unwrap_or_else(|screen| panic!("waiting for all of {needles:?}: {screen}"))
}

/// The dashboard on `config`, opened on `profile`, at 100x30. The config's directory lives
/// as long as the test (it is leaked: a few bytes).
fn dashboard(config: PathBuf, profile: &str, env: &[(&str, &str)]) -> PtySession {
    let s = PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--profile", profile],
        env,
        100,
        30,
    );
    wait(&s, " idtui ");
    s
}

fn kratos_dashboard(sandbox: &Sandbox) -> PtySession {
    let dir = tempfile::tempdir().unwrap();
    let config = sandbox.kratos_config(dir.path());
    std::mem::forget(dir);
    dashboard(config, "kratos", &[])
}

/// A config with one profile per provider on `base`, and a `headless` one at `headless_url`.
fn three_profiles(dir: &Path, base: &str, headless_url: &str) -> PathBuf {
    common::sandbox::three_profiles(&dir.join("three.toml"), base, "", headless_url)
}

/// Requests that change something (everything but GET, and MATTR's read-only search).
fn changes(log: &[Logged]) -> Vec<String> {
    log.iter()
        .filter(|r| r.method != "GET" && !r.path.ends_with("/users/search"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Every session the sandbox holds, by id, with whether it is active.
fn all_sessions(sandbox: &Sandbox) -> Vec<(String, bool, String)> {
    let (status, body) = sandbox.call(
        "GET",
        "/admin/sessions?page_size=1000&expand=identity",
        None,
    );
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["active"].as_bool().unwrap(),
                s["identity"]["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Type `keys` one by one (text keys as characters), counting them.
fn type_keys(s: &mut PtySession, keys: &[KeyPress]) -> usize {
    for k in keys {
        match k {
            KeyPress::Text(t) => s.send(t),
            KeyPress::Key(k) => s.send_key(*k),
        }
    }
    keys.iter()
        .map(|k| match k {
            KeyPress::Text(t) => t.chars().count(),
            KeyPress::Key(_) => 1,
        })
        .sum()
}

enum KeyPress {
    Text(&'static str),
    Key(Key),
}

#[test]
fn revoke_by_email_from_a_cold_start_revokes_that_identity_and_nothing_else() {
    let sandbox = Sandbox::start(&["--demo"]);
    let before = all_sessions(&sandbox);
    let (theirs, others): (Vec<_>, Vec<_>) = before.iter().partition(|s| s.2 == NGUYEN);
    assert_eq!(
        theirs.iter().filter(|s| s.1).count(),
        2,
        "demo data: two active"
    );

    let mut s = kratos_dashboard(&sandbox);
    // Typed as soon as the dashboard shows, before its first list has arrived or not.
    const WHO: &str = "nguyen.an@example.vn";
    let typed = type_keys(
        &mut s,
        &[
            KeyPress::Text(":revoke "),
            KeyPress::Text(WHO),
            KeyPress::Key(Key::Enter),
        ],
    );
    let screen = wait_all(
        &s,
        &["2 active sessions of nguyen.an@example.vn", "y confirms"],
    );
    assert!(
        screen.contains("(48602316)"),
        "the person and short id:\n{screen}"
    );
    assert!(!screen.contains(NGUYEN), "not the UUID:\n{screen}");
    assert!(screen.contains("y confirms"), "{screen}");
    let typed = typed + type_keys(&mut s, &[KeyPress::Text("y")]);
    wait(
        &s,
        "done: revoked all sessions of nguyen.an@example.vn (48602316)",
    );
    assert_eq!(
        typed - WHO.len(),
        10,
        "`:revoke WHO⏎y`: ten keys besides WHO from a cold start"
    );

    let (status, left) = sandbox.call("GET", &format!("/admin/identities/{NGUYEN}/sessions"), None);
    assert_eq!(status, 200);
    assert_eq!(
        left.as_array().map(Vec::len),
        Some(0),
        "all of theirs: {left}"
    );
    let after = all_sessions(&sandbox);
    for other in others {
        assert!(after.contains(other), "{other:?} was touched");
    }
    assert_eq!(
        changes(&sandbox.requests()),
        vec![format!("DELETE /admin/identities/{NGUYEN}/sessions")],
        "one request changed anything"
    );
}

#[test]
fn completion_makes_revoke_eleven_keys_in_all() {
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = kratos_dashboard(&sandbox);
    // Completion needs the rows: wait for the first page.
    wait(&s, "kwame.mensah@example.gh");
    let typed = type_keys(
        &mut s,
        &[
            KeyPress::Text(":rev"),
            KeyPress::Key(Key::Tab),
            KeyPress::Text("kwa"),
            KeyPress::Key(Key::Tab),
        ],
    );
    wait(&s, ":revoke kwame.mensah@example.gh");
    let typed = typed + type_keys(&mut s, &[KeyPress::Key(Key::Enter)]);
    wait_all(
        &s,
        &[
            "ALL 2 active sessions of",
            "kwame.mensah@example.gh",
            "(00b97e39)",
            "y confirms",
        ],
    );
    let typed = typed + type_keys(&mut s, &[KeyPress::Text("y")]);
    wait(&s, "done: revoked all sessions of kwame.mensah@example.gh");
    assert_eq!(typed, 11, "`:rev⇥kwa⇥⏎y`");
    assert_eq!(
        changes(&sandbox.requests()),
        vec!["DELETE /admin/identities/00b97e39-cedd-5add-a5a3-c2e0b5a447ec/sessions".to_string()]
    );
}

#[test]
fn an_ambiguous_who_opens_a_picker_and_nothing_is_sent_until_chosen() {
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = kratos_dashboard(&sandbox);
    s.send(":revoke ol");
    s.send_key(Key::Enter);
    wait_all(
        &s,
        &[
            "2 people match “ol”",
            "olga.ivanova@example.ru (2eb57234)",
            "oliver.jones@example.com.au (58ce1b4b)",
        ],
    );
    s.send("j");
    s.send_key(Key::Enter);
    wait_all(
        &s,
        &[
            "ALL 2 active sessions of",
            "oliver.jones@example.com.au",
            "(58ce1b4b)",
            "y confirms",
        ],
    );
    s.send_key(Key::Esc);
    wait(&s, "cancelled");
    assert!(changes(&sandbox.requests()).is_empty());
}

#[test]
fn find_searches_three_profiles_at_once_and_one_that_is_down_holds_none_back() {
    let sandbox = Sandbox::start(&["--demo", "--token", TOKEN]);
    // A Kratos identity with the same email as a MATTR demo user, so two profiles answer.
    let (status, _) = sandbox.call_with(
        "POST",
        "/admin/identities",
        Some(json!({"schema_id": "default", "traits": {"email": "jamie@example.test"}})),
        TOKEN,
    );
    assert_eq!(status, 201);
    let dir = tempfile::tempdir().unwrap();
    let config = three_profiles(dir.path(), &sandbox.base, "http://127.0.0.1:1/api");
    let mut s = dashboard(config, "kratos", &[("SBX_TOKEN", TOKEN)]);
    s.send(":find jamie@example.test");
    s.send_key(Key::Enter);
    // Every profile answered: the two that are up with a hit, the one that is down with why.
    let screen = s
        .wait_for(
            |t| {
                let rows: Vec<&str> = t.lines().collect();
                ["core", "headless", "kratos"].iter().all(|p| {
                    rows.iter()
                        .any(|l| l.starts_with(p) && !l.contains("searching…"))
                }) && t.matches("jamie@example.test").count() >= 2
                    && t.contains('✗')
            },
            WAIT,
        )
        .unwrap_or_else(|screen| panic!("every profile answers: {screen}"));
    let lines: Vec<&str> = screen.lines().collect();
    let row = |profile: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(profile))
            .unwrap_or_else(|| panic!("no {profile} row:\n{screen}"))
            .to_string()
    };
    assert!(row("kratos").contains("jamie@example.test"), "{screen}");
    assert!(row("core").contains("jamie@example.test"), "{screen}");
    assert!(row("headless").contains('✗'), "{screen}");
    // Grouped by profile, in the order of the profiles.
    let at = |p: &str| lines.iter().position(|l| l.starts_with(p)).unwrap();
    assert!(
        at("core") < at("headless") && at("headless") < at("kratos"),
        "{screen}"
    );

    // Enter on the MATTR hit opens it on its profile.
    s.send_key(Key::Enter);
    wait_all(&s, &["MATTR VII", "given_name: Jamie"]);
    let log = sandbox.requests();
    assert!(
        log.iter()
            .any(|r| r.method == "POST" && r.path.ends_with("/users/search")),
        "MATTR searched by the email claim: {log:?}"
    );
    assert!(log.iter().any(|r| {
        r.path
            .starts_with("/admin/identities?credentials_identifier=jamie")
    }));
}

#[test]
fn a_coassemble_user_metadata_edit_is_stored_as_a_merge() {
    let sandbox = Sandbox::start(&["--demo", "--token", TOKEN]);
    let user = "/api/v1/headless/user/user-000?clientIdentifier=acme-corp";
    let (status, before) = sandbox.call_with("GET", user, None, TOKEN);
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["metadata"]["role"], "author");
    let dir = tempfile::tempdir().unwrap();
    let config = three_profiles(dir.path(), &sandbox.base, &format!("{}/api", sandbox.base));
    let mut s = dashboard(config, "headless", &[("SBX_TOKEN", TOKEN)]);
    s.send_key(Key::Tab);
    wait(&s, "user-000");
    s.send("e");
    wait_all(
        &s,
        &[
            "user Ana Silva (user-000) of client acme-corp",
            "\"role\": \"author\"",
            "\"name\": \"Ana Silva\"",
        ],
    );
    // Line 10 holds the role: change its value.
    for _ in 0..9 {
        s.send_key(Key::Down);
    }
    s.send_key(Key::End);
    for _ in 0.."author\"".len() {
        s.send_key(Key::Backspace);
    }
    s.send("admin\"");
    s.send_key(Key::Ctrl('s'));
    wait(&s, "done: update user user-000 of client acme-corp");

    let (_, after) = sandbox.call_with("GET", user, None, TOKEN);
    assert_eq!(after["metadata"]["role"], "admin");
    let mut expected = before["metadata"].clone();
    expected["role"] = json!("admin");
    assert_eq!(
        after["metadata"], expected,
        "every other key is kept: the edit lands as a merge onto what was stored"
    );
    assert_eq!(after["name"], "Ana Silva");
    assert_eq!(
        changes(&sandbox.requests()),
        vec!["PUT /api/v1/headless/user/user-000".to_string()]
    );
}

#[test]
fn a_recovery_link_and_a_code_are_created_shown_and_kept_out_of_the_trail() {
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = kratos_dashboard(&sandbox);
    s.send(":recovery-link grace.hopper@example.com 30m");
    s.send_key(Key::Enter);
    let screen = wait_all(
        &s,
        &[
            "create a recovery link for grace.hopper@example.com",
            "valid for 30m",
        ],
    );
    assert!(screen.contains("valid for 30m"), "{screen}");
    s.send("y");
    let screen = wait_all(
        &s,
        &[
            "New recovery link",
            "Expires ",
            "/self-service/recovery?flow=",
        ],
    );
    assert!(
        screen.contains("For grace.hopper@example.com (c24bf686)"),
        "{screen}"
    );
    assert!(screen.contains("Expires "), "{screen}");
    let link_line = screen
        .lines()
        .find(|l| l.contains("/self-service/recovery?flow="))
        .unwrap_or_else(|| panic!("the link is shown:\n{screen}"));
    let token = screen
        .split("&token=")
        .nth(1)
        .map(|t| {
            t.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .unwrap_or_default();
    assert!(!link_line.is_empty());
    s.send_key(Key::Esc);
    s.wait_for(|t| !t.contains("New recovery link"), WAIT)
        .unwrap();

    s.send(":recovery-code grace.hopper@example.com");
    s.send_key(Key::Enter);
    wait(&s, "create a recovery code for grace.hopper@example.com");
    s.send("y");
    let screen = wait_all(&s, &["New recovery code", "Code: ", "c copies the code"]);
    let code = screen
        .split("Code: ")
        .nth(1)
        .map(|c| c.chars().take(6).collect::<String>())
        .unwrap_or_default();
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{screen}"
    );
    s.send_key(Key::Esc);

    let log = sandbox.requests();
    let made: Vec<(String, u16)> = log
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.path.clone(), r.status))
        .collect();
    assert_eq!(
        made,
        vec![
            ("/admin/recovery/link".to_string(), 200),
            ("/admin/recovery/code".to_string(), 201)
        ]
    );
    let trail = std::fs::read_to_string(s.state_dir().join("idtui/audit.jsonl")).unwrap();
    assert_eq!(
        trail.matches("/admin/recovery/").count(),
        4,
        "sent and applied, twice:\n{trail}"
    );
    assert!(
        token.len() >= 16 && !trail.contains(&token),
        "no link token in the trail"
    );
    assert!(
        !trail.contains(&format!("\"{code}\"")),
        "no code in the trail"
    );
}

#[test]
fn a_verifiable_address_is_marked_unverified_then_verified() {
    let sandbox = Sandbox::start(&["--demo"]);
    let verified = || {
        let (_, g) = sandbox.call("GET", &format!("/admin/identities/{GRACE}"), None);
        g["verifiable_addresses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["value"] == "grace.hopper@example.com")
            .map(|a| a["verified"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(verified(), true);
    let mut s = kratos_dashboard(&sandbox);
    s.send(":unverify grace.hopper@example.com");
    s.send_key(Key::Enter);
    wait_all(
        &s,
        &[
            "mark grace.hopper@example.com as unverified on",
            "(c24bf686)",
        ],
    );
    s.send("y");
    wait(&s, "done: grace.hopper@example.com is unverified");
    assert_eq!(verified(), false);
    s.send(":verify grace.hopper@example.com");
    s.send_key(Key::Enter);
    wait_all(&s, &["as verified on", "(c24bf686)"]);
    s.send("y");
    wait(&s, "done: grace.hopper@example.com is verified");
    assert_eq!(verified(), true);
    assert_eq!(
        changes(&sandbox.requests()),
        vec![format!("PATCH /admin/identities/{GRACE}"); 2]
    );
}

#[test]
fn a_session_is_extended_from_its_list() {
    let sandbox = Sandbox::start(&["--demo"]);
    let (_, listed) = sandbox.call("GET", &format!("/admin/identities/{GRACE}/sessions"), None);
    let session = listed[0].clone();
    let sid = session["id"].as_str().unwrap().to_owned();
    let expiry = |sandbox: &Sandbox| {
        let (_, s) = sandbox.call("GET", &format!("/admin/sessions/{sid}"), None);
        chrono::DateTime::parse_from_rfc3339(s["expires_at"].as_str().unwrap()).unwrap()
    };
    let before = expiry(&sandbox);
    let mut s = kratos_dashboard(&sandbox);
    s.send(":sessions grace.hopper@example.com");
    s.send_key(Key::Enter);
    wait(&s, &sid[..8]);
    s.send(":extend");
    s.send_key(Key::Enter);
    wait(
        &s,
        "done: extended the session e2861762 of grace.hopper@example.com",
    );
    assert!(expiry(&sandbox) > before, "the expiry moved later");
    assert_eq!(
        changes(&sandbox.requests()),
        vec![format!("PATCH /admin/sessions/{sid}/extend")]
    );
}

#[test]
fn goto_an_identifier_two_coassemble_clients_share_opens_the_picker() {
    let sandbox = Sandbox::start(&["--demo", "--token", TOKEN]);
    let dir = tempfile::tempdir().unwrap();
    let config = three_profiles(dir.path(), &sandbox.base, &format!("{}/api", sandbox.base));
    let mut s = dashboard(config, "headless", &[("SBX_TOKEN", TOKEN)]);
    wait(&s, "acme-corp");
    s.send(":goto shared-42");
    s.send_key(Key::Enter);
    let screen = wait_all(
        &s,
        &[
            "2 people match “shared-42”",
            "user of client acme-corp",
            "user of client globex",
        ],
    );
    assert!(!screen.contains('✗'), "no error:\n{screen}");
    s.send("j");
    s.send_key(Key::Enter);
    wait_all(&s, &["clientIdentifier: globex", "Sam Shared (Globex)"]);
    let log = sandbox.requests();
    assert!(
        log.iter().any(|r| r
            .path
            .starts_with("/api/v1/headless/user/shared-42?clientIdentifier=globex")),
        "asked under each client: {log:?}"
    );
    assert!(changes(&log).is_empty(), "{:?}", changes(&log));
}
