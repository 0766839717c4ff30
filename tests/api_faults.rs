//! A misbehaving server (`--faults`): reads recover by retrying, mutations are sent exactly
//! once, and whatever fails surfaces as a readable one-line error.

mod api_support;

use std::collections::HashMap;

use api_support::*;
use idtui::api::{ApiError, CoreSearch, Cursor, ErrorKind};
use idtui::config::Provider;
use serde_json::{Value, json};

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
    let api = core(&profile(Provider::Core, h.base()));

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
    for id in ids.iter().skip(12).take(8) {
        assert_eq!(count(&log, "DELETE", &format!("/v1/users/{id}")), 1, "{id}");
    }
}
