//! Kratos sandbox over HTTP: identity create/read/update/delete, shapes and documented errors.

#[path = "sandbox_kratos_support/mod.rs"]
mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{assert_spec, demo_id, kratos};

#[tokio::test]
async fn create_returns_201_location_and_the_documented_shape() {
    let k = kratos().await;
    let r = k
        .post(
            "/admin/identities",
            json!({
                "schema_id": "default",
                "traits": {"email": "New.Person@Example.COM", "name": {"first": "New", "last": "Person"}},
                "metadata_public": {"plan": "team"},
                "external_id": "ext-new-1",
                "credentials": {"password": {"config": {"password": "correct horse battery"}}}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location").unwrap(),
        format!("{}/identities/{id}", k.server.base_url)
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let keys: Vec<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "external_id",
            "credentials",
            "schema_id",
            "schema_url",
            "state",
            "state_changed_at",
            "traits",
            "verifiable_addresses",
            "recovery_addresses",
            "metadata_public",
            "created_at",
            "updated_at",
            "organization_id"
        ]
    );
    assert_eq!(
        r.body["schema_url"],
        json!(format!("{}/schemas/ZGVmYXVsdA", k.server.base_url))
    );
    assert_eq!(r.body["state"], "active");
    assert_eq!(r.body["organization_id"], Value::Null);
    let pw = &r.body["credentials"]["password"];
    assert_eq!(pw["identifiers"], json!(["new.person@example.com"]));
    assert!(pw.get("config").is_none(), "POST responses hide configs");
    assert_eq!(
        r.body["verifiable_addresses"][0]["value"],
        "new.person@example.com"
    );
    assert_eq!(r.body["verifiable_addresses"][0]["status"], "pending");
    assert_eq!(r.body["recovery_addresses"][0]["via"], "email");
    assert!(
        !r.text.contains("correct horse"),
        "plaintext password leaked"
    );
    assert_spec("identity", &r.body);

    let g = k.get(&format!("/admin/identities/{id}")).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(
        g.header("cache-control"),
        Some("private, no-cache, no-store, must-revalidate")
    );
    assert_eq!(g.body["traits"], r.body["traits"]);
    assert_eq!(g.body["created_at"], r.body["created_at"]);
    assert!(g.body["credentials"]["password"].get("config").is_none());
    assert_spec("identity", &g.body);

    let with = k
        .get(&format!(
            "/admin/identities/{id}?include_credential=password"
        ))
        .await;
    let hash = with.body["credentials"]["password"]["config"]["hashed_password"]
        .as_str()
        .unwrap();
    assert!(!hash.is_empty() && !hash.contains("horse"));
}

#[tokio::test]
async fn create_rejects_bad_bodies_with_documented_errors() {
    let k = kratos().await;
    let cases = [
        (
            json!({"schema_id": "default", "traits": {"email": "a@b.co"}, "schema_url": "x"}),
            "unknown field",
        ),
        (
            json!({"schema_id": "nope", "traits": {"email": "a@b.co"}}),
            "Unable to find JSON Schema ID: nope",
        ),
        (
            json!({"schema_id": "default", "traits": {"name": {"first": "x"}}}),
            r#"I[#/traits] S[#/properties/traits/required] missing properties: "email""#,
        ),
        (
            json!({"schema_id": "default", "traits": {"email": 42}}),
            "expected string, but got number",
        ),
        (
            json!({"schema_id": "default", "traits": {"email": "a@b.co", "department": "x", "shoe": 9}}),
            "additionalProperties \"shoe\" not allowed",
        ),
        (
            json!({"schema_id": "default", "traits": {"email": "a@b.co"}, "state": "zombie"}),
            "The supplied state ('zombie') was not valid. Valid states are ('active', 'inactive').",
        ),
        (
            json!({"schema_id": "default", "traits": {"email": "a@b.co"},
                   "credentials": {"password": {"config": {"hashed_password": "plain"}}}}),
            "The imported password does not match any known hash format.",
        ),
    ];
    for (body, want) in cases {
        let r = k.post("/admin/identities", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        // Decoder errors (unknown field) carry Go's words in `message`, the rest in `reason`.
        assert!(
            r.reason().contains(want) || r.message().contains(want),
            "{body}: got {}",
            r.text
        );
        assert_eq!(r.body["error"]["code"], 400);
        assert_eq!(r.body["error"]["status"], "Bad Request");
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let r = k.post("/admin/identities", json!("not an object")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn duplicates_conflict_with_409() {
    let k = kratos().await;
    let existing = "ada.lovelace@example.com";
    let r = k
        .post(
            "/admin/identities",
            json!({"schema_id": "default", "traits": {"email": "ADA.Lovelace@example.com"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(
        r.reason(),
        "This identity conflicts with another identity that already exists."
    );
    let r = k
        .post(
            "/admin/identities",
            json!({"schema_id": "default", "traits": {"email": "fresh@example.com"}, "external_id": "crm-0037"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "external_id is unique: {}",
        r.text
    );

    // PUT/PATCH conflicts carry only the database message.
    let other = k.create("other@example.com").await;
    let id = other["id"].as_str().unwrap();
    let r = k
        .put(
            &format!("/admin/identities/{id}"),
            json!({"schema_id": "default", "state": "active", "traits": {"email": existing}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.message(),
        "Unable to insert or update resource because a resource with that value exists already"
    );
    assert!(r.body["error"].get("reason").is_none());
    let r = k
        .patch(
            &format!("/admin/identities/{id}"),
            json!([{"op": "replace", "path": "/traits/email", "value": existing}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn missing_and_malformed_identity_ids_are_404() {
    let k = kratos().await;
    for path in [
        "/admin/identities/not-a-uuid",
        "/admin/identities/5f0c0c2e-0000-4000-8000-000000000000",
        "/admin/identities/by/external/no-such-external-id",
    ] {
        let r = k.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.message(), "Unable to locate the resource");
    }
    for r in [
        k.delete("/admin/identities/not-a-uuid").await,
        k.put("/admin/identities/zzz", json!({"traits": {}})).await,
        k.patch("/admin/identities/zzz", json!([])).await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    }
    let r = k
        .get(&format!(
            "/admin/identities/{}?include_credential=bogus",
            demo_id("ada.lovelace@example.com")
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn get_shows_every_credential_type_and_configs_only_on_request() {
    let k = kratos().await;
    // Index 0 in the demo has password, totp and lookup_secret.
    let id = demo_id("ada.lovelace@example.com");
    let r = k.get(&format!("/admin/identities/{id}")).await;
    let creds = r.body["credentials"].as_object().unwrap();
    let mut types: Vec<&str> = creds.keys().map(|s| s.as_str()).collect();
    types.sort();
    assert_eq!(types, ["lookup_secret", "password", "totp"]);
    assert!(creds.values().all(|c| c.get("config").is_none()));
    assert_spec("identity", &r.body);
    // Imported address state survives when the address matches a marked trait.
    let va = &r.body["verifiable_addresses"][0];
    assert_eq!(
        (va["verified"].clone(), va["status"].clone()),
        (json!(true), json!("completed"))
    );
    assert!(va["verified_at"].is_string());

    let r = k
        .get(&format!(
            "/admin/identities/{id}?include_credential=totp&include_credential=lookup_secret"
        ))
        .await;
    assert!(
        r.body["credentials"]["totp"]["config"]["totp_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://")
    );
    assert!(r.body["credentials"]["lookup_secret"]["config"]["recovery_codes"].is_array());
    assert!(r.body["credentials"]["password"].get("config").is_none());

    // WebAuthn byte fields are base64 strings (the spec says byte arrays; real Kratos sends
    // strings), so this body is deliberately not validated against the spec.
    let w = demo_id("katherine.johnson@example.com");
    let r = k
        .get(&format!(
            "/admin/identities/{w}?include_credential=webauthn"
        ))
        .await;
    let cred = &r.body["credentials"]["webauthn"]["config"]["credentials"][0];
    assert!(cred["public_key"].is_string(), "{}", r.text);

    let r = k.get("/admin/identities/by/external/crm-0037").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["traits"]["email"], "grace.hopper@example.com");
    assert!(r.body["credentials"].is_object());
}

#[tokio::test]
async fn put_replaces_traits_and_metadata_but_keeps_state() {
    let k = kratos().await;
    let id = demo_id("ada.lovelace@example.com");
    let before = k.get(&format!("/admin/identities/{id}")).await.body;
    assert!(before["metadata_admin"].is_object());
    let r = k
        .put(
            &format!("/admin/identities/{id}"),
            json!({"schema_id": "", "traits": {"email": "ada@example.com"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["metadata_public"], Value::Null);
    assert_eq!(r.body["metadata_admin"], Value::Null);
    assert_eq!(r.body["state"], before["state"]);
    assert_eq!(r.body["schema_id"], "default");
    assert_eq!(
        r.body["credentials"]["password"]["identifiers"],
        json!(["ada@example.com"])
    );
    assert_eq!(
        r.body["verifiable_addresses"][0]["value"],
        "ada@example.com"
    );
    assert_eq!(r.body["state_changed_at"], before["state_changed_at"]);
    assert_ne!(r.body["updated_at"], before["updated_at"]);
    assert_spec("identity", &r.body);

    let r = k
        .put(
            &format!("/admin/identities/{id}"),
            json!({"traits": {"email": "ada@example.com"}, "state": "inactive"}),
        )
        .await;
    assert_eq!(r.body["state"], "inactive");
    assert_ne!(r.body["state_changed_at"], before["state_changed_at"]);

    let empty = support::send(
        k.http
            .put(k.url(&format!("/admin/identities/{id}")))
            .header("content-type", "application/json"),
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.reason().contains("Content-Length\" is zero"));
}

#[tokio::test]
async fn delete_is_hard_and_cascades_to_sessions() {
    let k = kratos().await;
    let id = demo_id("grace.hopper@example.com");
    let sessions = k.get(&format!("/admin/identities/{id}/sessions")).await;
    assert!(!sessions.body.as_array().unwrap().is_empty());
    let r = k.delete(&format!("/admin/identities/{id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.text.is_empty());
    assert_eq!(
        k.get(&format!("/admin/identities/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k.delete(&format!("/admin/identities/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let sessions = k.get(&format!("/admin/identities/{id}/sessions")).await;
    assert_eq!(sessions.body, json!([]));
    // The email is free again.
    k.create("grace.hopper@example.com").await;
}

#[tokio::test]
async fn batch_patch_creates_per_item_and_always_answers_200() {
    let k = kratos().await;
    let patch_id = "7b0c6d6a-1111-4222-8333-944455556666";
    let r = k
        .patch(
            "/admin/identities",
            json!({"identities": [
                {"create": {"schema_id": "default", "traits": {"email": "batch1@example.com"}}, "patch_id": patch_id},
                {"create": {"schema_id": "default", "traits": {"email": "ada.lovelace@example.com"}}},
                {"create": {"schema_id": "default", "traits": {}}},
                {"patch_id": patch_id}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let items = r.body["identities"].as_array().unwrap();
    // The spec types every entry as an object; Kratos sends `null` for a patch without
    // `create` (api/kratos.md §2.4), so only the object entries are checked against it.
    for item in items.iter().filter(|i| !i.is_null()) {
        assert_spec("identityPatchResponse", item);
    }
    assert_eq!(items[0]["action"], "create");
    assert_eq!(items[0]["patch_id"], patch_id);
    let id = items[0]["identity"].as_str().unwrap();
    assert_eq!(
        k.get(&format!("/admin/identities/{id}")).await.body["traits"]["email"],
        "batch1@example.com"
    );
    assert_eq!(items[1]["action"], "error");
    assert_eq!(items[1]["error"]["code"], 409);
    assert_eq!(items[2]["action"], "error");
    assert_eq!(items[2]["error"]["code"], 400);
    assert_eq!(items[3], Value::Null, "a patch without create yields null");

    // An invalid state fails the whole batch and stores nothing.
    let r = k
        .patch(
            "/admin/identities",
            json!({"identities": [
                {"create": {"schema_id": "default", "traits": {"email": "batch2@example.com"}}},
                {"create": {"schema_id": "default", "traits": {"email": "batch3@example.com"}, "state": "nope"}}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let found = k
        .get("/admin/identities?credentials_identifier=batch2@example.com")
        .await;
    assert_eq!(found.body, json!([]));
    let too_many: Vec<Value> = (0..1001)
        .map(|n| json!({"create": {"schema_id": "default", "traits": {"email": format!("m{n}@example.com")}}}))
        .collect();
    let r = k
        .patch("/admin/identities", json!({"identities": too_many}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
