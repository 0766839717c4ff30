//! Kratos credentials from the dashboard, end to end: the real binary in a pseudo-terminal
//! against `idtui sandbox --demo`, each result checked over HTTP and in the sandbox's request
//! log. Every wait is bounded.

mod common;

use std::time::{Duration, Instant};

use common::pty::{Key, PtySession};
use common::sandbox::Sandbox;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(15);
/// Demo identities: Linus (password, one Google link, TOTP), Grace (password, Google and
/// GitHub links), Alan (a password only).
const LINUS: &str = "1cf52dd7-ba71-5aa7-bfc0-0a20e8d6c326";
const GRACE: &str = "c24bf686-c7b8-59d3-8a1c-ce810931791e";
const ALAN: &str = "44362418-4c6a-5746-b56f-81dcf7f5b1c6";

fn dashboard(sandbox: &Sandbox) -> PtySession {
    let home = tempfile::tempdir().unwrap();
    let config = sandbox.kratos_config(home.path());
    let s = PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--profile", "kratos"],
        &[],
        100,
        30,
    );
    std::mem::forget(home);
    s.expect_text("kwame.mensah@example.gh", Duration::from_secs(20));
    s
}

/// Search `email`, open the identity and focus its Credentials pane (its rows loaded).
fn credentials_of(s: &mut PtySession, email: &str) {
    s.send("/");
    s.send(email);
    s.send_key(Key::Enter);
    s.expect_text(&format!("search “{email}”"), WAIT);
    s.send_key(Key::Enter);
    s.expect_text("Traits", WAIT);
    s.send_key(Key::Tab);
    s.send_key(Key::Tab);
    s.wait_for(
        |t| t.contains("IDENTIFIERS") && t.contains("password"),
        WAIT,
    )
    .unwrap_or_else(|screen| panic!("no credential rows:\n{screen}"));
}

/// Move down until the selected row contains `needle` (each step waits, bounded, for the
/// selection to move).
fn select_row(s: &mut PtySession, needle: &str) {
    for _ in 0..8 {
        let now = s.selected_row();
        if now.as_ref().is_some_and(|(_, r)| r.contains(needle)) {
            return;
        }
        s.send("j");
        let deadline = Instant::now() + Duration::from_secs(2);
        while s.selected_row() == now && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("no row with {needle}:\n{}", s.screen_text());
}

fn identity(sandbox: &Sandbox, id: &str, include: &str) -> Value {
    let (status, body) = sandbox.call(
        "GET",
        &format!("/admin/identities/{id}?include_credential={include}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    body
}

fn deletes(sandbox: &Sandbox, id: &str) -> Vec<String> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with(&format!("/admin/identities/{id}")))
        .map(|r| r.path)
        .collect()
}

#[test]
fn d_on_a_totp_row_deletes_the_second_factor_and_keeps_the_rest() {
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = dashboard(&sandbox);
    credentials_of(&mut s, "linus.t@example.net");
    select_row(&mut s, "totp");
    s.send("d");
    let screen = s.expect_text("y confirms", WAIT);
    assert!(
        screen.contains("whole TOTP credential"),
        "says what the server does:\n{screen}"
    );
    assert!(deletes(&sandbox, LINUS).is_empty(), "nothing sent before y");
    s.send("y");
    s.expect_text("done: delete the TOTP second factor", WAIT);
    // The pane refreshes in place: the row is gone, the others stay.
    s.wait_for(|t| !t.lines().any(|l| l.starts_with("totp")), WAIT)
        .unwrap_or_else(|screen| panic!("totp row still shown:\n{screen}"));
    let after = identity(&sandbox, LINUS, "password");
    let creds = after["credentials"].as_object().unwrap();
    assert!(!creds.contains_key("totp"), "{after}");
    assert!(creds.contains_key("oidc") && creds.contains_key("password"));
    assert!(
        after["credentials"]["password"]["config"]["hashed_password"].is_string(),
        "the password is untouched"
    );
    assert_eq!(
        deletes(&sandbox, LINUS),
        vec![format!("/admin/identities/{LINUS}/credentials/totp")]
    );
}

#[test]
fn d_on_one_oidc_link_removes_that_link_only() {
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = dashboard(&sandbox);
    credentials_of(&mut s, "grace.hopper@example.com");
    // One row per link, provider and subject shown.
    let screen = s.expect_text("github:580001", WAIT);
    assert!(screen.contains("google:1094000000007919"), "{screen}");
    select_row(&mut s, "github:580001");
    s.send("d");
    let screen = s.expect_text("y confirms", WAIT);
    assert!(screen.contains("only this oidc link"), "{screen}");
    s.send("y");
    s.expect_text("done: delete the oidc link github:580001", WAIT);
    s.wait_for(
        |t| {
            !t.lines()
                .any(|l| l.starts_with("oidc") && l.contains("github"))
        },
        WAIT,
    )
    .unwrap_or_else(|screen| panic!("the link is still shown:\n{screen}"));
    let after = identity(&sandbox, GRACE, "oidc");
    let oidc = &after["credentials"]["oidc"];
    assert_eq!(
        oidc["identifiers"],
        serde_json::json!(["google:1094000000007919"])
    );
    assert_eq!(oidc["config"]["providers"].as_array().unwrap().len(), 1);
    assert_eq!(oidc["config"]["providers"][0]["provider"], "google");
    let sent = deletes(&sandbox, GRACE);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].starts_with(&format!(
            "/admin/identities/{GRACE}/credentials/oidc?identifier=github"
        )) && sent[0].contains("580001"),
        "{sent:?}"
    );
}

