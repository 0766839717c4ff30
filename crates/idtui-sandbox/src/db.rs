//! The sandbox's SQLite database: one writer and, for a file database, a small pool of
//! read-only connections beside it.
//!
//! [`Db::call`] runs on the writer, a single connection behind a mutex: SQLite serialises
//! writers anyway, and one connection keeps transactions simple. [`Db::read`] runs on a
//! reader from the pool, inside one read transaction, so a multi-statement read (a page
//! and its count, an identity and its credentials) sees one snapshot, and in WAL mode a long
//! scan there neither waits for nor holds up the writer or the other readers. Every write
//! commits before `call` returns, so a read that starts after a write's answer sees it.
//!
//! The readers open after [`Db::start_readers`], once the schema is in place and any bulk
//! load is done (SQLite cannot leave WAL mode, as a bulk load does, while other connections
//! are open). An in-memory database has no file another connection could share, so there
//! `read` runs on the writer, with `query_only` set so a write slipped into a read fails the
//! same way it would on a read-only connection. Both run on the blocking pool so a slow query
//! never stalls the async workers.

mod readers;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};

use crate::private;

pub use readers::READERS;

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    /// `None` for an in-memory database.
    file: Option<PathBuf>,
    readers: Arc<OnceLock<readers::Readers>>,
}

impl Db {
    /// Open (creating) the database at `path`, in memory when `None`. A file database and its
    /// `-wal` and `-shm` companions are made 0600 (see `private`).
    pub fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        let conn = match path {
            Some(p) => {
                // Before SQLite opens it, so it never exists with the umask's mode, and SQLite
                // copies that mode onto the companions it creates. A name SQLite reads as
                // special (`:memory:`, a `file:` URI) is left to it and narrowed just below.
                if is_plain_file_name(p) {
                    private::create_or_restrict(p)
                        .with_context(|| format!("cannot create {}", p.display()))?;
                    restrict_companions(p)?;
                }
                Connection::open(p)?
            }
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
        // `:memory:` or `""` given as a path still make a private database.
        let file = conn.path().filter(|p| !p.is_empty()).map(PathBuf::from);
        if let Some(file) = &file {
            // Now that WAL mode has made the `-wal` and `-shm` files, whatever the name was.
            private::restrict_if_exists(file)
                .with_context(|| format!("cannot restrict {}", file.display()))?;
            restrict_companions(file)?;
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            file,
            readers: Arc::new(OnceLock::new()),
        })
    }

    /// From now on [`Db::read`] uses up to `max` read-only connections (a file database
    /// only). Call it once the schema is final and bulk loads are done.
    pub fn start_readers(&self, max: usize) {
        if let Some(file) = &self.file {
            self.readers
                .get_or_init(|| readers::Readers::new(file, max));
        }
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Run `f` with the writer on the blocking pool.
    pub async fn call<F, R>(&self, f: F) -> R
    where
        F: FnOnce(&mut Connection) -> R + Send + 'static,
        R: Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.writer();
            let out = f(&mut conn);
            end_open_transaction(&conn);
            out
        })
        .await
        .expect("database task panicked")
    }

    /// Run `f` in one read transaction on a reader (the writer for an in-memory database) on
    /// the blocking pool. `f` must not write: a reader refuses to.
    pub async fn read<F, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read_here(f))
            .await
            .expect("database task panicked")
    }

    fn read_here<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        match self.readers.get() {
            Some(readers) => {
                let mut lease = readers.lease()?;
                let tx = lease.conn().transaction()?;
                let out = f(&tx);
                // Ending it lets the connection see later commits; a failed end drops the
                // connection (see `readers`).
                let _ = tx.finish();
                out
            }
            None => {
                let conn = self.writer();
                conn.pragma_update(None, "query_only", true)?;
                let _reset = QueryOnly(&conn);
                let tx = conn.unchecked_transaction()?;
                let out = f(&tx);
                let _ = tx.finish();
                out
            }
        }
    }

    /// Run `f` with the writer on the current thread (start-up, seeding, tests).
    pub fn with<R>(&self, f: impl FnOnce(&mut Connection) -> R) -> R {
        f(&mut self.writer())
    }
}

/// Whether SQLite opens `path` as the file of that name, not as an in-memory database or a URI
/// (rusqlite opens with `SQLITE_OPEN_URI`).
fn is_plain_file_name(path: &Path) -> bool {
    let name = path.as_os_str().as_encoded_bytes();
    !name.is_empty() && name != b":memory:" && !name.starts_with(b"file:")
}

/// The files SQLite keeps beside a WAL database, which hold the same rows as the database.
fn restrict_companions(db: &Path) -> anyhow::Result<()> {
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let companion = PathBuf::from(name);
        private::restrict_if_exists(&companion)
            .with_context(|| format!("cannot restrict {}", companion.display()))?;
    }
    Ok(())
}

/// A write left open would hide from the readers, and every later write would join it, so
/// the answer that follows could name a row no other request can see. A handler bug, then:
/// loud in tests, rolled back in a release.
fn end_open_transaction(conn: &Connection) {
    if conn.is_autocommit() {
        return;
    }
    tracing::error!("a database call returned inside a transaction; rolling it back");
    let _ = conn.execute_batch("ROLLBACK");
    debug_assert!(false, "a database call returned inside a transaction");
}

/// Lets the writer write again however a read on it ends, panics included.
struct QueryOnly<'a>(&'a Connection);

impl Drop for QueryOnly<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.pragma_update(None, "query_only", false) {
            tracing::error!(error = %e, "cannot turn query_only off on the writer");
        }
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

#[cfg(test)]
mod tests;
