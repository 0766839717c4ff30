//! `idtui sandbox` as a user runs it: it prints where it listens, serves, and shuts down cleanly
//! on SIGTERM and SIGINT with exit status 0.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn_sandbox(extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idtui"))
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let base = loop {
        assert!(Instant::now() < deadline, "sandbox did not start");
        let line = lines.next().expect("sandbox exited early").unwrap();
        if let Some(rest) = line.strip_prefix("idtui sandbox listening on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
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
