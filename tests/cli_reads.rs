//! `idtui list|get|find|sessions|export` as a script runs them: the real binary against a
//! sandbox child process, its stdout parsed back in every format, its stderr and exit
//! status checked, and what it prints compared with what the server holds.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use common::pty::PtySession;
use common::sandbox::Sandbox;

/// The credential every sandbox here is started with (and the profiles read from SBX_TOKEN).
const TOKEN: &str = "cli-reads-token";

/// A sandbox with the demo data (and its hostile records), as scripts here see it.
fn demo() -> Sandbox {
    Sandbox::start(&["--demo", "--token", TOKEN, "--headless-rate-limit", "0"])
}

/// A home of its own (config, state) and a config with one profile per provider.
struct Home {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Home {
    /// Profiles `kratos`, `core` and `headless` on `sandbox`; `headless_url` moves the
    /// Coassemble one elsewhere (a port nobody answers on, for a profile that is down).
    fn new(sandbox: &Sandbox, headless_url: Option<&str>) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let base = &sandbox.base;
        let headless = headless_url.unwrap_or(base);
        let config =
            common::sandbox::three_profiles(&dir.path().join("idtui.toml"), base, "", headless);
        Home { dir, config }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `idtui --config … ARGS` with stdout and stderr piped, as a script runs it.
    fn run(&self, args: &[&str]) -> Run {
        let out = Command::cargo_bin("idtui")
            .unwrap()
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("SBX_TOKEN", TOKEN)
            .env_remove("IDTUI_LOG")
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Exit 0, or a panic showing what was said.
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "exit {}: {}", self.code, self.stderr);
        self
    }

    fn failed(self, code: i32) -> Run {
        assert_eq!(self.code, code, "{self:?}");
        self
    }

    /// stdout as JSON Lines.
    fn jsonl(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// A GET on the sandbox with its credential: what the server holds.
fn server(sandbox: &Sandbox, path: &str) -> Value {
    let (status, body) = sandbox.call_with("GET", path, None, TOKEN);
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// Every identity the server holds, in its order.
fn all_identities(sandbox: &Sandbox) -> Vec<Value> {
    let body = server(sandbox, "/admin/identities?page_size=500");
    body.as_array().unwrap().clone()
}

fn identity_by_email(sandbox: &Sandbox, email: &str) -> Value {
    all_identities(sandbox)
        .into_iter()
        .find(|i| i["traits"]["email"] == email)
        .unwrap_or_else(|| panic!("no identity {email}"))
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn into_a_pipe_a_list_is_json_lines_of_the_servers_records_and_says_when_more_remain() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    let run = home.run(&["list", "identities", "--limit", "5"]).ok();
    let records = run.jsonl();
    assert_eq!(records.len(), 5);
    // The server's records whole, in its order: the first five it lists.
    let held = all_identities(&sandbox);
    assert_eq!(records, held[..5].to_vec());
    assert!(
        run.stderr
            .contains("showing the first 5 records; there are more (--all"),
        "{}",
        run.stderr
    );

    // Without --limit: 100 at most (the demo holds fewer: no note).
    let run = home.run(&["list", "identities"]).ok();
    assert_eq!(run.jsonl(), held);
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    // A limit at the list's length: every record, and nothing said.
    let n = held.len().to_string();
    let run = home.run(&["list", "identities", "--limit", &n]).ok();
    assert_eq!(run.jsonl().len(), held.len());
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn all_walks_every_page_and_the_default_limit_stops_at_100() {
    let sandbox = Sandbox::start(&["--generate", "1203", "--token", TOKEN]);
    let home = Home::new(&sandbox, None);
    let run = home.run(&["list", "identities", "--all"]).ok();
    let records = run.jsonl();
    assert_eq!(records.len(), 1203);
    let mut seen = ids(&records);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 1203, "no record twice");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    // Kratos serves 500 a page: three pages (and no more).
    assert_eq!(sandbox.count("GET", "/admin/identities"), 3);

    let run = home.run(&["list", "identities"]).ok();
    assert_eq!(run.jsonl().len(), 100);
    assert!(
        run.stderr.contains("showing the first 100 records"),
        "{}",
        run.stderr
    );
    // Every format streams the same walk: a JSON array of all of them.
    let run = home
        .run(&["list", "identities", "--all", "-o", "json"])
        .ok();
    assert_eq!(run.json().as_array().unwrap().len(), 1203);
}

#[test]
fn every_format_parses_back_to_the_same_records() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    let args = |format: &'static str| ["list", "identities", "--limit", "4", "-o", format];
    let want = home.run(&args("jsonl")).ok().jsonl();
    assert_eq!(want.len(), 4);

    let json = home.run(&args("json")).ok().json();
    assert_eq!(json, Value::Array(want.clone()));

    let yaml: Value = serde_yaml_ng::from_str(&home.run(&args("yaml")).ok().stdout).unwrap();
    assert_eq!(yaml, Value::Array(want.clone()));

    let csv = home.run(&args("csv")).ok().stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(
        lines[0].starts_with("ID,EMAIL / USERNAME,STATE,SCHEMA,CREATED"),
        "{csv}"
    );
    for (line, record) in lines[1..].iter().zip(&want) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], record["id"], "{line}");
        assert_eq!(cells[1], record["traits"]["email"], "{line}");
        assert_eq!(cells[2], record["state"], "{line}");
    }

    let table = home.run(&args("table")).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    let header: Vec<&str> = lines[0].split("  ").filter(|c| !c.is_empty()).collect();
    assert_eq!(
        header[..4].iter().map(|h| h.trim()).collect::<Vec<_>>(),
        ["ID", "EMAIL / USERNAME", "STATE", "SCHEMA"]
    );
    let state_at = lines[0].find("STATE").unwrap();
    for (line, record) in lines[1..].iter().zip(&want) {
        assert!(line.starts_with(record["id"].as_str().unwrap()), "{line}");
        assert!(line.contains(record["traits"]["email"].as_str().unwrap()));
        // Aligned: each state sits under its header.
        assert!(
            from_column(line, state_at).starts_with(record["state"].as_str().unwrap()),
            "{table}"
        );
    }
}

