//! Cursor round trips: a cursor saved (serialized) and loaded again must produce exactly the
//! same request, so a page dropped from memory is refetched as it was.

use proptest::prelude::*;

use super::http::{HttpLayer, HttpSettings, Req};
use super::page::{Cursor, Position};
use super::{Auth, Provider};

fn layer(provider: Provider, base: &str) -> HttpLayer {
    HttpLayer::new(&HttpSettings::new(provider, base), Auth::None).unwrap()
}

fn position() -> impl Strategy<Value = Position> {
    prop_oneof![
        Just(Position::First),
        prop::collection::vec(("[a-z_]{1,12}", "\\PC{0,20}"), 0..5).prop_map(Position::Link),
        "\\PC{1,40}".prop_map(Position::Token),
        any::<u64>().prop_map(Position::Number),
    ]
}

fn round_trip(c: &Cursor) -> Cursor {
    let saved = serde_json::to_string(c).unwrap();
    serde_json::from_str(&saved).unwrap()
}

proptest! {
    #[test]
    fn cursor_round_trip_gives_the_same_request(pos in position(), size in 1u32..2000) {
        let cursor = Cursor(pos);
        let back = round_trip(&cursor);
        prop_assert_eq!(&back, &cursor);

        let kratos = layer(Provider::Kratos, "http://127.0.0.1:1/pre");
        let build = |c: &Cursor| {
            super::kratos::paged(Req::get(&["admin/identities"]), c, vec![("ids".into(), "x".into())], size)
                .and_then(|r| kratos.url(&r))
                .map(|u| u.to_string())
                .ok()
        };
        prop_assert_eq!(build(&cursor), build(&back));

        let core = |c: &Cursor| super::core::cursor_query(c, size).ok();
        prop_assert_eq!(core(&cursor), core(&back));

        let headless = |c: &Cursor| super::headless::page_query(c, size).ok();
        prop_assert_eq!(headless(&cursor), headless(&back));
    }
}

#[test]
fn each_provider_refuses_a_foreign_cursor() {
    let token = Cursor(Position::Token("abc".into()));
    let number = Cursor(Position::Number(3));
    assert!(super::kratos::paged(Req::get(&["x"]), &token, vec![], 10).is_err());
    assert!(super::core::cursor_query(&number, 10).is_err());
    assert!(super::headless::page_query(&token, 10).is_err());
}

#[test]
fn replayed_link_keeps_filters_and_uses_our_page_size() {
    let pairs = vec![
        ("credentials_identifier".to_owned(), "a@b.c".to_owned()),
        ("page_size".to_owned(), "500".to_owned()),
        ("page_token".to_owned(), "tok+/=".to_owned()),
    ];
    let req = super::kratos::paged(
        Req::get(&["admin/identities"]),
        &Cursor(Position::Link(pairs)),
        vec![],
        25,
    )
    .unwrap();
    let url = layer(Provider::Kratos, "http://h/kratos/")
        .url(&req)
        .unwrap();
    assert_eq!(url.path(), "/kratos/admin/identities");
    let q: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert_eq!(
        q,
        vec![
            ("credentials_identifier".into(), "a@b.c".into()),
            ("page_token".into(), "tok+/=".into()),
            ("page_size".into(), "25".into()),
        ]
    );
}

#[test]
fn ids_are_one_path_segment() {
    let req = Req::get(&["admin/identities"]).id("../sessions?x=1#y");
    let url = layer(Provider::Kratos, "http://h/").url(&req).unwrap();
    assert_eq!(url.path(), "/admin/identities/..%2Fsessions%3Fx=1%23y");
    assert_eq!(url.query(), None);
}

#[test]
fn dot_and_empty_ids_are_refused_not_sent() {
    let l = layer(Provider::Kratos, "http://h/pre/");
    for id in ["..", ".", ""] {
        let err = l.url(&Req::get(&["admin/identities"]).id(id)).unwrap_err();
        assert_eq!(err.kind, super::ErrorKind::Config, "{id:?}");
    }
    // Dots inside an id are ordinary characters.
    let url = l.url(&Req::get(&["admin/identities"]).id("a..b")).unwrap();
    assert_eq!(url.path(), "/pre/admin/identities/a..b");
}

#[test]
fn an_unparseable_url_is_quoted_without_its_password() {
    // The password holds an `@`; everything up to the last one is user info.
    let err = HttpLayer::new(
        &HttpSettings::new(Provider::Kratos, "https://admin:p@ss@host:99999/"),
        Auth::None,
    )
    .unwrap_err();
    assert!(!err.message.contains("ss@"), "{}", err.message);
    assert!(
        err.message.contains("https://***@host:99999"),
        "{}",
        err.message
    );
}

#[test]
fn debug_output_hides_a_password_in_the_base_url() {
    let l = layer(Provider::Kratos, "https://admin:hunter2@host/pre");
    let shown = format!("{l:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("https://***@host/pre"), "{shown}");
}

#[test]
fn debug_output_hides_a_password_in_the_token_url() {
    let src = super::OAuthSource::new(
        Provider::Core,
        "https://client:hunter2@auth.example",
        "client".into(),
        crate::Secret::new("s"),
        None,
    )
    .unwrap();
    let shown = format!("{:?}", Auth::OAuth(std::sync::Arc::new(src)));
    assert!(!shown.contains("hunter2"), "{shown}");
}
