//! Kratos sandbox over HTTP: listing identities (keyset and legacy paging, filters).

#[path = "sandbox_kratos_support/mod.rs"]
mod support;

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;
use support::{assert_spec, demo, demo_id, kratos};

const NIL: &str = "00000000-0000-0000-0000-000000000000";

#[tokio::test]
async fn keyset_pages_walk_every_identity_in_uuid_order() {
    let k = kratos().await;
    let first = k.get("/admin/identities?page_size=4").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.header("x-total-count").is_none());
    let rows = first.body.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(
        rows[0].get("credentials").is_none(),
        "lists omit credentials"
    );
    for row in rows {
        assert_spec("identity", row);
    }
    let last = rows[3]["id"].as_str().unwrap();
    assert_eq!(
        first.header("link").unwrap(),
        format!(
            "</admin/identities?page_size=4&page_token={NIL}>; rel=\"first\",\
             </admin/identities?page_size=4&page_token={last}>; rel=\"next\""
        )
    );

    let ids = k.walk("/admin/identities?page_size=4").await;
    let expected = demo()["identities"].as_array().unwrap().len();
    assert_eq!(ids.len(), expected);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "ordered by id");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), expected);

    // The last page has no next link; an exact fit does not produce an empty page.
    let all = k
        .get(&format!("/admin/identities?page_size={expected}"))
        .await;
    assert_eq!(all.body.as_array().unwrap().len(), expected);
    assert!(all.link("next").is_none());
    assert!(all.link("first").is_some());
}

#[tokio::test]
async fn page_size_and_token_validation() {
    let k = kratos().await;
    let r = k.get("/admin/identities?page_size=0").await;
    assert!(r.link("first").unwrap().contains("page_size=250"));
    let r = k.get("/admin/identities?page_size=-3").await;
    assert!(r.link("first").unwrap().contains("page_size=250"));
    let r = k.get("/admin/identities?page_size=100000").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.link("first").unwrap().contains("page_size=500"));
    let r = k.get("/admin/identities?per_page=3").await;
    assert_eq!(
        r.body.as_array().unwrap().len(),
        3,
        "a lone per_page is page_size"
    );
    let r = k.get("/admin/identities?page_size=x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.reason(), "strconv.Atoi: parsing \"x\": invalid syntax");
    for token in ["1", "not-a-uuid"] {
        let r = k
            .get(&format!("/admin/identities?page_token={token}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.reason(),
            "The page token is invalid, do not craft your own page tokens"
        );
    }
    // Other parameters survive into the links, keys sorted.
    let r = k
        .get("/admin/identities?page_size=2&include_credential=password&consistency=eventual")
        .await;
    assert_eq!(
        r.link("first").unwrap(),
        format!(
            "/admin/identities?consistency=eventual&include_credential=password&page_size=2&page_token={NIL}"
        )
    );
}

#[tokio::test]
async fn filters_find_identities_and_exclude_each_other() {
    let k = kratos().await;
    let ada = demo_id("ada.lovelace@example.com");
    let r = k
        .get("/admin/identities?credentials_identifier=%20ADA.Lovelace@Example.com%20")
        .await;
    let rows = r.body.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", r.text);
    assert_eq!(rows[0]["id"], Value::String(ada.clone()));
    assert!(rows[0]["credentials"]["password"].is_object());
    assert!(rows[0]["credentials"]["password"].get("config").is_none());

    let grace = demo_id("grace.hopper@example.com");
    let r = k
        .get("/admin/identities?credentials_identifier=github:580001")
        .await;
    assert_eq!(r.body[0]["id"], Value::String(grace.clone()));
    let r = k
        .get("/admin/identities?credentials_identifier=GITHUB:580001")
        .await;
    assert_eq!(
        r.body,
        serde_json::json!([]),
        "oidc identifiers match exactly"
    );

    let r = k
        .get("/admin/identities?preview_credentials_identifier_similar=Ma")
        .await;
    let emails: HashSet<&str> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["traits"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        HashSet::from(["margaret.hamilton@example.com", "mallory@example.com"])
    );

    let r = k
        .get(&format!("/admin/identities?ids={grace}&ids={ada}&ids={grace}&ids=5f0c0c2e-0000-4000-8000-000000000000"))
        .await;
    let got: Vec<&str> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let mut want = vec![ada.as_str(), grace.as_str()];
    want.sort();
    assert_eq!(got, want);
    let r = k.get("/admin/identities?ids=nope").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.reason(), "Invalid UUID value `nope` for parameter `ids`.");
    let many: String = (0..501)
        .map(|n| format!("ids=00000000-0000-4000-8000-{n:012}"))
        .collect::<Vec<_>>()
        .join("&");
    let r = k.get(&format!("/admin/identities?{many}")).await;
    assert_eq!(
        r.reason(),
        "The number of ids to filter must not exceed 500."
    );

    let org = demo()["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|i| i["body"]["organization_id"].as_str().map(str::to_owned))
        .unwrap();
    let r = k
        .get(&format!("/admin/identities?organization_id={org}"))
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.body[0]["organization_id"], Value::String(org.clone()));
    assert_eq!(
        k.get("/admin/identities?organization_id=bad").await.status,
        StatusCode::BAD_REQUEST
    );

    for q in [
        format!("ids={ada}&credentials_identifier=x"),
        format!("organization_id={org}&preview_credentials_identifier_similar=a"),
        "credentials_identifier=a&preview_credentials_identifier_similar=a".to_owned(),
    ] {
        let r = k.get(&format!("/admin/identities?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(
            r.reason(),
            "You cannot combine multiple filters in this API"
        );
    }
    let r = k
        .get("/admin/identities?include_credential=oidc&page_size=500")
        .await;
    let with_oidc = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["credentials"]["oidc"]["config"]["providers"].is_array())
        .count();
    assert!(with_oidc >= 5, "include_credential publishes oidc configs");
    assert_eq!(
        k.get("/admin/identities?include_credential=nope")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn legacy_page_mode_counts_and_limits_depth() {
    let k = kratos().await;
    let total = demo()["identities"].as_array().unwrap().len();
    let r = k.get("/admin/identities?page=0&per_page=10").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-total-count"), Some(total.to_string().as_str()));
    assert_eq!(r.body.as_array().unwrap().len(), 10);
    assert!(r.link("next").unwrap().contains("page=1"));
    assert!(
        r.link("first").is_none(),
        "first page links next and last only"
    );
    let keyset = k.get("/admin/identities?page_size=20").await;
    let r1 = k.get("/admin/identities?page=1&per_page=10").await;
    assert_eq!(r1.body[0]["id"], keyset.body[10]["id"]);
    let r = k.get("/admin/identities?page=3&per_page=500").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.reason(),
        "Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size."
    );
}
