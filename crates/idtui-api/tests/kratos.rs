//! The Kratos admin client against the sandbox over loopback.

mod support;

use std::collections::HashSet;

use idtui_api::{Cursor, ErrorKind, IdentityFilter, KratosApi, Page};
use serde_json::json;
use support::*;

const ADA: &str = "767e3cc1-d67e-51bc-ad2b-449c5eea9782";
const GRACE: &str = "c24bf686-c7b8-59d3-8a1c-ce810931791e";
const KATHERINE: &str = "5dcc981f-3393-5f88-8e0b-408a658f7eb5";
const MISSING: &str = "00000000-0000-4000-8000-000000000001";

async fn all_identities(api: &KratosApi, filter: &IdentityFilter, size: u32) -> Vec<String> {
    let mut cursor = Cursor::first();
    let mut ids = Vec::new();
    for _ in 0..100 {
        let page = api.list_identities(filter, &cursor, size).await.unwrap();
        assert!(page.items.len() <= size as usize);
        assert_eq!(page.total, None, "keyset pages carry no total");
        ids.extend(page.items.into_iter().map(|i| i.id));
        match page.next {
            Some(n) => cursor = n,
            None => return ids,
        }
    }
    panic!("identity pagination does not end");
}

#[tokio::test]
async fn walks_identities_by_link_header_to_the_end() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());
    let ids = all_identities(&api, &IdentityFilter::default(), 4).await;
    assert_eq!(ids.len(), 35);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 35);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "Kratos orders by UUID");
    // 35 rows at 4 per page: 9 pages, the last one short and without a next link.
    let gets = count(&h.requests(), "GET", "/admin/identities");
    assert_eq!(gets, 9);
}

#[tokio::test]
async fn saved_cursors_refetch_the_same_pages() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());
    let ids =
        |p: &Page<idtui_api::Identity>| p.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    let first = api
        .list_identities(&Default::default(), &Cursor::first(), 5)
        .await
        .unwrap();
    let saved = serde_json::to_string(first.next.as_ref().unwrap()).unwrap();
    let second = api
        .list_identities(&Default::default(), first.next.as_ref().unwrap(), 5)
        .await
        .unwrap();
    let restored: Cursor = serde_json::from_str(&saved).unwrap();
    let again = api
        .list_identities(&Default::default(), &restored, 5)
        .await
        .unwrap();
    assert_eq!(ids(&second), ids(&again));
    assert_ne!(ids(&first), ids(&second));

    // The offset scheme replays the same way.
    let s1 = api
        .list_identity_sessions(KATHERINE, None, &Cursor::first(), 1)
        .await
        .unwrap();
    let c: Cursor =
        serde_json::from_str(&serde_json::to_string(s1.next.as_ref().unwrap()).unwrap()).unwrap();
    let a = api
        .list_identity_sessions(KATHERINE, None, &c, 1)
        .await
        .unwrap();
    let b = api
        .list_identity_sessions(KATHERINE, None, &c, 1)
        .await
        .unwrap();
    assert_eq!(a.items[0].id, b.items[0].id);
    assert_ne!(a.items[0].id, s1.items[0].id);
}

#[tokio::test]
async fn filters_reach_every_page() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());
    let by_email = IdentityFilter {
        credentials_identifier: Some("ADA.Lovelace@example.com".into()),
        ..Default::default()
    };
    let page = api
        .list_identities(&by_email, &Cursor::first(), 10)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let ada = &page.items[0];
    assert_eq!(ada.id, ADA);
    assert!(
        ada.credentials.iter().any(|c| c.kind == "password"),
        "credentials expanded"
    );

    let two = IdentityFilter {
        ids: vec![GRACE.into(), ADA.into(), MISSING.into()],
        ..Default::default()
    };
    let ids = all_identities(&api, &two, 1).await;
    let mut want = vec![ADA.to_owned(), GRACE.to_owned()];
    want.sort();
    assert_eq!(ids, want, "the ids filter is kept on the next page");

    let combined = IdentityFilter {
        ids: vec![ADA.into()],
        credentials_identifier: Some("x".into()),
        ..Default::default()
    };
    let err = api
        .list_identities(&combined, &Cursor::first(), 10)
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(400));
    assert!(
        err.to_string().contains("cannot combine multiple filters"),
        "{err}"
    );
}

