//! The subcommands for scripts on a Kratos profile, against the server of the crate that
//! includes this file (the sandbox in `tests/kratos_both.rs`, real Kratos v1.3.1 in
//! `tests/real_kratos.rs`): revoke, patch with a test, set and unset, edit, recovery, delete
//! and a dry run, each checked on the server. Each test makes its own identity with a unique
//! email, so other data on the server does not matter.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::case::Case;

impl Case {
    /// `idtui ARGS` on this server, with no terminal.
    fn idtui(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_idtui"));
        cmd.arg("--config")
            .arg(self.config())
            .args(args)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("idtui runs")
    }
}

fn ok(out: &Output) -> Vec<Value> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn cli_revokes_a_persons_sessions_and_reports_applied() {
    let case = Case::new("cli-revoke");
    let session = case
        .rt
        .block_on(case.server.login(&case.email, "idtui-cli/1"));
    let sid = session["id"].as_str().unwrap().to_owned();
    let dry = ok(&case.idtui(&["revoke", &case.email, "--dry-run"], &[]));
    assert_eq!(dry[0]["outcome"], "would send");
    let r = case
        .rt
        .block_on(case.server.get(&format!("/admin/sessions/{sid}")));
    assert_eq!(
        r.body["active"], true,
        "a dry run sends nothing: {}",
        r.text
    );
    let report = ok(&case.idtui(&["revoke", &case.email, "--yes"], &[]));
    assert_eq!(report[0]["outcome"], "applied", "{report:?}");
    let r = case
        .rt
        .block_on(case.server.get(&format!("/admin/sessions/{sid}")));
    assert!(
        r.status == 404 || r.body["active"] == false,
        "revoked on {}: {} {}",
        case.server.name(),
        r.status,
        r.text
    );
    // Nobody left to revoke: the server's 404 is "unchanged", not an error.
    let again = ok(&case.idtui(&["revoke", &case.email, "--yes"], &[]));
    assert_eq!(again[0]["outcome"], "unchanged", "{again:?}");
}

#[test]
fn cli_patches_with_a_precondition_and_sets_and_unsets_metadata() {
    let case = Case::new("cli-patch");
    let stale = r#"{"op":"test","path":"/metadata_public/plan","value":"pro"}"#;
    let rename = r#"{"op":"replace","path":"/traits/name/first","value":"After"}"#;
    let out = case.idtui(
        &["patch", &case.email, "--op", stale, "--op", rename, "--yes"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(case.identity()["traits"]["name"]["first"], "Before");
    let holds = r#"{"op":"test","path":"/metadata_public/plan","value":"free"}"#;
    ok(&case.idtui(
        &["patch", &case.email, "--op", holds, "--op", rename, "--yes"],
        &[],
    ));
    assert_eq!(case.identity()["traits"]["name"]["first"], "After");
    ok(&case.idtui(&["set", &case.email, "admin.tier=2", "--yes"], &[]));
    ok(&case.idtui(&["set", &case.email, "plan=\"team\"", "--yes"], &[]));
    let after = case.identity();
    assert_eq!(after["metadata_admin"]["tier"], 2, "{after}");
    assert_eq!(after["metadata_public"]["plan"], "team", "{after}");
    ok(&case.idtui(&["unset", &case.email, "plan", "--yes"], &[]));
    assert!(case.identity()["metadata_public"].get("plan").is_none());
    // Kratos creates missing parents on `add`: the dashboard's check of the fresh copy
    // agrees, so the patch is sent, and its re-read expectation holds.
    let deep = r#"{"op":"add","path":"/metadata_admin/crm/owner/name","value":"Ada"}"#;
    let report = ok(&case.idtui(&["patch", &case.email, "--op", deep, "--yes"], &[]));
    assert_eq!(report[0]["outcome"], "applied", "{report:?}");
    assert_eq!(
        case.identity()["metadata_admin"]["crm"]["owner"]["name"],
        "Ada"
    );
}

#[test]
fn cli_edits_through_an_editor_and_makes_a_recovery_link_then_deletes() {
    let case = Case::new("cli-edit");
    let script = case.dir.path().join("editor.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nsed -i 's/\"Edit\"/\"Edited\"/' \"$1\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = case.idtui(
        &["edit", &case.email, "--yes"],
        &[("EDITOR", script.to_str().unwrap())],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(case.identity()["traits"]["name"]["last"], "Edited");
    let link = ok(&case.idtui(
        &["recovery", "link", &case.email, "--expires", "15m", "--yes"],
        &[],
    ));
    assert!(
        link[0]["link"]
            .as_str()
            .is_some_and(|l| l.contains("/self-service/recovery")),
        "{link:?}"
    );
    let code = ok(&case.idtui(&["recovery", "code", &case.id, "--yes"], &[]));
    assert!(code[0]["code"].is_string(), "{code:?}");
    ok(&case.idtui(&["delete", &case.email, "--yes"], &[]));
    let r = case
        .rt
        .block_on(case.server.get(&format!("/admin/identities/{}", case.id)));
    assert_eq!(r.status, 404, "{}", r.text);
    let out = case.idtui(&["delete", &case.email, "--yes"], &[]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cli_reads_the_identity_its_sessions_and_lists_it_as_the_server_holds_them() {
    let case = Case::new("cli-read");
    let session = case
        .rt
        .block_on(case.server.login(&case.email, "idtui-cli-read/1"));
    let sid = session["id"].as_str().unwrap().to_owned();
    let got = ok(&case.idtui(&["get", &case.email, "-o", "jsonl"], &[]));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["id"], case.id);
    assert_eq!(
        got[0]["traits"],
        case.identity()["traits"],
        "the record whole"
    );
    let sessions = ok(&case.idtui(&["sessions", &case.email], &[]));
    assert!(
        sessions.iter().any(|s| s["id"] == sid.as_str()),
        "{sessions:?}"
    );
    let listed = ok(&case.idtui(&["list", "identities", "--search", &case.email], &[]));
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], case.id);
    let found = ok(&case.idtui(&["find", &case.email, "-o", "jsonl"], &[]));
    assert_eq!(found[0]["record"]["id"], case.id, "{found:?}");
    let out = case.idtui(&["get", "nobody-at-all@idtui.test"], &[]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
