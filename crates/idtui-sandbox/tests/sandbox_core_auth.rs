//! MATTR bearer auth and the client-credentials token endpoint of the sandbox.

use std::time::Duration;

use idtui_sandbox::{SandboxOptions, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SECRET: &str = "s3cret-for-tests";

async fn guarded(ttl: u64) -> idtui_sandbox::RunningSandbox {
    start(SandboxOptions {
        demo: true,
        token: Some(SECRET.into()),
        core_token_ttl: ttl,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap()
}

fn token_request(secret: &str, grant: &str) -> Value {
    json!({
        "client_id": "dashboard",
        "client_secret": secret,
        "audience": "https://sandbox.vii.mattr.global",
        "grant_type": grant
    })
}

#[tokio::test]
async fn missing_malformed_and_wrong_credentials_are_401() {
    let sb = guarded(3600).await;
    let http = reqwest::Client::new();
    for prefix in ["/core/v1", "/v1"] {
        let url = format!("{}{prefix}/users", sb.base_url);
        let missing = http.get(&url).send().await.unwrap();
        let basic = http
            .get(&url)
            .header("Authorization", "Basic Zm9vOmJhcg==")
            .send()
            .await
            .unwrap();
        let wrong = http.get(&url).bearer_auth("nope").send().await.unwrap();
        for resp in [missing, basic, wrong] {
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["code"], "Unauthorized");
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        let ok = http.get(&url).bearer_auth(SECRET).send().await.unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
    }
    sb.stop().await;
}

#[tokio::test]
async fn token_flow_issues_usable_tokens_that_expire() {
    let sb = guarded(1).await;
    let http = reqwest::Client::new();
    let token_url = format!("{}/oauth/token", sb.base_url);

    let bad_secret = http
        .post(&token_url)
        .json(&token_request("wrong", "client_credentials"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_secret.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        bad_secret.json::<Value>().await.unwrap(),
        json!({"error": "access_denied", "error_description": "Unauthorized"})
    );
    let bad_grant = http
        .post(&token_url)
        .json(&token_request(SECRET, "password"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_grant.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        bad_grant.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );

    let issued: Value = http
        .post(&token_url)
        .json(&token_request(SECRET, "client_credentials"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(issued["token_type"], "Bearer");
    assert_eq!(issued["expires_in"], 1);
    let token = issued["access_token"].as_str().unwrap();
    assert_ne!(token, SECRET);

    let users = format!("{}/v1/users?limit=1", sb.base_url);
    let ok = http.get(&users).bearer_auth(token).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = http.get(&users).bearer_auth(token).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        expired.json::<Value>().await.unwrap()["code"],
        "Unauthorized"
    );
    sb.stop().await;
}

#[tokio::test]
async fn open_sandbox_needs_no_token_but_still_issues_one() {
    let sb = start(SandboxOptions {
        demo: true,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/core/v1/users", sb.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let issued = http
        .post(format!("{}/oauth/token", sb.base_url))
        .json(&token_request("anything", "client_credentials"))
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), StatusCode::OK);
    let issued: Value = issued.json().await.unwrap();
    assert_eq!(issued["expires_in"], 3600);
    sb.stop().await;
}

/// `--core-token-ttl` is any u64; one beyond what the clock can add must not panic the token
/// endpoint. The token is issued and works.
#[tokio::test]
async fn a_token_ttl_beyond_the_clock_still_issues_a_usable_token() {
    let sb = guarded(u64::MAX).await;
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/oauth/token", sb.base_url))
        .json(&token_request(SECRET, "client_credentials"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    let ok = http
        .get(format!("{}/v1/users", sb.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    sb.stop().await;
}
