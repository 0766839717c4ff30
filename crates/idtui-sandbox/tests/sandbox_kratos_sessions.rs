//! Kratos sandbox over HTTP: admin session endpoints.

#[path = "sandbox_kratos_support/mod.rs"]
mod support;

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{assert_spec, demo, demo_id, kratos};

fn demo_sessions() -> Vec<Value> {
    demo()["sessions"].as_array().unwrap().clone()
}

fn ts(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn admin_sessions_keyset_walk_is_complete_and_newest_first() {
    let k = kratos().await;
    let first = k.get("/admin/sessions?page_size=5").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert!(first.header("x-total-count").is_none());
    let rows = first.body.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    for s in rows {
        assert_eq!(
            s["identity"],
            Value::Null,
            "identity not expanded by default"
        );
        assert_spec("session", s);
    }
    let token = first
        .link("first")
        .unwrap()
        .split("page_token=")
        .nth(1)
        .unwrap()
        .to_owned();
    let decoded = String::from_utf8(STANDARD_NO_PAD.decode(&token).unwrap()).unwrap();
    assert!(decoded.contains("id=00000000-0000-0000-0000-000000000000"));
    assert!(decoded.contains("created_at=2200-12-31 23:59:59"));

    let ids = k.walk("/admin/sessions?page_size=5").await;
    assert_eq!(ids.len(), demo_sessions().len());
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());

    let all = k.get("/admin/sessions?page_size=1000").await;
    let times: Vec<DateTime<Utc>> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| ts(&s["authenticated_at"]))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "created_at DESC");
}

