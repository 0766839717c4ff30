//! Coassemble headless identities API of the sandbox over real HTTP.

use idtui_sandbox::{SandboxOptions, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PREFIXES: [&str; 2] = ["/api/v1/headless", "/v1/headless"];

async fn demo() -> idtui_sandbox::RunningSandbox {
    start(SandboxOptions {
        demo: true,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap()
}

async fn get_json(http: &reqwest::Client, url: &str) -> (StatusCode, Value) {
    let resp = http.get(url).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

fn error_body(message: &str, code: &str, status: u16) -> Value {
    json!({"message": message, "error": {"code": code, "status": status}})
}

fn identifiers(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn clients_list_get_replace_metadata_under_both_prefixes() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    for prefix in PREFIXES {
        let base = format!("{}{prefix}", sb.base_url);
        let (status, list) = get_json(&http, &format!("{base}/clients")).await;
        assert_eq!(status, StatusCode::OK);
        let ids = identifiers(&list, "clientIdentifier");
        assert_eq!(ids.len(), 6);
        assert_eq!(ids[0], "acme-corp");
        // Zero-based pages of `length` items.
        let (_, page1) = get_json(&http, &format!("{base}/clients?page=1&length=4")).await;
        assert_eq!(identifiers(&page1, "clientIdentifier"), ids[4..].to_vec());

        let (status, acme) = get_json(&http, &format!("{base}/client/acme-corp")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(acme["userCount"], 6);
        assert_eq!(acme["metadata"]["billing"]["seats"], 250);
        assert!(acme["created"].is_string() && acme["updated"].is_string());
    }

    // PUT replaces metadata (it does not merge).
    let url = format!("{}/v1/headless/client/globex", sb.base_url);
    let resp = http
        .put(&url)
        .json(&json!({"metadata": {"plan": "enterprise"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let updated: Value = resp.json().await.unwrap();
    assert_eq!(updated["metadata"], json!({"plan": "enterprise"}));
    let (_, again) = get_json(
        &http,
        &format!("{}/api/v1/headless/client/globex", sb.base_url),
    )
    .await;
    assert_eq!(again["metadata"], json!({"plan": "enterprise"}));

    let resp = http
        .put(format!("{}/v1/headless/client/nope", sb.base_url))
        .json(&json!({"metadata": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        error_body("Client not found", "NOT_FOUND", 404)
    );
    let resp = http
        .put(&url)
        .json(&json!({"metadata": ["not", "an", "object"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["error"]["code"],
        "BAD_REQUEST"
    );
    sb.stop().await;
}

#[tokio::test]
async fn users_list_filter_get_and_ambiguity() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    for prefix in PREFIXES {
        let base = format!("{}{prefix}", sb.base_url);
        let (status, all) = get_json(&http, &format!("{base}/users?length=1000")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(all.as_array().unwrap().len(), 34);
        let workspace = all
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["identifier"] == "workspace-admin")
            .unwrap();
        assert!(workspace["clientIdentifier"].is_null());

        let (_, globex) = get_json(&http, &format!("{base}/users?clientIdentifier=globex")).await;
        let globex = globex.as_array().unwrap();
        assert_eq!(globex.len(), 6);
        assert!(globex.iter().all(|u| u["clientIdentifier"] == "globex"));

        let (_, workspace_level) =
            get_json(&http, &format!("{base}/users?clientIdentifier=")).await;
        assert_eq!(
            identifiers(&workspace_level, "identifier"),
            ["workspace-admin", "ws-designer"]
        );

        let (status, user) = get_json(&http, &format!("{base}/user/user-001")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(user["clientIdentifier"], "acme-corp");
        assert_eq!(user["name"], user["metadata"]["name"]);
        assert_eq!(user["avatar"], user["metadata"]["avatar"]);
        assert_eq!(user["testMode"], false);

        // The same identifier in two clients needs clientIdentifier.
        let (status, body) = get_json(&http, &format!("{base}/user/shared-42")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "BAD_REQUEST");
        let (status, body) = get_json(
            &http,
            &format!("{base}/user/shared-42?clientIdentifier=globex"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["metadata"]["name"], "Sam Shared (Globex)");

        let (status, body) = get_json(&http, &format!("{base}/user/nobody")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, error_body("User not found", "NOT_FOUND", 404));
        let (status, _) = get_json(
            &http,
            &format!("{base}/user/user-001?clientIdentifier=globex"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = get_json(&http, &format!("{base}/client/nope")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, error_body("Client not found", "NOT_FOUND", 404));

        for bad in ["page=abc", "length=x", "page=-1", "length=0"] {
            let (status, body) = get_json(&http, &format!("{base}/users?{bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(body["error"]["status"], 400);
            let (status, _) = get_json(&http, &format!("{base}/clients?{bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn put_user_replaces_metadata_applies_shorthands_and_moves_clients() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    let base = format!("{}/api/v1/headless", sb.base_url);
    let resp = http
        .put(format!("{base}/user/user-002"))
        .json(&json!({
            "metadata": {"department": "Legal"},
            "name": "Renamed Person",
            "avatar": "https://cdn.example.test/new.png"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let user: Value = resp.json().await.unwrap();
    assert_eq!(
        user["metadata"],
        json!({"department": "Legal", "name": "Renamed Person", "avatar": "https://cdn.example.test/new.png"})
    );
    assert_eq!(user["name"], "Renamed Person");
    assert_eq!(user["avatar"], "https://cdn.example.test/new.png");

    // name: null removes the shorthand; an omitted metadata is kept.
    let user: Value = http
        .put(format!("{base}/user/user-002"))
        .json(&json!({"name": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(user["name"].is_null());
    assert_eq!(user["metadata"]["department"], "Legal");

    // clientIdentifier moves the user, and its courses follow.
    let moved: Value = http
        .put(format!("{base}/user/user-000"))
        .json(&json!({"clientIdentifier": "initech"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["clientIdentifier"], "initech");
    let (_, courses) = get_json(&http, &format!("{base}/courses?identifier=user-000")).await;
    assert_eq!(courses.as_array().unwrap().len(), 2);
    assert!(
        courses
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["clientIdentifier"] == "initech")
    );

    let resp = http
        .put(format!("{base}/user/user-001"))
        .json(&json!({"clientIdentifier": "no-such-client"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = http
        .put(format!("{base}/user/user-001"))
        .json(&json!({"metadata": "text"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = http
        .put(format!("{base}/user/ghost"))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    sb.stop().await;
}

async fn course_owners(http: &reqwest::Client, base: &str, client: &str) -> Vec<(String, bool)> {
    let (_, list) = get_json(http, &format!("{base}/courses?clientIdentifier={client}")).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["identifier"].as_str().unwrap().to_string(),
                c["deleted"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn delete_user_actions_are_observable_through_courses() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    let base = format!("{}/v1/headless", sb.base_url);

    // Errors first: reallocate needs a target that exists; actions are a closed set.
    let resp = http
        .delete(format!("{base}/user/user-000?action=reallocate"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = http
        .delete(format!(
            "{base}/user/user-000?action=reallocate&reallocateTo=ghost"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = http
        .delete(format!("{base}/user/user-000?action=shred"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        course_owners(&http, &base, "acme-corp").await,
        vec![
            ("user-000".into(), false),
            ("user-000".into(), false),
            ("shared-42".into(), false),
            ("shared-42".into(), false)
        ]
    );

    // reallocate: the courses now belong to user-001.
    let resp = http
        .delete(format!(
            "{base}/user/user-000?action=reallocate&reallocateTo=user-001"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({}));
    let (status, _) = get_json(&http, &format!("{base}/user/user-000")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let owners = course_owners(&http, &base, "acme-corp").await;
    assert_eq!(owners[0], ("user-001".into(), false));
    assert_eq!(owners[1], ("user-001".into(), false));

    // delete (parameters in the JSON body, as older docs had it): soft-deleted courses.
    let resp = http
        .delete(format!("{base}/user/shared-42"))
        .json(&json!({"clientIdentifier": "acme-corp", "action": "delete"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let owners = course_owners(&http, &base, "acme-corp").await;
    assert_eq!(owners[2], ("shared-42".into(), true));
    assert_eq!(owners[3], ("shared-42".into(), true));
    // The globex shared-42 and its courses are untouched.
    assert_eq!(
        course_owners(&http, &base, "globex").await,
        vec![
            ("user-005".into(), false),
            ("user-005".into(), false),
            ("shared-42".into(), false),
            ("shared-42".into(), false)
        ]
    );

    // ignore (the default): the user goes, its courses stay as they were.
    let resp = http
        .delete(format!("{base}/user/user-005?clientIdentifier=globex"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        course_owners(&http, &base, "globex").await[0],
        ("user-005".into(), false)
    );
    let (status, _) = get_json(&http, &format!("{base}/user/user-005")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    sb.stop().await;
}

#[tokio::test]
async fn delete_client_cascades_to_users_and_courses() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    for (prefix, client) in [
        ("/api/v1/headless", "acme-corp"),
        ("/v1/headless", "globex"),
    ] {
        let base = format!("{}{prefix}", sb.base_url);
        let resp = http
            .delete(format!("{base}/client/{client}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.json::<Value>().await.unwrap(), json!({}));
        let (status, _) = get_json(&http, &format!("{base}/client/{client}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, users) = get_json(&http, &format!("{base}/users?clientIdentifier={client}")).await;
        assert_eq!(users, json!([]));
        let (_, courses) =
            get_json(&http, &format!("{base}/courses?clientIdentifier={client}")).await;
        assert_eq!(courses, json!([]));
        let resp = http
            .delete(format!("{base}/client/{client}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }
    // After both deletes shared-42 is gone everywhere; the others remain and page cleanly.
    let base = format!("{}/v1/headless", sb.base_url);
    let (status, _) = get_json(&http, &format!("{base}/user/shared-42")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, all) = get_json(&http, &format!("{base}/users?length=1000")).await;
    assert_eq!(all.as_array().unwrap().len(), 34 - 12);
    let mut paged = Vec::new();
    for page in 0.. {
        let (_, p) = get_json(&http, &format!("{base}/users?page={page}&length=5")).await;
        let n = p.as_array().unwrap().len();
        paged.extend(p.as_array().unwrap().iter().cloned());
        if n < 5 {
            break;
        }
    }
    assert_eq!(Value::Array(paged), all);
    let (_, clients) = get_json(&http, &format!("{base}/clients?page=0&length=3")).await;
    assert_eq!(
        identifiers(&clients, "clientIdentifier"),
        ["initech", "kāinga-ora", "umbrella-学校"]
    );
    sb.stop().await;
}

#[tokio::test]
async fn embed_creates_clients_and_users_implicitly() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    for prefix in PREFIXES {
        let base = format!("{}{prefix}", sb.base_url);
        let client = format!("new-tenant{}", prefix.len());
        let resp = http
            .post(format!("{base}/embed/course"))
            .json(&json!({"action": "edit", "identifier": "fresh", "clientIdentifier": client}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["url"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}/embed/", sb.base_url))
        );
        let (status, c) = get_json(&http, &format!("{base}/client/{client}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(c["userCount"], 1);
        let (status, _) = get_json(
            &http,
            &format!("{base}/user/fresh?clientIdentifier={client}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let resp = http
        .post(format!("{}/v1/headless/embed/course", sb.base_url))
        .json(&json!({"action": "view"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    sb.stop().await;
}

#[tokio::test]
async fn mutations_and_courses_answer_under_both_prefixes() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    for (prefix, client, user) in [
        ("/api/v1/headless", "kāinga-ora", "user-016"),
        ("/v1/headless", "umbrella-学校", "user-021"),
    ] {
        let base = format!("{}{prefix}", sb.base_url);
        let resp = http
            .put(format!("{base}/client/{client}"))
            .json(&json!({"metadata": {"prefix": prefix}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{prefix}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["metadata"],
            json!({"prefix": prefix})
        );
        let resp = http
            .put(format!("{base}/user/{user}"))
            .json(&json!({"name": prefix}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{prefix}");
        assert_eq!(resp.json::<Value>().await.unwrap()["name"], prefix);
        let (status, courses) = get_json(&http, &format!("{base}/courses")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(courses.as_array().unwrap().len(), 20);
        let resp = http
            .delete(format!("{base}/user/{user}?action=delete"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{prefix}");
        let (status, _) = get_json(&http, &format!("{base}/user/{user}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    sb.stop().await;
}
