//! SQLite storage of Coassemble clients, users (keyed by client + identifier; a null client
//! is a workspace-level user) and the courses they authored.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Map, Value, json};

use super::paging::{PageReq, ordinal_at_rank, record_gap};
use crate::now_iso;

pub const CLIENTS: &str = "clients";
pub const USERS: &str = "users";

pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS hl_clients (
             ord INTEGER PRIMARY KEY AUTOINCREMENT,
             identifier TEXT NOT NULL UNIQUE,
             metadata TEXT NOT NULL,
             created TEXT NOT NULL,
             updated TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS hl_users (
             ord INTEGER PRIMARY KEY AUTOINCREMENT,
             identifier TEXT NOT NULL,
             client_identifier TEXT,
             metadata TEXT NOT NULL,
             test_mode INTEGER NOT NULL DEFAULT 0,
             created TEXT NOT NULL,
             updated TEXT NOT NULL
         );
         CREATE UNIQUE INDEX IF NOT EXISTS hl_users_key
             ON hl_users (identifier, ifnull(client_identifier, ''));
         CREATE INDEX IF NOT EXISTS hl_users_client ON hl_users (client_identifier, ord);
         CREATE TABLE IF NOT EXISTS hl_gaps (
             kind TEXT NOT NULL,
             ord INTEGER NOT NULL,
             PRIMARY KEY (kind, ord)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS hl_courses (
             id INTEGER PRIMARY KEY,
             title TEXT NOT NULL,
             identifier TEXT NOT NULL,
             client_identifier TEXT,
             deleted INTEGER NOT NULL DEFAULT 0
         );
         CREATE INDEX IF NOT EXISTS hl_courses_owner
             ON hl_courses (identifier, client_identifier);",
    )
}

fn parse_object(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    pub ord: i64,
    pub identifier: String,
    pub metadata: Map<String, Value>,
    pub created: String,
    pub updated: String,
}

const CLIENT_COLUMNS: &str = "ord, identifier, metadata, created, updated";

fn client_from_row(r: &Row<'_>) -> rusqlite::Result<Client> {
    Ok(Client {
        ord: r.get(0)?,
        identifier: r.get(1)?,
        metadata: parse_object(&r.get::<_, String>(2)?),
        created: r.get(3)?,
        updated: r.get(4)?,
    })
}

pub fn client_json(conn: &Connection, c: &Client) -> rusqlite::Result<Value> {
    let users: i64 = conn
        .prepare_cached("SELECT count(*) FROM hl_users WHERE client_identifier = ?1")?
        .query_row(params![c.identifier], |r| r.get(0))?;
    Ok(json!({
        "clientIdentifier": c.identifier,
        "userCount": users,
        "metadata": c.metadata,
        "created": c.created,
        "updated": c.updated,
    }))
}

pub fn get_client(conn: &Connection, identifier: &str) -> rusqlite::Result<Option<Client>> {
    conn.prepare_cached(&format!(
        "SELECT {CLIENT_COLUMNS} FROM hl_clients WHERE identifier = ?1"
    ))?
    .query_row(params![identifier], client_from_row)
    .optional()
}

pub fn list_clients(conn: &Connection, req: PageReq) -> rusqlite::Result<Vec<Client>> {
    let Some(rank) = req.first_rank() else {
        return Ok(Vec::new());
    };
    let start = ordinal_at_rank(conn, CLIENTS, rank)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CLIENT_COLUMNS} FROM hl_clients WHERE ord >= ?1 ORDER BY ord LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![start, req.length as i64], client_from_row)?;
    rows.collect()
}

/// Insert a client if it does not exist yet (embed URLs create clients implicitly).
pub fn ensure_client(
    conn: &Connection,
    identifier: &str,
    metadata: &Map<String, Value>,
    created: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO hl_clients (identifier, metadata, created, updated)
         VALUES (?1, ?2, ?3, ?3)",
    )?
    .execute(params![
        identifier,
        Value::Object(metadata.clone()).to_string(),
        created
    ])?;
    Ok(())
}

pub fn replace_client_metadata(
    conn: &Connection,
    identifier: &str,
    metadata: &Map<String, Value>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE hl_clients SET metadata = ?2, updated = ?3 WHERE identifier = ?1",
        params![
            identifier,
            Value::Object(metadata.clone()).to_string(),
            now_iso()
        ],
    )?;
    Ok(())
}

/// Remove a client with its users and their courses, recording the freed ordinals.
pub fn delete_client(conn: &mut Connection, client: &Client) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut ords = tx.prepare("SELECT ord FROM hl_users WHERE client_identifier = ?1")?;
        let freed: Vec<i64> = ords
            .query_map(params![client.identifier], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for ord in freed {
            record_gap(&tx, USERS, ord)?;
        }
    }
    tx.execute(
        "DELETE FROM hl_users WHERE client_identifier = ?1",
        params![client.identifier],
    )?;
    tx.execute(
        "DELETE FROM hl_courses WHERE client_identifier = ?1",
        params![client.identifier],
    )?;
    tx.execute("DELETE FROM hl_clients WHERE ord = ?1", params![client.ord])?;
    record_gap(&tx, CLIENTS, client.ord)?;
    tx.commit()
}

