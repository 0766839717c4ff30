//! MATTR VII core users API of the sandbox over real HTTP: CRUD, errors, search, events.

use idtui_sandbox::{SandboxOptions, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

const JAMIE: &str = "0c3fad74-a8df-4a2d-8e75-f2d356b41300";
const PREFIXES: [&str; 2] = ["/core/v1", "/v1"];

async fn demo() -> idtui_sandbox::RunningSandbox {
    start(SandboxOptions {
        demo: true,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap()
}

/// `base` with URL-encoded query parameters appended.
fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    reqwest::Url::parse_with_params(base, params)
        .unwrap()
        .to_string()
}

async fn json_of(resp: reqwest::Response) -> Value {
    resp.json().await.unwrap()
}

#[tokio::test]
async fn list_get_update_delete_under_both_prefixes() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    for prefix in PREFIXES {
        let base = format!("{}{prefix}", sb.base_url);
        let resp = http
            .get(format!("{base}/users?limit=5"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let page = json_of(resp).await;
        assert_eq!(page["data"].as_array().unwrap().len(), 5);
        assert!(page["nextCursor"].is_string());

        let user = json_of(
            http.get(format!("{base}/users/{JAMIE}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(user["id"], JAMIE);
        assert_eq!(user["claims"]["address"]["street_name"], "Queen Street");
        assert_eq!(
            user["authenticationProvider"]["subjectId"],
            "example-university-oauth2|123456789"
        );
    }

    // PUT: a present field replaces wholesale, an omitted one is kept.
    let base = format!("{}/v1", sb.base_url);
    let resp = http
        .put(format!("{base}/users/{JAMIE}"))
        .json(&json!({"claims": {"givenName": "Patrick John"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let updated = json_of(resp).await;
    assert_eq!(updated["claims"], json!({"givenName": "Patrick John"}));
    assert_eq!(
        updated["authenticationProvider"]["subjectId"],
        "example-university-oauth2|123456789"
    );
    let again = json_of(
        http.get(format!("{}/core/v1/users/{JAMIE}", sb.base_url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again, updated);

    // DELETE: 204 with an empty body, then 404 everywhere.
    let resp = http
        .delete(format!("{}/core/v1/users/{JAMIE}", sb.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(resp.bytes().await.unwrap().is_empty());
    for prefix in PREFIXES {
        let resp = http
            .get(format!("{}{prefix}/users/{JAMIE}", sb.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            json_of(resp).await,
            json!({"code": "NotFound", "message": "User not found"})
        );
    }
    sb.stop().await;
}

#[tokio::test]
async fn create_then_find_and_list_credentials() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    for prefix in PREFIXES {
        let base = format!("{}{prefix}", sb.base_url);
        let resp = http
            .post(format!("{base}/users"))
            .json(&json!({
                "claims": {"email": format!("new{prefix}@example.test")},
                "authenticationProvider": {"subjectId": format!("idp|{prefix}")}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let created = json_of(resp).await;
        let id = created["id"].as_str().unwrap().to_string();
        let fetched = json_of(http.get(format!("{base}/users/{id}")).send().await.unwrap()).await;
        assert_eq!(fetched, created);

        let creds = http
            .get(format!("{base}/users/{id}/credentials"))
            .send()
            .await
            .unwrap();
        assert_eq!(creds.status(), StatusCode::OK);
        assert_eq!(json_of(creds).await, json!({"data": []}));
    }

    // Demo user 3 has three credentials with the current shape; walk them two at a time.
    let user = "0c3fad74-a8df-4a2d-8e75-f2d356b41303";
    let base = format!("{}/core/v1", sb.base_url);
    let first = json_of(
        http.get(format!("{base}/users/{user}/credentials?limit=2"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    for c in first["data"].as_array().unwrap() {
        assert!(c["id"].is_string() && c["type"].is_string() && c["profile"].is_string());
    }
    let cursor = first["nextCursor"].as_str().unwrap();
    let second = json_of(
        http.get(with_query(
            &format!("{base}/users/{user}/credentials"),
            &[("limit", "2"), ("cursor", cursor)],
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_ne!(second["data"][0]["id"], first["data"][0]["id"]);
    assert_ne!(second["data"][0]["id"], first["data"][1]["id"]);
    sb.stop().await;
}

#[tokio::test]
async fn documented_errors() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    let base = format!("{}/core/v1", sb.base_url);

    let resp = http.get(format!("{base}/users/xxx")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json_of(resp).await,
        json!({"code": "BadRequest", "message": "Validation Error", "details": [
            {"value": "xxx", "msg": "Invalid value", "param": "id", "location": "params"}
        ]})
    );

    let unknown = "11111111-2222-4333-8444-555555555555";
    for resp in [
        http.delete(format!("{base}/users/{unknown}"))
            .send()
            .await
            .unwrap(),
        http.put(format!("{base}/users/{unknown}"))
            .json(&json!({"claims": {}}))
            .send()
            .await
            .unwrap(),
        http.get(format!("{base}/users/{unknown}/credentials"))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert_eq!(json_of(resp).await["code"], "NotFound");
    }

    for limit in ["0", "1001", "ten", "-1"] {
        let resp = http
            .get(format!("{base}/users?limit={limit}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "limit={limit}");
        let body = json_of(resp).await;
        assert_eq!(body["details"][0]["param"], "limit");
        assert_eq!(body["details"][0]["location"], "query");
    }

    let resp = http
        .get(format!("{base}/users?cursor=%25%25garbage"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body = json_of(resp).await;
    assert_eq!(body["details"][0]["param"], "cursor");
    assert_eq!(body["details"][0]["location"], "query");

    for bad in [
        json!({"claims": "not an object"}),
        json!({"authenticationProvider": {"providerId": "nope", "subjectId": "x"}}),
        json!({"authenticationProvider": 7}),
    ] {
        let resp = http
            .put(format!("{base}/users/0c3fad74-a8df-4a2d-8e75-f2d356b41301"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(json_of(resp).await["details"][0]["location"], "body");
    }
    let resp = http
        .post(format!("{base}/users/search"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = http
        .post(format!("{base}/users/search"))
        .json(&json!({"cursor": "bm9wZQ"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body = json_of(resp).await;
    assert_eq!(body["details"][0]["param"], "cursor");
    assert_eq!(body["details"][0]["location"], "body");
    sb.stop().await;
}

async fn search(http: &reqwest::Client, url: &str, body: Value) -> Vec<String> {
    let resp = http.post(url).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{body}");
    let page = json_of(resp).await;
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn search_is_an_exact_nested_subset_anded_with_the_provider() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    for prefix in PREFIXES {
        let url = format!("{}{prefix}/users/search", sb.base_url);
        // Two demo users are called Jamie; only one lives on Queen Street.
        let jamies = search(&http, &url, json!({"claims": {"given_name": "Jamie"}})).await;
        assert_eq!(jamies.len(), 2);
        let queen = search(
            &http,
            &url,
            json!({"claims": {"given_name": "Jamie", "address": {"street_name": "Queen Street"}}}),
        )
        .await;
        assert_eq!(queen, vec![JAMIE.to_string()]);
        // Exact text: no substring and no case folding; key casing is not normalised.
        for miss in [
            json!({"claims": {"given_name": "Jam"}}),
            json!({"claims": {"given_name": "jamie"}}),
            json!({"claims": {"givenName": "Jamie"}}),
            json!({"claims": {"address": {"street_name": "Queen"}}}),
        ] {
            assert!(search(&http, &url, miss.clone()).await.is_empty(), "{miss}");
        }
        let by_subject = search(
            &http,
            &url,
            json!({"authenticationProvider": {"subjectId": "example-university-oauth2|123456789"}}),
        )
        .await;
        assert_eq!(by_subject, vec![JAMIE.to_string()]);
        let provider_and_claims = search(
            &http,
            &url,
            json!({
                "claims": {"given_name": "Jamie"},
                "authenticationProvider": {
                    "providerId": "41458e5a-9092-40b7-9a26-d4eb43c5792f",
                    "subjectId": "example-university-oauth2|123456789"
                }
            }),
        )
        .await;
        assert_eq!(provider_and_claims, vec![JAMIE.to_string()]);
        let wrong_provider = search(
            &http,
            &url,
            json!({"authenticationProvider": {
                "providerId": "00000000-0000-4000-8000-000000000000",
                "subjectId": "example-university-oauth2|123456789"
            }}),
        )
        .await;
        assert!(wrong_provider.is_empty());
    }

    // Search pages with the same keyset cursor: limit 1 walks both Jamies one by one.
    let url = format!("{}/v1/users/search", sb.base_url);
    let filter = json!({"given_name": "Jamie"});
    let first = json_of(
        http.post(&url)
            .json(&json!({"claims": filter, "limit": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let second = json_of(
        http.post(&url)
            .json(&json!({"claims": filter, "limit": 1, "cursor": first["nextCursor"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let third = json_of(
        http.post(&url)
            .json(&json!({"claims": filter, "limit": 1, "cursor": second["nextCursor"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_ne!(first["data"][0]["id"], second["data"][0]["id"]);
    assert_eq!(third, json!({"data": []}));
    sb.stop().await;
}

#[tokio::test]
async fn events_are_recorded_for_success_and_failure() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    let base = format!("{}/core/v1", sb.base_url);
    http.get(format!("{base}/users/{JAMIE}"))
        .send()
        .await
        .unwrap();
    http.get(format!("{base}/users/not-a-uuid"))
        .send()
        .await
        .unwrap();
    http.delete(format!("{base}/users/{JAMIE}"))
        .send()
        .await
        .unwrap();

    let events = json_of(
        http.get(with_query(
            &format!("{}/v1/analytics/events", sb.base_url),
            &[(
                "types",
                "USER_RETRIEVE_START,USER_RETRIEVE_SUCCESS,USER_RETRIEVE_FAIL",
            )],
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let types: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "USER_RETRIEVE_START",
            "USER_RETRIEVE_SUCCESS",
            "USER_RETRIEVE_START",
            "USER_RETRIEVE_FAIL"
        ]
    );
    let first = &events["data"][0];
    for field in ["id", "timestamp", "requestId"] {
        assert!(first[field].is_string(), "{field}");
    }
    assert_eq!(first["category"], "user");
    // START and its outcome share a requestId; the next call has its own.
    assert_eq!(
        events["data"][0]["requestId"],
        events["data"][1]["requestId"]
    );
    assert_ne!(
        events["data"][1]["requestId"],
        events["data"][2]["requestId"]
    );

    // Filtering by requestId returns exactly that call's pair.
    let rid = events["data"][3]["requestId"].as_str().unwrap();
    let pair = json_of(
        http.get(with_query(
            &format!("{base}/analytics/events"),
            &[("requestIds", rid), ("categories", "user")],
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(pair["data"].as_array().unwrap().len(), 2);
    assert_eq!(pair["data"][1]["data"]["statusCode"], 400);

    let deletes = json_of(
        http.get(format!(
            "{base}/analytics/events?types=USER_DELETE_SUCCESS&limit=1"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(deletes["data"][0]["metadata"]["userId"], JAMIE);
    let after = json_of(
        http.get(with_query(
            &format!("{base}/analytics/events"),
            &[
                ("types", "USER_DELETE_SUCCESS"),
                ("cursor", deletes["nextCursor"].as_str().unwrap()),
            ],
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(after, json!({"data": []}));

    let future = json_of(
        http.get(format!(
            "{base}/analytics/events?dateFrom=2999-01-01T00:00:00Z"
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(future, json!({"data": []}));
    sb.stop().await;
}

#[tokio::test]
async fn put_and_delete_answer_under_both_prefixes() {
    let sb = demo().await;
    let http = reqwest::Client::new();
    let users = [
        "0c3fad74-a8df-4a2d-8e75-f2d356b41310",
        "0c3fad74-a8df-4a2d-8e75-f2d356b41311",
    ];
    for (prefix, id) in PREFIXES.into_iter().zip(users) {
        let url = format!("{}{prefix}/users/{id}", sb.base_url);
        let resp = http
            .put(&url)
            .json(&json!({"authenticationProvider": {"subjectId": prefix}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{prefix}");
        let user = json_of(resp).await;
        assert_eq!(user["authenticationProvider"], json!({"subjectId": prefix}));
        assert!(user["claims"].is_object() && user["claims"] != json!({}));
        let resp = http.delete(&url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NO_CONTENT, "{prefix}");
        let resp = http.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{prefix}");
    }
    sb.stop().await;
}
