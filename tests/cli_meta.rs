//! The subcommands about idtui itself, driven as a user drives the binary: `completions`
//! (each shell; bash's script loaded in a real bash and asked what `idtui li<TAB>` gives),
//! `man` (roff that `man -l` renders, every subcommand and the exit statuses in it, and
//! docs/idtui.1 the same), `config check` against a sandbox child (good, a token file others
//! can read, a closed port, a wrong token, bad TOML, no config), and `keys` refusing a broken
//! config.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use clap::CommandFactory;
use common::sandbox::Sandbox;

/// The sandbox's credential in the tests that need one: it must never be printed.
const TOKEN: &str = "tok-3f9a1c-never-printed";

/// A home of its own for each test: no config, no state but what the test writes.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `idtui ARGS` with HOME and the XDG directories in this home.
    fn idtui(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("idtui").unwrap();
        cmd.args(args)
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env_remove("IDTUI_SANDBOX_TOKEN")
            .env_remove("IDTUI_TEST_TOKEN");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.idtui(args).output().unwrap()
    }

    /// A file in this home, with `mode`.
    fn write(&self, name: &str, text: &str, mode: u32) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

// ---- completions -------------------------------------------------------------------------

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    let home = Home::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = home.run(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.lines().count() > 50, "{shell}: too short:\n{script}");
        for word in ["list", "export", "recovery", "read-only", "jsonl"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
        assert!(
            script.contains(&format!("run `idtui completions {shell}` again")),
            "{shell}: the header does not say how to regenerate"
        );
    }
    let zsh = stdout(&home.run(&["completions", "zsh"]));
    assert!(
        zsh.starts_with("#compdef idtui\n"),
        "zsh autoloads only with #compdef first"
    );
}

