//! SQLite storage of MATTR users and their credential metadata. Users are kept in a
//! `WITHOUT ROWID` table with an index on (created_at, id), so every list page is one index
//! range read no matter how deep the cursor is. Credentials are clustered by their only
//! access path, (user_id, created_at, id), and only users linked to an identity provider
//! are in the subject index: fewer B-trees keep `--generate 1000000` fast.

use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use serde_json::{Map, Value, json};

use super::pagination::After;
use super::search::{Criteria, string_leaves};
use crate::iso_millis;

pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS core_users (
             id TEXT PRIMARY KEY,
             created_at TEXT NOT NULL,
             claims TEXT NOT NULL,
             auth_provider TEXT,
             subject_id TEXT
         ) WITHOUT ROWID;
         CREATE INDEX IF NOT EXISTS core_users_keyset ON core_users (created_at, id);
         CREATE INDEX IF NOT EXISTS core_users_linked
             ON core_users (subject_id, created_at, id) WHERE subject_id IS NOT NULL;
         -- The dashboard looks people up by email claim; without this a search on a
         -- million users scans them all.
         CREATE INDEX IF NOT EXISTS core_users_email
             ON core_users (json_extract(claims, '$.email'), created_at, id);
         CREATE TABLE IF NOT EXISTS core_credentials (
             user_id TEXT NOT NULL,
             created_at TEXT NOT NULL,
             id TEXT NOT NULL,
             body TEXT NOT NULL,
             PRIMARY KEY (user_id, created_at, id)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS core_events (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL,
             type TEXT NOT NULL,
             category TEXT NOT NULL,
             timestamp TEXT NOT NULL,
             request_id TEXT NOT NULL,
             metadata TEXT NOT NULL,
             data TEXT NOT NULL
         );",
    )
}

/// A user as stored, plus its keyset position.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: String,
    pub created_at: String,
    pub claims: Value,
    pub auth_provider: Option<Value>,
}

impl StoredUser {
    pub fn to_json(&self) -> Value {
        let mut out = json!({ "id": self.id, "claims": self.claims });
        if let Some(p) = &self.auth_provider {
            out["authenticationProvider"] = p.clone();
        }
        out
    }

    pub fn after(&self) -> After {
        After {
            created_at: self.created_at.clone(),
            id: self.id.clone(),
        }
    }

    fn subject_id(&self) -> Option<&str> {
        self.auth_provider
            .as_ref()
            .and_then(|p| p.get("subjectId"))
            .and_then(Value::as_str)
    }
}

const USER_COLUMNS: &str = "id, created_at, claims, auth_provider";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<StoredUser> {
    let claims: String = row.get(2)?;
    let provider: Option<String> = row.get(3)?;
    Ok(StoredUser {
        id: row.get(0)?,
        created_at: row.get(1)?,
        claims: serde_json::from_str(&claims).unwrap_or_else(|_| Value::Object(Map::new())),
        auth_provider: provider.and_then(|p| serde_json::from_str(&p).ok()),
    })
}

pub fn insert_user(conn: &Connection, user: &StoredUser) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO core_users (id, created_at, claims, auth_provider, subject_id)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        user.id,
        user.created_at,
        user.claims.to_string(),
        user.auth_provider.as_ref().map(Value::to_string),
        user.subject_id(),
    ])?;
    Ok(())
}

pub fn update_user(conn: &Connection, user: &StoredUser) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE core_users SET claims = ?2, auth_provider = ?3, subject_id = ?4 WHERE id = ?1",
        params![
            user.id,
            user.claims.to_string(),
            user.auth_provider.as_ref().map(Value::to_string),
            user.subject_id(),
        ],
    )?;
    Ok(())
}

pub fn get_user(conn: &Connection, id: &str) -> rusqlite::Result<Option<StoredUser>> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM core_users WHERE id = ?1"),
        params![id],
        user_from_row,
    )
    .optional()
}

/// Deletes the user and its persisted credential metadata; `false` if there was no such user.
pub fn delete_user(conn: &mut Connection, id: &str) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    tx.execute(
        "DELETE FROM core_credentials WHERE user_id = ?1",
        params![id],
    )?;
    let n = tx.execute("DELETE FROM core_users WHERE id = ?1", params![id])?;
    tx.commit()?;
    Ok(n > 0)
}

pub fn list_users(
    conn: &Connection,
    after: Option<&After>,
    limit: u32,
) -> rusqlite::Result<Vec<StoredUser>> {
    let mut users = Vec::new();
    match after {
        Some(a) => {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM core_users WHERE (created_at, id) > (?1, ?2)
                 ORDER BY created_at, id LIMIT ?3"
            ))?;
            for u in stmt.query_map(params![a.created_at, a.id, limit], user_from_row)? {
                users.push(u?);
            }
        }
        None => {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM core_users ORDER BY created_at, id LIMIT ?1"
            ))?;
            for u in stmt.query_map(params![limit], user_from_row)? {
                users.push(u?);
            }
        }
    }
    Ok(users)
}

