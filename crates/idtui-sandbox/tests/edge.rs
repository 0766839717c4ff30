//! The sandbox's outer layer over loopback HTTP: the `Host` check against DNS rebinding, a
//! panicking handler answered and logged, and the files it writes kept to their owner.

mod support;

use std::path::Path;

use idtui_sandbox::{SandboxOptions, start};
use serde_json::Value;
use support::{client, logged, raw_async};

fn kratos_reason(v: &Value) -> &str {
    v["error"]["reason"].as_str().unwrap_or("")
}

#[tokio::test]
async fn only_an_ip_or_localhost_with_the_listening_port_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.jsonl");
    let sb = start(SandboxOptions {
        request_log: Some(log.clone()),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let (addr, port) = (sb.addr, sb.addr.port());

    // What reqwest (the dashboard, most tests) sends: `Host: 127.0.0.1:PORT`.
    let r = client()
        .get(format!("{}/health/alive", sb.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    for host in [
        format!("localhost:{port}"),
        "localhost".to_owned(),
        format!("[::1]:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        let r = raw_async(addr, format!("GET /health/alive HTTP/1.1\r\nHost: {host}")).await;
        assert_eq!(r.status, 200, "Host: {host}\n{}", r.head);
    }

    // A name a web page controls, rebound to 127.0.0.1.
    let r = raw_async(
        addr,
        format!("GET /admin/identities HTTP/1.1\r\nHost: rebind.example:{port}"),
    )
    .await;
    assert_eq!(r.status, 421, "{}", r.head);
    let why = kratos_reason(&r.json()).to_owned();
    assert!(why.contains("DNS rebinding"), "Kratos envelope: {}", r.body);

    // Another port: the client meant another server.
    let r = raw_async(addr, "GET /v1/users HTTP/1.1\r\nHost: 127.0.0.1:1".into()).await;
    assert_eq!(r.status, 421, "{}", r.head);
    let v = r.json();
    assert_eq!(v["code"], "MisdirectedRequest", "MATTR envelope: {v}");
    assert!(
        v["message"].as_str().unwrap().contains(&port.to_string()),
        "{v}"
    );

    // An absolute target names the server too, whatever the Host header says.
    let r = raw_async(
        addr,
        format!("GET http://rebind.example:{port}/health/alive HTTP/1.1\r\nHost: localhost:{port}"),
    )
    .await;
    assert_eq!(r.status, 421, "{}", r.head);

    // No Host, or two: nothing to check, or two things.
    let r = raw_async(addr, "GET /health/alive HTTP/1.1".into()).await;
    assert_eq!(r.status, 400, "{}", r.head);
    let r = raw_async(
        addr,
        format!("GET /health/alive HTTP/1.1\r\nHost: localhost:{port}\r\nHost: evil.example"),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.head);

    sb.stop().await;
    let statuses: Vec<u64> = logged(&log)
        .iter()
        .map(|l| l["status"].as_u64().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 200, 421, 421, 421, 400, 400],
        "refused requests are logged too"
    );
}

#[tokio::test]
async fn a_panicking_handler_is_answered_500_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.jsonl");
    let sb = start(SandboxOptions {
        faults: Some("panic=1".parse().unwrap()),
        request_log: Some(log.clone()),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = client();
    for path in ["/admin/identities", "/v1/users?limit=1"] {
        let r = http
            .get(format!("{}{path}", sb.base_url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: an answer, not a dropped connection: {e}"));
        assert_eq!(r.status(), 500, "{path}");
        let body: Value = r.json().await.unwrap();
        let envelope_code = if path.starts_with("/v1/") {
            &body["code"]
        } else {
            &body["error"]["code"]
        };
        assert!(
            *envelope_code == "InternalServerError" || *envelope_code == 500,
            "in the API's own envelope: {body}"
        );
    }
    // The server is still there after its handlers panicked.
    let r = http
        .get(format!("{}/health/alive", sb.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    sb.stop().await;

    let lines = logged(&log);
    assert_eq!(lines.len(), 3, "every request is logged: {lines:?}");
    assert_eq!(lines[0]["path"], "/admin/identities");
    assert_eq!(lines[1]["path"], "/v1/users?limit=1");
    for l in &lines {
        assert_eq!(l["status"], 500, "{l}");
        assert_eq!(l["fault"], "Panic", "{l}");
        assert_eq!(l["note"], "the handler panicked", "{l}");
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_and_request_log_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let log = dir.path().join("new.jsonl");
    let sb = start(SandboxOptions {
        db: Some(db.clone()),
        request_log: Some(log.clone()),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    client()
        .post(format!("{}/admin/identities", sb.base_url))
        .json(&serde_json::json!({"schema_id": "default", "traits": {"email": "m@example.org"}}))
        .send()
        .await
        .unwrap();
    // Created under this process's umask (022 as a rule, which leaves 0644 to a plain create).
    let wal = dir.path().join("new.db-wal");
    let shm = dir.path().join("new.db-shm");
    for f in [&db, &wal, &shm, &log] {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    sb.stop().await;

    // Left world-readable by an earlier version, or by hand: narrowed at the next start. The
    // last connection to close removes `-wal` and `-shm`; empty ones are valid to SQLite.
    for f in [&db, &wal, &shm, &log] {
        if !f.exists() {
            std::fs::File::create(f).unwrap();
        }
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let sb = start(SandboxOptions {
        db: Some(db.clone()),
        request_log: Some(log.clone()),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    for f in [&db, &wal, &shm, &log] {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    sb.stop().await;
}
