//! A misbehaving server (`--faults`): reads recover by retrying, mutations are sent exactly
//! once, and whatever fails surfaces as a readable one-line error.

mod support;

use std::collections::HashMap;

use idtui_api::{
    ApiError, Auth, CoreSearch, Cursor, ErrorKind, HttpLayer, HttpSettings, KratosApi, Provider,
    RetryPolicy,
};
use serde_json::{Value, json};
use support::*;

const FAULTS: &str = "5xx=0.3,429=0.2,drop=0.1,seed=3";

fn assert_readable(err: &ApiError, provider: &str) {
    let shown = err.to_string();
    assert!(shown.starts_with(provider), "{shown}");
    assert!(shown.len() > provider.len() + 3, "{shown}");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
}

/// Paths that got at least one faulted answer (5xx, 429 or a drop) and then a 200.
fn recovered(log: &[(String, String, Value)]) -> usize {
    let mut state: HashMap<&str, bool> = HashMap::new();
    let mut n = 0;
    for (_, path, status) in log {
        let failed = state.entry(path.as_str()).or_default();
        if status == 200 && *failed {
            n += 1;
            *failed = false;
        } else if status != 200 {
            *failed = true;
        }
    }
    n
}

#[tokio::test]
async fn core_reads_retry_and_mutations_are_sent_once() {
    let h = Harness::start(|o| o.faults = Some(FAULTS.parse().unwrap())).await;
    let api = core(h.base());

    // Reads: walk the users and search; each either succeeds or says why it gave up.
    let mut ids = Vec::new();
    let mut cursor = Cursor::first();
    for _ in 0..20 {
        match api.list_users(&cursor, 5).await {
            Ok(page) => {
                ids.extend(page.items.into_iter().map(|u| u.id));
                match page.next {
                    Some(n) => cursor = n,
                    None => break,
                }
            }
            Err(e) => {
                assert!(e.is_transient(), "{e}");
                assert_readable(&e, "core");
            }
        }
    }
    assert_eq!(ids.len(), 30, "the walk completes despite the faults");
    let q = CoreSearch::parse("given_name=Jamie").unwrap();
    for _ in 0..5 {
        if let Err(e) = api.search_users(&q, &Cursor::first(), 10).await {
            assert_readable(&e, "core");
        }
    }
    let log = h.requests();
    assert!(
        recovered(&log) > 0,
        "some read succeeded only after a retry: {log:?}"
    );

    // Mutations: one PUT per user, never repeated whatever the answer.
    let mut failures = 0;
    for id in ids.iter().take(12) {
        let body = json!({"claims": {"touched": true}});
        if let Err(e) = api.update_user(id, &body).await {
            failures += 1;
            assert_ne!(e.kind, ErrorKind::ReadOnly);
            assert_readable(&e, "core");
        }
    }
    for id in ids.iter().skip(12).take(8) {
        if let Err(e) = api.delete_user(id).await {
            failures += 1;
            assert_readable(&e, "core");
        }
    }
    assert!(failures > 0, "the fault rate makes some mutations fail");
    let log = h.requests();
    for id in ids.iter().take(12) {
        assert_eq!(count(&log, "PUT", &format!("/v1/users/{id}")), 1, "{id}");
    }
    // The seeded dice drop the connection of at least one PUT: it is reported, not resent.
    assert!(
        log.iter()
            .any(|(m, _, status)| m == "PUT" && status.is_null()),
        "{log:?}"
    );
    for id in ids.iter().skip(12).take(8) {
        assert_eq!(count(&log, "DELETE", &format!("/v1/users/{id}")), 1, "{id}");
    }
}

#[tokio::test]
async fn kratos_reads_retry_and_mutations_are_sent_once() {
    let h = Harness::start(|o| o.faults = Some(FAULTS.parse().unwrap())).await;
    let api = kratos(h.base());

    let mut ids = Vec::new();
    let mut cursor = Cursor::first();
    for _ in 0..40 {
        match api.list_identities(&Default::default(), &cursor, 4).await {
            Ok(page) => {
                ids.extend(page.items.into_iter().map(|i| i.id));
                match page.next {
                    Some(n) => cursor = n,
                    None => break,
                }
            }
            Err(e) => {
                assert!(e.is_transient(), "{e}");
                assert_readable(&e, "kratos");
            }
        }
    }
    assert_eq!(ids.len(), 35, "the walk completes despite the faults");
    assert!(recovered(&h.requests()) > 0);

    let mut failures = 0;
    for id in ids.iter().take(10) {
        let patch = json!([{"op": "add", "path": "/metadata_public/touched", "value": true}]);
        if let Err(e) = api.patch_identity(id, &patch).await {
            failures += 1;
            assert_readable(&e, "kratos");
        }
    }
    for id in ids.iter().skip(10).take(10) {
        if let Err(e) = api.delete_identity(id).await {
            failures += 1;
            assert_readable(&e, "kratos");
        }
    }
    assert!(failures > 0, "the fault rate makes some mutations fail");
    let log = h.requests();
    for id in ids.iter().take(10) {
        assert_eq!(count(&log, "PATCH", &format!("/admin/identities/{id}")), 1);
    }
    for id in ids.iter().skip(10).take(10) {
        assert_eq!(count(&log, "DELETE", &format!("/admin/identities/{id}")), 1);
    }
}

