//! Demo data from `assets/kratos/demo.json`, loaded through the same code path as
//! `POST /admin/identities` so it obeys the schema and derives identifiers and addresses.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::identities::{CreateBody, build_identity};
use super::model::{Device, Session, now};
use super::sessions;
use super::store;

pub const DEMO_JSON: &str = include_str!("../../assets/kratos/demo.json");

#[derive(Deserialize)]
struct DemoFile {
    identities: Vec<DemoIdentity>,
    sessions: Vec<DemoSession>,
}

#[derive(Deserialize)]
struct DemoIdentity {
    id: Uuid,
    created_at: DateTime<Utc>,
    body: Value,
}

/// Session times are relative to load time so "active" demo sessions stay active.
#[derive(Deserialize)]
struct DemoSession {
    id: Uuid,
    identity_id: Uuid,
    active: bool,
    expires_in_hours: i64,
    authenticated_hours_ago: i64,
    aal: String,
    methods: Vec<Value>,
    devices: Vec<Device>,
}

/// Load the demo identities and sessions, but only into an empty identity table, so a
/// restart on the same database keeps whatever the user changed.
pub fn seed_demo(conn: &mut Connection) -> anyhow::Result<()> {
    let existing: i64 =
        conn.query_row("SELECT count(*) FROM kratos_identities", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(());
    }
    let file: DemoFile = serde_json::from_str(DEMO_JSON).context("assets/kratos/demo.json")?;
    let now = now();
    for d in file.identities {
        let body: CreateBody =
            serde_json::from_value(d.body).with_context(|| format!("demo identity {}", d.id))?;
        let mut identity = build_identity(body, d.id, crate::KratosVersion::Latest)
            .map_err(|e| anyhow::anyhow!("demo identity {}: {:?}", d.id, e.reason))?;
        identity.created_at = d.created_at;
        identity.updated_at = d.created_at;
        identity.state_changed_at = Some(d.created_at);
        for c in identity.credentials.values_mut() {
            c.created_at = d.created_at;
            c.updated_at = d.created_at;
        }
        for a in &mut identity.verifiable_addresses {
            a.created_at = d.created_at;
            a.updated_at = d.created_at;
        }
        for a in &mut identity.recovery_addresses {
            a.created_at = d.created_at;
            a.updated_at = d.created_at;
        }
        store::insert(conn, &identity)
            .map_err(|e| anyhow::anyhow!("demo identity {}: {}", d.id, e.message))?;
    }
    let tx = conn.transaction()?;
    for s in file.sessions {
        let authenticated_at = now - Duration::hours(s.authenticated_hours_ago);
        let methods: Vec<Value> = s
            .methods
            .into_iter()
            .map(|mut m| {
                if let Some(o) = m.as_object_mut() {
                    o.insert(
                        "completed_at".into(),
                        Value::String(super::model::rfc3339(&authenticated_at)),
                    );
                }
                m
            })
            .collect();
        let session = Session {
            id: s.id,
            identity_id: s.identity_id,
            active: s.active,
            expires_at: now + Duration::hours(s.expires_in_hours),
            authenticated_at,
            authenticator_assurance_level: s.aal,
            authentication_methods: Value::Array(methods),
            issued_at: authenticated_at,
            created_at: authenticated_at,
            devices: s.devices,
        };
        sessions::insert(&tx, &session).with_context(|| format!("demo session {}", s.id))?;
    }
    tx.commit()?;
    Ok(())
}
