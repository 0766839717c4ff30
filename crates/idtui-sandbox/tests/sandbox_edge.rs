//! The sandbox's outer layer: fault injection, the request log, loopback-only binding, the body
//! cap and clean shutdown. Paths used here exist on every build of the sandbox (`/health/alive`
//! is Kratos' liveness probe).

use std::time::Duration;

use idtui_sandbox::{self as sandbox, SandboxOptions};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn request_log_has_one_json_line_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.jsonl");
    let sb = sandbox::start(SandboxOptions {
        request_log: Some(log.clone()),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = client();
    for path in ["/health/alive", "/health/alive?x=1", "/no/such/route"] {
        http.get(format!("{}{path}", sb.base_url))
            .send()
            .await
            .unwrap();
    }
    sb.stop().await;

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0]["method"], "GET");
    assert_eq!(lines[0]["path"], "/health/alive");
    assert_eq!(lines[0]["status"], 200);
    assert_eq!(lines[1]["path"], "/health/alive?x=1");
    assert_eq!(lines[2]["status"], 404);
    for l in &lines {
        assert!(l["duration_ms"].as_f64().unwrap() >= 0.0);
        assert!(l["time"].as_str().unwrap().ends_with('Z'));
    }
}

#[tokio::test]
async fn injected_errors_are_what_a_client_sees() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.jsonl");
    let sb = sandbox::start(SandboxOptions {
        faults: Some(
            "5xx=0.25,429=0.25,drop=0.15,truncate=0.15,retry_after=7,seed=11"
                .parse()
                .unwrap(),
        ),
        request_log: Some(log.clone()),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = client();
    let (mut ok, mut unavailable, mut limited, mut broken) = (0, 0, 0, 0);
    for _ in 0..120 {
        match http
            .get(format!("{}/health/alive", sb.base_url))
            .send()
            .await
        {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned());
                match (status, resp.bytes().await) {
                    (200, Ok(body)) => {
                        assert_eq!(&body[..], br#"{"status":"ok"}"#);
                        ok += 1
                    }
                    (503, Ok(_)) => unavailable += 1,
                    (429, Ok(_)) => {
                        assert_eq!(retry_after.as_deref(), Some("7"));
                        limited += 1
                    }
                    (_, Err(_)) => broken += 1,
                    (other, Ok(_)) => panic!("unexpected status {other}"),
                }
            }
            Err(_) => broken += 1,
        }
    }
    sb.stop().await;
    assert_eq!(ok + unavailable + limited + broken, 120);
    for (name, n) in [
        ("ok", ok),
        ("503", unavailable),
        ("429", limited),
        ("broken", broken),
    ] {
        assert!(n > 5, "{name} happened only {n} times");
    }
    let logged = std::fs::read_to_string(&log).unwrap();
    let faults = logged
        .lines()
        .filter(|l| l.contains(r#""fault":"Drop""#))
        .count();
    assert!(faults > 0, "drops are logged with their fault");
}

#[tokio::test]
async fn refuses_non_loopback_without_allow_remote() {
    let err = sandbox::start(SandboxOptions {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..SandboxOptions::for_tests()
    })
    .await
    .err()
    .expect("must refuse");
    assert!(err.to_string().contains("--allow-remote"), "{err}");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let sb = sandbox::start(SandboxOptions::for_tests()).await.unwrap();
    let body = format!(
        r#"{{"schema_id":"default","traits":{{"email":"{}"}}}}"#,
        "a".repeat(6 << 20)
    );
    let resp = client()
        .post(format!("{}/admin/identities", sb.base_url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    sb.stop().await;
}

#[tokio::test]
async fn stop_ends_the_server_and_frees_the_port() {
    let sb = sandbox::start(SandboxOptions::for_tests()).await.unwrap();
    let addr = sb.addr;
    sb.stop().await;
    let refused = client()
        .get(format!("http://{addr}/health/alive"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(refused.is_err(), "server still answering after stop");
    // The port can be bound again at once.
    std::net::TcpListener::bind(addr).expect("port freed");
}