/// Walk users in keyset order from `after`, keeping those matching every criterion, until
/// `limit` are found. A `subjectId` criterion narrows the walk to its index; claim string
/// values prefilter with `instr` on the stored JSON text (exact serialisations must occur as
/// substrings), and the exact recursive subset match is done here in Rust.
pub fn search_users(
    conn: &Connection,
    criteria: &Criteria,
    after: Option<&After>,
    limit: u32,
) -> rusqlite::Result<Vec<StoredUser>> {
    let mut sql = format!("SELECT {USER_COLUMNS} FROM core_users WHERE 1=1");
    let mut args: Vec<String> = Vec::new();
    if let Some(subject) = &criteria.subject_id {
        args.push(subject.clone());
        sql.push_str(&format!(" AND subject_id = ?{}", args.len()));
    }
    if let Some(a) = after {
        args.push(a.created_at.clone());
        args.push(a.id.clone());
        sql.push_str(&format!(
            " AND (created_at, id) > (?{}, ?{})",
            args.len() - 1,
            args.len()
        ));
    }
    if let Some(email) = criteria
        .claims
        .as_ref()
        .and_then(|c| c.get("email"))
        .and_then(Value::as_str)
    {
        // The same expression as `core_users_email`, so the walk is that index's range.
        args.push(email.to_owned());
        sql.push_str(&format!(
            " AND json_extract(claims, '$.email') = ?{}",
            args.len()
        ));
    }
    if let Some(claims) = &criteria.claims {
        for leaf in string_leaves(claims) {
            args.push(Value::String(leaf).to_string());
            sql.push_str(&format!(" AND instr(claims, ?{}) > 0", args.len()));
        }
    }
    sql.push_str(" ORDER BY created_at, id");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        let user = user_from_row(row)?;
        if criteria.matches(&user.claims, user.auth_provider.as_ref()) {
            found.push(user);
            if found.len() >= limit as usize {
                break;
            }
        }
    }
    Ok(found)
}

/// Credential metadata with its keyset position.
pub struct StoredCredential {
    pub id: String,
    pub created_at: String,
    pub body: Value,
}

pub fn insert_credential(
    conn: &Connection,
    user_id: &str,
    cred: &StoredCredential,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO core_credentials (id, user_id, created_at, body) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        cred.id,
        user_id,
        cred.created_at,
        cred.body.to_string()
    ])?;
    Ok(())
}

pub fn list_credentials(
    conn: &Connection,
    user_id: &str,
    after: Option<&After>,
    limit: u32,
) -> rusqlite::Result<Vec<StoredCredential>> {
    let (lo_created, lo_id) = match after {
        Some(a) => (a.created_at.as_str(), a.id.as_str()),
        // Sorts before every ISO timestamp, so the first page starts at the beginning.
        None => ("", ""),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT id, created_at, body FROM core_credentials
         WHERE user_id = ?1 AND (created_at, id) > (?2, ?3)
         ORDER BY created_at, id LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![user_id, lo_created, lo_id, limit], |r| {
        let body: String = r.get(2)?;
        Ok(StoredCredential {
            id: r.get(0)?,
            created_at: r.get(1)?,
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
        })
    })?;
    rows.collect()
}

pub fn user_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM core_users", [], |r| r.get(0))
}

/// Creation time for a new user: now, but strictly after the newest existing user, so a user
/// created during a cursor walk always sorts after every page already handed out.
pub fn next_created_at(conn: &Connection) -> rusqlite::Result<String> {
    let now = chrono::Utc::now();
    let newest: Option<String> =
        conn.query_row("SELECT max(created_at) FROM core_users", [], |r| r.get(0))?;
    let newest = newest
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&chrono::Utc));
    let at = match newest {
        Some(n) if n >= now => n + chrono::Duration::milliseconds(1),
        _ => now,
    };
    Ok(iso_millis(&at))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How SQLite will run the search the dashboard sends for an email.
    fn plan_of_email_search(conn: &Connection) -> String {
        let mut stmt = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT id FROM core_users
                 WHERE json_extract(claims, '$.email') = ?1 ORDER BY created_at, id",
            )
            .unwrap();
        let rows = stmt
            .query_map(["a@example.com"], |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn an_email_claim_search_is_an_index_range_and_still_exact() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        let plan = plan_of_email_search(&conn);
        assert!(plan.contains("core_users_email"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "no sort: {plan}");
        for (id, email) in [
            ("u1", "a@example.com"),
            ("u2", "A@example.com"),
            ("u3", "b@example.com"),
        ] {
            conn.execute(
                "INSERT INTO core_users (id, created_at, claims) VALUES (?1, ?2, ?3)",
                params![
                    id,
                    format!("2024-01-01T00:00:0{}.000Z", &id[1..]),
                    json!({ "email": email }).to_string()
                ],
            )
            .unwrap();
        }
        let criteria = Criteria {
            claims: Some(
                json!({"email": "a@example.com"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            ..Default::default()
        };
        let found = search_users(&conn, &criteria, None, 10).unwrap();
        let ids: Vec<&str> = found.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["u1"], "exact, no case folding");
    }

    #[test]
    fn a_search_sqlite_finds_too_large_is_a_400_not_a_500() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        // Past the check `Criteria::from_body` makes, straight to the SQL it guards.
        let claims: Map<String, Value> = (0..1200)
            .map(|i| (format!("c{i}"), json!(format!("v{i}"))))
            .collect();
        let criteria = Criteria {
            claims: Some(claims),
            ..Default::default()
        };
        let err = search_users(&conn, &criteria, None, 10).unwrap_err();
        let answer = super::super::errors::CoreError::from_search(err);
        assert_eq!(answer.status, axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(answer.body()["code"], "BadRequest");
        assert!(
            answer.details[0].msg.contains("too large"),
            "{}",
            answer.body()
        );
    }
}
