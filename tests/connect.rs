//! The dashboard's profile → client wiring (`src/connect.rs`): a token from a file or a
//! command, the header it goes in, OAuth client credentials, a core path prefix and a
//! Coassemble workspace read from the profile, read-only mode, and profiles that cannot give a
//! client at all. What the clients then do is tested in `crates/idtui-api/tests`, whose
//! sandbox harness this file shares.

#[path = "../crates/idtui-api/tests/support/mod.rs"]
mod support;

use idtui::api::{
    Api, CoreApi, CoreSearch, Cursor, DeleteAction, ErrorKind, HeadlessApi, HeadlessUserUpdate,
    KratosApi,
};
use idtui::config::{Profile, Provider};
use idtui::connect::{connect, connect_with};
use serde_json::json;
use support::{Harness, count, fast_retries};

const JAMIE: &str = "0c3fad74-a8df-4a2d-8e75-f2d356b41300";
const ADA: &str = "767e3cc1-d67e-51bc-ad2b-449c5eea9782";
const MISSING: &str = "00000000-0000-4000-8000-000000000001";

fn profile(provider: Provider, url: &str) -> Profile {
    let mut p = Profile::new("test", provider, url);
    if provider == Provider::Headless {
        p.workspace_id = Some("1".into());
    }
    p
}

fn client(p: &Profile) -> Api {
    connect_with(p, false, fast_retries()).unwrap()
}

fn kratos(p: &Profile) -> KratosApi {
    match client(p) {
        Api::Kratos(k) => k,
        other => panic!("expected kratos, got {other:?}"),
    }
}

fn core(p: &Profile) -> CoreApi {
    match client(p) {
        Api::Core(c) => c,
        other => panic!("expected core, got {other:?}"),
    }
}

fn headless(p: &Profile) -> HeadlessApi {
    match client(p) {
        Api::Headless(h) => h,
        other => panic!("expected headless, got {other:?}"),
    }
}

#[tokio::test]
async fn the_older_core_v1_prefix_works_too() {
    let h = Harness::start(|_| {}).await;
    let mut p = profile(Provider::Core, h.base());
    p.prefix = Some("/core/v1".into());
    let api = core(&p);
    assert_eq!(api.get_user(JAMIE).await.unwrap().id, JAMIE);
    assert!(
        h.requests()
            .iter()
            .any(|(_, path, _)| path.starts_with("/core/v1/users/"))
    );
}

#[tokio::test]
async fn static_bearer_token_and_a_wrong_one() {
    let h = Harness::start(|o| o.token = Some("s3cret".into())).await;
    let mut p = profile(Provider::Core, h.base());
    p.token_file = Some(h.secret_file("tok", "s3cret\n"));
    core(&p).get_user(JAMIE).await.unwrap();

    p.token_file = Some(h.secret_file("bad", "wrong-token"));
    let err = core(&p).get_user(JAMIE).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.status, Some(401));
    assert!(!err.to_string().contains("wrong-token"), "{err}");
}

/// The OAuth fields of a profile reach the client: the moved OAuth tests in
/// `crates/idtui-api/tests/core.rs` build their client directly, so this is what still says
/// that `auth_url`, `client_id`, `client_secret_file` and `audience` are read.
#[tokio::test]
async fn an_oauth_profile_gets_its_tokens_with_the_client_secret_it_names() {
    let h = Harness::start(|o| o.token = Some("s3cret".into())).await;
    let mut p = profile(Provider::Core, h.base());
    p.auth_url = Some(h.base().to_owned());
    p.client_id = Some("idtui-test".into());
    p.client_secret_file = Some(h.secret_file("client_secret", "s3cret\n"));
    p.audience = Some(h.base().to_owned());
    let api = core(&p);
    api.get_user(JAMIE).await.unwrap();
    api.get_user(JAMIE).await.unwrap();
    assert_eq!(count(&h.requests(), "POST", "/oauth/token"), 1);

    p.client_secret_file = Some(h.secret_file("wrong_secret", "not-it"));
    let err = core(&p).get_user(JAMIE).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert!(!err.to_string().contains("not-it"), "{err}");
}

