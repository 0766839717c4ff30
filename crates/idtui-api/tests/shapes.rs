//! Answers the sandbox never gives but real deployments may: Coassemble's `{data: [...]}`
//! envelope and string clients, Kratos' offset links on an empty list, bodies of the wrong
//! shape, and what the client sends on the wire. Served by a tiny axum app on loopback.

mod support;

use std::net::SocketAddr;

use axum::Json;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use idtui_api::{Cursor, ErrorKind, IdentityFilter};
use serde_json::{Value, json};
use std::collections::HashMap;
use support::*;

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

async fn clients(Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    // Two pages of two string ids, then an empty page.
    Json(match q.get("page").map(String::as_str) {
        Some("0") => json!({"data": ["acme", "globex"]}),
        Some("1") => json!({"data": ["initech", {"clientIdentifier": "umbrella", "userCount": 2}]}),
        _ => json!({"data": []}),
    })
}

async fn echo_headers(headers: HeaderMap) -> Json<Value> {
    let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
    Json(json!({
        "user-agent": h("user-agent"),
        "accept-encoding": h("accept-encoding"),
        "x-request-id": h("x-request-id"),
        "authorization": h("authorization"),
        "authorizations": headers.get_all("authorization").iter().count(),
    }))
}

async fn empty_offset_list() -> impl IntoResponse {
    // Kratos' offset scheme advertises `next` even when there is nothing at all.
    (
        [
            ("x-total-count", "0"),
            (
                "link",
                "</admin/identities/x/sessions?page=1&page_size=250&page_token=eyJvZmZzZXQiOiIyNTAiLCJ2IjoyfQ&per_page=250>; rel=\"next\"",
            ),
        ],
        Json(json!([])),
    )
}

async fn not_a_list() -> Json<Value> {
    Json(json!({"identities": []}))
}

async fn html_error() -> impl IntoResponse {
    (
        StatusCode::BAD_GATEWAY,
        "<html><body>\u{1b}[2J502 Bad Gateway</body></html>",
    )
}

fn app() -> axum::Router {
    axum::Router::new()
        .route("/api/v1/headless/clients", get(clients))
        .route("/schemas/{id}", get(echo_headers))
        .route("/admin/identities/{id}/sessions", get(empty_offset_list))
        .route("/admin/identities", get(not_a_list))
        .route("/admin/sessions", get(html_error))
}

#[tokio::test]
async fn coassemble_data_envelope_and_string_clients() {
    let base = serve(app()).await;
    let api = headless(&format!("{base}/api"));
    let mut cursor = Cursor::first();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let page = api.list_clients(&cursor, 2).await.unwrap();
        ids.extend(page.items.iter().map(|c| c.identifier.clone()));
        match page.next {
            Some(n) => cursor = n,
            None => break,
        }
    }
    assert_eq!(ids, ["acme", "globex", "initech", "umbrella"]);
}

#[tokio::test]
async fn what_goes_on_the_wire() {
    let base = serve(app()).await;
    let seen = kratos_with_token(&base, None, "ory_pat_xyz")
        .get_schema("default")
        .await
        .unwrap();
    assert_eq!(
        seen["user-agent"],
        concat!("idtui/", env!("CARGO_PKG_VERSION"))
    );
    assert!(seen["accept-encoding"].as_str().unwrap().contains("gzip"));
    assert_eq!(seen["x-request-id"].as_str().unwrap().len(), 36);
    assert_eq!(seen["authorization"], "Bearer ory_pat_xyz");
}

#[tokio::test]
async fn credentials_in_the_url_never_ride_beside_the_profiles_token() {
    // A gateway's `user:password@` in the url would otherwise go as a second Authorization
    // (Basic) header, ahead of the token: servers read the first and refuse.
    let base = serve(app()).await;
    let with_userinfo = base.replacen("http://", "http://gateway:hunter2@", 1);
    let seen = kratos_with_token(&with_userinfo, None, "ory_pat_xyz")
        .get_schema("default")
        .await
        .unwrap();
    assert_eq!(seen["authorization"], "Bearer ory_pat_xyz");
    assert_eq!(seen["authorizations"], 1);
}

#[tokio::test]
async fn empty_offset_page_ends_the_list_and_bad_shapes_are_decode_errors() {
    let base = serve(app()).await;
    let api = kratos(&base);
    let page = api
        .list_identity_sessions("x", None, &Cursor::first(), 250)
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total, Some(0));
    assert_eq!(page.next, None, "no endless walk over an empty list");

    let err = api
        .list_identities(&IdentityFilter::default(), &Cursor::first(), 10)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
    assert_eq!(
        err.to_string(),
        "kratos: expected a JSON array, got an object"
    );

    let err = api
        .list_sessions(None, &Cursor::first(), 10)
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(502));
    let shown = err.to_string();
    assert!(shown.starts_with("kratos 502: <html><body>"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
}
