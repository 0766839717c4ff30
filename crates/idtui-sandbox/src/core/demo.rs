//! Demo users from `assets/core/demo.json`, compiled in so the binary works anywhere.

use anyhow::{Context, bail};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;

use super::store::{self, StoredCredential, StoredUser};

const DEMO: &str = include_str!("../../assets/core/demo.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoFile {
    users: Vec<DemoUser>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoUser {
    id: String,
    created_at: String,
    claims: Value,
    authentication_provider: Option<Value>,
    #[serde(default)]
    credentials: Vec<Value>,
}

/// Load the demo users, but only into an empty table so a restart keeps edits.
pub fn seed_demo(conn: &mut Connection) -> anyhow::Result<()> {
    if store::user_count(conn)? > 0 {
        return Ok(());
    }
    let demo: DemoFile = serde_json::from_str(DEMO).context("assets/core/demo.json")?;
    let tx = conn.transaction()?;
    for u in demo.users {
        let user = StoredUser {
            id: u.id,
            created_at: u.created_at,
            claims: u.claims,
            auth_provider: u.authentication_provider,
        };
        store::insert_user(&tx, &user)?;
        for body in u.credentials {
            let Some(id) = body.get("id").and_then(Value::as_str) else {
                bail!("demo credential of user {} has no id", user.id);
            };
            let created_at = body
                .get("issuedDate")
                .and_then(Value::as_str)
                .unwrap_or(&user.created_at)
                .to_string();
            let cred = StoredCredential {
                id: id.to_string(),
                created_at,
                body,
            };
            store::insert_credential(&tx, &user.id, &cred)?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_file_parses_and_ids_are_uuids() {
        let demo: DemoFile = serde_json::from_str(DEMO).unwrap();
        assert!(demo.users.len() >= 24);
        for u in &demo.users {
            assert!(uuid::Uuid::parse_str(&u.id).is_ok(), "{}", u.id);
            assert!(chrono::DateTime::parse_from_rfc3339(&u.created_at).is_ok());
        }
    }
}
