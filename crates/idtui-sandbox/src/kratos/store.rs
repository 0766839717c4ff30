//! SQLite storage for identities. An identity is one JSON document with a unique UUID column
//! (text order equals Kratos' UUID byte order, so keyset pages walk that index), plus one row
//! per unique value in `kratos_keys`: credential identifiers, addresses and the external id.
//! The key table's primary key enforces Kratos' uniqueness rules and serves the lookups.
//! Documents live in rowid tables (large rows pack badly in WITHOUT ROWID b-trees), and the
//! key rows are removed by their own primary key, so no foreign-key index slows bulk loads.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::errors::{KResult, KratosError};
use super::model::Identity;

pub const MIGRATION: &str = "
CREATE TABLE IF NOT EXISTS kratos_identities (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT,
    -- NULL for a generated identity that was never written: `gen` then rebuilds it.
    doc TEXT,
    gen INTEGER
);
CREATE INDEX IF NOT EXISTS kratos_identities_org
    ON kratos_identities (organization_id, id) WHERE organization_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS kratos_keys (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kratos_sessions (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    identity_id TEXT NOT NULL REFERENCES kratos_identities (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    active INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    doc TEXT,
    gen INTEGER
);
";

/// The session indexes a bulk load drops and rebuilds: building one from sorted rows beats a
/// million inserts at random places.
pub const SESSION_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS kratos_sessions_created ON kratos_sessions (created_at DESC, id);
CREATE INDEX IF NOT EXISTS kratos_sessions_identity
    ON kratos_sessions (identity_id, created_at DESC);
";

/// Credential types whose identifiers are normalised (trim + lower-case) before lookup.
pub const NORMALISED_TYPES: &[&str] = &["password", "code", "webauthn"];
/// Every other credential type Kratos knows; their identifiers match exactly.
pub const EXACT_TYPES: &[&str] = &[
    "oidc",
    "saml",
    "passkey",
    "totp",
    "lookup_secret",
    "deviceauthn",
    "profile",
];

/// The unique values one identity claims, as `(kind, value)` rows for `kratos_keys`.
pub fn unique_keys(identity: &Identity) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for (kind, cred) in &identity.credentials {
        for ident in &cred.identifiers {
            keys.push((format!("c:{kind}"), ident.clone()));
        }
    }
    for a in &identity.verifiable_addresses {
        keys.push((format!("v:{}", a.via), a.value.clone()));
    }
    for a in &identity.recovery_addresses {
        keys.push((format!("r:{}", a.via), a.value.clone()));
    }
    if let Some(ext) = identity.external_id.as_deref().filter(|e| !e.is_empty()) {
        keys.push(("x".into(), ext.to_owned()));
    }
    keys.sort();
    keys.dedup();
    keys
}

fn encode(identity: &Identity) -> KResult<String> {
    serde_json::to_string(identity).map_err(KratosError::internal)
}

/// A stored row: its JSON document, or the counter of a generated identity never rewritten.
type Row = (Option<String>, Option<i64>);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, r.get(1)?))
}

fn from_row((doc, gen_n): Row) -> rusqlite::Result<Identity> {
    match (doc, gen_n) {
        (Some(d), _) => decode(&d),
        (None, Some(n)) => Ok(super::synthetic::synthetic_identity(n as u64)),
        (None, None) => Err(rusqlite::Error::InvalidColumnType(
            0,
            "doc".into(),
            rusqlite::types::Type::Null,
        )),
    }
}

fn decode(doc: &str) -> rusqlite::Result<Identity> {
    super::go_json::decode_stored(doc.as_bytes()).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn write_keys(tx: &Transaction<'_>, identity: &Identity) -> rusqlite::Result<()> {
    let id = identity.id.to_string();
    let mut stmt = tx
        .prepare_cached("INSERT INTO kratos_keys (kind, value, identity_id) VALUES (?1, ?2, ?3)")?;
    for (kind, value) in unique_keys(identity) {
        stmt.execute(params![kind, value, id])?;
    }
    Ok(())
}

fn delete_keys(tx: &Transaction<'_>, identity: &Identity) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "DELETE FROM kratos_keys WHERE kind = ?1 AND value = ?2 AND identity_id = ?3",
    )?;
    let id = identity.id.to_string();
    for (kind, value) in unique_keys(identity) {
        stmt.execute(params![kind, value, id])?;
    }
    Ok(())
}

fn load_in(conn: &Connection, id: &str) -> rusqlite::Result<Option<Identity>> {
    conn.query_row(
        "SELECT doc, gen FROM kratos_identities WHERE id = ?1",
        params![id],
        row,
    )
    .optional()?
    .map(from_row)
    .transpose()
}

/// Insert a new identity. A uniqueness violation comes back as the database 409.
pub fn insert(conn: &mut Connection, identity: &Identity) -> KResult<()> {
    let doc = encode(identity)?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO kratos_identities (id, organization_id, doc) VALUES (?1, ?2, ?3)",
        params![
            identity.id.to_string(),
            identity.organization_id.map(|o| o.to_string()),
            doc
        ],
    )?;
    write_keys(&tx, identity)?;
    tx.commit()?;
    Ok(())
}