#[test]
fn columns_pick_headers_and_paths_for_table_and_csv_only() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    // The first two: no hostile text in them (cells are cleaned, as the test below checks).
    let want = home
        .run(&["list", "identities", "--limit", "2"])
        .ok()
        .jsonl();
    let csv = home
        .run(&[
            "list",
            "identities",
            "--limit",
            "2",
            "-o",
            "csv",
            "--columns",
            "email / username,traits.name.last,id",
        ])
        .ok()
        .stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "EMAIL / USERNAME,traits.name.last,ID");
    for (line, record) in lines[1..].iter().zip(&want) {
        let want_line = format!(
            "{},{},{}",
            record["traits"]["email"].as_str().unwrap(),
            record["traits"]["name"]["last"].as_str().unwrap_or(""),
            record["id"].as_str().unwrap()
        );
        assert_eq!(*line, want_line);
    }
    let table = home
        .run(&[
            "list",
            "identities",
            "--limit",
            "3",
            "-o",
            "table",
            "--columns",
            "traits.name.first,STATE",
        ])
        .ok()
        .stdout;
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("traits.name.first"), "{table}");
    assert!(header.trim_end().ends_with("STATE"), "{table}");
    assert!(!table.contains(want[0]["id"].as_str().unwrap()), "{table}");

    // The data formats print records whole: --columns there is a mistake, said as one.
    let run = home
        .run(&["list", "identities", "-o", "json", "--columns", "id"])
        .failed(2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("--columns"), "{}", run.stderr);
    let run = home
        .run(&["list", "identities", "-o", "csv", "--columns", "traits..x"])
        .failed(2);
    assert!(
        run.stderr.contains("no column “traits..x”"),
        "{}",
        run.stderr
    );
}

