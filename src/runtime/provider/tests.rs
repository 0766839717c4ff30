//! The request line each provider gives the audit trail: the path its client sends.

use serde_json::json;

use super::*;
use crate::app::audit::{AuditEntry, AuditOutcome};
use crate::app::{Courses, Provider as AppProvider};

fn profile(provider: Provider, prefix: Option<&str>) -> Profile {
    let mut p = Profile::new("p", provider, "http://127.0.0.1:1");
    p.prefix = prefix.map(str::to_string);
    p
}

#[test]
fn a_line_names_the_request_and_hides_secrets() {
    let m = Mutation::Kratos(crate::app::provider::kratos::Change::PatchIdentity {
        identity: "i1".into(),
        patch: json!([]),
    });
    let change = json!([{"op": "replace", "path": "/metadata_admin/api_token", "value": "s3cr3t"}]);
    let mut e = AuditEntry::new(
        "prod",
        AppProvider::Kratos,
        &m,
        Some(&change),
        AuditOutcome::Sent,
    );
    let line = request_line(&profile(Provider::Kratos, None), &m);
    (e.method, e.path) = (line.method, line.path);
    let line = serde_json::to_string(&e).unwrap();
    assert!(line.contains(r#""method":"PATCH""#), "{line}");
    assert!(line.contains(r#""path":"/admin/identities/i1""#), "{line}");
    assert!(line.contains(r#""outcome":"sent""#), "{line}");
    assert!(!line.contains("s3cr3t"), "{line}");
}

#[test]
fn mattr_lines_carry_the_prefix_the_client_sends() {
    let delete =
        Mutation::Core(crate::app::provider::core::Change::DeleteUser { user: "u1".into() });
    let update = Mutation::Core(crate::app::provider::core::Change::UpdateClaims {
        user: "u1".into(),
        claims: json!({}),
    });
    for (prefix, want) in [
        (None, "/v1/users/u1"),
        (Some("/v1"), "/v1/users/u1"),
        (Some("/core/v1/"), "/core/v1/users/u1"),
    ] {
        let p = profile(Provider::Core, prefix);
        assert_eq!(request_line(&p, &delete), RequestLine::new("DELETE", want));
        assert_eq!(request_line(&p, &update), RequestLine::new("PUT", want));
    }
}

#[test]
fn kratos_and_coassemble_lines_are_their_fixed_paths() {
    let kratos = profile(Provider::Kratos, None);
    let cases = [
        (
            Mutation::Kratos(crate::app::provider::kratos::Change::RevokeSessions {
                sessions: vec!["s1".into(), "s2".into()],
            }),
            "DELETE",
            "/admin/sessions/{s1,s2}",
        ),
        (
            Mutation::Kratos(crate::app::provider::kratos::Change::DeleteCredential {
                identity: "i1".into(),
                kind: "oidc".into(),
                identifier: Some("github:1".into()),
            }),
            "DELETE",
            "/admin/identities/i1/credentials/oidc?identifier=github:1",
        ),
        (
            Mutation::Kratos(crate::app::provider::kratos::Change::CreateIdentity {
                body: json!({}),
            }),
            "POST",
            "/admin/identities",
        ),
        (
            Mutation::Kratos(crate::app::provider::kratos::Change::ExtendSession {
                session: "s1".into(),
            }),
            "PATCH",
            "/admin/sessions/s1/extend",
        ),
    ];
    for (m, method, path) in cases {
        assert_eq!(request_line(&kratos, &m), RequestLine::new(method, path));
    }
    let mut headless = profile(Provider::Headless, None);
    headless.workspace_id = Some("1".into());
    let m = Mutation::Headless(crate::app::provider::headless::Change::DeleteUser {
        user: "ada".into(),
        client: Some("acme".into()),
        courses: Courses::Reallocate("bob".into()),
    });
    assert_eq!(
        request_line(&headless, &m),
        RequestLine::new(
            "DELETE",
            "/v1/headless/user/ada?action=reallocate&reallocateTo=bob&clientIdentifier=acme"
        )
    );
    let m = Mutation::Headless(
        crate::app::provider::headless::Change::UpdateClientMetadata {
            client: "acme".into(),
            metadata: json!({}),
        },
    );
    assert_eq!(
        request_line(&headless, &m),
        RequestLine::new("PUT", "/v1/headless/client/acme")
    );
    // A change the provider does not make is refused before anything is sent.
    assert_eq!(
        request_line(
            &kratos,
            &Mutation::Core(crate::app::provider::core::Change::DeleteUser { user: "u".into() })
        )
        .method,
        "NONE"
    );
}