#[test]
fn the_title_bar_names_the_kratos_version_and_it_is_read_once() {
    let sandbox = Sandbox::start(&["--demo"]);
    let (status, answer) = sandbox.call("GET", "/admin/version", None);
    assert_eq!(status, 200, "{answer}");
    let version = answer["version"].as_str().unwrap().to_owned();
    let mut s = dashboard(&sandbox);
    let screen = s.expect_text(&format!("Ory Kratos {version} · 127.0.0.1"), WAIT);
    let top = screen.lines().next().unwrap_or_default();
    assert!(top.contains(&format!("Ory Kratos {version}")), "{screen}");
    // More use of the profile asks no more.
    credentials_of(&mut s, "alan.turing@example.org");
    s.send("r");
    sandbox.barrier();
    // The test's own call above, and the dashboard's one.
    assert_eq!(sandbox.count("GET", "/admin/version"), 2);
}

#[test]
fn on_a_sandbox_claiming_v1_3_1_the_dashboard_follows_that_release() {
    let sandbox = Sandbox::start(&["--demo", "--kratos-version", "1.3.1"]);
    let mut s = dashboard(&sandbox);
    s.expect_text("Ory Kratos v1.3.1 · 127.0.0.1", WAIT);
    // External ids do not exist before v25.4: the lookup is not sent.
    s.send(":find ext:crm-0851");
    s.send_key(Key::Enter);
    s.expect_text("external id", WAIT);
    sandbox.barrier();
    assert_eq!(sandbox.count("GET", "/admin/identities/by/external"), 0);
    s.send("q");
    // Grace has a password and OIDC links: the newer rule would clear the hash, v1.3.1
    // refuses every password delete, so nothing is even asked.
    let mut s = dashboard(&sandbox);
    credentials_of(&mut s, "grace.hopper@example.com");
    select_row(&mut s, "password");
    s.send("d");
    let screen = s.expect_text("You cannot remove first factor credentials.", WAIT);
    assert!(screen.contains("refused, nothing sent"), "{screen}");
    assert!(!screen.contains("y confirms"), "no confirmation:\n{screen}");
    assert!(
        deletes(&sandbox, GRACE).is_empty(),
        "request log: no DELETE"
    );
}

#[test]
fn deleting_the_last_password_is_refused_with_the_reason_and_nothing_is_sent() {
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = dashboard(&sandbox);
    credentials_of(&mut s, "alan.turing@example.org");
    select_row(&mut s, "password");
    s.send("d");
    let screen = s.expect_text("You cannot remove the last first factor", WAIT);
    assert!(screen.contains("refused, nothing sent"), "{screen}");
    assert!(!screen.contains("y confirms"), "no confirmation:\n{screen}");
    // :error has the whole reason.
    s.send(":error");
    s.send_key(Key::Enter);
    s.expect_text("It signs in only with: password", WAIT);
    assert!(deletes(&sandbox, ALAN).is_empty(), "request log: no DELETE");
    assert_eq!(sandbox.count("DELETE", "/admin/identities"), 0);
    assert!(
        identity(&sandbox, ALAN, "password")["credentials"]["password"]["config"]
            ["hashed_password"]
            .is_string()
    );
}

