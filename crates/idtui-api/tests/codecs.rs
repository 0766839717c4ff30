//! Decoding without a server: the three error envelopes (and garbage), `Link` headers and
//! their resolution against a base URL, and cursor serialization.

use std::time::Duration;

use idtui_api::{ApiError, Cursor, ErrorKind, Link, Provider, parse_link_header, resolve_link};
use proptest::prelude::*;
use reqwest::Url;

#[test]
fn kratos_envelope_prefers_reason_and_keeps_everything() {
    let body = br#"{"error":{"id":"identity_disabled","code":400,"status":"Bad Request","request":"req-1","reason":"This account was disabled.","details":{"hint":"x"},"message":"The request was malformed or contained invalid parameters"}}"#;
    let e = ApiError::from_response(Provider::Kratos, 400, body);
    assert_eq!(e.kind, ErrorKind::Http);
    assert_eq!(e.status, Some(400));
    assert_eq!(e.code.as_deref(), Some("identity_disabled"));
    assert_eq!(e.reason.as_deref(), Some("This account was disabled."));
    assert_eq!(e.request_id.as_deref(), Some("req-1"));
    assert_eq!(
        e.details.as_deref(),
        Some(&serde_json::json!({"hint": "x"}))
    );
    // The stock message adds nothing to the reason, so it is not repeated.
    assert_eq!(
        e.to_string(),
        "kratos 400 identity_disabled: This account was disabled."
    );
}

#[test]
fn kratos_specific_message_follows_the_reason() {
    let body = br#"{"error":{"code":400,"status":"Bad Request","reason":"failed to apply JSON patch","message":"patch includes denied path: /id"}}"#;
    let e = ApiError::from_response(Provider::Kratos, 400, body);
    assert_eq!(
        e.to_string(),
        "kratos 400: failed to apply JSON patch: patch includes denied path: /id"
    );
}

#[test]
fn kratos_message_only_404() {
    let body =
        br#"{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}"#;
    let e = ApiError::from_response(Provider::Kratos, 404, body);
    assert_eq!(e.reason, None);
    assert_eq!(e.to_string(), "kratos 404: Unable to locate the resource");
}

#[test]
fn mattr_envelope_with_details() {
    let body = br#"{"code":"BadRequest","message":"Validation Error","details":[{"value":"x","msg":"Invalid value","param":"cursor","location":"query"}]}"#;
    let e = ApiError::from_response(Provider::Core, 400, body);
    assert_eq!(e.code.as_deref(), Some("BadRequest"));
    assert_eq!(e.message, "Validation Error");
    assert!(e.details.as_ref().is_some_and(|d| d.is_array()));
    assert_eq!(
        e.to_string(),
        "core 400 BadRequest: Validation Error (cursor: Invalid value)"
    );
}

#[test]
fn oauth_envelope_is_an_auth_error() {
    let body = br#"{"error":"access_denied","error_description":"Unauthorized"}"#;
    let e = ApiError::from_response(Provider::Core, 401, body);
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.code.as_deref(), Some("access_denied"));
    assert_eq!(e.to_string(), "core 401 access_denied: Unauthorized");
}

#[test]
fn coassemble_envelope() {
    let body = br#"{"message":"User not found","error":{"code":"NOT_FOUND","status":404}}"#;
    let e = ApiError::from_response(Provider::Headless, 404, body);
    assert_eq!(e.code.as_deref(), Some("NOT_FOUND"));
    assert_eq!(e.message, "User not found");
    assert_eq!(e.to_string(), "headless 404 NOT_FOUND: User not found");
}

#[test]
fn garbage_bodies_still_read_well() {
    let html = b"<html>\x1b[31mBad\x07 Gateway</html>\n\n";
    let e = ApiError::from_response(Provider::Kratos, 502, html);
    let shown = e.to_string();
    assert!(shown.starts_with("kratos 502: <html>"), "{shown}");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");

    let long = vec![b'x'; 10_000];
    let e = ApiError::from_response(Provider::Core, 500, &long);
    assert!(e.message.chars().count() <= 201, "{}", e.message.len());

    let e = ApiError::from_response(Provider::Headless, 503, b"");
    assert_eq!(e.to_string(), "headless 503: Service Unavailable");

    let e = ApiError::from_response(Provider::Core, 500, &[0xff, 0xfe, b'{', 0]);
    assert!(!e.to_string().chars().any(char::is_control));

    for weird in [
        &b"[]"[..],
        b"42",
        b"\"text\"",
        b"{}",
        b"{\"error\":7}",
        b"null",
    ] {
        let e = ApiError::from_response(Provider::Kratos, 418, weird);
        assert!(!e.message.is_empty(), "{weird:?}");
        assert!(e.to_string().starts_with("kratos 418"));
    }
}

#[test]
fn decoded_fields_carry_no_escape_sequences() {
    let body = br#"{"error":{"code":400,"reason":"bad \u001b[2J\u001b]0;owned\u0007 trait\nsecond line","message":"m\u009b"}}"#;
    let e = ApiError::from_response(Provider::Kratos, 400, body);
    assert_eq!(
        e.reason.as_deref(),
        Some("bad [2J]0;owned trait\nsecond line")
    );
    assert_eq!(e.message, "m");
    assert_eq!(
        e.to_string(),
        "kratos 400: bad [2J]0;owned trait second line: m"
    );
}

