//! A Kratos page of 500 identities (as the sandbox serves them) made into table rows: the
//! rows a walk builds per page. `value_tree` is the former path (each record decoded into
//! a `serde_json::Value`, then typed); `compact` reads only the shown fields and keeps the
//! bytes. Splitting the page into records is the same for both and left out.

use idtui::api::Identity;
use idtui::runtime::rows::{identity_record_row, identity_row};
use serde_json::json;

fn main() {
    divan::main();
}

fn records() -> Vec<Vec<u8>> {
    (0..500)
        .map(|i| {
            let email = format!("user{i:07}@gen.example.com");
            let id = format!("0000{i:04x}-0a17-4e9d-ad9c-770a0f6c55ce");
            let address = |verified: bool| {
                json!({"id": id, "value": email, "verified": verified, "via": "email",
                       "status": "completed", "verified_at": "2024-01-02T14:34:11Z",
                       "created_at": "2024-01-02T14:34:11Z", "updated_at": "2024-01-02T14:34:11Z"})
            };
            serde_json::to_vec(&json!({
                "id": id, "schema_id": "default",
                "schema_url": "http://127.0.0.1:4455/schemas/ZGVmYXVsdA",
                "state": "active", "state_changed_at": "2024-01-02T14:34:11Z",
                "traits": {"email": email, "name": {"first": "Lena", "last": "Novak"}},
                "verifiable_addresses": [address(true)],
                "recovery_addresses": [address(false)],
                "metadata_public": {"plan": "enterprise"}, "metadata_admin": null,
                "created_at": "2024-01-02T14:34:11Z", "updated_at": "2024-01-02T14:34:11Z",
                "organization_id": null
            }))
            .unwrap()
        })
        .collect()
}

#[divan::bench]
fn value_tree(b: divan::Bencher) {
    let page = records();
    b.bench(|| {
        page.iter()
            .map(|r| {
                let v: serde_json::Value = serde_json::from_slice(r).unwrap();
                identity_row(Identity::from_json(v))
            })
            .collect::<Vec<_>>()
    });
}

#[divan::bench]
fn compact(b: divan::Bencher) {
    let page = records();
    b.bench(|| {
        page.iter()
            .map(|r| identity_record_row(r.clone().into_boxed_slice()))
            .collect::<Vec<_>>()
    });
}
