//! The change subcommands at a terminal (the real binary in a pseudo-terminal, 80x24): they
//! ask before sending, a set wants its count typed, progress goes to stderr, and the report
//! fits the terminal's width.

mod common;

use std::time::Duration;

use common::pty::{Key, PtySession};
use common::sandbox::Sandbox;

const WAIT: Duration = Duration::from_secs(20);
const TOKEN: &str = "sbx_cli_terminal_token_0123456789";
const NGUYEN: &str = "48602316-9036-5418-a058-0d8c52e54cab";

fn config(sandbox: &Sandbox, dir: &std::path::Path) -> String {
    let path = dir.join("kratos.toml");
    std::fs::write(
        &path,
        format!(
            "[profiles.kratos]\nprovider = \"kratos\"\nurl = \"{}\"\ntoken_env = \"SBX_TOKEN\"\n",
            sandbox.base
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn changes(sandbox: &Sandbox) -> Vec<String> {
    sandbox.barrier();
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn exit_code(s: &mut PtySession) -> u32 {
    s.wait_exit(WAIT).expect("idtui exits").exit_code()
}

#[test]
fn revoke_asks_yes_or_no_naming_the_person_and_the_session_count() {
    let sandbox = Sandbox::start(&["--demo", "--token", TOKEN]);
    let dir = tempfile::tempdir().unwrap();
    let config = config(&sandbox, dir.path());
    let env = [("SBX_TOKEN", TOKEN)];
    let args = ["--config", &config, "revoke", "nguyen.an@example.vn"];
    let mut s = PtySession::spawn(&args, &env, 80, 24);
    let screen = s.expect_text("[y/N]", WAIT);
    assert!(
        screen.contains("Revoke the 2 active sessions of nguyen.an@example.vn"),
        "{screen}"
    );
    s.send("n");
    s.send_key(Key::Enter);
    s.expect_text("cancelled: nothing sent", WAIT);
    assert_eq!(exit_code(&mut s), 2);
    assert_eq!(changes(&sandbox), Vec::<String>::new());

    let mut s = PtySession::spawn(&args, &env, 80, 24);
    s.expect_text("[y/N]", WAIT);
    s.send("y");
    s.send_key(Key::Enter);
    let screen = s.expect_text("applied", WAIT);
    assert!(
        screen.contains("OUTCOME"),
        "a table at a terminal:\n{screen}"
    );
    assert_eq!(exit_code(&mut s), 0);
    assert_eq!(
        changes(&sandbox),
        [format!("DELETE /admin/identities/{NGUYEN}/sessions")]
    );
}

#[test]
fn a_set_shows_its_plan_wants_the_count_and_reports_within_80_columns() {
    let sandbox = Sandbox::start(&["--demo", "--token", TOKEN]);
    let dir = tempfile::tempdir().unwrap();
    let config = config(&sandbox, dir.path());
    let env = [("SBX_TOKEN", TOKEN)];
    let args = ["--config", &config, "set", "--search", "a", "tier=2"];
    let mut s = PtySession::spawn(&args, &env, 80, 24);
    let screen = s.expect_text("to start, anything else cancels", WAIT);
    assert!(
        screen.contains("Set metadata_public.tier to 2 on 5 identities on kratos"),
        "{screen}"
    );
    assert!(screen.contains("ada.lovelace@example.com"), "{screen}");
    // Anything but the count cancels.
    s.send("4");
    s.send_key(Key::Enter);
    s.expect_text("cancelled: nothing sent", WAIT);
    assert_eq!(exit_code(&mut s), 2);
    assert_eq!(changes(&sandbox), Vec::<String>::new());

    let mut s = PtySession::spawn(&args, &env, 80, 24);
    s.expect_text("to start, anything else cancels", WAIT);
    s.send("5");
    s.send_key(Key::Enter);
    let screen = s.expect_text("5 of 5 done", WAIT);
    assert_eq!(exit_code(&mut s), 0);
    assert!(screen.contains("set: 5/5"), "progress on stderr:\n{screen}");
    for line in screen.lines() {
        assert!(line.trim_end().chars().count() <= 80, "{line:?}");
    }
    let row = screen
        .lines()
        .find(|l| l.contains("ada.lovelace@example.com") && l.contains("applied"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        row.starts_with("767e3cc1  "),
        "short ids at 80 columns: {row:?}"
    );
    assert_eq!(changes(&sandbox).len(), 5);
}