#[test]
fn display_is_one_line_and_shows_retry_after() {
    let body = br#"{"message":"slow\ndown\r\n","error":{"code":"TOO_MANY_REQUESTS","status":429}}"#;
    let mut e = ApiError::from_response(Provider::Headless, 429, body);
    e.retry_after = Some(Duration::from_secs(3));
    let shown = e.to_string();
    assert_eq!(
        shown,
        "headless 429 TOO_MANY_REQUESTS: slow down (retry after 3s)"
    );
    assert!(e.is_transient());
}

#[test]
fn kratos_links_with_bare_commas() {
    let header = r#"</admin/identities?page_size=250&page_token=00000000-0000-0000-0000-000000000000>; rel="first",</admin/identities?page_size=250&page_token=8f1e>; rel="next""#;
    let links = parse_link_header(header);
    assert_eq!(links.len(), 2);
    assert_eq!(links[1].rel, "next");
    assert_eq!(
        links[1].target,
        "/admin/identities?page_size=250&page_token=8f1e"
    );
}

#[test]
fn links_resolve_under_a_path_prefix() {
    let base = Url::parse("https://proxy.example/kratos").unwrap();
    let u = resolve_link(&base, "/admin/identities?page_token=a").unwrap();
    assert_eq!(
        u.as_str(),
        "https://proxy.example/kratos/admin/identities?page_token=a"
    );
    // A link that already carries the prefix is not prefixed twice.
    let u = resolve_link(&base, "/kratos/admin/identities?x=1").unwrap();
    assert_eq!(
        u.as_str(),
        "https://proxy.example/kratos/admin/identities?x=1"
    );
    // Absolute links are used as they are.
    let u = resolve_link(&base, "https://other.example/a?b=c").unwrap();
    assert_eq!(u.as_str(), "https://other.example/a?b=c");
    // No prefix: plain join.
    let root = Url::parse("http://127.0.0.1:4434").unwrap();
    let u = resolve_link(&root, "/admin/sessions?page_token=x").unwrap();
    assert_eq!(
        u.as_str(),
        "http://127.0.0.1:4434/admin/sessions?page_token=x"
    );
}

#[test]
fn malformed_link_headers_give_what_can_be_read() {
    assert!(parse_link_header("").is_empty());
    assert!(parse_link_header("garbage").is_empty());
    assert!(parse_link_header("<unterminated; rel=next").is_empty());
    assert_eq!(
        parse_link_header(r#"<a>; rel="next prev", <b>"#),
        vec![
            Link {
                target: "a".into(),
                rel: "next".into()
            },
            Link {
                target: "a".into(),
                rel: "prev".into()
            },
        ]
    );
}

fn query_value() -> impl Strategy<Value = String> {
    // Tokens may hold base64 (`+`, `/`, `=`), commas and semicolons; never `>`.
    "[A-Za-z0-9+/=,;:._ -]{0,24}"
}

proptest! {
    #[test]
    fn link_headers_round_trip(
        entries in prop::collection::vec(
            (
                prop::collection::vec(("[a-z_]{1,10}", query_value()), 0..4),
                prop::sample::select(vec!["first", "next", "prev", "last"]),
            ),
            0..5,
        ),
        spaced in any::<bool>(),
    ) {
        let base = Url::parse("http://127.0.0.1:9/pre/fix").unwrap();
        let mut rendered = Vec::new();
        let mut expected = Vec::new();
        for (pairs, rel) in &entries {
            let mut url = base.join("/admin/identities").unwrap();
            for (k, v) in pairs {
                url.query_pairs_mut().append_pair(k, v);
            }
            let target = format!("{}{}", url.path(), url.query().map(|q| format!("?{q}")).unwrap_or_default());
            rendered.push(format!("<{target}>; rel=\"{rel}\""));
            expected.push((target, rel.to_string(), pairs.clone()));
        }
        let header = rendered.join(if spaced { ", " } else { "," });
        let parsed = parse_link_header(&header);
        prop_assert_eq!(parsed.len(), expected.len());
        for (link, (target, rel, pairs)) in parsed.iter().zip(&expected) {
            prop_assert_eq!(&link.target, target);
            prop_assert_eq!(&link.rel, rel);
            let resolved = resolve_link(&base, &link.target).unwrap();
            prop_assert_eq!(resolved.path(), "/pre/fix/admin/identities");
            let got: Vec<(String, String)> = resolved.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            prop_assert_eq!(&got, pairs);
        }
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,200}") {
        let _ = parse_link_header(&s);
    }

    #[test]
    fn error_decoding_never_panics(body in prop::collection::vec(any::<u8>(), 0..400), status in 100u16..600) {
        let e = ApiError::from_response(Provider::Kratos, status, &body);
        let shown = e.to_string();
        prop_assert!(!shown.contains('\n'));
        prop_assert!(!shown.chars().any(char::is_control));
    }
}

#[test]
fn first_cursor_round_trips() {
    let c = Cursor::first();
    let json = serde_json::to_string(&c).unwrap();
    let back: Cursor = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
    assert!(back.is_first());
}