/// The bash script in a file of `home`.
fn bash_script(home: &Home, config: Option<&Path>) -> (PathBuf, Output) {
    let mut args = vec!["completions", "bash"];
    let config_arg;
    if let Some(c) = config {
        config_arg = c.display().to_string();
        args.extend(["--config", config_arg.as_str()]);
    }
    let out = home.run(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let path = home.path().join("idtui.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    (path, out)
}

/// What bash offers for the command line `words` (the last one being completed), with the
/// script loaded as a user's ~/.bashrc would load it.
fn bash_offers(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect();
    let line = words.join(" ");
    let program = format!(
        "source '{script}'
         COMP_WORDS=({words})
         COMP_CWORD={cword}
         COMP_LINE='{line}'
         COMP_POINT={point}
         _idtui idtui \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\" 2>/dev/null
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script = script.display(),
        words = quoted.join(" "),
        cword = words.len() - 1,
        point = line.len(),
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    assert!(out.status.success(), "bash: {}", stderr(&out));
    stdout(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_loads_the_script_and_completes_subcommands_and_lists() {
    let home = Home::new();
    let (script, _) = bash_script(&home, None);
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "bash -n: {}", stderr(&syntax));
    let registered = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(format!("source '{}'; complete -p idtui", script.display()))
        .output()
        .unwrap();
    assert!(registered.status.success(), "{}", stderr(&registered));
    let line = stdout(&registered);
    assert!(
        line.contains("-F _idtui") && line.trim_end().ends_with(" idtui"),
        "{line}"
    );

    assert_eq!(bash_offers(&script, &["idtui", "li"]), ["list"]);
    let lists = bash_offers(&script, &["idtui", "export", ""]);
    for list in ["identities", "users", "clients", "sessions"] {
        assert!(lists.iter().any(|l| l == list), "{list} not in {lists:?}");
    }
    assert_eq!(
        bash_offers(&script, &["idtui", "list", "users", "-o", "js"]),
        ["json", "jsonl"]
    );
    // With no config file, the embedded sandbox's profiles.
    assert_eq!(
        bash_offers(&script, &["idtui", "get", "--profile", ""]),
        ["kratos", "core", "headless"]
    );
    // Free text is not completed with the files of the current directory.
    // (the tests run in the crate's directory, where Cargo.toml is).
    assert_eq!(
        bash_offers(&script, &["idtui", "list", "users", "--search", "Ca"]),
        ["Ca"]
    );
}

#[test]
fn the_config_s_profile_names_are_offered_after_profile() {
    let home = Home::new();
    let first = home.write(
        "first.toml",
        "[profiles.prod-eu]\nprovider = \"kratos\"\nurl = \"http://127.0.0.1:1\"\n\
         [profiles.staging]\nprovider = \"kratos\"\nurl = \"http://127.0.0.1:2\"\n\
         [profiles.\"odd$(touch pwned)\"]\nprovider = \"kratos\"\nurl = \"http://127.0.0.1:3\"\n",
        0o600,
    );
    let (script, out) = bash_script(&home, Some(&first));
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(
        text.contains("compgen -W \"prod-eu staging\""),
        "no --profile candidates in:\n{text}"
    );
    assert!(
        text.contains(&first.display().to_string()),
        "header names the config"
    );
    assert_eq!(
        bash_offers(&script, &["idtui", "list", "users", "--profile", ""]),
        ["prod-eu", "staging"]
    );
    // A name that is not a plain word is left out (it would be code in the script), and
    // said so.
    assert!(!text.contains("pwned"));
    assert!(
        stderr(&out).contains("is not offered after --profile"),
        "{}",
        stderr(&out)
    );

    let second = home.write(
        "second.toml",
        "[profiles.other]\nprovider = \"kratos\"\nurl = \"http://127.0.0.1:1\"\n",
        0o600,
    );
    let (script, _) = bash_script(&home, Some(&second));
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(!text.contains("prod-eu") && !text.contains("staging"));
    assert_eq!(
        bash_offers(&script, &["idtui", "get", "--profile", ""]),
        ["other"]
    );

    // The default config file is read when --config is not given.
    let dir = home.path().join("config/idtui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&first, dir.join("config.toml")).unwrap();
    let (script, _) = bash_script(&home, None);
    assert_eq!(
        bash_offers(&script, &["idtui", "get", "--profile", "st"]),
        ["staging"]
    );
}

#[test]
fn a_broken_config_still_gives_a_script_and_says_why_names_are_missing() {
    let home = Home::new();
    let bad = home.write("bad.toml", "[profiles.x\n", 0o600);
    let out = home.run(&["completions", "bash", "--config", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("_idtui()"));
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml") && err.contains("without names"),
        "{err}"
    );
}

// ---- man ---------------------------------------------------------------------------------

fn man_page(home: &Home) -> String {
    let out = home.run(&["man"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stdout(&out)
}

/// Every subcommand as it is typed: `idtui list`, `idtui config check`, ...
fn typed_subcommands() -> Vec<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            let name = format!("{prefix} {}", sub.get_name());
            walk(sub, &name, out);
            out.push(name);
        }
    }
    let mut out = Vec::new();
    walk(&idtui::cli::Cli::command(), "idtui", &mut out);
    out
}

#[test]
fn the_man_page_is_roff_with_every_subcommand_and_the_exit_statuses() {
    let home = Home::new();
    let page = man_page(&home);
    assert!(page.starts_with('.'), "not roff:\n{}", &page[..200]);
    assert!(page.contains("\n.TH IDTUI 1 "), "no .TH title");
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "\"EXIT STATUS\"",
        "ENVIRONMENT",
        "FILES",
    ] {
        assert!(
            page.contains(&format!("\n.SH {section}\n")),
            "no {section} section"
        );
    }
    let subcommands = typed_subcommands();
    assert!(subcommands.len() >= 18, "{subcommands:?}");
    for sub in &subcommands {
        assert!(
            page.contains(&format!("\n.SS \"{sub}\"\n")),
            "no section for {sub}"
        );
    }
    // The exit table, in order, after its heading.
    let table = &page[page.find(".SH \"EXIT STATUS\"").unwrap()..];
    let mut at = 0;
    for (code, meaning) in idtui::script::exit::TABLE {
        let entry = format!(".TP\n\\fB{code}\\fR\n");
        let found = table[at..]
            .find(&entry)
            .unwrap_or_else(|| panic!("no exit status {code}"));
        at += found + entry.len();
        let first_word = meaning.split_whitespace().next().unwrap();
        assert!(table[at..].starts_with(first_word), "{code}: {meaning}");
    }
    for file in [
        "config.toml",
        "keybindings.toml",
        "audit.jsonl",
        "bulk/",
        "drafts/",
    ] {
        assert!(page.contains(file), "FILES does not name {file}");
    }
    assert!(page.contains("$XDG_STATE_HOME/idtui/"));
}

/// The page as a reader sees it, and what the formatter complained about; `None` (with a
/// note) when neither man nor groff is installed.
fn render(page: &str) -> Option<(String, String)> {
    use std::io::Write;
    let tries: [(&str, &[&str]); 2] = [
        ("man", &["--warnings", "-l", "-"]),
        ("groff", &["-man", "-Tutf8", "-ww"]),
    ];
    for (program, args) in tries {
        let child = std::process::Command::new(program)
            .args(args)
            .env("MANWIDTH", "80")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn();
        let Ok(mut child) = child else { continue };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(page.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{program}: {}", stderr(&out));
        // Bold and underline by overstriking, as man writes them into a pipe: plain text.
        let mut text = String::new();
        for c in stdout(&out).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        return Some((text, stderr(&out)));
    }
    println!("note: neither man nor groff is installed: the page was not rendered");
    None
}

#[test]
fn man_renders_the_page_without_warnings() {
    let home = Home::new();
    let page = man_page(&home);
    let Some((text, warnings)) = render(&page) else {
        return;
    };
    assert!(
        warnings.trim().is_empty(),
        "the formatter warned:\n{warnings}"
    );
    for heading in [
        "SYNOPSIS",
        "SUBCOMMANDS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
    ] {
        assert!(
            text.lines().any(|l| l == heading),
            "no {heading} in:\n{text}"
        );
    }
    assert!(text.contains("idtui config check"));
    assert!(text.contains("--read-only"));
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("4") && l.contains("conflict: the object")),
        "{text}"
    );
}

#[test]
fn docs_idtui_1_is_what_idtui_man_prints() {
    let home = Home::new();
    let page = man_page(&home);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/idtui.1");
    let text = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        text == page,
        "docs/idtui.1 is not what `idtui man` prints; regenerate it with \
         `cargo run -- man > docs/idtui.1` and commit it"
    );
}

// ---- config check ------------------------------------------------------------------------

/// A sandbox that requires [`TOKEN`] on every API.
fn sandbox_with_token(home: &Home) -> Sandbox {
    let file = home.write("sandbox-token", TOKEN, 0o600);
    Sandbox::start(&["--token-file", file.to_str().unwrap()])
}

fn kratos_profile(name: &str, url: &str, secret: &str) -> String {
    format!("[profiles.{name}]\nprovider = \"kratos\"\nurl = \"{url}\"\n{secret}\n")
}

fn assert_no_token(out: &Output) {
    assert!(
        !stdout(out).contains(TOKEN) && !stderr(out).contains(TOKEN),
        "the token was printed:\n{}\n{}",
        stdout(out),
        stderr(out)
    );
}

/// The one line of stdout that has all of `words`.
fn line_with<'a>(text: &'a str, words: &[&str]) -> &'a str {
    text.lines()
        .find(|l| words.iter().all(|w| l.contains(w)))
        .unwrap_or_else(|| panic!("no line with {words:?} in:\n{text}"))
}

