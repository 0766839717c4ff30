//! `--generate N`: N deterministic users (ids and timestamps derived from a counter) with one
//! or two credentials each, in one transaction with prepared statements. Idempotent: the
//! count already generated is kept in `sandbox_meta`, and a larger N only adds the rest.

use chrono::{Duration, TimeZone, Utc};
use rusqlite::{Connection, params};

use crate::db::{meta_get, meta_set};
use crate::iso_millis;

const META_KEY: &str = "core.generated";
const GIVEN: [&str; 8] = [
    "Aroha", "Ben", "Chen", "Dana", "Emeka", "Freya", "Giulia", "Hemi",
];
const FAMILY: [&str; 8] = [
    "Ngata", "Smith", "Wang", "Kowalski", "Okafor", "Larsen", "Rossi", "Parata",
];
const CITIES: [&str; 5] = ["Auckland", "Wellington", "Sydney", "Melbourne", "Dunedin"];
const TYPES: [&str; 3] = [
    "CourseCredential",
    "EmployeeCredential",
    "MembershipCredential",
];
const PROFILES: [&str; 4] = ["web-semantic", "compact", "mobile", "compact-semantic"];

pub fn user_id(i: u64) -> String {
    format!("6e000000-0000-4000-8000-{i:012x}")
}

fn credential_id(i: u64, k: u64) -> String {
    format!("6c00000{k}-0000-4000-8000-{i:012x}")
}

pub fn generate(conn: &mut Connection, n: u64) -> anyhow::Result<()> {
    let done: u64 = meta_get(conn, META_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if done >= n {
        return Ok(());
    }
    let base = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("valid constant date");
    let tx = conn.transaction()?;
    {
        let mut users = tx.prepare(
            "INSERT OR IGNORE INTO core_users (id, created_at, claims, auth_provider, subject_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut creds = tx.prepare(
            "INSERT OR IGNORE INTO core_credentials (id, user_id, created_at, body)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for i in done..n {
            let id = user_id(i);
            // A second apart: strictly increasing, so creation order is also keyset order.
            let created = iso_millis(&(base + Duration::seconds(i as i64)));
            let given = GIVEN[(i % 8) as usize];
            let family = FAMILY[((i / 8) % 8) as usize];
            let city = CITIES[(i % 5) as usize];
            let claims = format!(
                r#"{{"given_name":"{given}","family_name":"{family}","email":"user{i}@example.test","address":{{"locality":"{city}","postal_code":"{:04}"}}}}"#,
                i % 10000
            );
            let (provider, subject) = if i % 4 == 0 {
                let subject = format!("generated-idp|{i}");
                (
                    Some(format!(
                        r#"{{"providerId":"41458e5a-9092-40b7-9a26-d4eb43c5792f","url":"https://idp.example.test","subjectId":"{subject}"}}"#
                    )),
                    Some(subject),
                )
            } else {
                (None, None)
            };
            users.execute(params![id, created, claims, provider, subject])?;
            let count = if i % 3 == 0 { 2 } else { 1 };
            for k in 0..count {
                let cid = credential_id(i, k);
                let body = format!(
                    r#"{{"id":"{cid}","type":"{}","profile":"{}","status":"valid","issuedDate":"{created}","validFrom":"{created}","validUntil":"2030-01-01T00:00:00.000Z"}}"#,
                    TYPES[((i + k) % 3) as usize],
                    PROFILES[((i + k) % 4) as usize]
                );
                creds.execute(params![cid, id, created, body])?;
            }
        }
    }
    meta_set(&tx, META_KEY, &n.to_string())?;
    tx.commit()?;
    Ok(())
}