#[tokio::test]
async fn get_by_id_and_external_id_keep_unknown_fields() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());
    let ada = api.get_identity(ADA, &["password".into()]).await.unwrap();
    assert_eq!(ada.traits["name"]["first"], "Ada");
    assert_eq!(ada.state.as_deref(), Some("active"));
    assert_eq!(ada.metadata_admin["crm"]["account_id"], "ACC-01000");
    let kinds: Vec<_> = ada.credentials.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["lookup_secret", "password", "totp"]);
    let pw = ada
        .credentials
        .iter()
        .find(|c| c.kind == "password")
        .unwrap();
    assert!(pw.raw["config"]["hashed_password"].is_string());
    assert!(
        ada.raw.get("schema_url").is_some(),
        "raw keeps what is not typed"
    );

    let grace = api.identity_by_external_id("crm-0037").await.unwrap();
    assert_eq!(grace.id, GRACE);
    assert_eq!(grace.external_id.as_deref(), Some("crm-0037"));

    let err = api.get_identity(MISSING, &[]).await.unwrap_err();
    assert_eq!(err.status, Some(404));
    assert_eq!(err.to_string(), "kratos 404: Unable to locate the resource");
    // The client tags each request with an X-Request-ID, which Kratos echoes in errors.
    assert_eq!(err.request_id.as_deref().map(str::len), Some(36), "{err:?}");
    let err = api.get_identity("not-a-uuid", &[]).await.unwrap_err();
    assert_eq!(
        err.status,
        Some(404),
        "malformed ids are 404 on identity routes"
    );
}

#[tokio::test]
async fn create_update_patch_delete_and_their_errors() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());

    let body = json!({
        "schema_id": "default",
        "traits": {"email": "new.person@example.com", "name": {"first": "New", "last": "Person"}},
        "metadata_admin": {"note": "keep me"}
    });
    let created = api.create_identity(&body).await.unwrap();
    assert_eq!(created.traits["email"], "new.person@example.com");

    let conflict = api.create_identity(&body).await.unwrap_err();
    assert_eq!(conflict.status, Some(409));
    assert!(
        conflict
            .to_string()
            .contains("conflicts with another identity"),
        "{conflict}"
    );

    let invalid = api
        .create_identity(&json!({"schema_id": "default", "traits": {"email": 5}}))
        .await
        .unwrap_err();
    assert_eq!(invalid.status, Some(400));
    assert!(invalid.reason.is_some(), "{invalid}");

    // Read, edit, write back: the PUT body comes from raw, so nothing unedited is lost.
    let ada = api.get_identity(ADA, &[]).await.unwrap();
    let mut put = ada.to_update_body();
    put["traits"]["name"]["first"] = json!("Augusta Ada");
    let updated = api.update_identity(ADA, &put).await.unwrap();
    assert_eq!(updated.traits["name"]["first"], "Augusta Ada");
    assert_eq!(updated.metadata_admin, ada.metadata_admin);
    assert_eq!(updated.metadata_public, ada.metadata_public);
    let after = api.get_identity(ADA, &["password".into()]).await.unwrap();
    let pw = after
        .credentials
        .iter()
        .find(|c| c.kind == "password")
        .unwrap();
    assert!(
        pw.raw["config"]["hashed_password"].is_string(),
        "the password hash survives a PUT"
    );

    let patched = api
        .patch_identity(
            ADA,
            &json!([{"op": "replace", "path": "/state", "value": "inactive"}]),
        )
        .await
        .unwrap();
    assert_eq!(patched.state.as_deref(), Some("inactive"));
    let denied = api
        .patch_identity(
            ADA,
            &json!([{"op": "replace", "path": "/id", "value": MISSING}]),
        )
        .await
        .unwrap_err();
    assert_eq!(denied.status, Some(400));
    assert_eq!(
        denied.to_string(),
        "kratos 400: failed to apply JSON patch: patch includes denied path: /id"
    );
    let not_array = api
        .patch_identity(ADA, &json!({"op": "add"}))
        .await
        .unwrap_err();
    assert_eq!(not_array.kind, ErrorKind::Config);

    api.delete_identity(&created.id).await.unwrap();
    let gone = api.delete_identity(&created.id).await.unwrap_err();
    assert_eq!(gone.status, Some(404));
}

