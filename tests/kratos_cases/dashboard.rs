//! The dashboard end to end on a Kratos profile: the real `idtui` binary in a pseudo-terminal,
//! pointed by a config file at the server of the crate that includes this file (the sandbox
//! in `tests/kratos_both.rs`, real Kratos v1.3.1 in `tests/real_kratos.rs`). Browse, detail,
//! edit, patch and revoke, each checked on the screen and then on the server.
//!
//! Each test makes its own identity with a unique email and finds it with a server search, so
//! other data on the server does not matter. The patch is typed whole into an emptied editor,
//! so the test does not depend on what the patch editor starts with.

use std::time::Duration;

use serde_json::json;

use crate::case::Case;
use crate::common::pty::{Key, PtySession};

const WAIT: Duration = Duration::from_secs(15);

impl Case {
    /// The dashboard on this server's profile, with the identity found by a server search.
    fn open(&self, env: &[(&str, &str)]) -> PtySession {
        let config = self.config();
        let mut s = PtySession::spawn(
            &["--config", config.to_str().unwrap(), "--profile", "kratos"],
            env,
            120,
            30,
        );
        expect(&s, "[Identities]");
        s.send("/");
        s.send(&self.email);
        s.send_key(Key::Enter);
        let screen = expect(&s, &format!("search “{}”", self.email));
        let screen = if screen.contains(&self.email[..20]) {
            screen
        } else {
            expect(&s, &self.email[..20])
        };
        assert!(
            screen.contains("active"),
            "{}:\n{screen}",
            self.server.name()
        );
        s
    }

    /// What the server says its version is (`GET /admin/version`), and whether it is a v1.x.
    fn version(&self) -> (String, bool) {
        let r = self.rt.block_on(self.server.get("/admin/version"));
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.body["version"].as_str().expect("a version").to_owned();
        let v1 = v.starts_with("v1.") || v.starts_with("v0.");
        (v, v1)
    }
}

fn expect(s: &PtySession, needle: &str) -> String {
    s.expect_text(needle, WAIT)
}

fn quit(mut s: PtySession) {
    s.send("q");
    assert!(s.wait_exit(WAIT).is_some(), "idtui exits on q");
}

#[test]
fn dashboard_browses_to_an_identity_and_shows_its_detail() {
    let case = Case::new("e2e-browse");
    let mut s = case.open(&[]);
    s.send_key(Key::Enter);
    let screen = expect(&s, "Traits");
    assert!(screen.contains(&case.email[..20]), "{screen}");
    assert!(screen.contains("Before"), "the traits are shown:\n{screen}");
    assert!(
        screen.contains("[Sessions]") && screen.contains("[Credentials]"),
        "{screen}"
    );
    // The credentials tab lists the password identifier the server derived from the email.
    s.send_key(Key::Tab);
    s.send_key(Key::Tab);
    // The rows come after the header: wait for the password row itself.
    s.wait_for(
        |t| t.contains("IDENTIFIERS") && t.lines().any(|l| l.starts_with("password")),
        WAIT,
    )
    .unwrap_or_else(|screen| panic!("no password credential row:\n{screen}"));
    s.send_key(Key::Esc);
    expect(&s, "[Identities]");
    quit(s);
}

#[test]
fn dashboard_edits_an_identity_and_the_server_has_the_change() {
    let case = Case::new("e2e-edit");
    // A scripted $EDITOR: it rewrites the first name in the file it is given.
    let mut s = case.open(&[("EDITOR", "sed -i s/Before/Edited-e2e/")]);
    s.send("E");
    let screen = expect(&s, "edited in $EDITOR");
    assert!(screen.contains("Edited-e2e"), "{screen}");
    s.send_key(Key::Ctrl('s'));
    expect(&s, "done: update identity");
    let after = case.identity();
    assert_eq!(after["traits"]["name"]["first"], "Edited-e2e", "{after}");
    assert_eq!(
        after["metadata_public"],
        json!({"plan": "free"}),
        "a PUT from the editor keeps what was not edited"
    );
    quit(s);
}

