//! `--generate N`: N synthetic identities (password credential, verifiable and recovery
//! address) and about N sessions, with deterministic ids, bulk-inserted in one transaction.
//!
//! The documents are written directly (not through `build_identity`) because per-row schema
//! validation would dominate at a million rows; the shape is pinned by a test that compares
//! a generated identity with one created through the API path.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};
use serde_json::json;
use uuid::Uuid;

use super::model::{Credential, Identity, RecoveryAddress, VerifiableAddress};
use super::sessions::{Device, Session};
use super::store::unique_keys;
use crate::sandbox::db;

const META_KEY: &str = "kratos.generated";
const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloé", "Dara", "Elif", "Femi", "Gita", "Hugo", "Ines", "Jun", "Kai", "Lena",
    "Mateo", "Nia", "Omar", "Pia", "Quinn", "Rhea", "Sven", "Tariq", "Uma", "Vik", "Wen", "Yara",
];
const LAST: &[&str] = &[
    "Adler", "Bauer", "Costa", "Dubois", "Evans", "Fischer", "García", "Haddad", "Ito", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Patel", "Rossi", "Sato", "Tanaka", "Weber",
];
const PLANS: [&str; 3] = ["free", "team", "enterprise"];
const HASH: &str = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

/// SplitMix64: a bijective mixer, so distinct counters give distinct, well-spread ids.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A v4-shaped UUID derived from `(stream, n)`; the streams keep identity, address, session
/// and device ids apart.
pub fn derived_uuid(stream: u64, n: u64) -> Uuid {
    let hi = mix(n ^ (stream << 56));
    let lo = mix(hi ^ stream.wrapping_mul(0xA24B_AED4_963E_E407));
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn synthetic_identity(n: u64, epoch: DateTime<Utc>) -> Identity {
    let id = derived_uuid(1, n);
    let first = FIRST[(n % FIRST.len() as u64) as usize];
    let last = LAST[(mix(n) % LAST.len() as u64) as usize];
    let email = format!("user{n:07}@gen.example.com");
    let at = epoch + Duration::seconds(n as i64);
    Identity {
        id,
        external_id: None,
        credentials: [(
            "password".to_owned(),
            Credential {
                kind: "password".into(),
                identifiers: vec![email.clone()],
                config: json!({ "hashed_password": HASH }),
                version: 0,
                created_at: at,
                updated_at: at,
            },
        )]
        .into(),
        schema_id: "default".into(),
        state: if n % 50 == 49 { "inactive" } else { "active" }.into(),
        state_changed_at: Some(at),
        traits: json!({ "email": email, "name": { "first": first, "last": last } }),
        verifiable_addresses: vec![VerifiableAddress {
            id: derived_uuid(2, n),
            value: email.clone(),
            verified: n % 3 != 0,
            via: "email".into(),
            status: if n % 3 != 0 { "completed" } else { "pending" }.into(),
            verified_at: (n % 3 != 0).then_some(at),
            created_at: at,
            updated_at: at,
        }],
        recovery_addresses: vec![RecoveryAddress {
            id: derived_uuid(3, n),
            value: email,
            via: "email".into(),
            created_at: at,
            updated_at: at,
        }],
        metadata_public: json!({ "plan": PLANS[(n % 3) as usize] }),
        metadata_admin: serde_json::Value::Null,
        created_at: at,
        updated_at: at,
        organization_id: None,
    }
}

fn synthetic_session(n: u64, identity: &Identity, now: DateTime<Utc>) -> Session {
    let created = now
        - Duration::seconds((n % 86_400 * 30) as i64)
        - Duration::microseconds(n as i64 % 1_000_000);
    Session {
        id: derived_uuid(4, n),
        identity_id: identity.id,
        active: n % 10 != 0,
        expires_at: if n % 7 == 0 {
            created
        } else {
            now + Duration::hours(24)
        },
        authenticated_at: created,
        authenticator_assurance_level: "aal1".into(),
        authentication_methods: json!([{ "method": "password", "aal": "aal1",
            "completed_at": super::model::rfc3339(&created) }]),
        issued_at: created,
        created_at: created,
        devices: vec![Device {
            id: derived_uuid(5, n),
            ip_address: Some(format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255)),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) idtui-generated".into()),
            location: None,
        }],
    }
}

/// Add synthetic identities until `n` exist from earlier runs plus this one; a second run
/// with the same `n` adds nothing.
pub fn generate(conn: &mut Connection, n: u64) -> anyhow::Result<()> {
    let done: u64 = db::meta_get(conn, META_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if done >= n {
        return Ok(());
    }
    let epoch = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")?.with_timezone(&Utc);
    let now = super::model::now();
    let tx = conn.transaction()?;
    {
        let mut ins_identity = tx.prepare(
            "INSERT INTO kratos_identities (id, organization_id, doc) VALUES (?1, NULL, ?2)",
        )?;
        let mut ins_key =
            tx.prepare("INSERT INTO kratos_keys (kind, value, identity_id) VALUES (?1, ?2, ?3)")?;
        let mut ins_session = tx.prepare(
            "INSERT INTO kratos_sessions (id, identity_id, created_at, active, expires_at, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for i in done..n {
            let identity = synthetic_identity(i, epoch);
            let id = identity.id.to_string();
            ins_identity.execute(params![id, serde_json::to_string(&identity)?])?;
            for (kind, value) in unique_keys(&identity) {
                ins_key.execute(params![kind, value, id])?;
            }
            let s = synthetic_session(i, &identity, now);
            ins_session.execute(params![
                s.id.to_string(),
                id,
                s.created_at.timestamp_micros(),
                s.active,
                s.expires_at.timestamp_micros(),
                serde_json::to_string(&s)?
            ])?;
        }
    }
    db::meta_set(&tx, META_KEY, &n.to_string())?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_distinct_and_stable() {
        let a: std::collections::HashSet<Uuid> = (0..10_000).map(|n| derived_uuid(1, n)).collect();
        assert_eq!(a.len(), 10_000);
        assert_eq!(derived_uuid(1, 42), derived_uuid(1, 42));
        assert_ne!(derived_uuid(1, 42), derived_uuid(4, 42));
    }

    #[test]
    fn synthetic_identity_matches_what_the_schema_derives() {
        let epoch = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let generated = synthetic_identity(7, epoch);
        let schema = super::super::schemas::find("default").unwrap();
        schema.validate(&generated.traits).unwrap();
        let mut derived = generated.clone();
        schema.derive(&mut derived, epoch);
        assert_eq!(derived, generated);
    }
}
