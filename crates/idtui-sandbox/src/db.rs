//! One SQLite connection shared by the handlers. SQLite serialises writers anyway; a single
//! connection behind a mutex keeps transactions simple, and every call runs on the blocking
//! pool so a slow query never stalls the async workers.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    pub fn open(path: Option<&Path>) -> rusqlite::Result<Self> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -65536;
             CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Run `f` with the connection on the blocking pool.
    pub async fn call<F, R>(&self, f: F) -> R
    where
        F: FnOnce(&mut Connection) -> R + Send + 'static,
        R: Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .expect("database task panicked")
    }

    /// Run `f` with the connection on the current thread (start-up, seeding, tests).
    pub fn with<R>(&self, f: impl FnOnce(&mut Connection) -> R) -> R {
        let mut guard = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

/// Run a bulk load (`--generate`) with the settings that make it fast, restore them however
/// it ends, and leave the database in WAL mode with an empty `-wal` file.
///
/// In WAL mode one huge transaction writes every page twice (to the WAL, then back at the
/// checkpoint) and leaves a WAL as large as the data behind; a rollback journal only saves the
/// few pre-existing pages the load touches. The generated rows are consistent by
/// construction, so per-row foreign-key probes are skipped, and `synchronous = OFF` drops
/// the fsyncs: a process that dies mid-load is still rolled back by the journal; only a
/// power cut could damage a database that holds generated data. A larger page cache keeps
/// the randomly ordered indexes (session ids) in memory.
pub fn bulk_load<R>(
    conn: &mut Connection,
    load: impl FnOnce(&mut Connection) -> anyhow::Result<R>,
) -> anyhow::Result<R> {
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    conn.pragma_update(None, "cache_size", -524_288)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    let result = load(conn);
    conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", sync)?;
    conn.pragma_update(None, "cache_size", cache)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Nothing should be in the WAL after a load in rollback mode, but whatever is (from
    // before the load) goes into the database and the file is cut to zero bytes.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    result
}

/// Small key/value store for sandbox bookkeeping (e.g. "generated N records already").
pub fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT value FROM sandbox_meta WHERE key = ?1",
        params![key],
        |r| r.get(0),
    )
    .optional()
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sandbox_meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
