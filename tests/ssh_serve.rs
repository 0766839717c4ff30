//! `idtui serve --ssh`, end to end: the real `idtui` binary serving, the real OpenSSH client
//! connecting (in a private tmux server when it is a session a person would look at),
//! `ssh-keygen` keys in an authorized keys file as an admin writes one. Every check is on
//! what a user would notice: the screen, the ssh client's own words and exit status, the
//! server's log, the sandbox's state and request log, the files left in the state
//! directory. Only loopback; every wait is bounded.

mod common;

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sandbox::Sandbox;
use common::ssh::{Key, Server, authorized_keys};
use common::tmux::Tmux;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);
const TOKEN: &str = "sbx_ssh_serve_token_0123456789";
const WRITE: &str = r#"idtui-role="write""#;

/// What a dashboard shows once its first page of identities is in.
const LOADED: &str = "kwame.mensah@example.gh";
/// The help hint, right-aligned on the last row.
const HELP: &str = "? help  : command  q quit";

/// The keys, an authorized keys file and their directory, for one test.
struct Keys {
    dir: tempfile::TempDir,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn make(&self, file: &str, name: &str) -> Key {
        Key::make(self.dir.path(), file, name)
    }

    fn authorize(&self, entries: &[(&str, &Key)]) -> PathBuf {
        authorized_keys(self.dir.path(), entries)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A sandbox with the demo data, and a config naming its three APIs as profiles `kratos`,
/// `core` and `headless` (their token in `SBX_TOKEN`).
struct Tenant {
    sandbox: Sandbox,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tenant {
    fn new() -> Tenant {
        let sandbox = Sandbox::start(&["--demo", "--token", TOKEN]);
        let dir = tempfile::tempdir().unwrap();
        let base = &sandbox.base;
        let config = common::sandbox::three_profiles(
            &dir.path().join("config.toml"),
            base,
            "",
            &format!("{base}/api"),
        );
        Tenant {
            sandbox,
            config,
            _dir: dir,
        }
    }

    /// `idtui serve --ssh` over this tenant's config, first on the Kratos profile.
    fn serve(&self, keys: &Path, args: &[&str]) -> Server {
        let mut all = vec![
            "--config",
            self.config.to_str().unwrap(),
            "--profile",
            "kratos",
        ];
        all.extend_from_slice(args);
        Server::start(keys, &all, &[("SBX_TOKEN", TOKEN)])
    }

    /// The identity with `email`, read over HTTP as a colleague's curl would.
    fn identity(&self, email: &str) -> Value {
        let (status, list) = self.sandbox.call_with(
            "GET",
            &format!("/admin/identities?credentials_identifier={email}"),
            None,
            TOKEN,
        );
        assert_eq!(status, 200, "{list}");
        let found = list
            .as_array()
            .and_then(|a| a.iter().find(|i| i["traits"]["email"] == email))
            .unwrap_or_else(|| panic!("no identity {email}: {list}"))
            .clone();
        let id = found["id"].as_str().unwrap();
        let (status, body) =
            self.sandbox
                .call_with("GET", &format!("/admin/identities/{id}"), None, TOKEN);
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Whether each of the identity's sessions is active, as the server has them.
    fn sessions_active(&self, id: &str) -> Vec<bool> {
        let (status, body) = self.sandbox.call_with(
            "GET",
            &format!("/admin/identities/{id}/sessions"),
            None,
            TOKEN,
        );
        assert_eq!(status, 200, "{body}");
        body.as_array()
            .unwrap_or_else(|| panic!("sessions: {body}"))
            .iter()
            .map(|s| s["active"].as_bool().unwrap_or(false))
            .collect()
    }

    /// The requests that could have changed something (anything but GET), once every
    /// request answered so far is in the log.
    fn changes_sent(&self) -> Vec<String> {
        self.sandbox.barrier();
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}

/// An ssh client with `key` in a tmux window of its own (`cols`x`rows`), connecting to
/// `server`; `name` tells the tmux sockets of one test apart.
fn client_sized(server: &Server, name: &str, key: &Key, cols: u16, rows: u16) -> Tmux {
    // The known hosts of each client: a file of its own, first use accepted.
    let kh = server.known_hosts(name);
    Tmux::start_sized(
        &format!("ssh-{name}"),
        &server.ssh_in_pane(key, &kh),
        cols,
        rows,
    )
}

fn client(server: &Server, name: &str, key: &Key) -> Tmux {
    client_sized(server, name, key, 100, 30)
}

/// A client's dashboard, first page loaded.
fn dashboard(server: &Server, name: &str, key: &Key) -> Tmux {
    let t = client(server, name, key);
    t.expect(&format!(" idtui · {} ", key.name), WAIT);
    t.expect(LOADED, WAIT);
    t
}

/// A known-hosts path for a client run without tmux.
fn known_hosts(keys: &Keys) -> PathBuf {
    keys.path().join("known_hosts")
}

/// The `[Identity EMAIL]` breadcrumb's email, once a detail is open.
fn open_identity(screen: &str) -> Option<String> {
    let start = screen.find("[Identity ")? + "[Identity ".len();
    let rest = &screen[start..];
    Some(rest[..rest.find(']')?].to_string())
}

/// Put the identity with `email` alone in the list (a server search).
fn search(t: &Tmux, email: &str) {
    t.keys(&["/"]);
    t.type_text(email);
    t.keys(&["Enter"]);
    t.expect(&format!("search “{email}”"), WAIT);
}

/// In an open editor, the number of the first line holding `needle` (`│ 15     "plan"…`).
fn editor_line(screen: &str, needle: &str) -> usize {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .and_then(|l| l.trim_start_matches('│').split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no editor line with {needle:?}:\n{screen}"))
}

/// In an open editor (cursor on line 1), a new line after the first: `text`.
fn type_after_first_line(t: &Tmux, text: &str) {
    t.keys(&["End", "Enter"]);
    t.type_text(text);
    t.expect(text, WAIT);
}

/// Revoke every session of the listed identity with X, typing the id the question asks
/// for; waits for the dashboard's word that it is done.
fn revoke_all(t: &Tmux, email: &str) {
    t.keys(&["X"]);
    let screen = t
        .wait_until(WAIT, |s| s.contains("Type ") && s.contains("and Enter"))
        .unwrap_or_else(|s| panic!("no confirmation:\n{s}"));
    assert!(
        screen.contains("revoke ALL") && screen.contains(email),
        "the question names them:\n{screen}"
    );
    let typed = screen
        .split("Type ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    t.type_text(&typed);
    t.keys(&["Enter"]);
    t.expect(&format!("done: revoked all sessions of {email}"), WAIT);
}

/// The audit trail's lines.
fn audit_lines(server: &Server) -> Vec<Value> {
    std::fs::read_to_string(server.state_dir().join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
        .collect()
}

/// Waits until the pane's ssh is gone (the pane prints `[ssh exited N]`); the screen.
fn ssh_exited(t: &Tmux) -> String {
    t.expect("[ssh exited ", WAIT)
}

/// The text of row `n` (0 is the top) of a screen.
fn row(screen: &str, n: usize) -> &str {
    screen.lines().nth(n).unwrap_or("")
}

#[test]
fn a_write_key_browses_edits_and_revokes_and_the_audit_trail_names_the_key() {
    let tenant = Tenant::new();
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let server = tenant.serve(&keys.authorize(&[(WRITE, &ada)]), &[]);
    assert!(
        server.banner.contains("profiles: core, headless, kratos"),
        "{}",
        server.banner
    );
    let t = dashboard(&server, "write", &ada);
    t.expect("1 of 35", WAIT);

    // Browse: down, down, up; Enter opens the selected identity, Esc goes back.
    t.keys(&["j"]);
    t.expect("2 of 35", WAIT);
    t.keys(&["j"]);
    t.expect("3 of 35", WAIT);
    t.keys(&["k"]);
    t.expect("2 of 35", WAIT);
    t.keys(&["Enter"]);
    let screen = t.expect("[Identity ", WAIT);
    let email = open_identity(&screen).unwrap();
    t.expect("Traits", WAIT);
    t.keys(&["Escape"]);
    t.wait_until(WAIT, |s| !s.contains("[Identity ") && s.contains("2 of 35"))
        .unwrap_or_else(|s| panic!("Esc did not go back to the list:\n{s}"));

    // Edit the same identity: its public metadata's plan, then Ctrl-s.
    let before = tenant.identity(&email);
    let plan = before["metadata_public"]["plan"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(plan, "ssh-e2e");
    t.keys(&["e"]);
    let screen = t.expect("Ctrl-s save", WAIT);
    assert!(screen.contains(&format!("identity {email}")), "{screen}");
    let line = editor_line(&screen, "\"plan\":");
    for _ in 1..line {
        t.keys(&["Down"]);
    }
    t.expect(&format!("Ln {line}, Col 1"), WAIT);
    t.keys(&["Home", "C-k"]);
    t.type_text(r#"    "plan": "ssh-e2e","#);
    t.expect(r#""plan": "ssh-e2e","#, WAIT);
    t.keys(&["C-s"]);
    t.expect("done: update identity", WAIT);
    let after = tenant.identity(&email);
    assert_eq!(after["metadata_public"]["plan"], "ssh-e2e", "{after}");
    assert_eq!(
        after["traits"], before["traits"],
        "only the plan changed: {after}"
    );

    // Revoke every session of an identity that has active ones.
    let katherine = tenant.identity("katherine.johnson@example.com");
    let kid = katherine["id"].as_str().unwrap().to_string();
    assert!(
        tenant.sessions_active(&kid).contains(&true),
        "the demo gives Katherine active sessions"
    );
    search(&t, "katherine.johnson@example.com");
    revoke_all(&t, "katherine.johnson@example.com");
    let active = tenant.sessions_active(&kid);
    assert!(!active.contains(&true), "still active: {active:?}");

    // The audit trail: both changes, applied, written from the SSH front end…
    let applied = |lines: &[Value], method: &str, path_part: &str| {
        lines
            .iter()
            .find(|l| {
                l["outcome"] == "applied"
                    && l["method"] == method
                    && l["path"].as_str().is_some_and(|p| p.contains(path_part))
            })
            .cloned()
    };
    let id = after["id"].as_str().unwrap();
    let sessions = format!("{kid}/sessions");
    // Written as each change is answered: waited for, bounded.
    let deadline = Instant::now() + WAIT;
    let (lines, edit, revoke) = loop {
        let lines = audit_lines(&server);
        if let (Some(e), Some(r)) = (
            applied(&lines, "PUT", id),
            applied(&lines, "DELETE", &sessions),
        ) {
            break (lines, e, r);
        }
        assert!(
            Instant::now() < deadline,
            "no applied edit and revocation in the audit trail: {lines:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    for l in [&edit, &revoke] {
        assert_eq!(l["via"], "ssh", "{l}");
    }
    // …and every line names the key that made it, as `ssh-keygen -lf` prints it.
    let fingerprint = ada.fingerprint();
    for l in &lines {
        assert_eq!(
            l["actor"]["fingerprint"], fingerprint,
            "the line does not name the key: {l}"
        );
        assert_eq!(l["actor"]["name"], "Ada Writer", "{l}");
    }
}

#[test]
fn a_read_key_is_refused_every_change_and_sees_only_its_profiles() {
    let tenant = Tenant::new();
    let keys = Keys::new();
    let rita = keys.make("rita", "Rita Reader");
    let server = tenant.serve(
        &keys.authorize(&[(r#"idtui-profiles="kratos,core""#, &rita)]),
        &[],
    );
    let t = dashboard(&server, "read", &rita);
    let screen = t.expect("READ-ONLY (read key)", WAIT);
    let title = row(&screen, 0);
    assert!(title.contains("core │ kratos"), "{title}");
    assert!(
        !title.contains("headless"),
        "an ungranted profile has a tab: {title}"
    );

    // Each key that would change something says why not, and opens nothing. x and X say
    // the same: another key between them shows each refusal is fresh.
    for (key, what) in [
        ("e", "editing"),
        ("x", "revoking sessions"),
        ("p", "JSON Patch"),
        ("X", "revoking sessions"),
        ("n", "creating an identity"),
        ("d", "deleting"),
    ] {
        t.keys(&[key]);
        let screen = t.expect(
            &format!("read-only: {what} is off (your SSH key is a read key"),
            WAIT,
        );
        assert!(
            !screen.contains("Ctrl-s save") && !screen.contains("Confirm"),
            "{key} opened something:\n{screen}"
        );
    }

    // The ungranted profile cannot be switched to either.
    t.type_text(":profile headless");
    t.keys(&["Enter"]);
    let screen = t.expect("no profile `headless`; open: core, kratos", WAIT);
    assert!(
        screen.contains(LOADED),
        "still on the identities:\n{screen}"
    );
    assert!(!row(&screen, 0).contains("headless"), "{screen}");

    assert_eq!(tenant.changes_sent(), Vec::<String>::new());
}

#[test]
fn commands_sftp_forwarding_passwords_and_unknown_keys_are_refused_and_logged() {
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let eve = keys.make("eve", "Eve Unknown");
    let server = Server::start(&keys.authorize(&[(WRITE, &ada)]), &[], &[]);
    let kh = known_hosts(&keys);
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();

    // A key not in the authorized keys.
    let out = server.ssh(&eve, &kh, &[], &[]);
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Permission denied (publickey)"),
        "{}",
        stderr(&out)
    );
    server.wait_log(&[
        "authentication refused",
        &format!("unknown key {}", eve.fingerprint()),
    ]);

    // A client that only has a password to offer.
    let out = server.ssh(
        &ada,
        &kh,
        &[
            "-o",
            "PubkeyAuthentication=no",
            "-o",
            "PreferredAuthentications=password",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Permission denied (publickey)"),
        "{}",
        stderr(&out)
    );
    server.wait_log(&["authentication refused", "offered no public key"]);

    // A command.
    let out = server.ssh(&ada, &kh, &[], &["ls", "/"]);
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exec request failed on channel 0"),
        "{}",
        stderr(&out)
    );
    server.wait_log(&["refused", "Ada Writer", r#"what=exec "ls /""#]);

    // sftp.
    let out = server.ssh(&ada, &kh, &["-s"], &["sftp"]);
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("subsystem request failed"),
        "{}",
        stderr(&out)
    );
    server.wait_log(&["refused", r#"what=subsystem "sftp""#]);

    // Remote forwarding: refused, and ssh gives up as asked.
    let out = server.ssh(
        &ada,
        &kh,
        &[
            "-N",
            "-o",
            "ExitOnForwardFailure=yes",
            "-R",
            "127.0.0.1:0:127.0.0.1:9",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("remote port forwarding failed"),
        "{}",
        stderr(&out)
    );
    server.wait_log(&["refused", "what=remote port forwarding"]);

    // Local forwarding: ssh listens, but a connection through it is closed at once.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new("ssh");
    cmd.args(server.ssh_args(&ada, &kh))
        .args(["-N", "-o", "ExitOnForwardFailure=yes", "-L"])
        .arg(format!("127.0.0.1:{port}:127.0.0.1:9"))
        .arg("127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut forwarding = cmd.spawn().unwrap();
    let deadline = Instant::now() + WAIT;
    let mut conn = loop {
        if let Ok(c) = TcpStream::connect(("127.0.0.1", port)) {
            break c;
        }
        assert!(
            forwarding.try_wait().unwrap().is_none(),
            "ssh -L exited before listening"
        );
        assert!(Instant::now() < deadline, "ssh -L never listened on {port}");
        std::thread::sleep(Duration::from_millis(50));
    };
    conn.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = [0u8; 64];
    match conn.read(&mut buf) {
        Ok(0) => {}
        Ok(n) => panic!("data came through the forward: {:?}", &buf[..n]),
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            ),
            "the forwarded connection was not closed: {e}"
        ),
    }
    server.wait_log(&["refused", "what=local port forwarding (to 127.0.0.1:9)"]);
    let _ = forwarding.kill();
    let out = forwarding.wait_with_output().unwrap();
    assert!(
        stderr(&out).contains("administratively prohibited"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn two_sessions_at_once_do_not_disturb_each_other() {
    let tenant = Tenant::new();
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let bob = keys.make("bob", "Bob Writer");
    let server = tenant.serve(&keys.authorize(&[(WRITE, &ada), (WRITE, &bob)]), &[]);
    let a = dashboard(&server, "two-a", &ada);
    let b = dashboard(&server, "two-b", &bob);

    // A opens the editor on the first identity and types.
    a.keys(&["e"]);
    a.expect("Ctrl-s save", WAIT);
    let mine = r#""metadata_admin": {"note": "typed by A"},"#;
    type_after_first_line(&a, mine);

    // B revokes the sessions of another identity meanwhile.
    let katherine = tenant.identity("katherine.johnson@example.com");
    let kid = katherine["id"].as_str().unwrap();
    assert!(tenant.sessions_active(kid).contains(&true));
    search(&b, "katherine.johnson@example.com");
    revoke_all(&b, "katherine.johnson@example.com");
    assert!(!tenant.sessions_active(kid).contains(&true));

    // A's editor is as A left it, and takes more typing.
    let screen = a.screen();
    assert!(
        screen.contains(mine) && screen.contains("Ctrl-s save"),
        "{screen}"
    );
    assert!(
        !screen.contains("done: revoked"),
        "B's word reached A:\n{screen}"
    );
    a.type_text(" ");
    a.type_text(r#""more": 1,"#);
    a.expect(r#"{"note": "typed by A"}, "more": 1,"#, WAIT);
    // Nothing of A's was sent.
    let sent = tenant.changes_sent();
    assert_eq!(
        sent,
        vec![format!("DELETE /admin/identities/{kid}/sessions")],
        "only B's revocation"
    );
}

#[test]
fn the_dashboard_fits_80x24_and_redraws_when_the_terminal_is_resized() {
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let server = Server::start(&keys.authorize(&[(WRITE, &ada)]), &[], &[]);

    // Fits a 24-row, 80-column terminal from the start: the help hint on the last row,
    // right-aligned to column 80, the status line above it.
    let fits = |screen: &str, cols: usize, rows: usize| {
        let lines: Vec<&str> = screen.lines().collect();
        lines.len() == rows
            && lines[rows - 1].ends_with(HELP)
            // Right-aligned to the edge (a one-column margin at most); a hint left from
            // the old size would end elsewhere, or be cut.
            && (cols - 1..=cols).contains(&lines[rows - 1].chars().count())
            && lines[rows - 2].contains("1 of 35")
            && lines[0].starts_with(" idtui · Ada Writer ")
            && lines.iter().all(|l| l.chars().count() <= cols)
    };
    let small = client_sized(&server, "fit-small", &ada, 80, 24);
    small.expect(LOADED, WAIT);
    small
        .wait_until(WAIT, |s| fits(s, 80, 24))
        .unwrap_or_else(|s| panic!("not fitted to 80x24:\n{s}"));
    server.wait_log(&["session started", "cols=80 rows=24"]);

    // Resized: smaller, then larger; each time the frame is drawn for the new size.
    let t = dashboard(&server, "resize", &ada);
    t.wait_until(WAIT, |s| fits(s, 100, 30))
        .unwrap_or_else(|s| panic!("not fitted to 100x30:\n{s}"));
    t.resize(80, 24);
    t.wait_until(WAIT, |s| fits(s, 80, 24))
        .unwrap_or_else(|s| panic!("not redrawn for 80x24:\n{s}"));
    t.resize(120, 40);
    t.wait_until(WAIT, |s| fits(s, 120, 40))
        .unwrap_or_else(|s| panic!("not redrawn for 120x40:\n{s}"));
}

#[test]
fn a_client_killed_mid_edit_keeps_its_draft_for_the_next_connection() {
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let server = Server::start(&keys.authorize(&[(WRITE, &ada)]), &[], &[]);
    let t = dashboard(&server, "killed", &ada);
    t.keys(&["e"]);
    let screen = t.expect("Ctrl-s save", WAIT);
    // `┌ identity kwame.mensah@example.gh (00b97e39) ───`: who the editor is for.
    let title = screen
        .lines()
        .find_map(|l| {
            let start = l.find("identity ")?;
            let end = start + l[start..].find(')')? + 1;
            Some(l[start..end].to_string())
        })
        .unwrap_or_else(|| panic!("no editor title:\n{screen}"));
    let mine = r#""metadata_admin": {"note": "typed before the kill"},"#;
    type_after_first_line(&t, mine);

    // The ssh client dies without a word.
    let ssh = t
        .pane_children()
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "ssh")
        })
        .expect("the pane's ssh process");
    common::ssh::signal(ssh, "KILL");
    ssh_exited(&t);
    server.wait_log(&["session ended", "name=Ada Writer"]);

    // Its draft was written under the key's own directory.
    let drafts = server.drafts_of(&ada);
    let deadline = Instant::now() + WAIT;
    let draft = loop {
        let found = std::fs::read_dir(&drafts).ok().and_then(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|x| x == "json"))
        });
        if let Some(p) = found {
            break p;
        }
        assert!(
            Instant::now() < deadline,
            "no draft in {}",
            drafts.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&draft).unwrap();
    assert!(text.contains("typed before the kill"), "{text}");

    // The same key, connecting again: the same editor brings the text back.
    let again = dashboard(&server, "killed-again", &ada);
    again.keys(&["e"]);
    let screen = again.expect("restored your unsaved draft", WAIT);
    assert!(
        screen.contains(&title),
        "the same identity, {title}:\n{screen}"
    );
    assert!(screen.contains(mine), "{screen}");
}

#[test]
fn sigterm_ends_every_session_with_a_farewell_and_the_server_exits_0() {
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let bob = keys.make("bob", "Bob Writer");
    let mut server = Server::start(&keys.authorize(&[(WRITE, &ada), (WRITE, &bob)]), &[], &[]);
    let a = dashboard(&server, "term-a", &ada);
    let b = dashboard(&server, "term-b", &bob);
    a.keys(&["e"]);
    a.expect("Ctrl-s save", WAIT);
    type_after_first_line(&a, r#""metadata_admin": {"note": "before the stop"},"#);
    assert_eq!(
        a.pane("#{alternate_on}"),
        "1",
        "the dashboard is on the alternate screen"
    );

    server.terminate();
    for t in [&a, &b] {
        let screen = ssh_exited(t);
        assert!(
            screen.contains(
                "idtui: the session ended: the server is shutting down. Your drafts are kept."
            ),
            "{screen}"
        );
        // Back on the normal screen: the farewell, and none of the dashboard's frame.
        assert_eq!(t.pane("#{alternate_on}"), "0", "{screen}");
        assert!(
            !screen.contains(HELP) && !screen.contains(" idtui · ") && !screen.contains(LOADED),
            "the dashboard is still on screen:\n{screen}"
        );
    }
    let status = server
        .wait_exit(Duration::from_secs(5))
        .expect("the server exits within 5 s");
    assert_eq!(status.code(), Some(0), "{}", server.log());
    let log = server.log();
    assert!(log.contains("stopping") && log.contains("stopped"), "{log}");
    let drafts = server.drafts_of(&ada);
    let kept: Vec<_> = std::fs::read_dir(&drafts)
        .map(|d| d.filter_map(Result::ok).collect())
        .unwrap_or_default();
    assert!(
        !kept.is_empty(),
        "A's draft was not kept in {}",
        drafts.display()
    );
}

#[test]
fn e_says_the_external_editor_is_not_available_over_ssh() {
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let server = Server::start(&keys.authorize(&[(WRITE, &ada)]), &[], &[]);
    let t = dashboard(&server, "external-editor", &ada);
    t.keys(&["E"]);
    let screen = t.expect("E ($EDITOR) is not available over SSH", WAIT);
    assert!(screen.contains(LOADED), "{screen}");
    // Still there and answering.
    t.keys(&["j"]);
    t.expect("2 of 35", WAIT);
}

#[cfg(debug_assertions)]
#[test]
fn a_panic_in_one_session_ends_only_that_session() {
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let bob = keys.make("bob", "Bob Writer");
    let server = Server::start(
        &keys.authorize(&[(WRITE, &ada), (WRITE, &bob)]),
        &[],
        &[("IDTUI_TEST_PANIC", "ui")],
    );
    let a = dashboard(&server, "panic-a", &ada);
    let b = dashboard(&server, "panic-b", &bob);
    a.keys(&["!"]);
    let screen = ssh_exited(&a);
    assert!(
        screen.contains(
            "idtui: this session hit an internal error and ended; the server and other \
             sessions go on"
        ),
        "{screen}"
    );
    assert_eq!(a.pane("#{alternate_on}"), "0", "{screen}");
    server.wait_log(&["session crashed", "name=Ada Writer"]);

    // B goes on, and so does the server.
    b.keys(&["j"]);
    b.expect("2 of 35", WAIT);
    let again = dashboard(&server, "panic-again", &ada);
    again.keys(&["j"]);
    again.expect("2 of 35", WAIT);
}

#[test]
fn limits_per_key_idle_and_failed_logins_are_enforced() {
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let eve = keys.make("eve", "Eve Unknown");
    let server = Server::start(
        &keys.authorize(&[(WRITE, &ada)]),
        &[
            "--max-sessions-per-key",
            "1",
            "--idle-timeout",
            "3s",
            "--max-auth-failures",
            "2",
        ],
        &[],
    );
    let kh = known_hosts(&keys);
    let text = |out: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };

    // One session per key: a second one is told why not.
    let a = dashboard(&server, "limits", &ada);
    // Input, so the idle clock starts again just before the second ssh.
    a.keys(&["j"]);
    let out = server.ssh(&ada, &kh, &["-tt"], &[]);
    assert!(
        text(&out).contains("idtui: not now: your key already has its 1 sessions"),
        "{}",
        text(&out)
    );
    assert_ne!(out.status.code(), Some(0));
    server.wait_log(&["refused", "your key already has its 1 sessions"]);

    // No input for the idle timeout: the session ends, saying so.
    let screen = ssh_exited(&a);
    assert!(
        screen.contains(
            "idtui: the session ended: no input for the idle timeout. Your drafts are kept."
        ),
        "{screen}"
    );

    // A client that offers a wrong key before its right one (as an agent holding several
    // does) gets in, and that is no failed login, however often it connects.
    let ada_key = ada.private.to_str().unwrap();
    for _ in 0..3 {
        let out = server.ssh(&eve, &kh, &["-i", ada_key], &["true"]);
        assert!(text(&out).contains("exec request failed"), "{}", text(&out));
    }
    assert!(
        !server.log().contains("failed login from this address"),
        "{}",
        server.log()
    );

    // Two failed logins from this address: then even the write key is turned away.
    for _ in 0..2 {
        let out = server.ssh(&eve, &kh, &[], &[]);
        assert!(
            text(&out).contains("Permission denied (publickey)"),
            "{}",
            text(&out)
        );
    }
    // Counted when each refused connection has gone, which the client does not wait for.
    server.wait_log(&["failed login from this address", "failures=2"]);
    let out = server.ssh(&ada, &kh, &["-tt"], &[]);
    assert_eq!(out.status.code(), Some(255), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("Connection closed")
            || said.contains("kex_exchange_identification")
            || said.contains("Connection reset"),
        "{said}"
    );
    server.wait_log(&["refused: too many failed logins from this address"]);
}

#[test]
fn the_demo_lets_in_the_own_keys_of_a_machine_without_authorized_keys_and_says_so() {
    let keys = Keys::new();
    let me = keys.make("id_ed25519", "me@fresh");
    let stranger = keys.make("stranger", "Stranger");
    // A fresh machine: a key pair in ~/.ssh, no authorized_keys, no config.
    let home = tempfile::tempdir().unwrap();
    let ssh_dir = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh_dir).unwrap();
    std::fs::copy(me.public(), ssh_dir.join("id_ed25519.pub")).unwrap();
    let server = Server::start_in(home, None, &[], &[]);
    assert!(
        server
            .banner
            .contains("serving only demo data, so your own keys get in as write keys"),
        "{}",
        server.banner
    );
    assert!(server.banner.contains("DEMO SANDBOX"), "{}", server.banner);
    let t = dashboard(&server, "own-keys", &me);
    // A write key on demo data, and the title bar says it is the demo.
    let screen = t.expect("demo sandbox", WAIT);
    assert!(!screen.contains("READ-ONLY"), "{screen}");
    // Any other key is still refused.
    let out = server.ssh(&stranger, &known_hosts(&keys), &[], &[]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Permission denied (publickey)"),
        "{out:?}"
    );
}

#[test]
fn an_authorized_keys_file_others_may_write_lets_nobody_in() {
    use std::os::unix::fs::PermissionsExt;
    let keys = Keys::new();
    let ada = keys.make("ada", "Ada Writer");
    let file = keys.authorize(&[(WRITE, &ada)]);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o622)).unwrap();
    let server = Server::start(&file, &[], &[]);
    assert!(
        server.banner.contains("writable by group or others"),
        "{}",
        server.banner
    );
    let out = server.ssh(&ada, &known_hosts(&keys), &[], &[]);
    assert_eq!(out.status.code(), Some(255), "{out:?}");
    server.wait_log(&["authorized keys unusable"]);
    // Fixed without a restart: the next connection gets in (and is then refused its
    // command, as every command is).
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = server.ssh(&ada, &known_hosts(&keys), &[], &["true"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("exec request failed"),
        "{out:?}"
    );
}

#[test]
fn from_holds_a_key_to_the_addresses_its_line_names() {
    let keys = Keys::new();
    let near = keys.make("near", "Near");
    let far = keys.make("far", "Far");
    let file = keys.authorize(&[
        (r#"from="127.0.0.0/8,!127.0.0.2""#, &near),
        (r#"from="10.0.0.0/8""#, &far),
    ]);
    let server = Server::start(&file, &[], &[]);
    // From 127.0.0.1: the first key gets in (its command is then refused, as all are)…
    let out = server.ssh(&near, &known_hosts(&keys), &[], &["true"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("exec request failed"),
        "{out:?}"
    );
    // …the second, allowed only from 10/8, does not.
    let out = server.ssh(&far, &known_hosts(&keys), &[], &[]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Permission denied (publickey)"),
        "{out:?}"
    );
    server.wait_log(&["key not allowed from this address (from=)", "127.0.0.1"]);
    // The first key from the one address its line negates (`ssh -b` picks the source).
    let out = server.ssh(&near, &known_hosts(&keys), &["-b", "127.0.0.2"], &[]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Permission denied (publickey)"),
        "{out:?}"
    );
    server.wait_log(&["key not allowed from this address (from=)", "127.0.0.2"]);
}
