//! One record never sinks a list: a page is read item by item, an unreadable record is
//! reported on its own (with its id and why), and a page too large to hold is asked for
//! again smaller.

mod api_support;
mod common;

use std::sync::{Arc, Mutex};

use api_support::*;
use common::on_deep_stacks;
use idtui::api::{self, Cursor, IdentityFilter};
use idtui::config::{Profile, Provider};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server on loopback answering every request with `page(query)`; it records the
/// request lines.
async fn crafted(
    page: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    crafted_with_link(move |line| (page(line), None)).await
}

/// As [`crafted`], the answer with a `Link` header when `page` gives one.
async fn crafted_with_link(
    page: impl Fn(&str) -> (Vec<u8>, Option<String>) + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (page, log) = (Arc::new(page), Arc::clone(&seen));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (page, log) = (Arc::clone(&page), Arc::clone(&log));
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let line = head.lines().next().unwrap_or("").to_string();
                log.lock().unwrap().push(line.clone());
                let (body, link) = page(&line);
                let link = link.map_or(String::new(), |l| format!("link: {l}\r\n"));
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{link}connection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    (base, seen)
}

fn kratos(url: &str) -> api::KratosApi {
    match idtui::connect::connect(&Profile::new("t", Provider::Kratos, url), false).unwrap() {
        api::Api::Kratos(k) => k,
        _ => unreachable!(),
    }
}

fn identity(id: &str, metadata: Value) -> Value {
    json!({"id": id, "schema_id": "default", "state": "active",
           "traits": {"email": format!("{id}@example.com")}, "metadata_public": metadata})
}

fn nested(levels: usize) -> Value {
    (0..levels).fold(json!(1), |v, _| json!({ "a": v }))
}

#[test]
fn deep_huge_and_invalid_records_are_one_bad_row_each_and_the_rest_loads() {
    on_deep_stacks(deep_huge_and_invalid_records());
}

async fn deep_huge_and_invalid_records() {
    let (base, _) = crafted(|_| {
        let mut body = b"[".to_vec();
        let push = |body: &mut Vec<u8>, v: &Value| {
            body.extend_from_slice(serde_json::to_string(v).unwrap().as_bytes());
            body.push(b',');
        };
        push(&mut body, &identity("first", json!({"plan": "pro"})));
        // One level past what Kratos accepts (Go's 10,000, counted from the record).
        body.extend_from_slice(
            format!(
                r#"{{"id":"too-deep","metadata_public":{}1{}}},"#,
                "[".repeat(10_000),
                "]".repeat(10_000)
            )
            .as_bytes(),
        );
        push(
            &mut body,
            &identity("too-big", json!({"blob": "x".repeat(17 << 20)})),
        );
        body.extend_from_slice(b"{\"id\":\"bad-bytes\",\"traits\":{\"email\":\"\xff@x\"}},");
        push(&mut body, &identity("deep", nested(5_000)));
        body.extend_from_slice(
            serde_json::to_string(&identity("last", json!(null)))
                .unwrap()
                .as_bytes(),
        );
        body.push(b']');
        body
    })
    .await;
    let page = kratos(&base)
        .list_identities(&IdentityFilter::default(), &Cursor::first(), 250)
        .await
        .expect("the page loads despite three bad records");
    let ids: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["first", "deep", "last"]);
    assert_eq!(page.items[1].metadata_public, nested(5_000));
    let bad: Vec<(usize, Option<&str>, &str)> = page
        .bad
        .iter()
        .map(|b| (b.index, b.id.as_deref(), b.reason.as_str()))
        .collect();
    assert_eq!(bad.len(), 3, "{bad:?}");
    assert_eq!((bad[0].0, bad[0].1), (1, Some("too-deep")));
    assert!(bad[0].2.starts_with("too deep"), "{}", bad[0].2);
    assert_eq!((bad[1].0, bad[1].1), (2, Some("too-big")));
    assert!(bad[1].2.starts_with("too large"), "{}", bad[1].2);
    assert_eq!((bad[2].0, bad[2].1), (3, Some("bad-bytes")));
    assert!(bad[2].2.starts_with("invalid UTF-8"), "{}", bad[2].2);

    // In the dashboard each is a row of its own, in its place, saying why.
    let data = idtui::runtime::Backend::list(
        &idtui::runtime::provider::kratos::Kratos::new(kratos(&base)),
        idtui::app::ListKind::KratosIdentities,
        None,
        idtui::app::PageCursor::First,
        250,
    )
    .await
    .unwrap();
    let rows: Vec<(&str, &str)> = data
        .rows
        .iter()
        .map(|r| (r.id.as_str(), r.fields.name().unwrap_or_default()))
        .collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0], ("first", "first@example.com"));
    assert_eq!(rows[1].0, "too-deep");
    assert!(
        rows[1]
            .1
            .starts_with("✗ unreadable record: too deep: nested 10001 levels"),
        "{rows:?}"
    );
    assert_eq!(rows[4], ("deep", "deep@example.com"));
    assert_eq!(rows[5], ("last", "last@example.com"));
}

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
