//! The read pool: a read held open stops nobody, sees one snapshot, cannot write, and a
//! reader lost to a panic is replaced. Waits are bounded; nothing is timed.

use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::Db;

const BOUND: Duration = Duration::from_secs(30);

fn file_db(dir: &tempfile::TempDir, readers: usize) -> Db {
    let db = Db::open(Some(&dir.path().join("pool.db"))).unwrap();
    setup(&db);
    db.start_readers(readers);
    db
}

fn setup(db: &Db) {
    db.with(|c| {
        c.execute_batch("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1);")
            .unwrap()
    });
}

fn count(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
}

/// A read that counts, says it has started, waits to be let go, and counts again.
struct Held {
    release: mpsc::Sender<()>,
    done: JoinHandle<rusqlite::Result<(i64, i64)>>,
}

async fn hold_a_read(db: &Db) -> Held {
    let (entered_tx, entered) = oneshot::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let db = db.clone();
    let done = tokio::spawn(async move {
        db.read(move |c| {
            let before = count(c)?;
            entered_tx.send(()).unwrap();
            release_rx
                .recv_timeout(BOUND)
                .expect("the test lets the read go");
            Ok((before, count(c)?))
        })
        .await
    });
    timeout(BOUND, entered)
        .await
        .expect("the held read starts")
        .unwrap();
    Held { release, done }
}

impl Held {
    async fn finish(self) -> (i64, i64) {
        self.release.send(()).unwrap();
        timeout(BOUND, self.done).await.unwrap().unwrap().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_read_stops_neither_a_write_nor_another_read_and_keeps_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = file_db(&dir, super::READERS);
    let held = hold_a_read(&db).await;

    // Both finish while the first read is provably still inside its transaction: it is only
    // let go below.
    timeout(
        BOUND,
        db.call(|c| c.execute("INSERT INTO t VALUES (2)", [])),
    )
    .await
    .expect("a write completes beside a held read")
    .unwrap();
    let seen = timeout(BOUND, db.read(count))
        .await
        .expect("another read completes beside a held read")
        .unwrap();
    assert_eq!(seen, 2, "a read after a committed write sees the row");

    let (before, after) = held.finish().await;
    assert_eq!(
        (before, after),
        (1, 1),
        "one read sees one snapshot, even across a commit made meanwhile"
    );
    let seen = timeout(BOUND, db.read(count)).await.unwrap().unwrap();
    assert_eq!(seen, 2, "a returned reader sees later commits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_every_reader_lent_a_read_waits_for_one_to_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = file_db(&dir, 1);
    let held = hold_a_read(&db).await;
    let waiting = tokio::spawn({
        let db = db.clone();
        async move { db.read(count).await }
    });
    assert_eq!(held.finish().await, (1, 1));
    let seen = timeout(BOUND, waiting)
        .await
        .expect("the waiting read gets the reader");
    assert_eq!(seen.unwrap().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_lost_to_a_panic_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let db = file_db(&dir, 1);
    let panicked = tokio::spawn({
        let db = db.clone();
        async move {
            db.read(|c| -> rusqlite::Result<()> {
                count(c)?;
                panic!("a handler bug in the middle of a read")
            })
            .await
        }
    })
    .await;
    assert!(panicked.is_err(), "the panic reaches the caller");
    let seen = timeout(BOUND, db.read(count))
        .await
        .expect("the pool opens a new reader in place of the lost one");
    assert_eq!(seen.unwrap(), 1);
}

async fn a_read_cannot_write(db: &Db) {
    let err = db
        .read(|c| c.execute("INSERT INTO t VALUES (3)", []))
        .await
        .expect_err("a read refuses to write");
    assert!(
        err.to_string().contains("readonly") || err.to_string().contains("read-only"),
        "{err}"
    );
    assert_eq!(db.read(count).await.unwrap(), 1, "nothing was written");
    db.call(|c| c.execute("INSERT INTO t VALUES (4)", []))
        .await
        .expect("the writer still writes");
    assert_eq!(db.read(count).await.unwrap(), 2);
}

#[tokio::test]
async fn a_read_on_a_file_database_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    a_read_cannot_write(&file_db(&dir, 2)).await;
}

#[tokio::test]
async fn in_memory_reads_run_on_the_writer_and_cannot_write_either() {
    let db = Db::open(None).unwrap();
    setup(&db);
    db.start_readers(super::READERS);
    assert!(db.readers.get().is_none(), "no readers without a file");
    a_read_cannot_write(&db).await;
}

#[tokio::test]
async fn a_panic_in_an_in_memory_read_leaves_the_writer_writable() {
    let db = Db::open(None).unwrap();
    setup(&db);
    let panicked = tokio::spawn({
        let db = db.clone();
        async move {
            db.read(|_| -> rusqlite::Result<()> { panic!("a handler bug in a read") })
                .await
        }
    })
    .await;
    assert!(panicked.is_err());
    timeout(
        BOUND,
        db.call(|c| c.execute("INSERT INTO t VALUES (2)", [])),
    )
    .await
    .unwrap()
    .expect("query_only was turned off again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_left_open_is_caught_and_later_writes_reach_the_readers() {
    let dir = tempfile::tempdir().unwrap();
    let db = file_db(&dir, 2);
    let left_open = tokio::spawn({
        let db = db.clone();
        async move {
            db.call(|c| c.execute_batch("BEGIN; INSERT INTO t VALUES (2);"))
                .await
        }
    })
    .await;
    assert_eq!(
        left_open.is_err(),
        cfg!(debug_assertions),
        "a debug build stops at the bug"
    );
    assert_eq!(
        db.read(count).await.unwrap(),
        1,
        "the open write was rolled back"
    );
    db.call(|c| c.execute("INSERT INTO t VALUES (3)", []))
        .await
        .unwrap();
    assert_eq!(
        db.read(count).await.unwrap(),
        2,
        "the next write commits on its own and the readers see it"
    );
}
