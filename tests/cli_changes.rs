//! The change subcommands end to end: the real binary, without a terminal, against
//! `idtui sandbox --demo`, each result read back over HTTP and in the sandbox's request log,
//! with the audit trail and the exit status a script sees.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::sandbox::Sandbox;
use serde_json::{Value, json};

const TOKEN: &str = "sbx_cli_changes_token_0123456789";
/// Demo identities: one with two active sessions, one with none active.
const NGUYEN: &str = "48602316-9036-5418-a058-0d8c52e54cab";
const ADA: &str = "767e3cc1-d67e-51bc-ad2b-449c5eea9782";

/// A sandbox with the demo data, a config with a profile per provider on it, and a private
/// home for idtui's state (audit trail, journals, drafts).
struct World {
    sandbox: Sandbox,
    config: PathBuf,
    home: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        World::with_profile_options("")
    }

    /// `extra` goes into the Kratos profile (e.g. `read_only = true`).
    fn with_profile_options(extra: &str) -> World {
        let sandbox = Sandbox::start(&["--demo", "--token", TOKEN]);
        let home = tempfile::tempdir().unwrap();
        let base = &sandbox.base;
        let config = common::sandbox::three_profiles(
            &home.path().join("config.toml"),
            base,
            extra,
            &format!("{base}/api"),
        );
        World {
            sandbox,
            config,
            home,
        }
    }

    /// `idtui ARGS` with no terminal (stdin empty, output captured).
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_idtui"));
        cmd.arg("--config")
            .arg(&self.config)
            .args(args)
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_STATE_HOME", self.home.path().join("state"))
            .env("SBX_TOKEN", TOKEN)
            .env_remove("VISUAL")
            .env_remove("EDITOR")
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.sandbox.call_with(method, path, body, TOKEN)
    }

    fn identity(&self, id: &str) -> Value {
        let (status, body) = self.call("GET", &format!("/admin/identities/{id}"), None);
        assert_eq!(status, 200, "{body}");
        body
    }

    fn active_sessions(&self, id: &str) -> usize {
        let (status, body) = self.call(
            "GET",
            &format!("/admin/identities/{id}/sessions?active=true"),
            None,
        );
        match status {
            404 => 0,
            200 => body.as_array().unwrap().len(),
            other => panic!("{other}: {body}"),
        }
    }

    /// Requests that change something, as `METHOD path`.
    fn changes(&self) -> Vec<String> {
        self.sandbox.barrier();
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET" && !r.path.ends_with("/users/search"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    fn audit(&self) -> Vec<Value> {
        let path = self.home.path().join("state/idtui/audit.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON lines on stdout.
fn records(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn revoke_ends_every_active_session_and_reports_it_as_json_for_a_ticket() {
    let w = World::new();
    assert_eq!(w.active_sessions(NGUYEN), 2);
    let out = w.run_with(
        &["revoke", "nguyen.an@example.vn", "--yes", "-o", "json"],
        &[("USER", "ops-nguyen")],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(report[0]["id"], NGUYEN);
    assert_eq!(report[0]["outcome"], "applied");
    assert_eq!(w.active_sessions(NGUYEN), 0);
    assert_eq!(
        w.changes(),
        [format!("DELETE /admin/identities/{NGUYEN}/sessions")]
    );
    // The audit trail says the command line sent it, and how it ended.
    let audit = w.audit();
    let outcomes: Vec<(&str, &str)> = audit
        .iter()
        .map(|l| (l["outcome"].as_str().unwrap(), l["via"].as_str().unwrap()))
        .collect();
    assert_eq!(outcomes, [("sent", "cli"), ("applied", "cli")]);
    for line in &audit {
        assert_eq!(line["actor"], json!({"user": "ops-nguyen"}), "{line}");
    }
    assert_eq!(
        audit[0]["path"],
        format!("/admin/identities/{NGUYEN}/sessions")
    );
    // Someone with no active session is left as they are, and that is not an error.
    let out = w.run(&["revoke", "nguyen.an@example.vn", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(records(&out)[0]["outcome"], "unchanged");
}

#[test]
fn without_a_terminal_and_without_yes_nothing_is_sent_and_the_exit_status_is_2() {
    let w = World::new();
    for args in [
        &["revoke", "nguyen.an@example.vn"][..],
        &["delete", "ada.lovelace@example.com"],
        &["set", "ada.lovelace@example.com", "plan=pro"],
        &["--profile", "kratos", "unset", "--search", "a", "plan"],
    ] {
        let out = w.run(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(
            said.contains("--yes") && said.contains("nothing sent"),
            "{said}"
        );
        assert_eq!(said.lines().count(), 1, "one clean line: {said}");
    }
    assert_eq!(w.changes(), Vec::<String>::new());
    assert_eq!(w.active_sessions(NGUYEN), 2);
}

#[test]
fn dry_run_prints_each_request_reads_fresh_copies_and_sends_nothing() {
    let w = World::new();
    let out = w.run(&[
        "--profile",
        "kratos",
        "set",
        "--search",
        "a",
        "plan=\"gold\"",
        "--dry-run",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let plan = records(&out);
    assert!(plan.len() >= 4, "{plan:?}");
    for r in &plan {
        assert_eq!(r["outcome"], "would send", "{r}");
        let id = r["id"].as_str().unwrap();
        assert_eq!(r["request"], format!("PATCH /admin/identities/{id}"));
        assert_eq!(r["change"][0]["path"], "/metadata_public");
        assert_eq!(r["change"][0]["value"]["plan"], "gold");
    }
    assert_eq!(w.changes(), Vec::<String>::new());
    assert!(w.audit().is_empty(), "a dry run writes no audit line");
    // Secrets in a change are masked: a patch that sets a password shows no password.
    let out = w.run(&[
        "patch",
        "ada.lovelace@example.com",
        "--op",
        r#"{"op":"add","path":"/metadata_admin/api_token","value":"s3cr3t-value"}"#,
        "--dry-run",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert_eq!(w.changes(), Vec::<String>::new());
}

#[test]
fn set_over_a_search_changes_every_match_once_and_a_second_run_changes_nothing() {
    let w = World::new();
    let out = w.run(&[
        "--profile",
        "kratos",
        "set",
        "--search",
        "a",
        "plan=\"enterprise\"",
        "--yes",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = records(&out);
    assert!(report.len() >= 4, "{report:?}");
    let patched: Vec<String> = report
        .iter()
        .filter(|r| r["outcome"] == "applied")
        .map(|r| format!("PATCH /admin/identities/{}", r["id"].as_str().unwrap()))
        .collect();
    let mut sent = w.changes();
    sent.sort();
    let mut expected = patched.clone();
    expected.sort();
    assert_eq!(sent, expected, "one PATCH per identity changed");
    for r in &report {
        let id = r["id"].as_str().unwrap();
        assert_eq!(w.identity(id)["metadata_public"]["plan"], "enterprise");
    }
    assert!(stderr(&out).contains("done"), "{}", stderr(&out));
    let again = w.run(&[
        "--profile",
        "kratos",
        "set",
        "--search",
        "a",
        "plan=\"enterprise\"",
        "--yes",
        "-o",
        "csv",
    ]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    let csv = String::from_utf8(again.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,name,outcome,why");
    assert!(
        lines[1..].iter().all(|l| l.contains(",unchanged,")),
        "{csv}"
    );
    assert_eq!(w.changes().len(), patched.len(), "nothing more sent");
    // The run was journaled, and the journal ends.
    let journals = std::fs::read_dir(w.home.path().join("state/idtui/bulk")).unwrap();
    assert_eq!(journals.count(), 2);
}

#[test]
fn unset_removes_the_key_and_claims_and_coassemble_metadata_work_too() {
    let w = World::new();
    let out = w.run(&["set", "ada.lovelace@example.com", "admin.tier=3", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(w.identity(ADA)["metadata_admin"]["tier"], 3);
    let out = w.run(&["unset", "ada.lovelace@example.com", "admin.tier", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(w.identity(ADA)["metadata_admin"].get("tier").is_none());
    // MATTR: a claim of a user found by email.
    let out = w.run(&[
        "--profile",
        "core",
        "set",
        "jamie@example.test",
        "plan=\"pro\"",
        "--yes",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = records(&out)[0]["id"].as_str().unwrap().to_string();
    let (_, user) = w.call("GET", &format!("/v1/users/{id}"), None);
    assert_eq!(user["claims"]["plan"], "pro");
    // Coassemble: a client's metadata.
    let out = w.run(&[
        "--profile",
        "headless",
        "set",
        "acme-corp",
        "tier=\"gold\"",
        "--yes",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (_, client) = w.call("GET", "/api/v1/headless/client/acme-corp", None);
    assert_eq!(client["metadata"]["tier"], "gold", "{client}");
}

#[test]
fn a_patch_whose_test_fails_is_a_conflict_and_sends_nothing() {
    let w = World::new();
    let test = r#"{"op":"test","path":"/state","value":"inactive"}"#;
    let replace = r#"{"op":"replace","path":"/traits/name/first","value":"Augusta"}"#;
    let out = w.run(&[
        "patch",
        "ada.lovelace@example.com",
        "--op",
        test,
        "--op",
        replace,
        "--yes",
    ]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("precondition not met"),
        "{}",
        stderr(&out)
    );
    assert_eq!(w.changes(), Vec::<String>::new());
    // The same patch from a file, its test now true, lands.
    let file = w.home.path().join("patch.json");
    let patch = format!(
        "[{}, {replace}]",
        r#"{"op":"test","path":"/state","value":"active"}"#
    );
    std::fs::write(&file, patch).unwrap();
    let out = w.run(&[
        "patch",
        "ada.lovelace@example.com",
        "--file",
        file.to_str().unwrap(),
        "--yes",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(w.identity(ADA)["traits"]["name"]["first"], "Augusta");
    assert_eq!(w.changes(), [format!("PATCH /admin/identities/{ADA}")]);
}

#[test]
fn a_set_where_some_items_fail_is_partly_done_and_the_report_says_which() {
    let w = World::new();
    // A person whose identifier starts like the service account's, which has no username.
    let (status, body) = w.call(
        "POST",
        "/admin/identities",
        Some(json!({"schema_id": "default", "traits": {"email": "bea@example.com"}})),
    );
    assert_eq!(status, 201, "{body}");
    let out = w.run(&[
        "patch",
        "--search",
        "b",
        "--op",
        r#"{"op":"add","path":"/traits/username","value":"bee"}"#,
        "--yes",
    ]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let report = records(&out);
    let outcome = |name: &str| {
        report
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {report:?}"))["outcome"]
            .clone()
    };
    assert_eq!(outcome("bea@example.com"), "applied");
    assert_eq!(outcome("billing-exporter"), "failed");
    assert!(stderr(&out).contains("1 failed"), "{}", stderr(&out));
}

#[test]
fn read_only_refuses_every_change_before_anything_is_sent() {
    let w = World::with_profile_options("read_only = true");
    let out = w.run(&["revoke", "nguyen.an@example.vn", "--yes"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    let out = w.run(&[
        "--read-only",
        "--profile",
        "core",
        "delete",
        "jamie@example.test",
        "--yes",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("--read-only"), "{}", stderr(&out));
    // A dry run still shows what would be sent.
    let out = w.run(&["revoke", "nguyen.an@example.vn", "--dry-run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(w.changes(), Vec::<String>::new());
    assert_eq!(w.active_sessions(NGUYEN), 2);
}

#[test]
fn delete_then_who_no_longer_found_is_exit_3_and_an_ambiguous_who_is_exit_2() {
    let w = World::new();
    let out = w.run(&["delete", "ada.lovelace@example.com", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (status, _) = w.call("GET", &format!("/admin/identities/{ADA}"), None);
    assert_eq!(status, 404);
    let out = w.run(&["revoke", "ada.lovelace@example.com", "--yes"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("no one matches"), "{}", stderr(&out));
    // "a" starts several identifiers: a script must not guess which.
    let out = w.run(&["revoke", "a", "--yes"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("matches"), "{}", stderr(&out));
    assert_eq!(w.changes(), [format!("DELETE /admin/identities/{ADA}")]);
}

#[test]
fn recovery_link_is_printed_once_and_never_written_to_the_audit_trail() {
    let w = World::new();
    let out = w.run(&[
        "recovery",
        "link",
        "ada.lovelace@example.com",
        "--expires",
        "30m",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let issued: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let link = issued[0]["link"].as_str().unwrap().to_string();
    assert!(link.starts_with("http"), "{link}");
    assert!(issued[0]["expires_at"].is_string());
    let trail = std::fs::read_to_string(w.home.path().join("state/idtui/audit.jsonl")).unwrap();
    assert!(!trail.contains(&link), "the link is a secret: {trail}");
    assert_eq!(w.changes(), ["POST /admin/recovery/link"]);
    let out = w.run(&["recovery", "code", "ada", "--expires", "soon", "--yes"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

/// An `$EDITOR` that runs `script` (a sed expression) on the file it is given.
fn editor(dir: &Path, script: &str) -> String {
    let path = dir.join("editor.sh");
    std::fs::write(&path, format!("#!/bin/sh\nsed -i '{script}' \"$1\"\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn edit_saves_through_editor_and_refuses_when_the_server_copy_changed_meanwhile() {
    let w = World::new();
    let rename = editor(w.home.path(), "s/\"Ada\"/\"Augusta Ada\"/");
    let out = w.run_with(
        &["edit", "ada.lovelace@example.com", "--yes"],
        &[("EDITOR", &rename)],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(w.identity(ADA)["traits"]["name"]["first"], "Augusta Ada");
    assert_eq!(w.changes(), [format!("PUT /admin/identities/{ADA}")]);
    // An editor that changes nothing sends nothing.
    let out = w.run_with(
        &["edit", "ada.lovelace@example.com", "--yes"],
        &[("EDITOR", "true")],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing sent"), "{}", stderr(&out));
    // A colleague changes the name while the editor is open: the save is refused (4), and
    // the edit is kept for the next run.
    let base = w.sandbox.base.clone();
    let race = w.home.path().join("race.sh");
    std::fs::write(
        &race,
        format!(
            "#!/bin/sh\nsed -i 's/\"Lovelace\"/\"King\"/' \"$1\"\n\
             curl -s -o /dev/null -X PATCH -H 'Authorization: Bearer {TOKEN}' \
             -H 'Content-Type: application/json' \
             -d '[{{\"op\":\"replace\",\"path\":\"/traits/name/first\",\"value\":\"Countess\"}}]' \
             {base}/admin/identities/{ADA}\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&race, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = w.run_with(
        &["edit", "ada.lovelace@example.com", "--yes"],
        &[("EDITOR", race.to_str().unwrap())],
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("kept in"), "{}", stderr(&out));
    let ada = w.identity(ADA);
    assert_eq!(ada["traits"]["name"]["first"], "Countess", "theirs stays");
    assert_ne!(ada["traits"]["name"]["last"], "King", "mine was not sent");
    // The next run starts from the kept edit, and is judged against the copy it was made
    // from: still a conflict, still nothing sent.
    let out = w.run_with(
        &["edit", "ada.lovelace@example.com", "--yes"],
        &[("EDITOR", "true")],
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("left by an earlier run"),
        "{}",
        stderr(&out)
    );
    // Invalid JSON is refused with the text kept, nothing sent.
    let _ = std::fs::remove_dir_all(w.home.path().join("state/idtui/drafts"));
    let breaker = editor(w.home.path(), "s/{/{{/");
    let before = w.changes().len();
    let out = w.run_with(
        &["edit", "ada.lovelace@example.com", "--yes"],
        &[("EDITOR", &breaker)],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("not valid JSON"), "{}", stderr(&out));
    assert_eq!(w.changes().len(), before);
}