#[test]
fn get_prints_the_one_record_as_the_server_holds_it() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    let held = identity_by_email(&sandbox, "kwame.mensah@example.gh");
    let id = held["id"].as_str().unwrap();
    let fresh = server(&sandbox, &format!("/admin/identities/{id}"));

    for who in ["kwame.mensah@example.gh", id, "ext:crm-0851"] {
        let run = home
            .run(&["get", who, "--profile", "kratos", "-o", "json"])
            .ok();
        assert_eq!(run.json(), fresh, "get {who}: one object, not an array");
    }
    let yaml = home
        .run(&["get", id, "--profile", "kratos", "-o", "yaml"])
        .ok()
        .stdout;
    assert_eq!(serde_yaml_ng::from_str::<Value>(&yaml).unwrap(), fresh);
    let table = home
        .run(&["get", id, "--profile", "kratos", "-o", "table"])
        .ok()
        .stdout;
    assert!(
        table
            .lines()
            .any(|l| l == "EMAIL / USERNAME  kwame.mensah@example.gh"),
        "{table}"
    );

    // A Coassemble client is named by its identifier too.
    let run = home
        .run(&["get", "acme-corp", "--profile", "headless"])
        .ok();
    assert_eq!(run.jsonl()[0]["clientIdentifier"], "acme-corp");

    let run = home
        .run(&["get", "nobody@example.com", "--profile", "kratos"])
        .failed(3);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("no one matches “nobody@example.com” on kratos"),
        "{}",
        run.stderr
    );
    // Three profiles and none chosen: WHO is looked for on each, and found on one.
    let run = home.run(&["get", id]).ok();
    assert_eq!(run.jsonl()[0]["id"], id);
    // A name two profiles answer to is a question for the user: a MATTR user with the
    // same email as the Kratos identity.
    let (status, body) = sandbox.call_with(
        "POST",
        "/v1/users",
        Some(json!({"claims": {"email": "kwame.mensah@example.gh"}})),
        TOKEN,
    );
    assert_eq!(status, 201, "{body}");
    let run = home.run(&["get", "kwame.mensah@example.gh"]).failed(2);
    assert!(
        run.stderr.contains("choose one with --profile"),
        "{}",
        run.stderr
    );
}

#[test]
fn find_searches_every_profile_and_wraps_each_hit_with_where_it_was_found() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    let kwame = identity_by_email(&sandbox, "kwame.mensah@example.gh");

    let run = home.run(&["find", "kwame.mensah@example.gh"]).ok();
    let hits = run.jsonl();
    assert_eq!(hits.len(), 1, "{}", run.stdout);
    assert_eq!(hits[0]["profile"], "kratos");
    assert_eq!(hits[0]["kind"], "identity");
    assert_eq!(hits[0]["id"], kwame["id"]);
    assert_eq!(hits[0]["record"]["traits"], kwame["traits"]);

    // A MATTR user by its email, a Coassemble user and client by identifier.
    let run = home.run(&["find", "jamie@example.test", "-o", "json"]).ok();
    let hits = run.json();
    assert_eq!(hits[0]["profile"], "core");
    assert_eq!(hits[0]["record"]["claims"]["email"], "jamie@example.test");
    let run = home.run(&["find", "user-000", "-o", "yaml"]).ok();
    let hits: Value = serde_yaml_ng::from_str(&run.stdout).unwrap();
    assert_eq!(hits[0]["profile"], "headless");
    assert_eq!(hits[0]["kind"], "user");
    assert_eq!(hits[0]["client"], "acme-corp");
    assert_eq!(hits[0]["record"]["identifier"], "user-000");

    let table = home.run(&["find", "user-000", "-o", "table"]).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("PROFILE"), "{table}");
    assert!(lines[0].contains("NAME / EMAIL"), "{table}");
    assert!(lines[1].starts_with("headless  user-000"), "{table}");
    assert!(lines[1].contains("user of client acme-corp"), "{table}");

    let run = home.run(&["find", "nobody-at-all"]).failed(3);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("nothing matches “nobody-at-all” on any profile"),
        "{}",
        run.stderr
    );
}

#[test]
fn find_says_which_profile_failed_and_still_prints_the_others() {
    let sandbox = demo();
    // Nobody listens on port 9 of the loopback.
    let home = Home::new(&sandbox, Some("http://127.0.0.1:9"));
    let run = home.run(&["find", "kwame.mensah@example.gh"]).failed(1);
    let hits = run.jsonl();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["profile"], "kratos");
    assert!(run.stderr.contains("idtui: headless: "), "{}", run.stderr);
    assert!(
        run.stderr.contains("1 of 3 profiles could not be searched"),
        "{}",
        run.stderr
    );
}

