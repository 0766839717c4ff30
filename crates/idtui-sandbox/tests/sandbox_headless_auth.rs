//! Coassemble API keys, plan gating and the per-IP rate limit of the sandbox.

use idtui_sandbox::{HeadlessPlan, SandboxOptions, start};
use reqwest::StatusCode;
use serde_json::Value;

const SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

#[tokio::test]
async fn missing_malformed_wrong_and_bearer_keys_are_401() {
    let sb = start(SandboxOptions {
        demo: true,
        token: Some(SECRET.into()),
        headless_workspace: "12345".into(),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    for prefix in ["/api/v1/headless", "/v1/headless"] {
        let url = format!("{}{prefix}/clients", sb.base_url);
        let cases: [(Option<String>, &str); 6] = [
            (None, "missing"),
            (Some(format!("Bearer {SECRET}")), "bearer"),
            (Some(format!("COASSEMBLE:12345:{SECRET}x")), "wrong secret"),
            (
                Some(format!("COASSEMBLE:ws-1:{SECRET}")),
                "non-numeric workspace",
            ),
            (Some(SECRET.to_string()), "no prefix"),
            (
                Some(format!("COASSEMBLE:1:{SECRET}")),
                "right secret, another workspace",
            ),
        ];
        for (header, what) in cases {
            let mut req = http.get(&url);
            if let Some(h) = &header {
                req = req.header("Authorization", h);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{what}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "UNAUTHORIZED", "{what}");
            assert_eq!(body["error"]["status"], 401, "{what}");
            if what == "bearer" {
                assert!(body["message"].as_str().unwrap().contains("COASSEMBLE:"));
            }
        }
        let ok = http
            .get(&url)
            .header("Authorization", format!("COASSEMBLE:12345:{SECRET}"))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
    }
    sb.stop().await;
}

#[tokio::test]
async fn deletes_need_the_automate_plan_or_above() {
    let sb = start(SandboxOptions {
        demo: true,
        headless_plan: HeadlessPlan::Core,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let base = format!("{}/v1/headless", sb.base_url);
    for url in [
        format!("{base}/client/initech"),
        format!("{base}/user/user-010?action=delete"),
    ] {
        let resp = http.delete(&url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "FORBIDDEN");
        assert_eq!(body["error"]["status"], 403);
    }
    // Nothing was deleted, and reads still work on Embed Core.
    let resp = http
        .get(format!("{base}/client/initech"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = http
        .get(format!("{base}/user/user-010"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    sb.stop().await;

    let sb = start(SandboxOptions {
        demo: true,
        headless_plan: HeadlessPlan::Partner,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let resp = http
        .delete(format!("{}/v1/headless/client/initech", sb.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    sb.stop().await;
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let sb = start(SandboxOptions {
        demo: true,
        headless_rate_limit: 5,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/headless/users?length=1", sb.base_url);
    for i in 0..5 {
        let resp = http.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "request {i}");
    }
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert!(resp.headers().get("x-ratelimit-limit").is_none());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TOO_MANY_REQUESTS");
    assert_eq!(body["error"]["status"], 429);
    // The limit is the headless API's own: MATTR routes on the same server are unaffected.
    let resp = http
        .get(format!("{}/v1/users?limit=1", sb.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    sb.stop().await;
}
