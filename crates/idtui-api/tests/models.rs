//! The typed models: lossless (raw kept, write-back bodies keep unknown fields) and tolerant
//! of missing or oddly typed fields.

use idtui_api::{
    Api, CoreApi, CoreCredential, HeadlessApi, HeadlessClient, HeadlessUser, HeadlessUserUpdate,
    Identity, KratosApi, Session,
};
use serde_json::json;

#[test]
fn clients_can_be_shared_across_tasks() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Api>();
    assert_send_sync_clone::<KratosApi>();
    assert_send_sync_clone::<CoreApi>();
    assert_send_sync_clone::<HeadlessApi>();
}

#[test]
fn identity_update_body_keeps_unknown_fields_and_drops_server_owned_ones() {
    let raw = json!({
        "id": "i1",
        "schema_id": "default",
        "schema_url": "http://x/schemas/ZGVmYXVsdA",
        "state": "active",
        "state_changed_at": "2026-01-01T00:00:00Z",
        "traits": {"email": "a@b.c"},
        "verifiable_addresses": [{"value": "a@b.c"}],
        "recovery_addresses": [{"value": "a@b.c"}],
        "metadata_public": {"plan": "free"},
        "metadata_admin": null,
        "external_id": "crm-1",
        "credentials": {"password": {"type": "password", "identifiers": ["a@b.c"]}},
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T00:00:00Z",
        "organization_id": null,
        "region": "eu-central",
        "future_field": {"x": 1}
    });
    let id = Identity::from_json(raw);
    assert_eq!(
        id.to_update_body(),
        json!({
            "schema_id": "default",
            "state": "active",
            "traits": {"email": "a@b.c"},
            "metadata_public": {"plan": "free"},
            "metadata_admin": null,
            "external_id": "crm-1",
            "region": "eu-central",
            "future_field": {"x": 1}
        })
    );
    assert_eq!(id.display_identifier(), Some("a@b.c"));
    assert_eq!(id.credentials[0].identifiers, ["a@b.c"]);
}

#[test]
fn odd_shapes_leave_typed_fields_empty_instead_of_failing() {
    let id = Identity::from_json(json!({
        "id": 42,
        "state": ["?"],
        "traits": "not an object",
        "credentials": [1, 2],
        "created_at": 1700000000
    }));
    assert_eq!(id.id, "42");
    assert_eq!(id.state, None);
    assert_eq!(id.traits, json!("not an object"));
    assert!(id.credentials.is_empty());
    assert_eq!(id.created_at.as_deref(), Some("1700000000"));
    assert_eq!(id.display_identifier(), None);
    assert!(id.to_update_body().is_object());

    let not_even_an_object = Identity::from_json(json!("x"));
    assert_eq!(not_even_an_object.id, "");
    assert_eq!(not_even_an_object.to_update_body(), json!({"traits": {}}));

    let s = Session::from_json(json!({
        "id": "s1", "active": "yes", "devices": null,
        "authentication_methods": [{"method": "password"}, {"aal": ""}, 7],
        "identity": null
    }));
    assert!(!s.active);
    assert!(s.devices.is_empty());
    assert_eq!(s.methods, ["password"]);
    assert_eq!(s.identity_id, None);

    let c = CoreCredential::from_json(
        json!({"id": "c1", "type": "CourseCredential", "profile": "web-semantic", "offerId": "o"}),
    );
    assert_eq!(c.kind.as_deref(), Some("CourseCredential"));
    assert_eq!(c.raw["offerId"], "o");
}

#[test]
fn headless_clients_may_be_strings_or_objects() {
    let bare = HeadlessClient::from_json(json!("acme"));
    assert_eq!(bare.identifier, "acme");
    assert_eq!(bare.user_count, None);
    let full = HeadlessClient::from_json(json!({
        "clientIdentifier": "acme", "userCount": 3, "metadata": {"tier": "gold"},
        "created": 1700000000000u64, "updated": "2026-01-01T00:00:00Z"
    }));
    assert_eq!(full.user_count, Some(3));
    assert_eq!(full.metadata["tier"], "gold");
    assert_eq!(full.created.as_deref(), Some("1700000000000"));

    let u = HeadlessUser::from_json(json!({
        "identifier": "u1", "clientIdentifier": null, "metadata": {"name": "From Metadata"}
    }));
    assert_eq!(u.client_identifier, None);
    assert_eq!(u.name.as_deref(), Some("From Metadata"));
}

#[test]
fn headless_user_update_sends_only_what_is_set() {
    let upd = HeadlessUserUpdate {
        metadata: Some(json!({"a": 1})),
        name: Some("N".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&upd).unwrap(),
        json!({"metadata": {"a": 1}, "name": "N"})
    );
}
