//! Kratos sandbox over HTTP: auth, schemas, health, envelope, persistence, generated data and
//! paging while rows are inserted concurrently.

#[path = "sandbox_kratos_support/mod.rs"]
mod support;

use std::collections::HashSet;

use idtui_sandbox::SandboxOptions;
use reqwest::StatusCode;
use serde_json::json;
use support::{assert_spec, demo, kratos, kratos_with, options, send};

#[tokio::test]
async fn bearer_token_guards_admin_routes_only() {
    let k = kratos_with(SandboxOptions {
        token: Some("s3cret".into()),
        ..options()
    })
    .await;
    let url = k.url("/admin/identities");
    let none = send(k.http.get(&url)).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.body["error"]["code"], 401);
    assert_eq!(none.body["error"]["status"], "Unauthorized");
    let wrong = send(k.http.get(&url).bearer_auth("s3cret-not")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let ok = send(k.http.get(&url).bearer_auth("s3cret")).await;
    assert_eq!(ok.status, StatusCode::OK);
    let post = send(
        k.http
            .post(&url)
            .json(&json!({"schema_id": "default", "traits": {"email": "x@example.com"}})),
    )
    .await;
    assert_eq!(
        post.status,
        StatusCode::UNAUTHORIZED,
        "writes are guarded too"
    );
    let bare = send(k.http.get(k.url("/identities"))).await;
    assert_eq!(
        bare.status,
        StatusCode::UNAUTHORIZED,
        "the unprefixed alias too"
    );
    for open in ["/health/alive", "/health/ready", "/version", "/schemas"] {
        assert_eq!(
            send(k.http.get(k.url(open))).await.status,
            StatusCode::OK,
            "{open}"
        );
    }
    assert_eq!(
        send(k.http.get(k.url("/admin/schemas"))).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// An offset token naming the largest offset (`{"offset":"18446744073709551615","v":2}`) is
/// past the end: an empty page, not a crash (overflow) nor the first page (a negative SQL
/// OFFSET counts as none).
#[tokio::test]
async fn an_offset_token_at_the_numeric_limit_is_an_empty_page() {
    let k = kratos().await;
    let token = "eyJvZmZzZXQiOiIxODQ0Njc0NDA3MzcwOTU1MTYxNSIsInYiOjJ9";
    let owner = demo()["sessions"][0]["identity_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [
        format!("/schemas?page_token={token}"),
        format!("/admin/identities/{owner}/sessions?page_token={token}"),
    ] {
        let r = k.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.body, json!([]), "{path}");
        assert!(r.link("next").is_none(), "{path}");
    }
}

#[tokio::test]
async fn schemas_health_version_and_the_error_envelope() {
    let k = kratos().await;
    let r = k.get("/schemas").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-total-count"), Some("2"));
    assert!(r.header("link").unwrap().contains("rel=\"first\""));
    assert_spec("identitySchemas", &r.body);
    assert_eq!(r.body[0]["id"], "default");
    let identity = k.create("schema.check@example.com").await;
    let url = identity["schema_url"].as_str().unwrap();
    let by_url = send(k.http.get(url)).await;
    assert_eq!(by_url.status, StatusCode::OK);
    assert_eq!(by_url.body, r.body[0]["schema"]);
    assert_eq!(k.get("/schemas/default").await.body, by_url.body);
    assert_eq!(k.get("/admin/schemas/default").await.body, by_url.body);
    let missing = k.get("/schemas/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.reason(),
        "Identity schema `nope` could not be found."
    );

    assert_eq!(k.get("/health/alive").await.body, json!({"status": "ok"}));
    assert_eq!(k.get("/health/ready").await.body, json!({"status": "ok"}));
    assert!(
        k.get("/version").await.body["version"]
            .as_str()
            .unwrap()
            .starts_with('v')
    );

    // An unknown path is the router's plain-text 404, as in Kratos; handler errors are JSON.
    let r = send(k.http.get(k.url("/admin/nothing/here"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.text, "404 page not found\n");
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    let r = send(
        k.http
            .get(k.url("/admin/identities/00000000-0000-4000-8000-000000000042"))
            .header("X-Request-ID", "req-42"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let keys: Vec<&str> = r.body["error"]
        .as_object()
        .unwrap()
        .keys()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(keys, ["code", "status", "request", "message"]);
    assert_eq!(r.body["error"]["request"], "req-42");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let r = send(
        k.http
            .get(k.url("/admin/sessions/nope"))
            .header("X-Request-ID", "req-43"),
    )
    .await;
    let keys: Vec<&str> = r.body["error"]
        .as_object()
        .unwrap()
        .keys()
        .map(|s| s.as_str())
        .collect();
    // A malformed session id: gofrs/uuid's words in `message`, no `reason`.
    assert_eq!(keys, ["code", "status", "request", "message"]);
    assert_eq!(
        r.body["error"]["message"],
        "uuid: incorrect UUID length 4 in string \"nope\""
    );
    // The admin port's unprefixed aliases reach the same routes (that is where Location points).
    let loc = k
        .post(
            "/admin/identities",
            json!({"schema_id": "default", "traits": {"email": "loc@example.com"}}),
        )
        .await;
    let follow = send(k.http.get(loc.header("location").unwrap())).await;
    assert_eq!(follow.status, StatusCode::OK);
    assert_eq!(follow.body["id"], loc.body["id"]);
}

#[tokio::test]
async fn data_survives_a_restart_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kratos.db");
    let opts = SandboxOptions {
        db: Some(db.clone()),
        ..options()
    };
    let k = kratos_with(opts.clone()).await;
    let created = k.create("persist@example.com").await;
    let id = created["id"].as_str().unwrap().to_owned();
    let r = k
        .patch(
            &format!("/admin/identities/{id}"),
            json!([{"op": "add", "path": "/metadata_admin", "value": {"kept": true}}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let count_before = k.walk("/admin/identities?page_size=500").await.len();
    k.server.stop().await;

    let k = kratos_with(opts).await;
    let r = k.get(&format!("/admin/identities/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["metadata_admin"], json!({"kept": true}));
    assert_eq!(r.body["created_at"], created["created_at"]);
    assert_eq!(
        k.walk("/admin/identities?page_size=500").await.len(),
        count_before,
        "demo data is not loaded twice"
    );
}

#[tokio::test]
async fn generated_records_page_completely_and_generation_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SandboxOptions {
        db: Some(dir.path().join("gen.db")),
        demo: false,
        generate: Some(1200),
        ..SandboxOptions::for_tests()
    };
    let k = kratos_with(opts.clone()).await;
    let ids = k.walk("/admin/identities?page_size=500").await;
    assert_eq!(ids.len(), 1200);
    let sessions = k.walk("/admin/sessions?page_size=1000").await;
    assert_eq!(sessions.len(), 1200);
    let one = k.get(&format!("/admin/identities/{}", ids[0])).await;
    assert_spec("identity", &one.body);
    let found = k
        .get("/admin/identities?credentials_identifier=USER0000042@gen.example.com")
        .await;
    assert_eq!(found.body.as_array().unwrap().len(), 1);
    let dup = k
        .post(
            "/admin/identities",
            json!({"schema_id": "default", "traits": {"email": "user0000042@gen.example.com"}}),
        )
        .await;
    assert_eq!(
        dup.status,
        StatusCode::CONFLICT,
        "generated identifiers are unique keys"
    );

    // Generated rows are rebuilt on read until first written; writes must stick.
    let target = ids[600].clone();
    let r = k
        .patch(
            &format!("/admin/identities/{target}"),
            json!([{"op": "add", "path": "/metadata_admin", "value": {"touched": 1}}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let sess = k.get(&format!("/admin/identities/{target}/sessions")).await;
    let sid = sess.body[0]["id"].as_str().unwrap().to_owned();
    assert_spec("session", &sess.body[0]);
    assert_eq!(
        k.delete(&format!("/admin/sessions/{sid}")).await.status,
        StatusCode::NO_CONTENT
    );
    let r = k
        .call(
            reqwest::Method::PATCH,
            &format!("/admin/sessions/{sid}/extend"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let last = ids[1199].clone();
    assert_eq!(
        k.delete(&format!("/admin/identities/{last}")).await.status,
        StatusCode::NO_CONTENT
    );
    k.server.stop().await;

    let k = kratos_with(opts).await;
    let again = k.walk("/admin/identities?page_size=500").await;
    assert_eq!(again.len(), 1199, "a restart generates nothing more");
    assert!(
        !again.contains(&last),
        "a deleted generated identity stays deleted"
    );
    assert_eq!(again[..600], ids[..600], "deterministic ids");
    let r = k.get(&format!("/admin/identities/{target}")).await;
    assert_eq!(r.body["metadata_admin"], json!({"touched": 1}));
    let s = k.get(&format!("/admin/sessions/{sid}")).await;
    assert_eq!(
        s.body["active"], false,
        "disabled stays disabled after extend"
    );
    let expires =
        chrono::DateTime::parse_from_rfc3339(s.body["expires_at"].as_str().unwrap()).unwrap();
    assert!(expires > chrono::Utc::now() + chrono::Duration::hours(23));
}

#[tokio::test]
async fn walking_pages_while_identities_are_inserted_sees_every_old_row_once() {
    let k = std::sync::Arc::new(
        kratos_with(SandboxOptions {
            generate: Some(600),
            ..options()
        })
        .await,
    );
    let before: HashSet<String> = k
        .walk("/admin/identities?page_size=500")
        .await
        .into_iter()
        .collect();
    let sessions_before: HashSet<String> = k
        .walk("/admin/sessions?page_size=1000")
        .await
        .into_iter()
        .collect();

    let writer = {
        let k = k.clone();
        tokio::spawn(async move {
            for n in 0..150 {
                k.create(&format!("concurrent{n}@example.com")).await;
            }
        })
    };
    let walker = {
        let k = k.clone();
        tokio::spawn(async move {
            let ids = k.walk("/admin/identities?page_size=7").await;
            let sessions = k.walk("/admin/sessions?page_size=9").await;
            (ids, sessions)
        })
    };
    let (ids, sessions) = walker.await.unwrap();
    writer.await.unwrap();

    let seen: HashSet<&String> = ids.iter().collect();
    assert_eq!(seen.len(), ids.len(), "no identity twice");
    assert!(
        before.iter().all(|id| seen.contains(id)),
        "no old identity missed"
    );
    let seen: HashSet<&String> = sessions.iter().collect();
    assert_eq!(seen.len(), sessions.len(), "no session twice");
    assert!(sessions_before.iter().all(|id| seen.contains(id)));
    assert_eq!(
        k.walk("/admin/identities?page_size=500").await.len(),
        before.len() + 150
    );
}
