//! `idtui sandbox` as a user runs it: it prints where it listens and the credential it wants,
//! serves, and shuts down cleanly on SIGTERM and SIGINT with exit status 0. These tests drive
//! the `idtui` binary, so they live here; the emulator itself is tested in-process in
//! `crates/idtui-sandbox/tests`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn_sandbox(extra: &[&str]) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idtui"));
    cmd.args(["sandbox", "--listen", "127.0.0.1:0"]).args(extra);
    let started = spawn(cmd);
    (started.child, started.base)
}

/// A sandbox started, where it listens, and what it wrote to stderr before saying so.
struct Started {
    child: Child,
    base: String,
    preamble: Vec<String>,
}

fn spawn(mut cmd: Command) -> Started {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut preamble = Vec::new();
    let base = loop {
        assert!(Instant::now() < deadline, "sandbox did not start");
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("sandbox exited early: {preamble:?}"))
            .unwrap();
        if let Some(rest) = line.strip_prefix("idtui sandbox listening on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
        preamble.push(line);
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Started {
        child,
        base,
        preamble,
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "sandbox did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn get_status(url: &str) -> u16 {
    reqwest::get(url).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn sigterm_and_sigint_shut_down_cleanly() {
    for sig in ["-TERM", "-INT"] {
        let (mut child, base) = spawn_sandbox(&[]);
        assert_eq!(get_status(&format!("{base}/health/alive")).await, 200);
        signal(&child, sig);
        let status = wait_exit(&mut child);
        assert!(status.success(), "{sig}: exit status {status:?}");
    }
}

#[tokio::test]
async fn data_persists_across_restarts_with_the_same_db() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let db = db.to_str().unwrap();

    let (mut child, base) = spawn_sandbox(&["--db", db, "--demo"]);
    let http = reqwest::Client::new();
    let created: serde_json::Value = http
        .post(format!("{base}/admin/identities"))
        .json(&serde_json::json!({
            "schema_id": "default",
            "traits": {"email": "persist@example.org", "name": {"first": "Per", "last": "Sist"}}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"]
        .as_str()
        .expect("created identity has an id")
        .to_owned();
    signal(&child, "-TERM");
    assert!(wait_exit(&mut child).success());

    // Restart with --demo again: the demo set is not loaded twice and our identity is still there.
    let (mut child, base) = spawn_sandbox(&["--db", db, "--demo"]);
    assert_eq!(
        get_status(&format!("{base}/admin/identities/{id}")).await,
        200
    );
    let found: serde_json::Value = http
        .get(format!(
            "{base}/admin/identities?credentials_identifier=persist@example.org"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        found.as_array().unwrap().len(),
        1,
        "exactly one, not duplicated"
    );
    signal(&child, "-TERM");
    assert!(wait_exit(&mut child).success());
}

#[test]
fn a_bad_fault_spec_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_idtui"))
        .args(["sandbox", "--faults", "explode=1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown key `explode`"), "{err}");
}

/// `idtui sandbox` with `args`, run to its exit (it is expected to refuse to start).
fn refused(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_idtui"))
        .arg("sandbox")
        .args(args)
        .envs(env.iter().copied())
        .env_remove("IDTUI_SANDBOX_TOKEN")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), err)
}

async fn kratos_status(base: &str, token: Option<&str>) -> u16 {
    let mut req = reqwest::Client::new().get(format!("{base}/admin/identities"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().status().as_u16()
}

fn stop(mut child: Child) {
    signal(&child, "-TERM");
    assert!(wait_exit(&mut child).success());
}

#[tokio::test]
async fn the_token_file_and_variable_keep_it_out_of_ps_and_argv_warns() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "  from-the-file\n").unwrap();
    let warns = |preamble: &[String]| preamble.iter().any(|l| l.contains("warning"));

    // --token-file: trimmed, required by Kratos too, and nothing to warn about.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idtui"));
    cmd.args(["sandbox", "--listen", "127.0.0.1:0", "--token-file"])
        .arg(&file)
        .env_remove("IDTUI_SANDBOX_TOKEN");
    let s = spawn(cmd);
    assert!(!warns(&s.preamble), "{:?}", s.preamble);
    assert_eq!(kratos_status(&s.base, None).await, 401);
    assert_eq!(kratos_status(&s.base, Some("from-the-file")).await, 200);
    stop(s.child);

    // The variable: no warning. With --token-file as well, the command line wins.
    for with_file in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_idtui"));
        cmd.args(["sandbox", "--listen", "127.0.0.1:0"])
            .env("IDTUI_SANDBOX_TOKEN", "from-the-env");
        if with_file {
            cmd.arg("--token-file").arg(&file);
        }
        let s = spawn(cmd);
        assert!(!warns(&s.preamble), "{:?}", s.preamble);
        let want = if with_file {
            "from-the-file"
        } else {
            "from-the-env"
        };
        assert_eq!(kratos_status(&s.base, Some(want)).await, 200);
        stop(s.child);
    }

    // --token typed on the command line: served, with a warning naming the ways out.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idtui"));
    cmd.args(["sandbox", "--listen", "127.0.0.1:0", "--token", "in-argv"])
        .env_remove("IDTUI_SANDBOX_TOKEN");
    let s = spawn(cmd);
    let warning = s.preamble.iter().find(|l| l.contains("warning"));
    let warning = warning.unwrap_or_else(|| panic!("no warning: {:?}", s.preamble));
    for words in [
        "ps",
        "every local user",
        "--token-file",
        "IDTUI_SANDBOX_TOKEN",
    ] {
        assert!(warning.contains(words), "{warning}");
    }
    assert!(
        !warning.contains("in-argv"),
        "the warning does not repeat it"
    );
    assert_eq!(kratos_status(&s.base, Some("in-argv")).await, 200);
    stop(s.child);
}

#[test]
fn a_bad_token_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let (code, err) = refused(&["--token-file", missing.to_str().unwrap()], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cannot read token file") && err.contains("missing"),
        "{err}"
    );

    let blank = dir.path().join("blank");
    std::fs::write(&blank, " \n\t\n").unwrap();
    let (code, err) = refused(&["--token-file", blank.to_str().unwrap()], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is empty"), "{err}");

    let (code, err) = refused(
        &["--token", "t", "--token-file", blank.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 2, "clap's usage error: {err}");
    assert!(err.contains("cannot be used together"), "{err}");
}

/// Started through `sh` with `umask 000`, so a file created without an explicit mode would be
/// 0666 (0644 under the usual 022).
#[cfg(unix)]
#[tokio::test]
async fn the_database_and_request_log_are_0600_under_any_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let log = dir.path().join("requests.jsonl");
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "umask 000 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_idtui"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--request-log")
        .arg(&log);
    let s = spawn(cmd);
    assert_eq!(kratos_status(&s.base, None).await, 200);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let wal = dir.path().join("s.db-wal");
    let shm = dir.path().join("s.db-shm");
    for f in [&db, &wal, &shm, &log] {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    stop(s.child);
}

#[test]
fn its_log_has_no_colour_codes_when_stderr_is_not_a_terminal() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idtui"));
    // `--generate` logs a line per provider as it goes.
    cmd.args(["sandbox", "--listen", "127.0.0.1:0", "--generate", "3"])
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "info");
    let s = spawn(cmd);
    assert!(
        s.preamble.iter().any(|l| l.contains("generated")),
        "{:?}",
        s.preamble
    );
    for line in &s.preamble {
        assert!(!line.contains('\x1b'), "{line:?}");
    }
    stop(s.child);
}

/// Without `--token` the MATTR and Coassemble APIs want a credential generated for the run;
/// the subcommand prints it, and it is the one the sandbox takes.
#[test]
fn idtui_sandbox_prints_the_credential_it_uses() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idtui"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--demo"])
        .env_remove("IDTUI_SANDBOX_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut base = None;
    let mut credential = None;
    for _ in 0..20 {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("idtui sandbox listening on ") {
            base = rest.split_whitespace().next().map(str::to_owned);
        }
        if let Some(rest) = line.trim().strip_prefix("credential:") {
            credential = rest
                .split_whitespace()
                .find(|w| w.starts_with("sbx_"))
                .map(str::to_owned);
            break;
        }
    }
    let (base, token) = (
        base.expect("listening line"),
        credential.expect("credential line"),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (open, with) = rt.block_on(async {
        let url = format!("{base}/v1/users");
        let with = reqwest::Client::new().get(&url).bearer_auth(&token).send();
        (
            get_status(&url).await,
            with.await.unwrap().status().as_u16(),
        )
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(open, 401);
    assert_eq!(with, 200);
}