#[test]
fn sessions_lists_the_active_ones_unless_all() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    let kwame = identity_by_email(&sandbox, "kwame.mensah@example.gh");
    let id = kwame["id"].as_str().unwrap();
    let held = server(&sandbox, &format!("/admin/identities/{id}/sessions"));
    let held = held.as_array().unwrap();
    let active: Vec<&Value> = held.iter().filter(|s| s["active"] == true).collect();
    assert!(
        !active.is_empty() && active.len() < held.len(),
        "the demo gives Kwame active and inactive sessions"
    );

    let run = home.run(&["sessions", "kwame.mensah@example.gh"]).ok();
    let sessions = run.jsonl();
    assert_eq!(sessions.len(), active.len());
    assert!(sessions.iter().all(|s| s["active"] == true));

    let run = home
        .run(&["sessions", "kwame.mensah@example.gh", "--all", "-o", "json"])
        .ok();
    let mut got = ids(run.json().as_array().unwrap());
    let mut want = ids(held);
    got.sort();
    want.sort();
    assert_eq!(got, want);

    home.run(&["sessions", "nobody@example.com"]).failed(3);
    let run = home
        .run(&["sessions", "jamie@example.test", "--profile", "core"])
        .failed(2);
    assert!(
        run.stderr.contains("sessions are Ory Kratos's"),
        "{}",
        run.stderr
    );
}

#[test]
fn each_list_is_read_on_the_provider_that_has_it() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    // Every active session (Kratos, the only profile that has them).
    let run = home.run(&["list", "sessions", "--all"]).ok();
    let sessions = run.jsonl();
    let every = server(&sandbox, "/admin/sessions?page_size=1000");
    let active = server(
        &sandbox,
        "/admin/sessions?page_size=1000&active=true&expand=identity",
    );
    let active = active.as_array().unwrap();
    assert!(!sessions.is_empty() && active.len() < every.as_array().unwrap().len());
    assert_eq!(ids(&sessions), ids(active), "the active ones, newest first");

    let clients = home.run(&["list", "clients", "--all"]).ok().jsonl();
    assert!(clients.iter().any(|c| c["clientIdentifier"] == "acme-corp"));
    let users = home
        .run(&["list", "users", "--profile", "core", "--all"])
        .ok()
        .jsonl();
    assert!(
        users
            .iter()
            .any(|u| u["claims"]["email"] == "jamie@example.test")
    );
    // Coassemble's users of one client, by its search.
    let users = home
        .run(&[
            "list",
            "users",
            "--profile",
            "headless",
            "--search",
            "acme-corp",
            "--all",
        ])
        .ok()
        .jsonl();
    assert!(!users.is_empty());
    assert!(users.iter().all(|u| u["clientIdentifier"] == "acme-corp"));

    // Users live on two providers here: which one is asked.
    let run = home.run(&["list", "users"]).failed(2);
    assert!(
        run.stderr.contains("several profiles fit"),
        "{}",
        run.stderr
    );
    let run = home
        .run(&["list", "clients", "--profile", "kratos"])
        .failed(2);
    assert!(
        run.stderr
            .contains("profile kratos is Ory Kratos: clients are Coassemble's"),
        "{}",
        run.stderr
    );
    let run = home.run(&["list", "sessions", "--search", "x"]).failed(2);
    assert!(run.stderr.contains("cannot be searched"), "{}", run.stderr);
    // Kratos's search: an email finds that identity alone.
    let one = home
        .run(&["list", "identities", "--search", "kwame.mensah@example.gh"])
        .ok()
        .jsonl();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["traits"]["email"], "kwame.mensah@example.gh");
}

#[test]
fn hostile_text_never_reaches_a_table_or_csv_as_it_is() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    for args in [
        &["list", "identities", "-o", "table"][..],
        &["list", "identities", "-o", "csv"],
        &["list", "clients", "-o", "table"],
        &[
            "get",
            "mallory@example.com",
            "--profile",
            "kratos",
            "-o",
            "table",
        ],
        &["find", "mallory@example.com", "-o", "table"],
    ] {
        let run = home.run(args).ok();
        assert!(
            !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
            "{args:?} printed a control character:\n{}",
            run.stdout
        );
        assert!(
            !run.stdout.contains('\u{202e}'),
            "{args:?} printed a bidi override"
        );
    }
    // Shown, visibly, rather than dropped.
    let table = home.run(&["list", "clients", "-o", "table"]).ok().stdout;
    assert!(table.contains("␛[2J␛[1;31mPWNED"), "{table}");
    let get = home
        .run(&[
            "get",
            "mallory@example.com",
            "--profile",
            "kratos",
            "-o",
            "table",
        ])
        .ok()
        .stdout;
    assert!(get.contains("⟨U+202E⟩evil"), "{get}");
    // JSON keeps the value exactly: the escapes the server sent.
    let json = home
        .run(&[
            "get",
            "mallory@example.com",
            "--profile",
            "kratos",
            "-o",
            "json",
        ])
        .ok();
    assert!(!json.stdout.contains('\u{1b}'));
    assert_eq!(
        json.json()["metadata_public"]["bidi"],
        "\u{202e}evil\u{202c}"
    );
}

