//! Demo clients, users and courses from `assets/headless/demo.json`, compiled in.

use anyhow::Context;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::courses;
use super::store::{self, User};

const DEMO: &str = include_str!("../../assets/headless/demo.json");

#[derive(Deserialize)]
struct DemoFile {
    clients: Vec<DemoClient>,
    users: Vec<DemoUser>,
    courses: Vec<DemoCourse>,
}

#[derive(Deserialize)]
struct DemoClient {
    identifier: String,
    metadata: Map<String, Value>,
    created: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoUser {
    identifier: String,
    client_identifier: Option<String>,
    metadata: Map<String, Value>,
    #[serde(default)]
    test_mode: bool,
    created: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoCourse {
    id: i64,
    title: String,
    identifier: String,
    client_identifier: Option<String>,
}

/// Load the demo set, but only into an empty workspace so a restart keeps edits.
pub fn seed_demo(conn: &mut Connection) -> anyhow::Result<()> {
    let no_users: i64 = conn.query_row("SELECT count(*) FROM hl_users", [], |r| r.get(0))?;
    if store::count_clients(conn)? > 0 || no_users > 0 {
        return Ok(());
    }
    let demo: DemoFile = serde_json::from_str(DEMO).context("assets/headless/demo.json")?;
    let tx = conn.transaction()?;
    for c in &demo.clients {
        store::ensure_client(&tx, &c.identifier, &c.metadata, &c.created)?;
    }
    for u in demo.users {
        store::insert_user(
            &tx,
            &User {
                ord: 0,
                identifier: u.identifier,
                client: u.client_identifier,
                metadata: u.metadata,
                test_mode: u.test_mode,
                updated: u.created.clone(),
                created: u.created,
            },
        )?;
    }
    for c in demo.courses {
        courses::insert_course(
            &tx,
            c.id,
            &c.title,
            &c.identifier,
            c.client_identifier.as_deref(),
        )?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_users_belong_to_demo_clients() {
        let demo: DemoFile = serde_json::from_str(DEMO).unwrap();
        assert!(demo.users.len() >= 24);
        for u in &demo.users {
            if let Some(c) = &u.client_identifier {
                assert!(demo.clients.iter().any(|k| &k.identifier == c), "{c}");
            }
        }
    }
}
