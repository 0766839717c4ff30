//! The `hl_courses` table: just enough of Coassemble's courses (owner identifier and
//! client, soft-delete flag) to make the `action` of a user delete observable.

use rusqlite::{Connection, params};
use serde_json::{Value, json};

pub fn insert_course(
    conn: &Connection,
    id: i64,
    title: &str,
    identifier: &str,
    client: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO hl_courses (id, title, identifier, client_identifier)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, title, identifier, client])?;
    Ok(())
}

pub fn list_courses(
    conn: &Connection,
    identifier: Option<&str>,
    client: Option<&str>,
) -> rusqlite::Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, title, identifier, client_identifier, deleted FROM hl_courses
         WHERE (?1 IS NULL OR identifier = ?1) AND (?2 IS NULL OR client_identifier = ?2)
         ORDER BY id LIMIT 1000",
    )?;
    let rows = stmt.query_map(params![identifier, client], |r| {
        Ok(json!({
            "id": r.get::<_, i64>(0)?,
            "title": r.get::<_, String>(1)?,
            "identifier": r.get::<_, String>(2)?,
            "clientIdentifier": r.get::<_, Option<String>>(3)?,
            "deleted": r.get::<_, bool>(4)?,
        }))
    })?;
    rows.collect()
}

pub fn next_course_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT ifnull(max(id), 0) + 1 FROM hl_courses", [], |r| {
        r.get(0)
    })
}