#[derive(Debug, Clone)]
pub struct User {
    pub ord: i64,
    pub identifier: String,
    pub client: Option<String>,
    pub metadata: Map<String, Value>,
    pub test_mode: bool,
    pub created: String,
    pub updated: String,
}

impl User {
    /// `name` and `avatar` live in metadata and are echoed at the top level.
    pub fn to_json(&self) -> Value {
        let shorthand = |k: &str| match self.metadata.get(k) {
            Some(Value::String(s)) => Value::String(s.clone()),
            _ => Value::Null,
        };
        json!({
            "identifier": self.identifier,
            "clientIdentifier": self.client,
            "metadata": self.metadata,
            "name": shorthand("name"),
            "avatar": shorthand("avatar"),
            "testMode": self.test_mode,
            "created": self.created,
            "updated": self.updated,
        })
    }
}

const USER_COLUMNS: &str =
    "ord, identifier, client_identifier, metadata, test_mode, created, updated";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        ord: r.get(0)?,
        identifier: r.get(1)?,
        client: r.get(2)?,
        metadata: parse_object(&r.get::<_, String>(3)?),
        test_mode: r.get(4)?,
        created: r.get(5)?,
        updated: r.get(6)?,
    })
}

/// Users with this identifier: in one client (`Some("")` = workspace level) or in any.
pub fn find_users(
    conn: &Connection,
    identifier: &str,
    client: Option<&str>,
) -> rusqlite::Result<Vec<User>> {
    match client {
        Some(c) => conn
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM hl_users
                 WHERE identifier = ?1 AND ifnull(client_identifier, '') = ?2"
            ))?
            .query_map(params![identifier, c], user_from_row)?
            .collect(),
        None => conn
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM hl_users WHERE identifier = ?1 ORDER BY ord"
            ))?
            .query_map(params![identifier], user_from_row)?
            .collect(),
    }
}

/// A page of all users (ordinal range) or of one client's users (`Some("")`: the
/// workspace-level ones). Per-client pages use OFFSET over the (client_identifier, ord)
/// index: a tenant holds few users compared with the workspace, so that scan stays short.
pub fn list_users(
    conn: &Connection,
    client: Option<&str>,
    req: PageReq,
) -> rusqlite::Result<Vec<User>> {
    let Some(rank) = req.first_rank() else {
        return Ok(Vec::new());
    };
    match client {
        None => {
            let start = ordinal_at_rank(conn, USERS, rank)?;
            conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM hl_users WHERE ord >= ?1 ORDER BY ord LIMIT ?2"
            ))?
            .query_map(params![start, req.length as i64], user_from_row)?
            .collect()
        }
        Some(c) => conn
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM hl_users WHERE client_identifier IS ?1
                 ORDER BY ord LIMIT ?2 OFFSET ?3"
            ))?
            .query_map(
                params![Some(c).filter(|c| !c.is_empty()), req.length as i64, rank],
                user_from_row,
            )?
            .collect(),
    }
}

pub fn insert_user(conn: &Connection, user: &User) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO hl_users (identifier, client_identifier, metadata, test_mode, created, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        user.identifier,
        user.client,
        Value::Object(user.metadata.clone()).to_string(),
        user.test_mode,
        user.created,
        user.updated
    ])?;
    Ok(())
}

/// Save metadata and client of `user` (by ordinal); courses follow a user that moves.
pub fn save_user(
    conn: &mut Connection,
    user: &User,
    old_client: Option<&str>,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE hl_users SET client_identifier = ?2, metadata = ?3, updated = ?4 WHERE ord = ?1",
        params![
            user.ord,
            user.client,
            Value::Object(user.metadata.clone()).to_string(),
            user.updated
        ],
    )?;
    if old_client != user.client.as_deref() {
        tx.execute(
            "UPDATE hl_courses SET client_identifier = ?3
             WHERE identifier = ?1 AND ifnull(client_identifier, '') = ifnull(?2, '')",
            params![user.identifier, old_client, user.client],
        )?;
    }
    tx.commit()
}

/// What happens to the courses of a deleted user.
pub enum CourseAction {
    Ignore,
    Delete,
    Reallocate(String),
}

pub fn delete_user(
    conn: &mut Connection,
    user: &User,
    action: &CourseAction,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let owner = "identifier = ?1 AND ifnull(client_identifier, '') = ifnull(?2, '')";
    match action {
        CourseAction::Ignore => {}
        // Course deletion in Coassemble is a soft delete that can be restored.
        CourseAction::Delete => {
            tx.execute(
                &format!("UPDATE hl_courses SET deleted = 1 WHERE {owner}"),
                params![user.identifier, user.client],
            )?;
        }
        CourseAction::Reallocate(to) => {
            tx.execute(
                &format!("UPDATE hl_courses SET identifier = ?3 WHERE {owner}"),
                params![user.identifier, user.client, to],
            )?;
        }
    }
    tx.execute("DELETE FROM hl_users WHERE ord = ?1", params![user.ord])?;
    record_gap(&tx, USERS, user.ord)?;
    tx.commit()
}

pub fn count_clients(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM hl_clients", [], |r| r.get(0))
}
