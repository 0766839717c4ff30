//! A hostile server takes nothing from the API clients: no redirect is followed (so neither a
//! credential, nor a client secret, nor a change's body reaches another host), and no answer
//! can make a client hold more than its caps: endless bodies, far more records than asked,
//! values by the million, gzip bombs. Each cap is one the client enforces and names in its
//! error; none is judged by timing.

mod support;

use std::io::Write;
use std::time::Duration;

use idtui_api::{
    ApiError, Auth, Cursor, ErrorKind, HttpLayer, IdentityFilter, KratosApi, Provider, Secret,
};
use serde_json::json;
use support::hostile::{Elsewhere, Hostile, Reply};
use support::{core, core_oauth, headless, settings};

const SECRET: &str = "tok-SECRET-4242";
const ID: &str = "0c3fad74-a8df-4a2d-8e75-f2d356b41300";
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// A Kratos client sending its token in a gateway's header, as a credential that must not
/// travel.
fn kratos(url: &str) -> KratosApi {
    let auth = Auth::bearer(Provider::Kratos, Some("X-Api-Key"), &Secret::new(SECRET)).unwrap();
    let settings = idtui_api::HttpSettings {
        timeout: Duration::from_secs(20),
        ..settings(Provider::Kratos, url)
    };
    KratosApi::new(HttpLayer::new(&settings, auth).unwrap(), None)
}

fn assert_refused_redirect(err: &ApiError, status: u16, elsewhere: &Elsewhere) {
    assert_eq!(err.status, Some(status), "{err}");
    let shown = err.to_string();
    assert!(shown.contains("redirect not followed"), "{shown}");
    assert!(
        shown.contains(&elsewhere.url),
        "names where it pointed: {shown}"
    );
    assert!(!err.is_transient(), "not retried: {shown}");
}

#[tokio::test]
async fn no_redirect_is_followed_by_a_read_or_a_change_with_any_code() {
    let elsewhere = Elsewhere::start().await;
    for status in REDIRECTS {
        let to = format!("{}/admin/identities/{ID}", elsewhere.url);
        let server = Hostile::start(move |_| Reply::redirect(status, &to)).await;
        let api = kratos(&server.url);
        let body = json!({"schema_id": "default", "traits": {"email": "pii@example.com"}});
        let patch = json!([{"op": "replace", "path": "/state", "value": "inactive"}]);

        let errors = [
            api.get_identity(ID, &[]).await.unwrap_err(),
            api.update_identity(ID, &body).await.unwrap_err(),
            api.patch_identity(ID, &patch).await.unwrap_err(),
            api.disable_session(ID).await.unwrap_err(),
        ];
        for err in &errors {
            assert_refused_redirect(err, status, &elsewhere);
        }
        let seen = server.requests();
        let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
        assert_eq!(methods, ["GET", "PUT", "PATCH", "DELETE"], "each sent once");
        assert!(seen.iter().all(|s| s.header("x-api-key") == Some(SECRET)));
    }
    assert_eq!(elsewhere.connections(), 0, "{}", elsewhere.received());
}

#[tokio::test]
async fn the_token_call_follows_no_redirect_so_the_client_secret_stays_home() {
    let elsewhere = Elsewhere::start().await;
    for status in REDIRECTS {
        let to = format!("{}/oauth/token", elsewhere.url);
        let server = Hostile::start(move |_| Reply::redirect(status, &to)).await;
        let core = core_oauth(
            &server.url,
            &server.url,
            "client-1",
            "client-SECRET-77",
            None,
        );
        let err = core.get_user(ID).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{err}");
        assert_refused_redirect(&err, status, &elsewhere);
        let seen = server.requests();
        assert_eq!(seen.len(), 1, "only the token call, once: {seen:?}");
        assert_eq!(seen[0].target, "/oauth/token");
    }
    assert_eq!(elsewhere.connections(), 0, "{}", elsewhere.received());
    assert!(!elsewhere.received().contains("client-SECRET-77"));
}