#[tokio::test]
async fn credential_deletion_and_its_explanations() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());
    api.delete_credential(ADA, "totp", None).await.unwrap();
    let again = api.delete_credential(ADA, "totp", None).await.unwrap_err();
    assert_eq!(again.status, Some(404));
    assert!(again.to_string().contains("no totp set up"), "{again}");

    let no_identifier = api
        .delete_credential(GRACE, "oidc", None)
        .await
        .unwrap_err();
    assert_eq!(no_identifier.status, Some(400));
    assert!(
        no_identifier.to_string().contains("identifier"),
        "{no_identifier}"
    );
}

async fn all_sessions(
    api: &KratosApi,
    identity: Option<&str>,
    active: Option<bool>,
    size: u32,
) -> (Vec<idtui_api::Session>, Option<u64>) {
    let mut cursor = Cursor::first();
    let mut out = Vec::new();
    for _ in 0..100 {
        let page: Page<_> = match identity {
            Some(id) => api
                .list_identity_sessions(id, active, &cursor, size)
                .await
                .unwrap(),
            None => api.list_sessions(active, &cursor, size).await.unwrap(),
        };
        out.extend(page.items);
        match page.next {
            Some(n) => cursor = n,
            None => return (out, page.total),
        }
    }
    panic!("session pagination does not end");
}

#[tokio::test]
async fn sessions_page_by_keyset_and_by_offset_token() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());
    let (all, total) = all_sessions(&api, None, None, 10).await;
    assert_eq!(all.len(), 44);
    assert_eq!(total, None);
    assert_eq!(all.iter().map(|s| &s.id).collect::<HashSet<_>>().len(), 44);
    assert!(
        all.iter().all(|s| s.identity_id.is_some()),
        "identity expanded"
    );

    let (active, _) = all_sessions(&api, None, Some(true), 10).await;
    assert!(!active.is_empty() && active.len() < 44);
    // `active=true` filters on the stored flag and expiry; the `active` field is also false
    // when the expanded identity is inactive (Kratos computes it that way).
    for s in &active {
        assert!(
            s.active || s.raw["identity"]["state"] == "inactive",
            "{:?}",
            s.raw
        );
    }

    let (mine, total) = all_sessions(&api, Some(KATHERINE), None, 2).await;
    assert_eq!(mine.len(), 3);
    assert_eq!(total, Some(3), "offset pages carry X-Total-Count");
    assert!(
        mine.iter()
            .all(|s| s.identity_id.as_deref() == Some(KATHERINE))
    );
    assert!(mine.iter().any(|s| !s.devices.is_empty()));

    let (none, total) = all_sessions(&api, Some(MISSING), None, 2).await;
    assert!(none.is_empty());
    assert_eq!(total, Some(0));

    let bad = api
        .list_identity_sessions("not-a-uuid", None, &Cursor::first(), 2)
        .await
        .unwrap_err();
    assert_eq!(
        bad.status,
        Some(400),
        "malformed ids are 400 on session routes"
    );
}

