//! What the sandbox asks for and answers at its edges: MATTR and Coassemble want a credential
//! (generated per run unless `--token` is given) while Kratos admin stays open, the Coassemble
//! workspace in the key is checked, and errors raised before a handler runs (405, 413, 414, a
//! bad chunked body, a body that is not JSON) come in the API's own error envelope.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

use idtui_sandbox::SandboxOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn get(url: &str, auth: Option<&str>) -> (StatusCode, Value) {
    let mut req = support::client().get(url);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_embedded_default_wants_its_generated_credential_for_mattr_and_coassemble() {
    let options = SandboxOptions::embedded();
    let token = options.provider_credential().unwrap().to_owned();
    assert_ne!(
        token,
        SandboxOptions::embedded().provider_credential().unwrap(),
        "one credential per run"
    );
    let sb = idtui_sandbox::start(options).await.unwrap();
    let base = &sb.base_url;

    let (status, body) = get(&format!("{base}/v1/users"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["message"].is_string(), "MATTR's envelope: {body}");
    let (status, _) = get(
        &format!("{base}/v1/users"),
        Some(&format!("Bearer {token}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let users = format!("{base}/api/v1/headless/users?clientIdentifier=acme-corp");
    let (status, body) = get(&users, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "UNAUTHORIZED");
    let (status, _) = get(&users, Some(&format!("COASSEMBLE:1:{token}"))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = get(&users, Some(&format!("COASSEMBLE:2:{token}"))).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the right secret for another workspace is refused: {body}"
    );

    // Kratos admin is open without --token, as a self-hosted Kratos is.
    let (status, _) = get(&format!("{base}/admin/identities"), None).await;
    assert_eq!(status, StatusCode::OK);
}

/// Raw HTTP/1.1 over a socket: the status line and the JSON body (or null).
fn raw(base: &str, request: &[u8]) -> (u16, Value) {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(support::BOUND)).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or("")
        .trim();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn errors_before_a_handler_come_in_each_apis_envelope() {
    let sb = idtui_sandbox::start(SandboxOptions {
        demo: true,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let base = sb.base_url.clone();
    let client = support::client();
    let coassemble = |v: &Value| v["error"]["code"].is_string() && v["message"].is_string();
    let mattr = |v: &Value| v["code"].is_string() && v["message"].is_string();
    let kratos = |v: &Value| v["error"]["code"].is_number() && v["error"]["message"].is_string();

    // 405
    let r = client
        .delete(format!("{base}/v1/users/search"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let v: Value = r.json().await.unwrap();
    assert!(mattr(&v), "{v}");
    assert_eq!(v["code"], "MethodNotAllowed");
    let r = client
        .put(format!("{base}/api/v1/headless/clients"))
        .header("authorization", "COASSEMBLE:1:x")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let v: Value = r.json().await.unwrap();
    assert!(coassemble(&v), "{v}");
    assert_eq!(v["error"]["status"], 405);

    // 413: over the 5 MB cap
    let big = vec![b'x'; 5 * 1024 * 1024 + 10];
    for (url, check) in [
        (format!("{base}/v1/users"), mattr as fn(&Value) -> bool),
        (format!("{base}/admin/identities"), kratos),
    ] {
        let r = client
            .post(&url)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413, "{url}");
        let v: Value = r.json().await.unwrap();
        assert!(check(&v), "{url}: {v}");
    }

    // 414
    let long = "a".repeat(40_000);
    let r = client
        .get(format!(
            "{base}/api/v1/headless/users?clientIdentifier={long}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 414);
    let v: Value = r.json().await.unwrap();
    assert!(coassemble(&v), "{v}");

    // A wrong or missing content type on MATTR and Coassemble (Kratos reads JSON regardless).
    for ct in [Some("text/plain"), None] {
        let mut req = client
            .post(format!("{base}/v1/users/search"))
            .body(r#"{"claims":{}}"#);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 415, "{ct:?}");
        let v: Value = r.json().await.unwrap();
        assert!(mattr(&v), "{v}");
    }
    let r = client
        .post(format!("{base}/admin/identities"))
        .header("content-type", "text/plain")
        .body(r#"{"schema_id":"default","traits":{"email":"ct@example.com"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        201,
        "Kratos, like the real one, ignores the type"
    );

    // A chunked body that breaks off in a malformed chunk.
    let base2 = base.clone();
    let (status, v) = tokio::task::spawn_blocking(move || {
        raw(
            &base2,
            b"POST /admin/identities HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"sch\r\nzz\r\n",
        )
    })
    .await
    .unwrap();
    assert_eq!(status, 400);
    assert!(kratos(&v), "{v}");
}
