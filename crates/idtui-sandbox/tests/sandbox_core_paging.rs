//! MATTR cursor pagination over the sandbox: full walks while rows are inserted, generated
//! data, and persistence across a restart.

use std::collections::HashSet;

use idtui_sandbox::{SandboxOptions, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn page(http: &reqwest::Client, base: &str, limit: u32, cursor: Option<&str>) -> Value {
    let mut url = reqwest::Url::parse(&format!("{base}/users")).unwrap();
    url.query_pairs_mut()
        .append_pair("limit", &limit.to_string());
    if let Some(c) = cursor {
        url.query_pairs_mut().append_pair("cursor", c);
    }
    let resp = http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn walking_to_the_end_while_users_are_created_misses_nothing_and_repeats_nothing() {
    let sb = start(SandboxOptions {
        demo: true,
        generate: Some(500),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let base = format!("{}/core/v1", sb.base_url);

    let mut before = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = page(&http, &base, 1000, cursor.as_deref()).await;
        if p["data"].as_array().unwrap().is_empty() {
            assert!(p.get("nextCursor").is_none());
            break;
        }
        before.extend(ids(&p));
        cursor = p["nextCursor"].as_str().map(String::from);
    }
    assert_eq!(before.len(), 530);

    let mut seen = Vec::new();
    let mut created = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut reached_end = false;
    for round in 0..100 {
        let p = page(&http, &base, 37, cursor.as_deref()).await;
        let got = ids(&p);
        if got.is_empty() {
            reached_end = true;
            break;
        }
        seen.extend(got);
        cursor = p["nextCursor"].as_str().map(String::from);
        if round >= 10 {
            continue;
        }
        // Another admin creates a user between our first page requests.
        let new: Value = http
            .post(format!("{base}/users"))
            .json(&json!({"claims": {"round": round}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        created.insert(new["id"].as_str().unwrap().to_string());
    }
    assert!(reached_end);
    assert_eq!(created.len(), 10);
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a user was returned twice");
    assert!(before.is_subset(&unique), "a pre-existing user was missed");
    // Users created now sort after everything older, so the walk reaches them too.
    assert!(
        created.is_subset(&unique),
        "a user created during the walk was missed"
    );
    sb.stop().await;
}

#[tokio::test]
async fn generated_users_have_credentials_and_generation_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("core.db");
    let opts = |n| SandboxOptions {
        db: Some(db.clone()),
        generate: Some(n),
        ..SandboxOptions::for_tests()
    };
    let sb = start(opts(300)).await.unwrap();
    sb.stop().await;
    // Same N again, then a larger N: counts must be exactly N each time.
    for n in [300u64, 450] {
        let sb = start(opts(n)).await.unwrap();
        let http = reqwest::Client::new();
        let base = format!("{}/v1", sb.base_url);
        let p = page(&http, &base, 1000, None).await;
        assert_eq!(p["data"].as_array().unwrap().len() as u64, n);
        let first = p["data"][0]["id"].as_str().unwrap();
        let creds: Value = http
            .get(format!("{base}/users/{first}/credentials"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(!creds["data"].as_array().unwrap().is_empty());
        sb.stop().await;
    }
}

#[tokio::test]
async fn edits_persist_across_a_restart_on_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("core.db");
    let opts = || SandboxOptions {
        db: Some(db.clone()),
        demo: true,
        ..SandboxOptions::for_tests()
    };
    let http = reqwest::Client::new();
    let jamie = "0c3fad74-a8df-4a2d-8e75-f2d356b41300";
    let gone = "0c3fad74-a8df-4a2d-8e75-f2d356b41301";

    let sb = start(opts()).await.unwrap();
    let base = format!("{}/v1", sb.base_url);
    let resp = http
        .put(format!("{base}/users/{jamie}"))
        .json(&json!({"claims": {"given_name": "Persisted"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = http
        .delete(format!("{base}/users/{gone}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    sb.stop().await;

    // --demo again must not reload the demo over the edited data.
    let sb = start(opts()).await.unwrap();
    let base = format!("{}/v1", sb.base_url);
    let user: Value = http
        .get(format!("{base}/users/{jamie}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(user["claims"], json!({"given_name": "Persisted"}));
    let resp = http
        .get(format!("{base}/users/{gone}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    sb.stop().await;
}
