//! How the dashboard lists a page holding unreadable records: each is a row of its own, in its
//! place, saying why, and the rest of the page loads (`idtui::runtime::provider`, its rows by
//! `runtime::rows`). The client's side of it (bad records reported, pages halved) is
//! `crates/idtui-api/tests/tolerant.rs`, whose crafted server this file shares.

mod common;
#[path = "../crates/idtui-api/tests/support/mod.rs"]
mod support;

use common::on_deep_stacks;
use idtui::api::{self, Cursor, IdentityFilter};
use idtui::app::provider::kratos;
use idtui::config::{Profile, Provider};
use serde_json::{Value, json};
use support::crafted::{crafted, identity, nested};

fn kratos(url: &str) -> api::KratosApi {
    match idtui::connect::connect(&Profile::new("t", Provider::Kratos, url), false).unwrap() {
        api::Api::Kratos(k) => k,
        _ => unreachable!(),
    }
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
        idtui::app::ListKind::Kratos(kratos::List::Identities),
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
