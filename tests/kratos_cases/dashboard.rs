//! The dashboard end to end on a Kratos profile: the real `idtui` binary in a pseudo-terminal,
//! pointed by a config file at the server of the crate that includes this file (the sandbox
//! in `tests/kratos_both.rs`, real Kratos v1.3.1 in `tests/real_kratos.rs`). Browse, detail,
//! edit, patch and revoke, each checked on the screen and then on the server.
//!
//! Each test makes its own identity with a unique email and finds it with a server search, so
//! other data on the server does not matter. The patch is typed whole into an emptied editor,
//! so the test does not depend on what the patch editor starts with.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::pty::{Key, PtySession};
use crate::kratos_server::{Server, email};

const WAIT: Duration = Duration::from_secs(15);

struct Case {
    rt: tokio::runtime::Runtime,
    server: Server,
    dir: tempfile::TempDir,
    email: String,
    id: String,
}

impl Case {
    /// A server and one identity on it, with a password so that it can log in.
    fn new(tag: &str) -> Case {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = rt.block_on(crate::server());
        let email = email(tag);
        let created = rt.block_on(server.create_body(json!({
            "schema_id": "default",
            "traits": {"email": email, "name": {"first": "Before", "last": "Edit"}},
            "metadata_public": {"plan": "free"},
            "credentials": {"password": {"config": {"password": crate::kratos_server::PASSWORD}}},
        })));
        let id = created["id"].as_str().expect("id").to_owned();
        Case {
            rt,
            server,
            dir: tempfile::tempdir().expect("temp dir"),
            email,
            id,
        }
    }

    fn config(&self) -> PathBuf {
        let path = self.dir.path().join("idtui-kratos.toml");
        std::fs::write(
            &path,
            format!(
                "[profiles.kratos]\nprovider = \"kratos\"\nurl = \"{}\"\npublic_url = \"{}\"\n",
                self.server.admin, self.server.public
            ),
        )
        .expect("config");
        path
    }

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

    fn identity(&self) -> Value {
        let r = self
            .rt
            .block_on(self.server.get(&format!("/admin/identities/{}", self.id)));
        assert_eq!(r.status, 200, "{}", r.text);
        r.body
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
    // The header shows before the rows arrive: wait for the session's row itself.
    let row_under_header = |t: &str| {
        t.lines()
            .skip_while(|l| !l.contains("ACTIVE"))
            .nth(1)
            .is_some_and(|l| !l.contains("loading…") && !l.trim().is_empty())
    };
    let screen = s
        .wait_for(row_under_header, std::time::Duration::from_secs(10))
        .unwrap_or_else(|screen| panic!("the session row: {screen}"));
    let row = screen
        .lines()
        .skip_while(|l| !l.contains("ACTIVE"))
        .nth(1)
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