/// Replace a stored identity and its unique keys in one transaction.
pub fn update(conn: &mut Connection, identity: &Identity) -> KResult<()> {
    let doc = encode(identity)?;
    let id = identity.id.to_string();
    let tx = conn.transaction()?;
    let old = load_in(&tx, &id)?.ok_or_else(KratosError::not_found_db)?;
    tx.execute(
        "UPDATE kratos_identities SET organization_id = ?2, doc = ?3 WHERE id = ?1",
        params![id, identity.organization_id.map(|o| o.to_string()), doc],
    )?;
    delete_keys(&tx, &old)?;
    write_keys(&tx, identity)?;
    tx.commit()?;
    Ok(())
}

pub fn load(conn: &Connection, id: &Uuid) -> KResult<Identity> {
    load_in(conn, &id.to_string())?.ok_or_else(KratosError::not_found_db)
}

pub fn load_by_external(conn: &Connection, external_id: &str) -> KResult<Identity> {
    let id: Option<String> = conn
        .query_row(
            "SELECT identity_id FROM kratos_keys WHERE kind = 'x' AND value = ?1",
            params![external_id],
            |r| r.get(0),
        )
        .optional()?;
    let id = id
        .and_then(|i| Uuid::parse_str(&i).ok())
        .ok_or_else(KratosError::not_found_db)?;
    load(conn, &id)
}

/// Hard delete; sessions go by cascade, keys explicitly. `false` when there was no such
/// identity.
pub fn delete(conn: &mut Connection, id: &Uuid) -> KResult<bool> {
    let tx = conn.transaction()?;
    let Some(old) = load_in(&tx, &id.to_string())? else {
        return Ok(false);
    };
    delete_keys(&tx, &old)?;
    tx.execute(
        "DELETE FROM kratos_identities WHERE id = ?1",
        params![id.to_string()],
    )?;
    tx.commit()?;
    Ok(true)
}

/// The mutually exclusive list filters of `GET /admin/identities`.
#[derive(Debug, Clone)]
pub enum ListFilter {
    All,
    Ids(Vec<String>),
    Organization(String),
    /// Exact identifier: `(normalised form, raw form)`.
    Identifier(String, String),
    /// Prefix of an identifier: `(normalised form, raw form)`.
    IdentifierPrefix(String, String),
}

fn in_list(types: &[&str]) -> String {
    types
        .iter()
        .map(|t| format!("'c:{t}'"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Up to `limit` identities with `id > after`, in id order, always on an index.
pub fn list(
    conn: &Connection,
    filter: &ListFilter,
    after: &Uuid,
    limit: usize,
) -> KResult<Vec<Identity>> {
    let after = after.to_string();
    let limit = limit as i64;
    let norm = in_list(NORMALISED_TYPES);
    let exact = in_list(EXACT_TYPES);
    let mut out = Vec::new();
    let mut push = |r: Row| -> rusqlite::Result<()> {
        out.push(from_row(r)?);
        Ok(())
    };
    match filter {
        ListFilter::All => {
            let mut st = conn.prepare_cached(
                "SELECT doc, gen FROM kratos_identities WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            for d in st.query_map(params![after, limit], row)? {
                push(d?)?;
            }
        }
        ListFilter::Ids(ids) => {
            let placeholders = vec!["?"; ids.len()].join(",");
            let sql = format!(
                "SELECT doc, gen FROM kratos_identities WHERE id > ? AND id IN ({placeholders}) \
                 ORDER BY id LIMIT ?"
            );
            let mut st = conn.prepare(&sql)?;
            let mut args: Vec<&dyn rusqlite::ToSql> = vec![&after];
            for id in ids {
                args.push(id);
            }
            args.push(&limit);
            for d in st.query_map(args.as_slice(), row)? {
                push(d?)?;
            }
        }
        ListFilter::Organization(org) => {
            let mut st = conn.prepare_cached(
                "SELECT doc, gen FROM kratos_identities WHERE organization_id = ?1 AND id > ?2 \
                 ORDER BY id LIMIT ?3",
            )?;
            for d in st.query_map(params![org, after, limit], row)? {
                push(d?)?;
            }
        }
        ListFilter::Identifier(normalised, raw) => {
            let sql = format!(
                "SELECT doc, gen FROM kratos_identities WHERE id > ?1 AND id IN (
                    SELECT identity_id FROM kratos_keys WHERE kind IN ({norm}) AND value = ?2
                    UNION SELECT identity_id FROM kratos_keys WHERE kind IN ({exact}) AND value = ?3)
                 ORDER BY id LIMIT ?4"
            );
            let mut st = conn.prepare_cached(&sql)?;
            for d in st.query_map(params![after, normalised, raw, limit], row)? {
                push(d?)?;
            }
        }
        ListFilter::IdentifierPrefix(normalised, raw) => {
            // A key range instead of LIKE: same prefix semantics, and it stays on the index.
            let sql = format!(
                "SELECT doc, gen FROM kratos_identities WHERE id > ?1 AND id IN (
                    SELECT identity_id FROM kratos_keys WHERE kind IN ({norm})
                        AND value >= ?2 AND value < ?2 || char(1114111)
                    UNION SELECT identity_id FROM kratos_keys WHERE kind IN ({exact})
                        AND value >= ?3 AND value < ?3 || char(1114111))
                 ORDER BY id LIMIT ?4"
            );
            let mut st = conn.prepare_cached(&sql)?;
            for d in st.query_map(params![after, normalised, raw, limit], row)? {
                push(d?)?;
            }
        }
    }
    Ok(out)
}