/// An endless list body of `{},` records, on each provider's list.
#[tokio::test]
async fn an_endless_list_stops_at_the_record_cap_on_every_provider() {
    let server = Hostile::start(|_| Reply::Endless {
        headers: vec![("content-type".into(), "application/json".into())],
        head: b"{\"data\":[{}".to_vec(),
        chunk: b",{}".repeat(20_000),
    })
    .await;
    let first = Cursor::first();
    let errors: Vec<ApiError> = vec![
        kratos(&server.url)
            .list_identity_records(&IdentityFilter::default(), &first, 500)
            .await
            .unwrap_err(),
        core(&server.url)
            .list_user_records(&first, 500)
            .await
            .unwrap_err(),
        headless(&server.url)
            .list_client_records(&first, 500)
            .await
            .unwrap_err(),
    ];
    for err in &errors {
        assert_eq!(err.kind, ErrorKind::Decode, "{err}");
        assert!(
            err.over_limit && !err.is_transient(),
            "not asked again: {err}"
        );
        assert!(
            err.message
                .contains("more than 1016 records although 500 were asked for"),
            "{err}"
        );
    }
    assert_eq!(server.requests().len(), 3, "nothing asked again");
    // Each read stops at the 64 MiB body cap (plus what the sockets held).
    assert!(server.body_bytes_sent() < 3 * (64 << 20) + (48 << 20));
}

#[tokio::test]
async fn twenty_million_records_in_sixty_megabytes_are_refused_by_count() {
    let mut body = b"[".to_vec();
    body.extend(b"{},".repeat(20_000_000));
    body.extend(b"{}]");
    let body = std::sync::Arc::new(body);
    let server = Hostile::start(move |_| Reply::json(200, body.as_slice())).await;
    let err = kratos(&server.url)
        .list_identities(&IdentityFilter::default(), &Cursor::first(), 250)
        .await
        .unwrap_err();
    assert!(
        err.message
            .contains("more than 516 records although 250 were asked for"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_single_object_of_millions_of_values_is_refused_before_decoding() {
    let mut body = br#"{"id":"x","traits":["#.to_vec();
    body.extend(b"{},".repeat(3_000_000));
    body.extend(b"{}]}");
    let body = std::sync::Arc::new(body);
    let server = Hostile::start(move |_| Reply::json(200, body.as_slice())).await;
    let err = kratos(&server.url).get_identity(ID, &[]).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
    assert!(
        err.message.contains("more than 1000000 JSON values"),
        "{err}"
    );
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_by_its_ratio_and_not_retried() {
    // 4 GiB of zeros in 4 MB: a client that decoded it all would spend seconds of CPU.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..4096 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = std::sync::Arc::new(gz.finish().unwrap());
    let server = Hostile::start(move |_| Reply::Fixed {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("content-encoding".into(), "gzip".into()),
        ],
        body: bomb.to_vec(),
    })
    .await;
    let api = kratos(&server.url);
    for err in [
        api.get_identity(ID, &[]).await.unwrap_err(),
        api.list_identity_records(&IdentityFilter::default(), &Cursor::first(), 500)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::Decode, "{err}");
        assert!(err.over_limit, "{err}");
        assert!(err.message.contains("decompression bomb"), "{err}");
    }
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "each asked once: {seen:?}");
    assert!(
        seen.iter()
            .all(|s| s.header("accept-encoding") == Some("gzip"))
    );
}

#[tokio::test]
async fn an_encoding_not_asked_for_is_an_error_not_garbage() {
    let server = Hostile::start(|_| Reply::Fixed {
        status: 200,
        headers: vec![("content-encoding".into(), "br".into())],
        body: b"\x1b[2J not brotli".to_vec(),
    })
    .await;
    let err = kratos(&server.url).get_identity(ID, &[]).await.unwrap_err();
    assert!(
        err.message.contains("\"br\", which was not asked for"),
        "{err}"
    );
}

#[tokio::test]
async fn an_endless_record_is_read_as_it_streams_and_stopped_at_the_stream_cap() {
    let server = Hostile::start(|_| Reply::Endless {
        headers: vec![("content-type".into(), "application/json".into())],
        head: br#"[{"id":"x","blob":""#.to_vec(),
        chunk: vec![b'a'; 1 << 16],
    })
    .await;
    let err = kratos(&server.url)
        .list_identity_records(&IdentityFilter::default(), &Cursor::first(), 500)
        .await
        .unwrap_err();
    assert!(err.message.contains("streamed more than 256 MiB"), "{err}");
    // The whole-body read stops at 64 MiB and sees its first record has not ended: no
    // smaller page can help, so the second read streams, and stops at its own cap.
    assert_eq!(server.requests().len(), 2);
    assert!(server.body_bytes_sent() < (64 << 20) + (256 << 20) + (48 << 20));
}