#[test]
fn a_good_config_passes_every_check_and_never_shows_a_secret() {
    let home = Home::new();
    let sandbox = sandbox_with_token(&home);
    let token_file = home.write("kratos.key", &format!("{TOKEN}\n"), 0o600);
    let base = &sandbox.base;
    let host = base.trim_start_matches("http://");
    let config = home.write(
        "idtui.toml",
        &format!(
            "{}{}[profiles.core]\nprovider = \"core\"\nurl = \"{base}\"\n\
             token_command = \"cat {}\"\n\
             [profiles.embed]\nprovider = \"headless\"\nurl = \"{base}/api\"\n\
             workspace_id = \"1\"\ntoken_env = \"IDTUI_TEST_TOKEN\"\n",
            kratos_profile("kratos", base, "token_env = \"IDTUI_TEST_TOKEN\""),
            kratos_profile(
                "kratos-file",
                base,
                &format!("token_file = \"{}\"", token_file.display())
            ),
            token_file.display(),
        ),
        0o644,
    );
    let out = home
        .idtui(&["config", "check", "--config", config.to_str().unwrap()])
        .env("IDTUI_TEST_TOKEN", TOKEN)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}\n{}", stderr(&out));
    assert_no_token(&out);
    assert!(!text.contains("FAIL"), "{text}");
    assert!(text.contains("checks passed"), "{text}");
    for profile in ["kratos", "kratos-file", "core", "embed"] {
        assert!(
            text.lines().any(|l| l == format!("profile {profile}")),
            "{profile} not checked:\n{text}"
        );
    }
    line_with(&text, &["token from env IDTUI_TEST_TOKEN", "set"]);
    line_with(&text, &["token from token_command", "printed one"]);
    line_with(&text, &["token_file", "mode 0600"]);
    line_with(&text, &["url", host]);
    for list in ["identities", "users", "clients"] {
        let probe = line_with(&text, &["probe", list]);
        assert!(
            probe.contains("HTTP 2xx") && probe.contains(" ms"),
            "{probe}"
        );
    }
    line_with(&text, &["mode 0644", "only you can change it"]);

    // --profile checks that one only.
    let out = home
        .idtui(&[
            "config",
            "check",
            "--config",
            config.to_str().unwrap(),
            "--profile",
            "core",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("profile core") && !text.contains("profile kratos"));
    assert!(sandbox.count("GET", "/admin/identities") >= 2);
}