#[tokio::test]
async fn a_slow_server_gives_a_timeout_error() {
    let h = Harness::start(|o| o.faults = Some("latency=3s".parse().unwrap())).await;
    let settings = HttpSettings {
        timeout: std::time::Duration::from_secs(1),
        retry: RetryPolicy::none(),
        ..HttpSettings::new(Provider::Kratos, h.base())
    };
    let api = KratosApi::new(HttpLayer::new(&settings, Auth::None).unwrap(), None);
    let err = api.get_identity("x", &[]).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(
        err.to_string()
            .starts_with("kratos: no answer within 1 s (timeout_secs)"),
        "{err}"
    );
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    // Bind and drop to get a loopback port that is (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = headless(&format!("http://127.0.0.1:{port}/api"));
    let err = api.get_client("acme").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connect);
    assert!(
        err.to_string().starts_with("headless: cannot connect"),
        "{err}"
    );
    // Mutations are not retried, reads were (the error is the same either way).
    let err = api.delete_client("acme").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Connect);
}

#[tokio::test]
async fn headless_reads_retry_and_mutations_are_sent_once() {
    let h = Harness::start(|o| o.faults = Some(FAULTS.parse().unwrap())).await;
    let api = headless(&format!("{}/api", h.base()));
    let mut users = Vec::new();
    let mut cursor = Cursor::first();
    for _ in 0..60 {
        match api.list_users(None, &cursor, 3).await {
            Ok(page) => {
                users.extend(page.items);
                match page.next {
                    Some(n) => cursor = n,
                    None => break,
                }
            }
            Err(e) => assert_readable(&e, "headless"),
        }
    }
    assert!(users.len() >= 6, "the walk completes: {}", users.len());
    // Identifiers are unique only within a client; keep one user per identifier so each
    // path below names exactly one PUT.
    let mut seen = std::collections::HashSet::new();
    users.retain(|u| seen.insert(u.identifier.clone()));
    assert!(recovered(&h.requests()) > 0);

    let mut failures = 0;
    for u in users.iter().take(12) {
        let update = idtui_api::HeadlessUserUpdate {
            client_identifier: u.client_identifier.clone(),
            metadata: Some(json!({"touched": true})),
            ..Default::default()
        };
        if let Err(e) = api.update_user(&u.identifier, &update).await {
            failures += 1;
            assert_readable(&e, "headless");
        }
    }
    assert!(failures > 0, "the fault rate makes some mutations fail");
    let log = h.requests();
    for u in users.iter().take(12) {
        let path = format!("/api/v1/headless/user/{}", u.identifier);
        assert_eq!(count(&log, "PUT", &path), 1, "{path}");
    }
}

// On a virtual clock: the sandbox runs in-process, so its injected latency and our waits
// are all timers that the paused clock jumps over.
#[tokio::test(start_paused = true)]
async fn dropping_a_request_cancels_it() {
    let h = Harness::start(|o| o.faults = Some("latency=1500ms".parse().unwrap())).await;
    let api = core(h.base());
    let id = "0c3fad74-a8df-4a2d-8e75-f2d356b41300";
    let body = json!({"claims": {"cancelled": "no"}});
    // The server holds every request for 1.5 s before handling it; we give up long before.
    let put = api.update_user(id, &body);
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(200), put)
            .await
            .is_err()
    );
    // By the time this read is answered the abandoned PUT would have been handled.
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let user = api.get_user(id).await.unwrap();
    assert_eq!(user.claims["given_name"], "Jamie", "the PUT never ran");
    assert!(user.claims.get("cancelled").is_none());
    assert_eq!(count(&h.requests(), "PUT", &format!("/v1/users/{id}")), 0);
}
