//! `--generate N`: N synthetic identities (password credential, verifiable and recovery
//! address) and about N sessions, with deterministic ids, bulk-inserted in one transaction.
//!
//! Generated rows store only their counter (`gen`) plus the indexed columns; reads rebuild
//! the identity or session from it with the pure functions of `synthetic`, and the first write stores
//! a real document. That keeps a million records to a few hundred MB and a few seconds. The
//! rows skip `build_identity` (per-row schema validation would dominate); a unit test pins
//! that a generated identity is exactly what the schema would derive.

use chrono::Duration;
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::synthetic::{GENERATED_KEY_KINDS, derived_uuid, email, session_created};
use crate::db;

const META_KEY: &str = "kratos.generated";

/// Add synthetic identities until `n` exist from earlier runs plus this one; a second run
/// with the same `n` adds nothing.
pub fn generate(conn: &mut Connection, n: u64) -> anyhow::Result<()> {
    let done: u64 = db::meta_get(conn, META_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if done >= n {
        return Ok(());
    }
    insert_range(conn, done, n)
}

/// Each table is filled in the order of its main index, so most b-tree inserts append
/// instead of landing on a random page: identities by id, key rows by (kind, value) (the
/// zero-padded counter in the e-mail sorts like the counter), sessions by id, with their
/// two other indexes rebuilt afterwards from sorted rows.
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
        tx.execute_batch(
            "DROP INDEX IF EXISTS kratos_sessions_created;
             DROP INDEX IF EXISTS kratos_sessions_identity;",
        )?;
        let mut ins_session = tx.prepare(
            "INSERT INTO kratos_sessions (id, identity_id, created_at, active, expires_at, gen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        // In id order, so the unique id index only ever appends.
        let mut by_session: Vec<(Uuid, u64)> = (done..n).map(|i| (derived_uuid(4, i), i)).collect();
        by_session.sort_unstable();
        for (sid, i) in by_session {
            let created = session_created(i, now);
            let expires = if i % 7 == 0 {
                created
            } else {
                now + Duration::hours(24)
            };
            ins_session.execute(params![
                sid.to_string(),
                derived_uuid(1, i).to_string(),
                created.timestamp_micros(),
                i % 10 != 0,
                expires.timestamp_micros(),
                i as i64
            ])?;
        }
    }
    tx.execute_batch(super::store::SESSION_INDEXES)?;
    db::meta_set(&tx, META_KEY, &n.to_string())?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::super::store::unique_keys;
    use super::super::synthetic::synthetic_identity;
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
