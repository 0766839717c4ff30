//! `--generate N`: N deterministic users across ceil(N/100) clients (ids derived from a
//! counter), in one transaction with prepared statements. Idempotent through `sandbox_meta`:
//! a larger N only adds the rest.

use rusqlite::{Connection, params};

use crate::db::{meta_get, meta_set};

const META_KEY: &str = "headless.generated";
const USERS_PER_CLIENT: u64 = 100;
const PLANS: [&str; 3] = ["starter", "growth", "enterprise"];
const REGIONS: [&str; 4] = ["au", "nz", "eu", "us"];
const NAMES: [&str; 6] = ["Alex", "Bo", "Carmen", "Deepa", "Eru", "Farah"];

pub fn generate(conn: &mut Connection, n: u64) -> anyhow::Result<()> {
    let done: u64 = meta_get(conn, META_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if done >= n {
        return Ok(());
    }
    let created = "2025-01-01T00:00:00.000Z";
    let tx = conn.transaction()?;
    {
        let mut clients = tx.prepare(
            "INSERT OR IGNORE INTO hl_clients (identifier, metadata, created, updated)
             VALUES (?1, ?2, ?3, ?3)",
        )?;
        let mut users = tx.prepare(
            "INSERT OR IGNORE INTO hl_users
                 (identifier, client_identifier, metadata, test_mode, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?;
        for i in done..n {
            let c = i / USERS_PER_CLIENT;
            let client = format!("tenant-{c:06}");
            if i % USERS_PER_CLIENT == 0 || i == done {
                let meta = format!(
                    r#"{{"plan":"{}","region":"{}","contact":{{"email":"admin@tenant-{c}.example.test"}},"seats":{}}}"#,
                    PLANS[(c % 3) as usize],
                    REGIONS[(c % 4) as usize],
                    50 + c % 200
                );
                clients.execute(params![client, meta, created])?;
            }
            let name = NAMES[(i % 6) as usize];
            let meta = format!(
                r#"{{"name":"{name} {i}","email":"learner{i}@tenant-{c}.example.test","role":"{}"}}"#,
                if i % 10 == 0 { "author" } else { "learner" }
            );
            users.execute(params![
                format!("u{i:07}"),
                client,
                meta,
                i % 50 == 0,
                created
            ])?;
        }
    }
    meta_set(&tx, META_KEY, &n.to_string())?;
    tx.commit()?;
    Ok(())
}