#[test]
fn dashboard_applies_a_json_patch_typed_whole() {
    let case = Case::new("e2e-patch");
    let mut s = case.open(&[]);
    s.send("p");
    expect(&s, "JSON Patch for identity");
    // Whatever the editor starts with (a template or nothing), clear it: to the end of the
    // text, then delete backwards more characters than any starting text has.
    for _ in 0..20 {
        s.send_key(Key::Down);
    }
    s.send_key(Key::End);
    for _ in 0..400 {
        s.send_key(Key::Backspace);
    }
    // One line, so no auto-indent comes into play.
    s.send(r#"[{"op": "replace", "path": "/metadata_public/plan", "value": "e2e-plan"}, {"op": "add", "path": "/traits/locale", "value": "fr"}]"#);
    expect(&s, "e2e-plan");
    s.send_key(Key::Ctrl('s'));
    expect(&s, "done: patch identity");
    let after = case.identity();
    assert_eq!(after["metadata_public"]["plan"], "e2e-plan", "{after}");
    assert_eq!(after["traits"]["locale"], "fr", "{after}");
    assert_eq!(
        after["state"], "active",
        "nothing but the typed patch was applied"
    );
    quit(s);
}

#[test]
fn dashboard_revokes_a_session_after_naming_it() {
    let case = Case::new("e2e-revoke");
    let session = case
        .rt
        .block_on(case.server.login(&case.email, "idtui-e2e/1"));
    let sid = session["id"].as_str().unwrap().to_owned();
    let mut s = case.open(&[]);
    s.send_key(Key::Enter);
    expect(&s, "Traits");
    s.send(":sessions");
    s.send_key(Key::Enter);
    // The row itself, not the header over a list still loading.
    let screen = s
        .wait_for(|t| t.lines().any(|l| l.starts_with(&sid[..8])), WAIT)
        .unwrap_or_else(|screen| panic!("no row for {sid}:\n{screen}"));
    let row = screen
        .lines()
        .find(|l| l.starts_with(&sid[..8]))
        .unwrap_or_default()
        .to_owned();
    assert!(row.contains(" yes "), "the session is active:\n{screen}");
    assert!(row.starts_with(&sid[..8]), "row {row:?} for {sid}");
    s.send("x");
    let screen = expect(&s, "About to revoke session");
    assert!(
        screen.contains(&sid[..8]),
        "the confirmation names it:\n{screen}"
    );
    s.send("y");
    expect(&s, "done: revoke session");
    s.wait_for(
        |t| {
            t.lines()
                .any(|l| l.starts_with(&sid[..8]) && l.contains(" no "))
        },
        WAIT,
    )
    .unwrap();
    let r = case
        .rt
        .block_on(case.server.get(&format!("/admin/sessions/{sid}")));
    assert_eq!(r.body["active"], false, "{}", r.text);
    quit(s);
}

/// Wait (bounded) until the selected row contains `needle`.
fn selected(s: &PtySession, needle: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    while !s.selected_row().is_some_and(|(_, r)| r.contains(needle)) {
        assert!(
            std::time::Instant::now() < deadline,
            "no selected row with {needle}:\n{}",
            s.screen_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `e` imports two OIDC links, `d` unlinks one of them, and `d` on the password: a newer
/// Kratos (the sandbox) clears it after asking (two first factors are left); Kratos v1.3.1
/// refuses every password delete, so the dashboard says so with its reason and sends nothing.
#[test]
fn dashboard_imports_oidc_links_and_unlinks_one() {
    let case = Case::new("e2e-links");
    let tag = case.email.split('@').next().unwrap().to_string();
    let mut s = case.open(&[]);
    s.send_key(Key::Enter);
    expect(&s, "Traits");
    s.send("e");
    expect(&s, "\"schema_id\"");
    s.send_key(Key::End);
    s.send_key(Key::Enter);
    s.send(&format!(
        r#""credentials": {{"oidc": {{"config": {{"providers": [{{"provider": "github", "subject": "gh-{tag}"}}, {{"provider": "google", "subject": "go-{tag}"}}]}}}}}},"#
    ));
    s.send_key(Key::Ctrl('s'));
    expect(&s, "done: update identity");
    s.send_key(Key::Tab);
    s.send_key(Key::Tab);
    let github = format!("github:gh-{tag}");
    s.wait_for(
        |t| t.lines().filter(|l| l.starts_with("oidc")).count() == 2,
        WAIT,
    )
    .unwrap_or_else(|screen| panic!("one row per link expected:\n{screen}"));
    // Rows: oidc github, oidc google, password (still selected after the refresh).
    s.send("g");
    selected(&s, &github);
    s.send("d");
    let screen = expect(&s, "y confirms");
    assert!(screen.contains("only this oidc link"), "{screen}");
    s.send("y");
    expect(&s, "done: delete the oidc link");
    let r = case.rt.block_on(case.server.get(&format!(
        "/admin/identities/{}?include_credential=oidc",
        case.id
    )));
    assert_eq!(
        r.body["credentials"]["oidc"]["identifiers"],
        json!([format!("google:go-{tag}")]),
        "{}: {}",
        case.server.name(),
        r.text
    );
    s.wait_for(
        |t| t.lines().filter(|l| l.starts_with("oidc")).count() == 1,
        WAIT,
    )
    .unwrap_or_else(|screen| panic!("the pane still shows both links:\n{screen}"));
    // The password: a Google link is left, so a newer Kratos clears it after asking.
    s.send("G");
    selected(&s, "password");
    s.send("d");
    let hashed = |case: &Case| {
        let r = case.rt.block_on(case.server.get(&format!(
            "/admin/identities/{}?include_credential=password",
            case.id
        )));
        r.body["credentials"]["password"]["config"]["hashed_password"].is_string()
    };
    let (version, v1) = case.version();
    if v1 {
        let screen = expect(
            &s,
            "refused, nothing sent: You cannot remove first factor credentials.",
        );
        assert!(!screen.contains("y confirms"), "no question:\n{screen}");
        s.send(":error");
        s.send_key(Key::Enter);
        expect_all(
            &s,
            &[
                &format!("Kratos {version} would refuse"),
                "this server refuses it for any identity",
            ],
        );
        s.send_key(Key::Esc);
        s.wait_for(|t| !t.contains("would refuse"), WAIT)
            .unwrap_or_else(|screen| panic!("the error stays open:\n{screen}"));
        assert!(hashed(&case), "{version} kept the password");
    } else {
        let screen = expect(&s, "y confirms");
        assert!(screen.contains("clears the password hash"), "{screen}");
        s.send("y");
        expect(&s, "done: delete the password credential");
        assert!(!hashed(&case), "the sandbox cleared the hash");
    }
    quit(s);
}

/// The title bar names the version the server says, and what the dashboard offers follows
/// it: on Kratos v1.x the `n` editor's examples offer no SAML or TOTP import, a TOTP import
/// is refused before sending, and an `ext:` search is refused unsent.
#[test]
fn dashboard_follows_the_servers_kratos_version() {
    let case = Case::new("e2e-version");
    let (version, v1) = case.version();
    let mut s = case.open(&[]);
    let screen = expect(&s, &format!("Ory Kratos {version}"));
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|top| top.contains(&format!("Ory Kratos {version} · "))),
        "{screen}"
    );
    // The identity editor's examples, and its check of an import before sending.
    s.send("n");
    let screen = expect(&s, "import with \"credentials\"");
    assert!(screen.contains("\"oidc\": {\"config\""), "{screen}");
    assert_eq!(screen.contains("saml"), !v1, "{version}:\n{screen}");
    assert!(!screen.contains("totp"), "{screen}");
    for _ in 0..20 {
        s.send_key(Key::Down);
    }
    s.send_key(Key::End);
    for _ in 0..400 {
        s.send_key(Key::Backspace);
    }
    let totp_email = format!("totp-{}", case.email);
    s.send(&format!(
        r#"{{"schema_id": "default", "traits": {{"email": "{totp_email}"}}, "credentials": {{"totp": {{"config": {{"totp_url": "otpauth://totp/idtui:x?secret=JBSWY3DPEHPK3PXP"}}}}}}}}"#
    ));
    s.send_key(Key::Ctrl('s'));
    if v1 {
        expect(&s, "credentials.totp: Kratos v1.x imports password, oidc");
        let r = case.rt.block_on(case.server.get(&format!(
            "/admin/identities?credentials_identifier={totp_email}"
        )));
        assert!(r.rows().is_empty(), "nothing was created: {}", r.text);
    } else {
        expect(&s, "created identity");
    }
    if v1 {
        // Esc closes the editor (its refused text kept as a draft: discarded when quitting).
        s.send_key(Key::Esc);
    }
    s.wait_for(|t| !t.contains("import with"), WAIT)
        .unwrap_or_else(|screen| panic!("the editor stays open:\n{screen}"));
    // An external-id search.
    s.send("/");
    s.send("ext:e2e-nobody");
    s.send_key(Key::Enter);
    if v1 {
        expect(&s, &format!("Kratos {version} has no external ids"));
    } else {
        expect(&s, "search “ext:e2e-nobody”");
    }
    s.send("q");
    if v1 {
        expect(&s, "d  discard the drafts and quit");
        s.send("d");
    }
    assert!(s.wait_exit(WAIT).is_some(), "idtui exits on q");
}

/// Waits until every needle is on screen at once (a frame can be read half drawn).
fn expect_all(s: &PtySession, needles: &[&str]) -> String {
    s.wait_for(|t| needles.iter().all(|n| t.contains(n)), WAIT)
        .unwrap_or_else(|screen| panic!("waiting for all of {needles:?}: {screen}"))
}

#[test]
fn dashboard_revokes_every_session_of_someone_named_by_email() {
    let case = Case::new("e2e-revoke-who");
    for agent in ["idtui-e2e/a", "idtui-e2e/b"] {
        case.rt.block_on(case.server.login(&case.email, agent));
    }
    let config = case.config();
    let mut s = PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--profile", "kratos"],
        &[],
        120,
        30,
    );
    expect(&s, "[Identities]");
    s.send(&format!(":revoke {}", case.email));
    s.send_key(Key::Enter);
    expect_all(
        &s,
        &[
            "ALL 2 active sessions of",
            &case.email,
            &case.id[..8],
            "y confirms",
        ],
    );
    s.send("y");
    expect(&s, "done: revoked all sessions of");
    let r = case.rt.block_on(
        case.server
            .get(&format!("/admin/identities/{}/sessions", case.id)),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.rows().is_empty(), "{}: {}", case.server.name(), r.text);
    quit(s);
}

#[test]
fn dashboard_makes_a_recovery_code_for_someone_named_by_email() {
    let case = Case::new("e2e-recover");
    let config = case.config();
    let mut s = PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--profile", "kratos"],
        &[],
        120,
        30,
    );
    expect(&s, "[Identities]");
    s.send(&format!(":recovery-code {} 45m", case.email));
    s.send_key(Key::Enter);
    expect_all(&s, &["create a recovery code for", "valid for 45m"]);
    s.send("y");
    let screen = expect_all(&s, &["New recovery code", "Code: ", "Expires "]);
    let code: String = screen
        .split("Code: ")
        .nth(1)
        .map(|c| c.chars().take(6).collect())
        .unwrap_or_default();
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{}:\n{screen}",
        case.server.name()
    );
    assert!(
        screen.contains("?flow="),
        "the recovery page link:\n{screen}"
    );
    // Esc and q typed together would read as Alt-q: wait for the box to close first.
    s.send_key(Key::Esc);
    s.wait_for(|t| !t.contains("New recovery code"), WAIT)
        .unwrap();
    quit(s);
}
