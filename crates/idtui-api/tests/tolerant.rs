//! One record never sinks a list: a page is read item by item, an unreadable record is
//! reported on its own (with its id and why), and a page too large to hold is asked for
//! again smaller. How the dashboard shows such a page is `tests/adapter_tolerant.rs` at the
//! workspace root.

mod support;

use idtui_api::{Cursor, IdentityFilter};
use serde_json::{Value, json};
use support::crafted::{crafted, crafted_with_link, identity, nested};
use support::{Harness, kratos, on_deep_stacks};

#[tokio::test]
async fn a_page_over_the_size_limit_is_asked_for_again_smaller() {
    // More than 64 MiB for any page of more than 10 identities.
    let (base, seen) = crafted(|line| {
        let size: usize = line
            .split(['?', '&', ' '])
            .find_map(|p| p.strip_prefix("page_size="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(250);
        if size > 10 {
            // Eleven whole records of 6.5 MiB: a smaller page holds fewer of them. (A first
            // record that alone outgrows the limit is read as it streams instead; see below.)
            let blob = "x".repeat(13 << 19);
            let items: Vec<Value> = (0..11)
                .map(|i| identity(&format!("big{i}"), json!({ "blob": blob })))
                .collect();
            serde_json::to_vec(&items).unwrap()
        } else {
            let items: Vec<Value> = (0..size)
                .map(|i| identity(&format!("i{i}"), json!({})))
                .collect();
            serde_json::to_vec(&items).unwrap()
        }
    })
    .await;
    let page = kratos(&base)
        .list_identities(&IdentityFilter::default(), &Cursor::first(), 100)
        .await
        .expect("a smaller page loads");
    assert_eq!(page.items.len(), 6);
    let sizes: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter_map(|l| {
            l.split(['?', '&', ' '])
                .find(|p| p.starts_with("page_size="))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(
        sizes,
        [
            "page_size=100",
            "page_size=50",
            "page_size=25",
            "page_size=12",
            "page_size=6"
        ]
    );
}

#[test]
fn metadata_nested_5000_deep_that_kratos_accepts_lists_as_a_normal_row() {
    on_deep_stacks(async {
        let h = Harness::start(|_| {}).await;
        let k = kratos(h.base());
        let body = json!({"schema_id": "default", "traits": {"email": "deep@example.com"},
                          "metadata_public": nested(5_000)});
        let created = k
            .create_identity(&body)
            .await
            .expect("the sandbox accepts it, as Kratos does");
        let filter = IdentityFilter {
            credentials_identifier: Some("deep@example.com".into()),
            ..Default::default()
        };
        let page = k
            .list_identities(&filter, &Cursor::first(), 250)
            .await
            .expect("a page holding a record nested 5,000 levels loads");
        assert!(page.bad.is_empty(), "{:?}", page.bad);
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id, created.id);
        assert_eq!(page.items[0].metadata_public, nested(5_000));
    });
}

/// The query parameter `key` of a request line.
fn param(line: &str, key: &str) -> Option<usize> {
    line.split(['?', '&', ' '])
        .find_map(|p| p.strip_prefix(key)?.strip_prefix('='))
        .and_then(|n| n.parse().ok())
}

#[tokio::test]
async fn a_record_too_large_alone_is_one_bad_row_and_the_list_goes_on_past_it() {
    // Four identities, the second over the 64 MiB an answer may hold; the page token is
    // the offset, as opaque to the client as Kratos' own.
    let records: Vec<Vec<u8>> = ["r0", "big", "r2", "r3"]
        .iter()
        .map(|id| {
            let blob = if *id == "big" {
                "x".repeat(65 << 20)
            } else {
                String::new()
            };
            serde_json::to_vec(&identity(id, json!({ "blob": blob }))).unwrap()
        })
        .collect();
    let (base, seen) = crafted_with_link(move |line| {
        let size = param(line, "page_size").unwrap_or(250);
        let from = param(line, "page_token").unwrap_or(0).min(records.len());
        let to = (from + size).min(records.len());
        let body = [&b"["[..], &records[from..to].join(&b","[..]), b"]"].concat();
        let next = (to < records.len())
            .then(|| format!("</admin/identities?page_size={size}&page_token={to}>; rel=\"next\""));
        (body, next)
    })
    .await;
    let k = kratos(&base);
    let (mut ids, mut bad) = (Vec::new(), Vec::new());
    let mut cursor = Cursor::first();
    for _ in 0..10 {
        let page = k
            .list_identities(&IdentityFilter::default(), &cursor, 4)
            .await
            .expect("no page fails for one record");
        ids.extend(page.items.iter().map(|i| i.id.clone()));
        bad.extend(page.bad);
        match page.next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(ids, ["r0", "r2", "r3"]);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].id.as_deref(), Some("big"));
    assert_eq!(bad[0].reason, "too large: 65 MiB (more than 16 MiB)");
    // The first page is halved down to the record before the large one; the next page,
    // whose first record alone outgrows the limit, is read as it streams at once (no smaller
    // page could be smaller), and the record is read past rather than refused.
    let asked: Vec<(usize, usize)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|l| {
            (
                param(l, "page_token").unwrap_or(0),
                param(l, "page_size").unwrap(),
            )
        })
        .collect();
    assert_eq!(asked, [(0, 4), (0, 2), (0, 1), (1, 4), (1, 4)]);
}