#[tokio::test]
async fn read_only_refuses_mutations_before_sending_but_allows_search() {
    let h = Harness::start(|_| {}).await;
    let api = match connect(&profile(Provider::Core, h.base()), true).unwrap() {
        Api::Core(c) => c,
        _ => unreachable!(),
    };
    let q = CoreSearch::parse("given_name=Jamie").unwrap();
    assert_eq!(
        api.search_users(&q, &Cursor::first(), 10)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let before = h.requests().len();
    let err = api.delete_user(JAMIE).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ReadOnly);
    let err = api
        .update_user(JAMIE, &json!({"claims": {}}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ReadOnly);
    assert_eq!(h.requests().len(), before, "nothing reached the server");
}

#[tokio::test]
async fn bearer_token_and_custom_header() {
    let h = Harness::start(|o| o.token = Some("ory_pat_test".into())).await;
    let mut p = profile(Provider::Kratos, h.base());
    let err = kratos(&p).get_identity(ADA, &[]).await.unwrap_err();
    assert_eq!(err.status, Some(401));
    assert_eq!(err.kind, ErrorKind::Auth);

    p.token_command = Some("printf ory_pat_test".into());
    assert_eq!(kratos(&p).get_identity(ADA, &[]).await.unwrap().id, ADA);

    // A gateway header carries the raw token, so the sandbox (which wants Bearer) refuses.
    p.auth_header = Some("X-Api-Key".into());
    let err = kratos(&p).get_identity(ADA, &[]).await.unwrap_err();
    assert_eq!(err.status, Some(401));
}

#[tokio::test]
async fn read_only_layer_sends_no_mutation() {
    let h = Harness::start(|_| {}).await;
    let api = match connect(&profile(Provider::Kratos, h.base()), true).unwrap() {
        Api::Kratos(k) => k,
        _ => unreachable!(),
    };
    assert!(api.http().read_only());
    api.get_identity(ADA, &[]).await.unwrap();
    let before = h.requests().len();
    let refusals = [
        api.delete_identity(ADA).await.unwrap_err(),
        api.update_identity(ADA, &json!({})).await.unwrap_err(),
        api.patch_identity(ADA, &json!([])).await.unwrap_err(),
        api.create_identity(&json!({})).await.unwrap_err(),
        api.delete_credential(ADA, "totp", None).await.unwrap_err(),
        api.disable_session(MISSING).await.unwrap_err(),
        api.extend_session(MISSING).await.unwrap_err(),
        api.delete_identity_sessions(ADA).await.unwrap_err(),
    ];
    for e in &refusals {
        assert_eq!(e.kind, ErrorKind::ReadOnly, "{e}");
        assert!(e.to_string().starts_with("kratos: read-only mode"), "{e}");
    }
    assert_eq!(h.requests().len(), before);
}

#[tokio::test]
async fn workspace_key_header() {
    let h = Harness::start(|o| o.token = Some("ab".repeat(32))).await;
    let mut p = profile(Provider::Headless, &format!("{}/api", h.base()));
    let err = headless(&p)
        .list_clients(&Cursor::first(), 10)
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(401));
    assert_eq!(err.code.as_deref(), Some("UNAUTHORIZED"));

    p.token_file = Some(h.secret_file("key", &"ab".repeat(32)));
    let page = headless(&p)
        .list_clients(&Cursor::first(), 10)
        .await
        .unwrap();
    assert!(!page.items.is_empty());
}

#[tokio::test]
async fn read_only_refuses_every_mutation() {
    let h = Harness::start(|_| {}).await;
    let p = profile(Provider::Headless, &format!("{}/api", h.base()));
    let api = match connect(&p, true).unwrap() {
        Api::Headless(a) => a,
        _ => unreachable!(),
    };
    let before = h.requests().len();
    let errs = [
        api.update_client("c", &json!({})).await.unwrap_err(),
        api.delete_client("c").await.unwrap_err(),
        api.update_user("u", &HeadlessUserUpdate::default())
            .await
            .unwrap_err(),
        api.delete_user("u", None, DeleteAction::Ignore)
            .await
            .unwrap_err(),
    ];
    assert!(errs.iter().all(|e| e.kind == ErrorKind::ReadOnly));
    assert_eq!(h.requests().len(), before);
}

#[tokio::test]
async fn unusable_profiles_fail_at_connect() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("ca.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let mut p = profile(Provider::Kratos, "https://example.invalid");
    p.ca_file = Some(junk);
    let err = connect(&p, false).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(err.to_string().contains("ca.pem"), "{err}");

    // A real PEM root (Let's Encrypt's ISRG Root X1) is accepted as an extra CA.
    let mut p = profile(Provider::Kratos, "https://example.invalid");
    p.ca_file = Some(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/isrg-root-x1.pem"
        )
        .into(),
    );
    assert!(connect(&p, false).is_ok());

    let p = profile(Provider::Kratos, "ftp://example.invalid");
    assert_eq!(connect(&p, false).unwrap_err().kind, ErrorKind::Config);

    let p = profile(Provider::Core, "https://user:hunter2@example.invalid:99999");
    let err = connect(&p, false).unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");

    let mut p = profile(Provider::Kratos, "http://127.0.0.1:1");
    p.token_command = Some("exit 1".into());
    let err = connect(&p, false).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(err.to_string().contains("token_command failed"), "{err}");
}
