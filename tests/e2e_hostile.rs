//! The dashboard against a hostile Kratos, end to end: the real binary in a pseudo-terminal
//! (or in a private tmux for copies), talking to the loopback server of
//! `crates/idtui-api/tests/support/hostile.rs` (shared with the client's own hostile-server
//! tests), with a second listener standing for the host a redirect names.

mod common;
#[path = "../crates/idtui-api/tests/support/hostile.rs"]
mod hostile;

use std::time::Duration;

use common::pty::{Key, PtySession};
use common::tmux::Tmux;
use hostile::{Elsewhere, Hostile, Reply, Seen};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(15);
const ADA: &str = "767e3cc1-4b1e-5b8f-9d52-3b1c0eea9782";
const SPOOF: &str = "0ba63862-3aa8-5307-a301-e8d3ec7e0002";
/// An id that, pasted raw into bash with bracketed paste, ends the paste and runs `touch`.
const HOSTILE_ID: &str = "ok-id\u{1b}[201~\rtouch PWNED\r";

fn identity(id: &str, email: &str) -> Value {
    json!({
        "id": id,
        "schema_id": "default",
        "schema_url": "http://127.0.0.1/schemas/ZGVmYXVsdA",
        "state": "active",
        "traits": {"email": email},
        "metadata_public": {"plan": "free"},
        "metadata_admin": null,
        "created_at": "2025-01-01T12:00:00Z",
        "updated_at": "2025-01-01T12:00:00Z"
    })
}

/// A Kratos that lists `people`, reads each, has no sessions, and redirects every change to
/// `elsewhere`.
fn kratos(people: Vec<Value>, elsewhere: String) -> impl Fn(&Seen) -> Reply + Send + Sync {
    move |seen| {
        let path = seen.target.split('?').next().unwrap_or_default();
        if seen.method != "GET" {
            return Reply::redirect(307, &format!("{elsewhere}{}", seen.target));
        }
        if path == "/admin/identities" {
            return Reply::json(200, Value::from(people.clone()).to_string());
        }
        let found = people
            .iter()
            .find(|p| path == identity_path(p["id"].as_str().unwrap_or_default()));
        match found {
            Some(p) => Reply::json(200, p.to_string()),
            None if path.ends_with("/sessions") => Reply::json(200, "[]"),
            None => Reply::json(
                404,
                r#"{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}"#,
            ),
        }
    }
}

/// The path the client asks for `id` at: encoded as the client encodes it (each id one
/// path segment).
fn identity_path(id: &str) -> String {
    let mut url = reqwest::Url::parse("http://127.0.0.1/admin/identities").unwrap();
    url.path_segments_mut().unwrap().push(id);
    url.path().to_owned()
}

struct Rig {
    _rt: tokio::runtime::Runtime,
    server: Hostile,
    elsewhere: Elsewhere,
    home: tempfile::TempDir,
}

impl Rig {
    fn start(people: Vec<Value>) -> Rig {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let elsewhere = rt.block_on(Elsewhere::start());
        let server = rt.block_on(Hostile::start(kratos(people, elsewhere.url.clone())));
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("idtui.toml"),
            format!(
                "[profiles.kratos]\nprovider = \"kratos\"\nurl = \"{}\"\n",
                server.url
            ),
        )
        .unwrap();
        Rig {
            _rt: rt,
            server,
            elsewhere,
            home,
        }
    }

    fn config(&self) -> String {
        self.home.path().join("idtui.toml").display().to_string()
    }

    fn dashboard(&self) -> PtySession {
        let config = self.config();
        PtySession::spawn(&["--config", &config, "--profile", "kratos"], &[], 100, 30)
    }
}

#[test]
fn a_save_redirected_elsewhere_is_not_followed_and_is_audited_as_not_applied() {
    let rig = Rig::start(vec![identity(ADA, "ada.lovelace@example.com")]);
    let mut s = rig.dashboard();
    s.expect_text("ada.lovelace@example.com", WAIT);
    s.send("e");
    s.expect_text("\"schema_id\"", WAIT);
    s.send_key(Key::End);
    s.send_key(Key::Enter);
    s.send(r#""metadata_admin": {"note": "pii"},"#);
    s.send_key(Key::Ctrl('s'));
    let screen = s.expect_text("redirect not followed", WAIT);
    assert!(!screen.contains("done: update identity"), "{screen}");

    let puts: Vec<Seen> = rig
        .server
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "sent once, never resent");
    assert_eq!(
        rig.elsewhere.connections(),
        0,
        "{}",
        rig.elsewhere.received()
    );

    let audit = std::fs::read_to_string(s.state_dir().join("idtui/audit.jsonl")).unwrap();
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = lines.last().expect("an audit line");
    assert_eq!(last["method"], "PUT");
    assert_eq!(last["outcome"], "failed", "{last}");
    let message = last["message"].as_str().unwrap();
    assert!(message.starts_with("not applied:"), "{message}");
    assert!(message.contains(&rig.elsewhere.url), "{message}");
    assert!(!lines.iter().any(|l| l["outcome"] == "applied"), "{audit}");
    s.send_key(Key::Esc);
}

#[test]
fn a_zero_width_spoof_never_looks_like_the_account_it_imitates() {
    let rig = Rig::start(vec![
        identity(ADA, "ada.lovelace@example.com"),
        identity(SPOOF, "ada.love\u{200b}lace@example.com"),
    ]);
    let mut s = rig.dashboard();
    let screen = s.expect_text("ada.love⟨U+200B⟩lace@example.com", WAIT);
    assert!(screen.contains("ada.lovelace@example.com"), "{screen}");
    // In the detail and in a prompt too.
    s.send_key(Key::Down);
    s.send_key(Key::Enter);
    s.expect_text("email: ada.love⟨U+200B⟩lace@example.com", WAIT);
    s.send("d");
    let prompt = s.expect_text("delete", WAIT);
    assert!(prompt.contains("ada.love⟨U+200B⟩lace"), "{prompt}");
    assert!(!prompt.contains('\u{200b}'), "nothing invisible on screen");
    s.send_key(Key::Esc);
}

#[test]
fn y_refuses_a_hostile_id_in_tmux_and_shift_y_copies_it_escaped() {
    let rig = Rig::start(vec![identity(HOSTILE_ID, "mallory@example.com")]);
    let t = Tmux::start(
        "hostile",
        &format!(
            "{} --config {} --profile kratos",
            env!("CARGO_BIN_EXE_idtui"),
            rig.config()
        ),
    );
    t.wait_for("mallory@example.com");
    t.tmux(&["set-buffer", "before"]);

    t.tmux(&["send-keys", "y"]);
    let screen = t.wait_for("not copied");
    assert!(
        screen.contains("⟨U+001B⟩"),
        "says which character: {screen}"
    );
    assert_eq!(
        t.tmux(&["show-buffer"]),
        "before",
        "the buffer is untouched"
    );

    t.tmux(&["send-keys", "Y"]);
    t.wait_for("copied JSON");
    let json = t.tmux(&["show-buffer"]);
    assert!(
        !json.chars().any(|c| c.is_control() && c != '\n'),
        "no control character in the copy: {json:?}"
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["id"], HOSTILE_ID, "the same id, escaped in the text");
    t.tmux(&["send-keys", "q"]);
}
