//! Coassemble page/length paging in the sandbox: walks while users are appended, deep pages
//! after deletes, generated data and persistence across a restart.

use std::collections::HashSet;

use idtui_sandbox::{SandboxOptions, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn page(http: &reqwest::Client, url: &str) -> Vec<Value> {
    let resp = http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{url}");
    resp.json::<Vec<Value>>().await.unwrap()
}

fn key(u: &Value) -> String {
    format!("{}/{}", u["clientIdentifier"], u["identifier"])
}

#[tokio::test]
async fn walking_pages_while_users_are_appended_sees_each_once() {
    let sb = start(SandboxOptions {
        demo: true,
        generate: Some(400),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let base = format!("{}/v1/headless", sb.base_url);
    let before: HashSet<String> = page(&http, &format!("{base}/users?length=1000"))
        .await
        .iter()
        .map(key)
        .collect();
    assert_eq!(before.len(), 434);

    let mut seen = Vec::new();
    let mut appended = HashSet::new();
    let mut reached_end = false;
    for p in 0..100 {
        let rows = page(&http, &format!("{base}/users?page={p}&length=25")).await;
        let short = rows.len() < 25;
        seen.extend(rows.iter().map(key));
        if short {
            reached_end = true;
            break;
        }
        if p < 8 {
            // Another integration mints an embed URL for a new learner mid-walk.
            let identifier = format!("walker-{p}");
            let resp = http
                .post(format!("{base}/embed/course"))
                .json(&json!({"action": "edit", "identifier": identifier, "clientIdentifier": "globex"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            appended.insert(format!("\"globex\"/\"{identifier}\""));
        }
    }
    assert!(reached_end);
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a user was returned twice");
    assert!(before.is_subset(&unique), "a pre-existing user was missed");
    assert!(appended.is_subset(&unique), "an appended user was missed");
    sb.stop().await;
}

#[tokio::test]
async fn deep_pages_after_deletes_match_the_full_listing() {
    let sb = start(SandboxOptions {
        generate: Some(1000),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let base = format!("{}/api/v1/headless", sb.base_url);
    // Punch holes: a whole client (100 users) and a few single users.
    let resp = http
        .delete(format!("{base}/client/tenant-000003"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    for id in ["u0000000", "u0000517", "u0000999"] {
        let resp = http
            .delete(format!("{base}/user/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{id}");
    }
    let all = page(&http, &format!("{base}/users?length=1000")).await;
    assert_eq!(all.len(), 1000 - 100 - 3);
    for (p, length) in [
        (0u64, 7u64),
        (13, 7),
        (42, 10),
        (89, 10),
        (4, 200),
        (127, 7),
    ] {
        let rows = page(&http, &format!("{base}/users?page={p}&length={length}")).await;
        let start = (p * length) as usize;
        let expected: Vec<Value> = all
            .iter()
            .skip(start)
            .take(length as usize)
            .cloned()
            .collect();
        assert_eq!(rows, expected, "page {p} length {length}");
    }
    let beyond = page(&http, &format!("{base}/users?page=999999999&length=1000")).await;
    assert!(beyond.is_empty());
    let clients = page(&http, &format!("{base}/clients?page=1&length=3")).await;
    let names: Vec<&str> = clients
        .iter()
        .map(|c| c["clientIdentifier"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["tenant-000004", "tenant-000005", "tenant-000006"]);
    assert_eq!(clients[0]["userCount"], 100);
    sb.stop().await;
}

#[tokio::test]
async fn edits_persist_across_a_restart_and_generation_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("headless.db");
    let opts = || SandboxOptions {
        db: Some(db.clone()),
        demo: true,
        generate: Some(250),
        ..SandboxOptions::for_tests()
    };
    let http = reqwest::Client::new();
    let sb = start(opts()).await.unwrap();
    let base = format!("{}/v1/headless", sb.base_url);
    let resp = http
        .put(format!("{base}/client/initech"))
        .json(&json!({"metadata": {"kept": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = http
        .delete(format!("{base}/user/user-010"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    sb.stop().await;

    let sb = start(opts()).await.unwrap();
    let base = format!("{}/v1/headless", sb.base_url);
    let client: Value = http
        .get(format!("{base}/client/initech"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(client["metadata"], json!({"kept": true}));
    let resp = http
        .get(format!("{base}/user/user-010"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // 34 demo users - 1 deleted + 250 generated, not doubled by the second start.
    assert_eq!(
        page(&http, &format!("{base}/users?length=1000"))
            .await
            .len(),
        283
    );
    assert_eq!(
        page(&http, &format!("{base}/clients?length=1000"))
            .await
            .len(),
        6 + 3
    );
    sb.stop().await;
}
