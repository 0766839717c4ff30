//! `--generate N`: N synthetic identities (password credential, verifiable and recovery
//! address) and about N sessions, with deterministic ids, bulk-inserted in one transaction.
//!
//! Generated rows store only their counter (`gen`) plus the indexed columns; reads rebuild
//! the identity or session from it with the pure functions below, and the first write stores
//! a real document. That keeps a million records to a few hundred MB and a few seconds. The
//! rows skip `build_identity` (per-row schema validation would dominate); a unit test pins
//! that a generated identity is exactly what the schema would derive.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};
use serde_json::json;
use uuid::Uuid;

use super::model::{Credential, Identity, RecoveryAddress, VerifiableAddress};
use super::sessions::{Device, Session};
use crate::db;

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

/// The unique keys every generated identity claims (its e-mail as password identifier,
/// recovery and verifiable address), as `store::unique_keys` would list them.
const GENERATED_KEY_KINDS: [&str; 3] = ["c:password", "r:email", "v:email"];

fn email(n: u64) -> String {
    format!("user{n:07}@gen.example.com")
}

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

fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_704_067_200, 0).unwrap_or_default() // 2024-01-01T00:00:00Z
}

/// Generated identity number `n`; a pure function, so rows store only `n` (see `store`).
pub fn synthetic_identity(n: u64) -> Identity {
    let epoch = epoch();
    let id = derived_uuid(1, n);
    let first = FIRST[(n % FIRST.len() as u64) as usize];
    let last = LAST[(mix(n) % LAST.len() as u64) as usize];
    let email = email(n);
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
            verified: !n.is_multiple_of(3),
            via: "email".into(),
            status: if !n.is_multiple_of(3) {
                "completed"
            } else {
                "pending"
            }
            .into(),
            verified_at: (!n.is_multiple_of(3)).then_some(at),
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

/// When generated session `n` was created, relative to the generation time.
fn session_created(n: u64, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::seconds((n % (86_400 * 30)) as i64)
        - Duration::microseconds((n % 1_000_000) as i64)
}

/// Generated session `n`, rebuilt from its stored columns.
pub fn stored_session(
    n: u64,
    active: bool,
    expires_at: DateTime<Utc>,
    created: DateTime<Utc>,
) -> Session {
    Session {
        id: derived_uuid(4, n),
        identity_id: derived_uuid(1, n),
        active,
        expires_at,
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
    // One huge transaction in WAL mode writes every page twice (WAL, then checkpoint); a
    // rollback journal only has to save the few pre-existing pages it touches. The rows are
    // consistent by construction, so per-row foreign-key probes are skipped as well. Both
    // settings are restored whatever happens.
    // A larger page cache keeps the randomly ordered index (session ids) in memory.
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    conn.pragma_update(None, "cache_size", -262_144)?;
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    let result = insert_range(conn, done, n);
    conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |_| Ok(()))?;
    conn.pragma_update(None, "cache_size", cache)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    result
}

/// Each table is filled in the order of its main index, so most b-tree inserts append
/// instead of landing on a random page: identities by id, key rows by (kind, value) (the
/// zero-padded counter in the e-mail sorts like the counter), sessions by counter, which
/// follows their creation time.
fn insert_range(conn: &mut Connection, done: u64, n: u64) -> anyhow::Result<()> {
    let now = super::model::now();
    let mut by_id: Vec<(Uuid, u64)> = (done..n).map(|i| (derived_uuid(1, i), i)).collect();
    by_id.sort_unstable();
    let tx = conn.transaction()?;
    {
        let mut ins_identity =
            tx.prepare("INSERT INTO kratos_identities (id, gen) VALUES (?1, ?2)")?;
        for (id, i) in &by_id {
            ins_identity.execute(params![id.to_string(), *i as i64])?;
        }
        let mut ins_key =
            tx.prepare("INSERT INTO kratos_keys (kind, value, identity_id) VALUES (?1, ?2, ?3)")?;
        for kind in GENERATED_KEY_KINDS {
            for i in done..n {
                ins_key.execute(params![kind, email(i), derived_uuid(1, i).to_string()])?;
            }
        }
        let mut ins_session = tx.prepare(
            "INSERT INTO kratos_sessions (id, identity_id, created_at, active, expires_at, gen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for i in done..n {
            let created = session_created(i, now);
            let expires = if i % 7 == 0 {
                created
            } else {
                now + Duration::hours(24)
            };
            ins_session.execute(params![
                derived_uuid(4, i).to_string(),
                derived_uuid(1, i).to_string(),
                created.timestamp_micros(),
                i % 10 != 0,
                expires.timestamp_micros(),
                i as i64
            ])?;
        }
    }
    db::meta_set(&tx, META_KEY, &n.to_string())?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::store::unique_keys;
    use super::*;

    #[test]
    fn derived_ids_are_distinct_and_stable() {
        let a: std::collections::HashSet<Uuid> = (0..10_000).map(|n| derived_uuid(1, n)).collect();
        assert_eq!(a.len(), 10_000);
        assert_eq!(derived_uuid(1, 42), derived_uuid(1, 42));
        assert_ne!(derived_uuid(1, 42), derived_uuid(4, 42));
    }

    #[test]
    fn generated_keys_are_the_identity_unique_keys() {
        for n in [0, 7, 123_456] {
            let want: Vec<(String, String)> = GENERATED_KEY_KINDS
                .iter()
                .map(|k| (k.to_string(), email(n)))
                .collect();
            assert_eq!(unique_keys(&synthetic_identity(n)), want);
        }
    }

    #[test]
    fn synthetic_identity_matches_what_the_schema_derives() {
        let epoch = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let generated = synthetic_identity(7);
        let schema = super::super::schemas::find("default").unwrap();
        schema.validate(&generated.traits).unwrap();
        let mut derived = generated.clone();
        schema.derive(&mut derived, epoch);
        assert_eq!(derived, generated);
    }
}
