//! The MATTR VII core client against the sandbox over loopback: pages, search, changes and
//! their errors, and OAuth client credentials (cached, refreshed, retried once on a 401).

mod support;

use std::collections::HashSet;
use std::time::Duration;

use idtui_api::{ApiError, CoreApi, CoreSearch, Cursor, ErrorKind};
use serde_json::json;
use support::*;

const JAMIE: &str = "0c3fad74-a8df-4a2d-8e75-f2d356b41300";
const AROHA: &str = "0c3fad74-a8df-4a2d-8e75-f2d356b41301";
const WITH_3_CREDS: &str = "0c3fad74-a8df-4a2d-8e75-f2d356b41303";
const MISSING: &str = "0c3fad74-a8df-4a2d-8e75-f2d356b4ffff";

#[tokio::test]
async fn lists_every_user_page_by_page() {
    let h = Harness::start(|_| {}).await;
    let api = core(h.base());
    let mut cursor = Cursor::first();
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let page = api.list_users(&cursor, 7).await.unwrap();
        assert!(page.items.len() <= 7);
        ids.extend(page.items.iter().map(|u| u.id.clone()));
        pages += 1;
        assert!(pages < 20, "pagination does not end");
        match page.next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(ids.len(), 30);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        30,
        "no user twice"
    );
    assert!(ids.contains(&JAMIE.to_owned()));

    // 0 asks for the API's default page size, and too much is capped at its maximum.
    assert_eq!(
        api.list_users(&Cursor::first(), 0)
            .await
            .unwrap()
            .items
            .len(),
        30
    );
    api.list_users(&Cursor::first(), 5000).await.unwrap();
    let log = h.requests();
    assert!(
        log.iter().any(|(_, p, _)| p == "/v1/users?limit=100"),
        "{log:?}"
    );
    assert!(
        log.iter().any(|(_, p, _)| p == "/v1/users?limit=1000"),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_saved_cursor_refetches_the_same_page() {
    let h = Harness::start(|_| {}).await;
    let api = core(h.base());
    let first = api.list_users(&Cursor::first(), 5).await.unwrap();
    let second_cursor = first.next.clone().unwrap();
    let saved = serde_json::to_string(&second_cursor).unwrap();
    let second = api.list_users(&second_cursor, 5).await.unwrap();
    let restored: Cursor = serde_json::from_str(&saved).unwrap();
    let again = api.list_users(&restored, 5).await.unwrap();
    let ids = |p: &idtui_api::Page<idtui_api::CoreUser>| {
        p.items.iter().map(|u| u.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&second), ids(&again));
    assert_ne!(ids(&first), ids(&second));
}

#[tokio::test]
async fn search_by_nested_claims_and_subject() {
    let h = Harness::start(|_| {}).await;
    let api = core(h.base());
    let q = CoreSearch::parse(r#"given_name=Jamie address.street_name="Queen Street""#).unwrap();
    let page = api.search_users(&q, &Cursor::first(), 100).await.unwrap();
    let ids: Vec<_> = page.items.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, [JAMIE]);
    assert_eq!(page.items[0].claims["family_name"], "Smith");

    let q = CoreSearch::parse("subject=google-oauth2|100001").unwrap();
    let page = api.search_users(&q, &Cursor::first(), 10).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, AROHA);
    assert_eq!(
        page.items[0].subject_id().as_deref(),
        Some("google-oauth2|100001")
    );

    // Two Jamies, one per page, then the end.
    let q = CoreSearch::parse("given_name=Jamie").unwrap();
    let mut cursor = Cursor::first();
    let mut found = Vec::new();
    for _ in 0..5 {
        let page = api.search_users(&q, &cursor, 1).await.unwrap();
        found.extend(page.items.into_iter().map(|u| u.id));
        match page.next {
            Some(n) => cursor = n,
            None => break,
        }
    }
    assert_eq!(found.len(), 2, "{found:?}");

    let none = CoreSearch::parse("given_name=jamie").unwrap();
    let page = api.search_users(&none, &Cursor::first(), 10).await.unwrap();
    assert!(page.items.is_empty(), "exact, case-sensitive match");
    assert_eq!(page.next, None);
}

#[tokio::test]
async fn get_update_delete_and_their_errors() {
    let h = Harness::start(|_| {}).await;
    let api = core(h.base());

    let user = api.get_user(JAMIE).await.unwrap();
    assert_eq!(user.claims["given_name"], "Jamie");

    let mut body = user.to_update_body();
    body["claims"]["nickname"] = json!("JJ");
    let updated = api.update_user(JAMIE, &body).await.unwrap();
    assert_eq!(updated.claims["nickname"], "JJ");
    assert_eq!(updated.claims["family_name"], "Smith", "other claims kept");
    assert_eq!(
        updated.authentication_provider["providerId"], user.authentication_provider["providerId"],
        "provider link kept"
    );
    assert_eq!(api.get_user(JAMIE).await.unwrap().claims["nickname"], "JJ");

    let bad: ApiError = api.get_user("not-a-uuid").await.unwrap_err();
    assert_eq!(bad.status, Some(400));
    assert_eq!(bad.code.as_deref(), Some("BadRequest"));
    assert!(
        bad.to_string()
            .contains("Validation Error (id: Invalid value)"),
        "{bad}"
    );

    let missing = api.get_user(MISSING).await.unwrap_err();
    assert_eq!(missing.status, Some(404));
    assert_eq!(missing.code.as_deref(), Some("NotFound"));
    assert_eq!(missing.to_string(), "core 404 NotFound: User not found");

    let bad_put = api
        .update_user(JAMIE, &json!({"claims": 5}))
        .await
        .unwrap_err();
    assert_eq!(bad_put.status, Some(400));
    assert!(bad_put.to_string().contains("claims"), "{bad_put}");

    api.delete_user(JAMIE).await.unwrap();
    assert_eq!(api.get_user(JAMIE).await.unwrap_err().status, Some(404));
    assert_eq!(api.delete_user(JAMIE).await.unwrap_err().status, Some(404));

    let created = api
        .create_user(&json!({"claims": {"email": "new@example.test"}}))
        .await
        .unwrap();
    assert!(!created.id.is_empty());
    assert_eq!(
        api.get_user(&created.id).await.unwrap().claims["email"],
        "new@example.test"
    );
}

