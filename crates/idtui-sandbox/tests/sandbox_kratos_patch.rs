//! Kratos sandbox over HTTP: JSON Patch and credential deletion rules.

#[path = "sandbox_kratos_support/mod.rs"]
mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{assert_spec, demo_id, kratos};

#[tokio::test]
async fn patch_applies_add_remove_replace_on_the_admin_view() {
    let k = kratos().await;
    let id = demo_id("ada.lovelace@example.com");
    let path = format!("/admin/identities/{id}");
    let before = k.get(&path).await.body;
    let r = k
        .patch(
            &path,
            json!([
                {"op": "add", "path": "/metadata_public/role", "value": "admin"},
                {"op": "replace", "path": "/metadata_admin/crm/owner", "value": "nobody"},
                {"op": "remove", "path": "/traits/username"},
                {"op": "replace", "path": "/metadata_public/brand_new", "value": 1},
                {"op": "replace", "path": "/state", "value": "inactive"},
                {"op": "replace", "path": "/external_id", "value": "patched-ext"}
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["metadata_public"]["role"], "admin");
    assert_eq!(
        r.body["metadata_public"]["brand_new"], 1,
        "replace on a missing path adds"
    );
    assert_eq!(r.body["metadata_admin"]["crm"]["owner"], "nobody");
    assert!(r.body["traits"].get("username").is_none());
    assert_eq!(r.body["state"], "inactive");
    assert_ne!(r.body["state_changed_at"], before["state_changed_at"]);
    assert_eq!(r.body["external_id"], "patched-ext");
    assert!(r.body["credentials"]["password"].get("config").is_none());
    assert_spec("identity", &r.body);
    // The username identifier is derived again from the traits.
    assert_eq!(
        r.body["credentials"]["password"]["identifiers"],
        json!(["ada.lovelace@example.com"])
    );
    let by_ext = k.get("/admin/identities/by/external/patched-ext").await;
    assert_eq!(by_ext.body["id"], json!(id));

    // Sub-paths of the password credential are allowed (ory/kratos#4425).
    let r = k
        .patch(
            &path,
            json!([{"op": "replace", "path": "/credentials/password/config/hashed_password",
                    "value": "$2a$10$abcdefghijklmnopqrstuv"}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let g = k.get(&format!("{path}?include_credential=password")).await;
    assert_eq!(
        g.body["credentials"]["password"]["config"]["hashed_password"],
        "$2a$10$abcdefghijklmnopqrstuv"
    );
    // Verifying an address.
    let r = k
        .patch(
            &path,
            json!([{"op": "replace", "path": "/verifiable_addresses/0/verified", "value": true},
                   {"op": "replace", "path": "/verifiable_addresses/0/status", "value": "completed"},
                   {"op": "replace", "path": "/external_id", "value": ""}]),
        )
        .await;
    assert_eq!(r.body["verifiable_addresses"][0]["verified"], true);
    assert!(
        r.body.get("external_id").is_none(),
        "\"\" clears the external id"
    );
}

#[tokio::test]
async fn patch_errors_match_kratos() {
    let k = kratos().await;
    let id = demo_id("linus.t@example.net");
    let path = format!("/admin/identities/{id}");
    for denied in [
        "/id",
        "/stateChangedAt",
        "/credentials",
        "/credentials/oidc",
        "/Credentials/OIDC/config/providers/0/subject",
        "/credentials/saml/identifiers",
    ] {
        let r = k
            .patch(
                &path,
                json!([{"op": "replace", "path": denied, "value": "x"}]),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{denied}");
        assert_eq!(r.reason(), "failed to apply JSON patch");
        assert_eq!(r.message(), format!("patch includes denied path: {denied}"));
    }
    for op in ["move", "copy", "test"] {
        let r = k
            .patch(
                &path,
                json!([{"op": op, "from": "/traits/email", "path": "/traits/username", "value": 1}]),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.message(), format!("unsupported operation: {op}"));
    }
    let r = k
        .patch(
            &path,
            json!([{"op": "replace", "path": "/state", "value": "banned"}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.reason(),
        "The supplied state ('banned') was not valid. Valid states are ('active', 'inactive')."
    );
    let r = k
        .patch(
            &path,
            json!([{"op": "add", "path": "/traits/email", "value": 7}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.reason().ends_with("expected string, but got number"),
        "{}",
        r.text
    );
    let r = k
        .patch(
            &path,
            json!([{"op": "replace", "path": "/credentials/password/type", "value": "totp"}]),
        )
        .await;
    assert_eq!(
        r.reason(),
        "credentials.password.type must equal \"password\", got \"totp\""
    );
    let r = k
        .patch(&path, json!([{"op": "remove", "path": "/traits/nope"}]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let empty = support::send(k.http.patch(k.url(&path))).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.message(), "unexpected end of JSON input");
    // Nothing above changed the identity.
    let after = k.get(&path).await;
    assert_eq!(after.body["traits"]["email"], "linus.t@example.net");
    assert_eq!(after.body["state"], "inactive");
}

#[tokio::test]
async fn credential_delete_follows_the_rules_table() {
    let k = kratos().await;
    let cred = |id: &str, t: &str| format!("/admin/identities/{id}/credentials/{t}");

    // ada: password + totp + lookup_secret; password is the only first factor.
    let ada = demo_id("ada.lovelace@example.com");
    assert_eq!(
        k.delete(&cred(&ada, "totp")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        k.delete(&cred(&ada, "lookup_secret")).await.status,
        StatusCode::NO_CONTENT
    );
    let r = k.delete(&cred(&ada, "password")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.reason(),
        "You cannot remove the last first factor credential."
    );
    let r = k.delete(&cred(&ada, "totp")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.reason(),
        "You tried to remove a totp but this user have no totp set up."
    );
    let r = k.delete(&cred(&ada, "made_up")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let types = k.get(&format!("/admin/identities/{ada}")).await.body["credentials"].clone();
    assert_eq!(types.as_object().unwrap().len(), 1);

    // grace: password + two OIDC links: oidc needs an identifier, then password can go.
    let grace = demo_id("grace.hopper@example.com");
    let r = k.delete(&cred(&grace, "oidc")).await;
    assert_eq!(
        r.reason(),
        "You must provide an identifier to delete this credential."
    );
    let r = k
        .delete(&format!("{}?identifier=google:nope", cred(&grace, "oidc")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.reason(),
        "The identifier `google:nope` was not found among OIDC credentials."
    );
    let r = k
        .delete(&format!(
            "{}?identifier=github:580001",
            cred(&grace, "oidc")
        ))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        k.delete(&cred(&grace, "password")).await.status,
        StatusCode::NO_CONTENT
    );
    let g = k
        .get(&format!(
            "/admin/identities/{grace}?include_credential=password&include_credential=oidc"
        ))
        .await;
    assert_eq!(g.body["credentials"]["password"]["config"], json!({}));
    assert_eq!(
        g.body["credentials"]["password"]["identifiers"],
        json!(["grace.hopper@example.com"]),
        "password row and identifiers are kept"
    );
    assert_eq!(
        g.body["credentials"]["oidc"]["identifiers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = k
        .delete(&format!(
            "{}?identifier={}",
            cred(&grace, "oidc"),
            g.body["credentials"]["oidc"]["identifiers"][0]
                .as_str()
                .unwrap()
        ))
        .await;
    assert_eq!(
        r.reason(),
        "You cannot remove the last first factor credential."
    );

    // katherine: webauthn with one MFA key removes the whole type.
    let kj = demo_id("katherine.johnson@example.com");
    assert_eq!(
        k.delete(&cred(&kj, "webauthn")).await.status,
        StatusCode::NO_CONTENT
    );
    let g = k.get(&format!("/admin/identities/{kj}")).await;
    assert!(g.body["credentials"].get("webauthn").is_none());

    // A passkey cannot be deleted through this endpoint.
    let r = k
        .post(
            "/admin/identities",
            json!({"schema_id": "default", "traits": {"email": "pk@example.com"},
                   "credentials": {"passkey": {"config": {"user_handle": "aGFuZGxl", "credentials": [{"id": "a2V5"}]}}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let pk = r.body["id"].as_str().unwrap();
    let r = k.delete(&cred(pk, "passkey")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.reason(), "Credentials type passkey cannot be deleted.");
    assert_eq!(
        k.delete(&cred("not-a-uuid", "totp")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_spec(
        "identity",
        &k.get(&format!("/admin/identities/{pk}")).await.body,
    );
}

#[tokio::test]
async fn concurrent_patches_do_not_lose_updates() {
    let k = std::sync::Arc::new(kratos().await);
    let id = demo_id("emma.brown@example.co.uk");
    let path = format!("/admin/identities/{id}");
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let (k, path) = (k.clone(), path.clone());
            tokio::spawn(async move {
                let r = k
                    .patch(
                        &path,
                        json!([{"op": "add", "path": format!("/metadata_public/k{n}"), "value": n}]),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let meta = k.get(&path).await.body["metadata_public"].clone();
    for n in 0..20 {
        assert_eq!(
            meta[format!("k{n}")],
            json!(n),
            "update k{n} was lost: {meta}"
        );
    }
}
