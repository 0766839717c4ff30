//! The read-only connections of a file database, lent out one per read.
//!
//! A lease gives its connection back when it ends, or drops it if the read panicked or left a
//! transaction open (a reader stuck in an old snapshot would serve stale rows), and the pool
//! opens a fresh one the next time it is short.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How many readers a database keeps. Four lets a couple of long scans (a MATTR search by a
/// claim without an index, a legacy Kratos page with its count) run while quick reads still
/// find a free connection, and bounds what the readers hold: a file handle and 16 MiB of
/// page cache each. More would buy little on the two to four cores
/// the sandbox usually shares with the dashboard or a test suite.
pub const READERS: usize = 4;

/// Page cache per reader. Smaller than the writer's: the operating system already caches the
/// file, and four readers at the writer's 64 MiB would hold a quarter of a gigabyte.
const READER_CACHE_KIB: i64 = 16 * 1024;

/// A reader only waits for a lock while the writer checkpoints or recovers the WAL index.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Readers {
    path: PathBuf,
    max: usize,
    pool: Mutex<Pool>,
    freed: Condvar,
}

#[derive(Default)]
struct Pool {
    idle: Vec<Connection>,
    /// Readers in existence: idle plus lent out.
    open: usize,
}

impl Readers {
    pub fn new(path: &Path, max: usize) -> Self {
        Self {
            path: path.to_owned(),
            max: max.max(1),
            pool: Mutex::new(Pool::default()),
            freed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An idle reader, a new one while fewer than `max` exist, or else the next one returned.
    pub fn lease(&self) -> rusqlite::Result<Lease<'_>> {
        let mut pool = self.lock();
        loop {
            if let Some(conn) = pool.idle.pop() {
                return Ok(Lease {
                    readers: self,
                    conn: Some(conn),
                });
            }
            if pool.open < self.max {
                pool.open += 1;
                drop(pool);
                return match open_reader(&self.path) {
                    Ok(conn) => Ok(Lease {
                        readers: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.forget();
                        Err(e)
                    }
                };
            }
            pool = self.freed.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// A lent reader is gone for good: make room for a new one.
    fn forget(&self) {
        self.lock().open -= 1;
        self.freed.notify_one();
    }
}

fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
    Ok(conn)
}

pub struct Lease<'a> {
    readers: &'a Readers,
    conn: Option<Connection>,
}

impl Lease<'_> {
    pub fn conn(&mut self) -> &mut Connection {
        self.conn
            .as_mut()
            .expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if std::thread::panicking() || !conn.is_autocommit() {
            drop(conn);
            self.readers.forget();
            return;
        }
        self.readers.lock().idle.push(conn);
        self.readers.freed.notify_one();
    }
}