#[test]
fn a_new_identity_with_an_imported_hash_is_created_and_the_sandbox_logs_its_format() {
    const HASH: &str = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = dashboard(&sandbox);
    s.send("n");
    let screen = s.expect_text("\"credentials\": {}", WAIT);
    assert!(
        screen.contains("hashed_password"),
        "the examples are shown:\n{screen}"
    );
    // Replace the template: to the top, delete every line, paste the body.
    for _ in 0..12 {
        s.send_key(Key::Up);
    }
    for _ in 0..24 {
        s.send_key(Key::Ctrl('k'));
    }
    let body = |hash: &str| {
        format!(
            r#"{{"schema_id": "default", "traits": {{"email": "imported@idtui.test"}}, "credentials": {{"password": {{"config": {{"hashed_password": "{hash}"}}}}}}}}"#
        )
    };
    // A plain string is not a hash: refused in the editor, nothing sent.
    s.send_paste(&body("hunter2"));
    s.send_key(Key::Ctrl('s'));
    s.expect_text("not a hash format Kratos accepts", WAIT);
    assert_eq!(sandbox.count("POST", "/admin/identities"), 0);
    for _ in 0..4 {
        s.send_key(Key::Up);
    }
    s.send_key(Key::Home);
    for _ in 0..8 {
        s.send_key(Key::Ctrl('k'));
    }
    s.send_paste(&body(HASH));
    s.send_key(Key::Ctrl('s'));
    s.expect_text("created identity", WAIT);
    let posts: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/admin/identities")
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].status, 201);
    assert_eq!(
        posts[0].note.as_deref(),
        Some("password import: hash format bcrypt accepted")
    );
    let (status, found) = sandbox.call(
        "GET",
        "/admin/identities?credentials_identifier=imported@idtui.test&include_credential=password",
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        found[0]["credentials"]["password"]["config"]["hashed_password"], HASH,
        "{found}"
    );
}

#[test]
fn d_on_recovery_codes_counts_the_codes_the_identity_holds() {
    let sandbox = Sandbox::start(&["--demo"]);
    let codes = serde_json::json!([
        {"code": "aaaa1111", "used_at": "2026-01-02T03:04:05Z"},
        "bbbb2222", "cccc3333", "dddd4444", "eeee5555"
    ]);
    let (status, made) = sandbox.call(
        "POST",
        "/admin/identities",
        Some(serde_json::json!({
            "schema_id": "default",
            "traits": {"email": "codes.holder@example.com"},
            "credentials": {
                "password": {"config": {"password": "a long enough passphrase 42"}},
                "lookup_secret": {"config": {"codes": codes}}
            }
        })),
    );
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    let mut s = dashboard(&sandbox);
    credentials_of(&mut s, "codes.holder@example.com");
    // The column cuts the type to `lookup_secr…`.
    select_row(&mut s, "lookup_secr");
    s.send("d");
    let screen = s.expect_text("y confirms", WAIT);
    assert!(
        screen.contains("Kratos deletes all 5 recovery codes (1 used)."),
        "the count the server holds:\n{screen}"
    );
    assert!(
        sandbox.requests().iter().any(|r| r.method == "GET"
            && r.path.starts_with(&format!("/admin/identities/{id}?"))
            && r.path.contains("include_credential=lookup_secret")),
        "the read behind d asked for the codes"
    );
    assert!(deletes(&sandbox, &id).is_empty(), "nothing sent before y");
    s.send("y");
    s.expect_text("done: delete the recovery codes", WAIT);
    assert_eq!(
        deletes(&sandbox, &id),
        vec![format!("/admin/identities/{id}/credentials/lookup_secret")]
    );
}

#[test]
fn a_refusal_is_not_left_under_the_next_question() {
    let sandbox = Sandbox::start(&["--demo"]);
    let mut s = dashboard(&sandbox);
    credentials_of(&mut s, "alan.turing@example.org");
    select_row(&mut s, "password");
    s.send("d");
    s.expect_text("refused, nothing sent", WAIT);
    // An unrelated question: revoke all of Alan's sessions. He has no active one, so the
    // question is withdrawn once they are counted; either way the old refusal must be gone.
    s.send("X");
    let screen = s
        .wait_for(
            |t| {
                (t.contains("revoke ALL") && t.contains("sessions of"))
                    || t.contains("has no active session; nothing sent")
            },
            WAIT,
        )
        .unwrap_or_else(|screen| panic!("no question:\n{screen}"));
    assert!(
        !screen.contains("refused, nothing sent"),
        "the old refusal reads as this question's:\n{screen}"
    );
    s.send_key(Key::Esc);
    assert_eq!(sandbox.count("DELETE", "/admin/"), 0);
}