#[test]
fn a_token_file_others_can_read_fails_with_the_chmod_fix() {
    let home = Home::new();
    let sandbox = sandbox_with_token(&home);
    let token_file = home.write("kratos.key", TOKEN, 0o644);
    let config = home.write(
        "idtui.toml",
        &kratos_profile(
            "kratos",
            &sandbox.base,
            &format!("token_file = \"{}\"", token_file.display()),
        ),
        0o600,
    );
    let out = home.run(&["config", "check", "--config", config.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert_no_token(&out);
    let text = stdout(&out);
    let line = line_with(&text, &["FAIL", "mode 0644"]);
    assert!(
        line.contains(&format!("chmod 600 {}", token_file.display())),
        "{line}"
    );
    line_with(&text, &["skip", "probe"]);
    assert!(stderr(&out).contains("checks failed"), "{}", stderr(&out));
    // Nothing was sent without the token.
    sandbox.barrier();
    assert_eq!(sandbox.count("GET", "/admin/identities"), 0);
}

#[test]
fn a_config_others_can_change_fails_with_the_chmod_fix() {
    let home = Home::new();
    let config = home.write(
        "idtui.toml",
        &kratos_profile("kratos", "http://127.0.0.1:1", ""),
        0o666,
    );
    let out = home.run(&["config", "check", "--config", config.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let line = line_with(&text, &["FAIL", "mode 0666"]);
    assert!(line.contains("chmod 600"), "{line}");
}

#[test]
fn an_unreachable_api_fails_with_the_error() {
    let home = Home::new();
    // A loopback port nobody listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://admin:pw@127.0.0.1:{port}");
    let config = home.write("idtui.toml", &kratos_profile("kratos", &url, ""), 0o600);
    let out = home.run(&["config", "check", "--config", config.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    let line = line_with(&text, &["FAIL", "probe"]);
    assert!(
        line.contains("no answer") && line.to_lowercase().contains("refused"),
        "{line}"
    );
    line_with(&text, &["ok", "token: none configured"]);
    // The host only: the url's user and password are not shown.
    line_with(&text, &["url", &format!("127.0.0.1:{port}")]);
    assert!(!text.contains("admin:pw"), "{text}");
}

#[test]
fn a_wrong_token_fails_the_probe_with_401() {
    let home = Home::new();
    let sandbox = sandbox_with_token(&home);
    let config = home.write(
        "idtui.toml",
        &kratos_profile("kratos", &sandbox.base, "token_env = \"IDTUI_TEST_TOKEN\""),
        0o600,
    );
    let out = home
        .idtui(&["config", "check", "--config", config.to_str().unwrap()])
        .env("IDTUI_TEST_TOKEN", "not-the-token")
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    line_with(&text, &["ok", "token from env IDTUI_TEST_TOKEN"]);
    line_with(&text, &["FAIL", "probe", "HTTP 401"]);
    assert!(!text.contains("not-the-token"), "{text}");
}

#[test]
fn a_missing_env_var_fails_and_names_it() {
    let home = Home::new();
    let config = home.write(
        "idtui.toml",
        &kratos_profile(
            "kratos",
            "http://127.0.0.1:1",
            "token_env = \"IDTUI_TEST_TOKEN\"",
        ),
        0o600,
    );
    let out = home.run(&["config", "check", "--config", config.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    line_with(&stdout(&out), &["FAIL", "IDTUI_TEST_TOKEN", "is not set"]);
}

#[test]
fn bad_toml_fails_with_the_parse_error() {
    let home = Home::new();
    let config = home.write("bad.toml", "[profiles.kratos\nprovider = 1\n", 0o600);
    let out = home.run(&["config", "check", "--config", config.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.starts_with("idtui: "), "{err}");
    assert!(err.contains("bad.toml") && err.contains("line 1"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn no_config_file_says_so_and_fails() {
    let home = Home::new();
    let out = home.run(&["config", "check"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    let default = home.path().join("config/idtui/config.toml");
    assert!(
        err.contains(&format!("no config file at {}", default.display())),
        "{err}"
    );
    assert!(err.contains("embedded sandbox"), "{err}");
}

// ---- keys --------------------------------------------------------------------------------

#[test]
fn keys_refuses_a_broken_config() {
    let home = Home::new();
    let bad = home.write("bad.toml", "profiles = 3\n", 0o600);
    let out = home.run(&["keys", "--config", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "keys printed: {}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("idtui: ") && err.contains("bad.toml"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // The default config is read too when it exists.
    let dir = home.path().join("config/idtui");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[profiles.k]\nprovider = \"nope\"\n",
    )
    .unwrap();
    let out = home.run(&["keys"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("config.toml"), "{}", stderr(&out));
}

#[test]
fn keys_with_a_good_config_prints_the_keymap() {
    let home = Home::new();
    let good = home.write(
        "good.toml",
        &kratos_profile("kratos", "http://127.0.0.1:1", ""),
        0o600,
    );
    let out = home.run(&["keys", "--config", good.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Navigation"));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    // A profile the config does not have is an error too.
    let out = home.run(&[
        "keys",
        "--config",
        good.to_str().unwrap(),
        "--profile",
        "prod",
    ]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("no profile named `prod`"));
    // With no config file at all, the embedded sandbox's profiles.
    assert_eq!(code(&home.run(&["keys", "--profile", "core"])), 0);
    let out = home.run(&["keys", "--profile", "prod"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("the embedded sandbox has kratos, core, headless"),
        "{}",
        stderr(&out)
    );
}
