//! A MATTR claims search larger than the SQL behind it can hold is the client's error (400 in
//! MATTR's envelope, saying why), not the server's (it was a 500 from SQLite's "Expression tree
//! is too large" from about 998 claim values on).

mod support;

use idtui_sandbox::{SandboxOptions, start};
use serde_json::{Map, Value, json};
use support::client;

/// A claims filter of `n` string values, half of them nested one level down.
fn claims(n: usize) -> Value {
    let mut top = Map::new();
    let mut nested = Map::new();
    for i in 0..n {
        let (key, value) = (format!("claim_{i}"), json!(format!("value {i}")));
        if i % 2 == 0 {
            top.insert(key, value);
        } else {
            nested.insert(key, value);
        }
    }
    top.insert("address".into(), Value::Object(nested));
    Value::Object(top)
}

#[tokio::test]
async fn a_search_on_too_many_claims_is_a_400_saying_so() {
    let sb = start(SandboxOptions {
        demo: true,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let http = client();
    let url = format!("{}/v1/users/search", sb.base_url);
    let search = |n: usize| {
        http.post(&url)
            .json(&json!({"claims": claims(n), "limit": 10}))
            .send()
    };

    for n in [998, 5000] {
        let r = search(n).await.unwrap();
        assert_eq!(r.status(), 400, "{n} values");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "BadRequest", "{body}");
        assert_eq!(body["message"], "Search is too large", "{body}");
        let detail = &body["details"][0];
        assert_eq!(detail["param"], "claims", "{body}");
        assert_eq!(detail["location"], "body", "{body}");
        assert_eq!(detail["value"], n, "{body}");
        let msg = detail["msg"].as_str().unwrap();
        assert!(msg.contains("too large") && msg.contains("500"), "{msg}");
    }

    // The largest search allowed still runs (and finds nobody holding all those claims).
    let r = search(500).await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["data"], json!([]), "{body}");
    sb.stop().await;
}
