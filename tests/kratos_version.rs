//! The version of a Kratos profile's server through the dashboard's backend
//! (`idtui::runtime::provider::kratos`): read once from `GET /version` and kept, and on a
//! v1.x server no external-id lookup is sent (`ext:` is refused unsent, an identifier is not
//! tried as one). A crafted loopback server plays Kratos v1.3.1; the sandbox plays the newest.

mod common;
#[path = "../crates/idtui-api/tests/support/mod.rs"]
mod support;

use idtui::api;
use idtui::config::{Profile, Provider};
use idtui::runtime::Backend;
use idtui::runtime::provider::kratos::Kratos;
use idtui::sandbox::{self, SandboxOptions};
use support::crafted::crafted;

fn kratos(url: &str) -> api::KratosApi {
    match idtui::connect::connect(&Profile::new("t", Provider::Kratos, url), false).unwrap() {
        api::Api::Kratos(k) => k,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_v1_server_is_read_once_and_sent_no_external_id_lookup() {
    let (base, seen) = crafted(|line| {
        if line.starts_with("GET /admin/version ") {
            br#"{"version":"v1.3.1"}"#.to_vec()
        } else {
            b"[]".to_vec()
        }
    })
    .await;
    let backend = Kratos::new(kratos(&base));
    let v = backend.version().await.unwrap();
    assert_eq!((v.text.as_str(), v.release), ("v1.3.1", Some([1, 3, 1])));

    let err = backend.find("ext:crm-42".into()).await.unwrap_err();
    assert!(
        err.line.contains("Kratos v1.3.1 has no external ids") && err.line.contains("nothing sent"),
        "{}",
        err.line
    );
    // No identity has that identifier: the prefix search follows, not an external-id try.
    let hits = backend.find("nobody".into()).await.unwrap();
    assert!(hits.is_empty());
    // `:goto` with something not an id: no external-id try either (whatever this crafted
    // server answers to the id read).
    let kind = idtui::app::ObjectKind::Kratos(idtui::app::provider::kratos::Object::Identity);
    let _ = backend.get(kind, "crm-42".into()).await;
    backend.version().await.unwrap();

    let lines = seen.lock().unwrap().clone();
    assert!(
        !lines.iter().any(|l| l.contains("/by/external")),
        "{lines:#?}"
    );
    let reads = lines.iter().filter(|l| l.contains("/version ")).count();
    assert_eq!(reads, 1, "read once: {lines:#?}");
}

#[tokio::test]
async fn a_server_that_cannot_tell_gets_the_newest_rules() {
    let (base, seen) = crafted(|line| {
        if line.contains("/version ") {
            b"<html>hello</html>".to_vec()
        } else {
            b"[]".to_vec()
        }
    })
    .await;
    let backend = Kratos::new(kratos(&base));
    let err = backend.version().await.unwrap_err();
    assert!(!err.line.is_empty());
    // The lookup goes out (and finds nobody on this server).
    let _ = backend.find("ext:crm-42".into()).await;
    let lines = seen.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("/admin/identities/by/external/crm-42")),
        "{lines:#?}"
    );
}

#[tokio::test]
async fn the_sandbox_says_its_version_and_answers_external_ids() {
    let sandbox = sandbox::start(SandboxOptions {
        demo: true,
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let backend = Kratos::new(kratos(&sandbox.base_url));
    let v = backend.version().await.unwrap();
    assert!(v.release.is_some(), "{v:?}");
    // Whatever it holds, an ext: lookup is sent and answered (no hit is not an error).
    let release = v.release.unwrap();
    let found = backend.find("ext:nobody-here".into()).await;
    if release[0] >= 25 {
        assert!(found.unwrap().is_empty());
    } else {
        assert!(found.is_err());
    }
}