#[tokio::test]
async fn session_actions() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());
    let (mine, _) = all_sessions(&api, Some(KATHERINE), Some(true), 10).await;
    let s = &mine[0];
    let got = api.get_session(&s.id).await.unwrap();
    assert_eq!(got.id, s.id);
    assert!(got.aal.is_some());
    assert!(!got.methods.is_empty());

    let extended = api
        .extend_session(&s.id)
        .await
        .unwrap()
        .expect("200 with the session");
    assert_eq!(extended.id, s.id);
    assert!(extended.expires_at.is_some());

    api.disable_session(&s.id).await.unwrap();
    assert!(!api.get_session(&s.id).await.unwrap().active);
    let missing = api.disable_session(MISSING).await.unwrap_err();
    assert_eq!(missing.status, Some(404));

    api.delete_identity_sessions(KATHERINE).await.unwrap();
    let (left, _) = all_sessions(&api, Some(KATHERINE), None, 10).await;
    assert!(left.is_empty());
    let none_left = api.delete_identity_sessions(KATHERINE).await.unwrap_err();
    assert_eq!(
        none_left.status,
        Some(404),
        "404 when there is nothing to delete"
    );
}

#[tokio::test]
async fn schemas() {
    let h = Harness::start(|_| {}).await;
    let api = kratos(h.base());
    let schemas = api.list_schemas().await.unwrap();
    assert!(schemas.iter().any(|s| s.id == "default"), "{schemas:?}");
    let raw = api.get_schema("default").await.unwrap();
    assert!(raw["properties"]["traits"].is_object());
    let err = api.get_schema("nope").await.unwrap_err();
    assert_eq!(err.status, Some(404));
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix() {
    let h = Harness::start(|_| {}).await;
    let base = proxy(h.base(), "/kratos", None).await;
    let api = kratos(&base);
    // The server's links say `/admin/identities?…`; they must be followed under `/kratos`.
    let ids = all_identities(&api, &IdentityFilter::default(), 10).await;
    assert_eq!(ids.len(), 35);
    let (all, _) = all_sessions(&api, None, None, 20).await;
    assert_eq!(all.len(), 44);
    let (mine, _) = all_sessions(&api, Some(KATHERINE), None, 1).await;
    assert_eq!(mine.len(), 3);
}

#[tokio::test]
async fn reads_the_server_version() {
    // The sandbox says which release it emulates.
    let h = Harness::start(|_| {}).await;
    let v = kratos(h.base()).version().await.unwrap();
    assert!(v.text.starts_with('v'), "{v:?}");
    assert!(v.release.is_some(), "{v:?}");
    assert_eq!(count(&h.requests(), "GET", "/admin/version"), 1);

    // A real Kratos v1.3.1 answers this way.
    let (base, seen) = support::crafted::crafted(|_| br#"{"version":"v1.3.1"}"#.to_vec()).await;
    let v = kratos(&base).version().await.unwrap();
    assert_eq!((v.text.as_str(), v.release), ("v1.3.1", Some([1, 3, 1])));
    assert_eq!(seen.lock().unwrap()[0], "GET /admin/version HTTP/1.1");

    // An answer that is not a version is a decode error, never a guess.
    for body in [&b"<html>ok</html>"[..], br#"{"status":"ok"}"#, b"[]"] {
        let (base, _) = support::crafted::crafted(move |_| body.to_vec()).await;
        let err = kratos(&base).version().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Decode, "{body:?}: {err}");
    }
}

#[tokio::test]
async fn a_server_without_admin_version_is_asked_at_version() {
    use support::hostile::{Hostile, Reply};
    let h = Hostile::start(|seen| match seen.target.as_str() {
        "/admin/version" => Reply::json(404, r#"{"error":{"code":404,"message":"Not Found"}}"#),
        "/version" => Reply::json(200, r#"{"version":"v25.4.0"}"#),
        _ => Reply::json(500, "{}"),
    })
    .await;
    let v = kratos(&h.url).version().await.unwrap();
    assert_eq!(v.release, Some([25, 4, 0]));
    let asked: Vec<String> = h.requests().into_iter().map(|s| s.target).collect();
    assert_eq!(asked, ["/admin/version", "/version"]);
    // A redirect is not followed: it is an error naming where it pointed.
    let h = Hostile::start(|_| Reply::redirect(307, "/elsewhere")).await;
    assert!(kratos(&h.url).version().await.is_err());
}