#[tokio::test]
async fn admin_sessions_filters_expand_and_errors() {
    let k = kratos().await;
    let active = k.get("/admin/sessions?active=true&page_size=1000").await;
    let inactive = k.get("/admin/sessions?active=false&page_size=1000").await;
    let (a, i) = (
        active.body.as_array().unwrap(),
        inactive.body.as_array().unwrap(),
    );
    assert_eq!(a.len() + i.len(), demo_sessions().len());
    assert!(a.iter().all(|s| s["active"] == true));
    assert!(!i.is_empty() && i.iter().all(|s| s["active"] == false));

    let r = k
        .get("/admin/sessions?expand=Identity&expand=devices&page_size=3")
        .await;
    for s in r.body.as_array().unwrap() {
        assert!(s["identity"]["traits"].is_object());
        assert!(s["identity"].get("credentials").is_none());
        assert!(s["devices"][0]["user_agent"].is_string());
        assert_spec("session", s);
    }
    assert!(
        r.link("next")
            .unwrap()
            .contains("expand=Identity&expand=devices")
    );

    let r = k.get("/admin/sessions?expand=everything").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.reason(), "Could not parse expand option: everything");
    let r = k.get("/admin/sessions?active=maybe").await;
    assert_eq!(r.message(), "could not parse parameter active");
    for q in ["page_size=abc", "page_token=%21%21%21"] {
        let r = k.get(&format!("/admin/sessions?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(r.message(), "could not parse parameter page_size");
    }
    let bad_id = STANDARD_NO_PAD.encode("id=nope/created_at=2026-01-01 00:00:00");
    let r = k.get(&format!("/admin/sessions?page_token={bad_id}")).await;
    assert_eq!(
        r.reason(),
        "The page token is invalid, do not craft your own page tokens"
    );
}

#[tokio::test]
async fn single_session_get_disable_extend() {
    let k = kratos().await;
    let s = demo_sessions()
        .into_iter()
        .find(|s| {
            let hours = s["expires_in_hours"].as_i64().unwrap();
            s["active"] == true && hours > 0 && hours < 24
        })
        .unwrap();
    let id = s["id"].as_str().unwrap();
    let r = k.get(&format!("/admin/sessions/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["devices"],
        json!([]),
        "devices hidden unless expanded"
    );
    assert_eq!(r.body["active"], true);
    let keys: Vec<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "active",
            "expires_at",
            "authenticated_at",
            "authenticator_assurance_level",
            "authentication_methods",
            "issued_at",
            "identity",
            "devices"
        ]
    );
    assert_spec("session", &r.body);
    let r = k.get(&format!("/admin/sessions/{id}?expand=devices")).await;
    assert!(r.body["devices"][0]["id"].is_string());

    let before = ts(&r.body["expires_at"]);
    let r = k
        .call(
            reqwest::Method::PATCH,
            &format!("/admin/sessions/{id}/extend"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let after = ts(&r.body["expires_at"]);
    assert!(after > Utc::now() + chrono::Duration::hours(23));
    assert_ne!(before, after);

    // A session that already lives longer than one lifespan is not shortened by "extend".
    let long = demo_sessions()
        .into_iter()
        .find(|s| s["active"] == true && s["expires_in_hours"].as_i64().unwrap() > 24)
        .unwrap();
    let long_id = long["id"].as_str().unwrap();
    let before_long = ts(&k.get(&format!("/admin/sessions/{long_id}")).await.body["expires_at"]);
    let r = k
        .call(
            reqwest::Method::PATCH,
            &format!("/admin/sessions/{long_id}/extend"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        ts(&r.body["expires_at"]),
        before_long,
        "no-op, not shortened"
    );

    assert_eq!(
        k.delete(&format!("/admin/sessions/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    let r = k.get(&format!("/admin/sessions/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "row is kept");
    assert_eq!(r.body["active"], false);

    for path in ["/admin/sessions/nope", "/admin/sessions/nope/extend"] {
        let r = if path.ends_with("extend") {
            k.call(reqwest::Method::PATCH, path, None).await
        } else {
            k.get(path).await
        };
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
    }
    assert_eq!(
        k.delete("/admin/sessions/nope").await.status,
        StatusCode::BAD_REQUEST
    );
    let unknown = "5f0c0c2e-0000-4000-8000-000000000000";
    assert_eq!(
        k.get(&format!("/admin/sessions/{unknown}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k.delete(&format!("/admin/sessions/{unknown}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn identity_sessions_use_offset_tokens_and_expand_everything() {
    let k = kratos().await;
    // The identity with the most demo sessions.
    let sessions = demo_sessions();
    let owner = sessions
        .iter()
        .map(|s| s["identity_id"].as_str().unwrap())
        .max_by_key(|id| sessions.iter().filter(|s| s["identity_id"] == *id).count())
        .unwrap()
        .to_owned();
    let count = sessions
        .iter()
        .filter(|s| s["identity_id"] == owner.as_str())
        .count();
    assert!(count >= 3);
    let path = format!("/admin/identities/{owner}/sessions");
    let r = k.get(&format!("{path}?page_size=2")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-total-count"), Some(count.to_string().as_str()));
    let rows = r.body.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for s in rows {
        assert_eq!(s["identity"]["id"], Value::String(owner.clone()));
        assert!(s["devices"].is_array());
        assert_spec("session", s);
    }
    let next = r.link("next").unwrap();
    assert!(
        next.contains("page_token=eyJvZmZzZXQiOiIyIiwidiI6Mn0"),
        "{next}"
    );
    let r2 = k.get(&next).await;
    assert_eq!(r2.body.as_array().unwrap().len(), (count - 2).min(2));
    assert_ne!(r2.body[0]["id"], rows[0]["id"]);

    let active = k.get(&format!("{path}?active=true")).await;
    assert!(
        active
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["active"] == true)
    );

    let unknown = "5f0c0c2e-0000-4000-8000-000000000000";
    let r = k
        .get(&format!("/admin/identities/{unknown}/sessions"))
        .await;
    assert_eq!((r.status, r.body.clone()), (StatusCode::OK, json!([])));
    assert_eq!(
        k.get("/admin/identities/bad/sessions").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        k.delete("/admin/identities/bad/sessions").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(k.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(k.get(&path).await.body, json!([]));
    let r = k.delete(&path).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "no sessions left to delete"
    );
}

#[tokio::test]
async fn inactive_identity_sessions_show_inactive_only_when_expanded() {
    let k = kratos().await;
    let id = demo_id("grace.hopper@example.com");
    let listed = k.get(&format!("/admin/identities/{id}/sessions")).await;
    let s = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["active"] == true)
        .cloned()
        .expect("grace has an active session");
    let sid = s["id"].as_str().unwrap();
    let r = k
        .patch(
            &format!("/admin/identities/{id}"),
            json!([{"op": "replace", "path": "/state", "value": "inactive"}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        k.get(&format!("/admin/sessions/{sid}")).await.body["active"],
        true
    );
    assert_eq!(
        k.get(&format!("/admin/sessions/{sid}?expand=identity"))
            .await
            .body["active"],
        false
    );
    // The dashboard's two session lists, `:all-sessions` (expanded) and an identity's own
    // (always expanded), say the same of it, as Kratos's admin views do.
    let of = |rows: &Value| -> Value {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == sid)
            .map(|s| s["active"].clone())
            .unwrap_or_else(|| panic!("{sid} listed"))
    };
    let all = k
        .get("/admin/sessions?page_size=1000&expand=identity")
        .await;
    let own = k.get(&format!("/admin/identities/{id}/sessions")).await;
    assert_eq!(of(&all.body), false);
    assert_eq!(of(&own.body), false);
    let bare = k.get("/admin/sessions?page_size=1000").await;
    assert_eq!(
        of(&bare.body),
        true,
        "not expanded: the stored flag and expiry"
    );
}