#[tokio::test]
async fn credentials_page_to_the_end() {
    let h = Harness::start(|_| {}).await;
    let api = core(h.base());
    let mut cursor = Cursor::first();
    let mut creds = Vec::new();
    for _ in 0..10 {
        let page = api
            .list_credentials(WITH_3_CREDS, &cursor, 2)
            .await
            .unwrap();
        creds.extend(page.items);
        match page.next {
            Some(n) => cursor = n,
            None => break,
        }
    }
    assert_eq!(creds.len(), 3);
    assert!(creds.iter().all(|c| !c.id.is_empty() && c.kind.is_some()));
}

/// A client that gets its tokens from the sandbox with client credentials.
fn oauth(h: &Harness, secret: &str) -> CoreApi {
    core_oauth(h.base(), h.base(), "idtui-test", secret, Some(h.base()))
}

#[tokio::test]
async fn oauth_token_is_cached_and_refreshed_before_expiry() {
    let h = Harness::start(|o| {
        o.token = Some("s3cret".into());
        o.core_token_ttl = 1;
    })
    .await;
    let api = oauth(&h, "s3cret");
    api.get_user(JAMIE).await.unwrap();
    api.get_user(AROHA).await.unwrap();
    assert_eq!(
        count(&h.requests(), "POST", "/oauth/token"),
        1,
        "token reused"
    );

    // Past the token's lifetime the client fetches a new one by itself: no 401 on the way.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    api.get_user(JAMIE).await.unwrap();
    let log = h.requests();
    assert_eq!(count(&log, "POST", "/oauth/token"), 2);
    assert!(log.iter().all(|(_, _, status)| status != 401), "{log:?}");
}

#[tokio::test]
async fn a_token_that_claims_to_live_forever_is_used_not_a_panic() {
    // `expires_in` is server data: u64::MAX seconds once overflowed the clock in the client.
    let h = Harness::start(|o| {
        o.token = Some("s3cret".into());
        o.core_token_ttl = u64::MAX;
    })
    .await;
    let api = oauth(&h, "s3cret");
    api.get_user(JAMIE).await.unwrap();
    api.get_user(AROHA).await.unwrap();
    assert_eq!(count(&h.requests(), "POST", "/oauth/token"), 1);
}

#[tokio::test]
async fn oauth_refreshes_once_on_401_and_retries_once() {
    let h = Harness::start(|o| {
        o.token = Some("s3cret".into());
        o.core_token_ttl = 1;
    })
    .await;
    // The proxy claims tokens live an hour, so the client trusts an expired one and meets a
    // 401: the situation of a token revoked server-side.
    fn long_lived(path: &str, body: axum::body::Bytes) -> axum::body::Bytes {
        if path != "/oauth/token" {
            return body;
        }
        let mut v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        v["expires_in"] = json!(3600);
        serde_json::to_vec(&v).unwrap().into()
    }
    let base = proxy(h.base(), "", Some(long_lived)).await;
    let api = core_oauth(&base, &base, "idtui-test", "s3cret", Some(h.base()));
    api.get_user(JAMIE).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let mut body = api.get_user(JAMIE).await.unwrap().to_update_body();
    body["claims"]["nickname"] = json!("after-401");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // A PUT refused with 401 did nothing, so it is sent once more with a fresh token.
    api.update_user(JAMIE, &body).await.unwrap();

    let log = h.requests();
    let path = format!("/v1/users/{JAMIE}");
    let puts: Vec<_> = log
        .iter()
        .filter(|(m, p, _)| m == "PUT" && *p == path)
        .collect();
    assert_eq!(puts.len(), 2, "{log:?}");
    assert_eq!(puts[0].2, 401);
    assert_eq!(puts[1].2, 200);
    assert_eq!(count(&log, "POST", "/oauth/token"), 3);

    // A wrong secret is an auth error from the token endpoint, without the secret in it.
    let tokens_before = count(&h.requests(), "POST", "/oauth/token");
    let bad = oauth(&h, "not-it").get_user(JAMIE).await.unwrap_err();
    assert_eq!(
        count(&h.requests(), "POST", "/oauth/token"),
        tokens_before + 1,
        "refused credentials are not tried again"
    );
    assert_eq!(bad.kind, ErrorKind::Auth);
    assert_eq!(bad.code.as_deref(), Some("access_denied"));
    assert!(!bad.to_string().contains("not-it"), "{bad}");
}
