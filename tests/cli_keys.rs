//! `idtui keys` prints the effective keymap: built-in defaults plus the user's overrides.

use assert_cmd::Command;

fn idtui_keys(config_home: &std::path::Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("idtui")
        .unwrap()
        .arg("keys")
        .env("XDG_CONFIG_HOME", config_home)
        .env("HOME", config_home)
        .assert()
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

fn line_for<'a>(text: &'a str, action: &str) -> &'a str {
    text.lines()
        .find(|l| {
            l.split_whitespace()
                .any(|w| w.trim_end_matches('*') == action)
        })
        .unwrap_or_else(|| panic!("no line for {action} in:\n{text}"))
}

#[test]
fn prints_the_defaults_grouped_by_section() {
    let home = tempfile::tempdir().unwrap();
    let assert = idtui_keys(home.path()).success();
    let out = stdout_of(&assert);
    for title in [
        "Navigation",
        "Find and commands",
        "Editing",
        "Actions on the selection",
    ] {
        assert!(
            out.lines().any(|l| l == title),
            "missing section {title}:\n{out}"
        );
    }
    assert!(line_for(&out, "move_down").contains("j, Down"));
    assert!(line_for(&out, "page_down").contains("PageDown, Ctrl-d"));
    assert!(line_for(&out, "prev_pane").contains("Shift-Tab"));
    assert!(!out.contains("overrides"));
    assert!(assert.get_output().stderr.is_empty());
}

#[test]
fn applies_user_overrides_and_warns_about_bad_lines() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("idtui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("keybindings.toml"),
        "quit = [\"Ctrl-q\"]\nteleport = [\"t\"]\n",
    )
    .unwrap();
    let assert = idtui_keys(home.path()).success();
    let out = stdout_of(&assert);
    let quit = line_for(&out, "quit");
    assert!(quit.contains("Ctrl-q") && quit.contains("quit*"), "{quit}");
    // Actions the file does not name keep their defaults.
    assert!(line_for(&out, "delete").contains('d'));
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("keybindings.toml:2: unknown action `teleport`"),
        "stderr: {err}"
    );
}