#[test]
fn export_writes_a_whole_file_and_replaces_one_only_with_force() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    let held = all_identities(&sandbox);
    let file = home.path().join("ids.jsonl");
    let run = home.run(&["export", "identities", "ids.jsonl"]).ok();
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains(&format!("exported {} records to ids.jsonl", held.len())),
        "{}",
        run.stderr
    );
    let written: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(written, held);

    // An existing file is kept, unless --force.
    std::fs::write(&file, "mine\n").unwrap();
    let run = home.run(&["export", "identities", "ids.jsonl"]).failed(2);
    assert!(
        run.stderr
            .contains("ids.jsonl exists: not replaced (--force"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine\n");
    home.run(&["export", "identities", "ids.jsonl", "--force"])
        .ok();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap().lines().count(),
        held.len()
    );

    // The format is the extension's.
    home.run(&["export", "identities", "ids.json"]).ok();
    let array: Value =
        serde_json::from_str(&std::fs::read_to_string(home.path().join("ids.json")).unwrap())
            .unwrap();
    assert_eq!(array, Value::Array(held.clone()));
    home.run(&[
        "export",
        "identities",
        "ids.csv",
        "--columns",
        "id,traits.email",
    ])
    .ok();
    let csv = std::fs::read_to_string(home.path().join("ids.csv")).unwrap();
    assert!(csv.starts_with("ID,traits.email\r\n"), "{csv}");
    assert_eq!(csv.lines().count(), held.len() + 1);
    let run = home.run(&["export", "identities", "ids.txt"]).failed(2);
    assert!(
        run.stderr.contains("cannot tell the format"),
        "{}",
        run.stderr
    );
    assert!(!home.path().join("ids.txt").exists());

    // No temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("ids"))
        .collect();
    names.sort();
    assert_eq!(names, ["ids.csv", "ids.json", "ids.jsonl"]);
    assert!(!std::fs::read_dir(home.path()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains("idtui-export")
    }));

    // `-`: stdout, JSON Lines unless -o says otherwise.
    let run = home.run(&["export", "identities", "-"]).ok();
    assert_eq!(run.jsonl(), held);
    assert!(
        run.stderr
            .contains(&format!("exported {} records to stdout", held.len())),
        "{}",
        run.stderr
    );
    let run = home.run(&["export", "clients", "-", "-o", "yaml"]).ok();
    let clients: Value = serde_yaml_ng::from_str(&run.stdout).unwrap();
    assert!(
        clients
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["clientIdentifier"] == "acme-corp")
    );
}

#[test]
fn on_a_terminal_a_list_is_a_clean_table_fitted_to_its_width() {
    let sandbox = demo();
    let home = Home::new(&sandbox, None);
    let config = home.config.to_str().unwrap();
    let mut s = PtySession::spawn(
        &["--config", config, "list", "identities", "--limit", "40"],
        &[("SBX_TOKEN", TOKEN)],
        80,
        24,
    );
    let status = s.wait_exit(Duration::from_secs(60)).expect("idtui ended");
    assert!(status.success(), "{status:?}");
    let raw = String::from_utf8(s.raw_output()).unwrap();
    // The demo's hostile identity is in the list: none of its escapes got through.
    assert!(raw.contains("mallory@example.com"), "{raw}");
    assert!(
        !raw.contains('\u{1b}'),
        "a raw escape reached the terminal:\n{raw}"
    );
    let lines: Vec<&str> = raw.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert!(lines[0].starts_with("ID"), "{raw}");
    assert!(lines[0].contains("EMAIL / USERNAME"), "{raw}");
    for line in &lines {
        assert!(line.width() <= 80, "wider than the terminal: {line:?}");
    }
}

/// What starts at terminal column `col` of `line`.
fn from_column(line: &str, col: usize) -> &str {
    let mut used = 0;
    for (at, c) in line.char_indices() {
        if used >= col {
            return &line[at..];
        }
        used += UnicodeWidthChar::width(c).unwrap_or(0);
    }
    ""
}
