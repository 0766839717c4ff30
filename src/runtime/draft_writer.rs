//! One ordered writer for every draft. The editor asks for a draft write on each change;
//! writing each one in its own task let them finish in any order, so the file could end
//! up behind the screen. Here every request for a key replaces the one still waiting for
//! that key (the latest text wins, a discard replaces queued writes, a write after a
//! discard lands), and a single worker thread carries them out one at a time, so no older
//! request can land after a newer one.
//!
//! Writes are debounced: a key is written once typing has paused for `quiet`, and at the
//! latest `max_wait` after its first unwritten change. Discards and loads are not delayed.
//! [`DraftWriter::flush`] writes everything now and waits for it (exit paths, `$EDITOR`);
//! dropping the writer flushes too, so every way out of the event loop keeps the drafts.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::drafts::DraftStore;

/// How long writes wait. The defaults bound what a `kill -9` can lose to half a second of
/// typing while a paste or a burst of keys costs one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debounce {
    /// Write once no new text came for this long.
    pub quiet: Duration,
    /// Never hold a change longer than this, however fast the typing.
    pub max_wait: Duration,
}

impl Default for Debounce {
    fn default() -> Debounce {
        Debounce {
            quiet: Duration::from_millis(100),
            max_wait: Duration::from_millis(500),
        }
    }
}

/// Longest a flush waits for the disk before giving up (a hung file system must not hang
/// the exit path forever).
const FLUSH_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Write(String),
    Discard,
}

struct Queued {
    op: Op,
    /// When the oldest change this op stands for was asked for.
    first: Instant,
    /// When the latest was.
    last: Instant,
}

type Reply = Box<dyn FnOnce(Option<String>) + Send>;

#[derive(Default)]
struct Queue {
    /// The latest request per key that the worker has not started.
    ops: HashMap<String, Queued>,
    /// Loads to answer, in the order asked.
    loads: Vec<(String, Reply)>,
    /// The op the worker is carrying out now (outside the lock).
    busy: Option<(String, Op)>,
    /// Write everything now, without waiting for the debounce.
    urgent: bool,
    /// The writer was dropped: finish the queue and stop.
    closing: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Reports a failed write or read (shown to the user by the caller).
pub type Report = Box<dyn Fn(String) + Send + Sync>;

/// The single writer of a [`DraftStore`]; see the module documentation.
pub struct DraftWriter {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

impl DraftWriter {
    /// Starts the worker thread. `report` is called with a message when a write or a read
    /// fails.
    pub fn start(store: DraftStore, debounce: Debounce, report: Report) -> DraftWriter {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            changed: Condvar::new(),
        });
        let worker = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("idtui-drafts".into())
                .spawn(move || work(&shared, &store, debounce, &report))
                .expect("start the draft writer thread")
        };
        DraftWriter {
            shared,
            worker: Some(worker),
        }
    }

    /// Keep `text` as the draft for `key` (replacing any request still waiting for it).
    pub fn write(&self, key: String, text: String) {
        self.enqueue(key, Op::Write(text));
    }

    /// Remove the draft for `key`: requests still waiting for it are dropped, so none of
    /// them can bring the draft back.
    pub fn discard(&self, key: String) {
        self.enqueue(key, Op::Discard);
    }

    fn enqueue(&self, key: String, op: Op) {
        let now = Instant::now();
        let mut queue = self.shared.lock();
        let first = queue.ops.get(&key).map_or(now, |q| q.first);
        queue.ops.insert(
            key,
            Queued {
                op,
                first,
                last: now,
            },
        );
        drop(queue);
        self.shared.changed.notify_all();
    }

    /// Answer with the draft for `key` as it will be once everything asked so far has
    /// landed: the request still waiting for it, or else what is on disk (read after the
    /// write in progress, never before it).
    pub fn load(&self, key: String, reply: impl FnOnce(Option<String>) + Send + 'static) {
        self.shared.lock().loads.push((key, Box::new(reply)));
        self.shared.changed.notify_all();
    }

    /// Start writing everything waiting now, without waiting for it (the editor closed).
    pub fn write_now(&self) {
        self.shared.lock().urgent = true;
        self.shared.changed.notify_all();
    }

    /// Write everything waiting now and return once it is on disk (before the process
    /// exits or another program edits a draft). False if the disk did not answer within
    /// ten seconds.
    pub fn flush(&self) -> bool {
        let mut queue = self.shared.lock();
        queue.urgent = true;
        self.shared.changed.notify_all();
        let deadline = Instant::now() + FLUSH_LIMIT;
        while !(queue.ops.is_empty() && queue.loads.is_empty() && queue.busy.is_none()) {
            let now = Instant::now();
            if now >= deadline {
                tracing::error!(waiting = queue.ops.len(), "drafts not flushed in time");
                return false;
            }
            queue = self
                .shared
                .changed
                .wait_timeout(queue, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        queue.urgent = false;
        true
    }
}

impl Drop for DraftWriter {
    fn drop(&mut self) {
        let flushed = self.flush();
        self.shared.lock().closing = true;
        self.shared.changed.notify_all();
        if let Some(worker) = self.worker.take()
            && flushed
        {
            let _ = worker.join();
        }
    }
}

/// The worker: carry out due requests one at a time, sleeping until the next is due.
fn work(shared: &Shared, store: &DraftStore, debounce: Debounce, report: &Report) {
    let mut queue = shared.lock();
    loop {
        if !queue.loads.is_empty() {
            let loads = std::mem::take(&mut queue.loads);
            let answers: Vec<(Option<Option<String>>, String, Reply)> = loads
                .into_iter()
                .map(|(key, reply)| {
                    let waiting = queue.ops.get(&key).map(|q| match &q.op {
                        Op::Write(text) => Some(text.clone()),
                        Op::Discard => None,
                    });
                    (waiting, key, reply)
                })
                .collect();
            drop(queue);
            for (waiting, key, reply) in answers {
                let text = waiting.unwrap_or_else(|| {
                    store.load(&key).unwrap_or_else(|e| {
                        // Said on screen too: a draft refused (a link in its place) or
                        // unreadable must not look like no draft at all.
                        report(format!("draft not read: {e}"));
                        None
                    })
                });
                reply(text);
            }
            queue = shared.lock();
            shared.changed.notify_all();
            continue;
        }
        let now = Instant::now();
        let due = queue
            .ops
            .iter()
            .filter(|(_, q)| queue.urgent || is_due(q, now, debounce))
            .min_by_key(|(_, q)| q.first)
            .map(|(key, _)| key.clone());
        if let Some(key) = due {
            let op = queue.ops.remove(&key).map(|q| q.op).expect("a due key");
            queue.busy = Some((key.clone(), op.clone()));
            drop(queue);
            carry_out(store, &key, &op, report);
            queue = shared.lock();
            queue.busy = None;
            if queue.ops.is_empty() {
                queue.urgent = false;
            }
            shared.changed.notify_all();
            continue;
        }
        if queue.closing && queue.ops.is_empty() {
            return;
        }
        let next = queue.ops.values().map(|q| due_at(q, debounce)).min();
        queue = match next {
            Some(at) => {
                shared
                    .changed
                    .wait_timeout(queue, at.saturating_duration_since(now))
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
            None => shared
                .changed
                .wait(queue)
                .unwrap_or_else(|p| p.into_inner()),
        };
    }
}

fn due_at(q: &Queued, debounce: Debounce) -> Instant {
    match q.op {
        Op::Discard => q.last,
        Op::Write(_) => (q.last + debounce.quiet).min(q.first + debounce.max_wait),
    }
}

fn is_due(q: &Queued, now: Instant, debounce: Debounce) -> bool {
    due_at(q, debounce) <= now
}

fn carry_out(store: &DraftStore, key: &str, op: &Op, report: &Report) {
    match op {
        Op::Write(text) => {
            if let Err(e) = store.save(key, text) {
                report(format!("draft not written: {e}"));
            }
        }
        Op::Discard => {
            if let Err(e) = store.discard(key) {
                tracing::warn!(error = %e, "cannot remove a saved draft");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A debounce long enough that nothing is written by it during a test.
    const NEVER: Debounce = Debounce {
        quiet: Duration::from_secs(600),
        max_wait: Duration::from_secs(600),
    };

    fn writer(debounce: Debounce) -> (tempfile::TempDir, DraftStore, DraftWriter) {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::new(dir.path().join("drafts"));
        let writer = DraftWriter::start(store.clone(), debounce, Box::new(|_| {}));
        (dir, store, writer)
    }

    fn loaded(writer: &DraftWriter, key: &str) -> Option<String> {
        let (tx, rx) = mpsc::channel();
        writer.load(key.into(), move |text| tx.send(text).unwrap());
        rx.recv_timeout(Duration::from_secs(5))
            .expect("load answered")
    }

    #[test]
    fn the_latest_text_wins_and_a_burst_is_held_until_flushed() {
        let (_dir, store, writer) = writer(NEVER);
        for n in 1..=500 {
            writer.write("k".into(), "x".repeat(n));
        }
        // Debounced: nothing is written while the typing has not paused.
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(store.load("k").unwrap(), None);
        // ...but a reader already sees the latest text.
        assert_eq!(loaded(&writer, "k"), Some("x".repeat(500)));
        assert!(writer.flush());
        assert_eq!(store.load("k").unwrap(), Some("x".repeat(500)));
    }

    #[test]
    fn a_pause_writes_and_steady_typing_is_written_within_max_wait() {
        let (_dir, store, writer) = writer(Debounce {
            quiet: Duration::from_millis(50),
            max_wait: Duration::from_millis(300),
        });
        writer.write("paused".into(), "one".into());
        let deadline = Instant::now() + Duration::from_secs(5);
        while store.load("paused").unwrap().is_none() {
            assert!(Instant::now() < deadline, "a pause never wrote the draft");
            std::thread::sleep(Duration::from_millis(10));
        }
        // Typing that never pauses for `quiet` still reaches the disk.
        let started = Instant::now();
        let mut n = 0;
        while store.load("typing").unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "steady typing never wrote the draft"
            );
            n += 1;
            writer.write("typing".into(), format!("text {n}"));
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(store.load("typing").unwrap().unwrap().starts_with("text "));
    }

    #[test]
    fn a_discard_after_queued_writes_removes_the_draft_for_good() {
        let (_dir, store, writer) = writer(NEVER);
        writer.write("k".into(), "on disk".into());
        assert!(writer.flush());
        for n in 0..50 {
            writer.write("k".into(), format!("queued {n}"));
        }
        writer.discard("k".into());
        assert_eq!(loaded(&writer, "k"), None);
        assert!(writer.flush());
        assert_eq!(store.load("k").unwrap(), None);
        // Nothing queued earlier comes back later, not even when the writer shuts down.
        drop(writer);
        assert_eq!(store.load("k").unwrap(), None);
    }

    #[test]
    fn a_write_after_a_discard_lands() {
        let (_dir, store, writer) = writer(NEVER);
        writer.write("k".into(), "old".into());
        assert!(writer.flush());
        writer.discard("k".into());
        writer.write("k".into(), "kept typing".into());
        assert!(writer.flush());
        assert_eq!(store.load("k").unwrap().as_deref(), Some("kept typing"));
        // Also when the discard was already carried out.
        writer.discard("k".into());
        assert!(writer.flush());
        writer.write("k".into(), "again".into());
        drop(writer);
        assert_eq!(store.load("k").unwrap().as_deref(), Some("again"));
    }

    #[test]
    fn dropping_the_writer_flushes_everything() {
        let (_dir, store, writer) = writer(NEVER);
        writer.write("a".into(), "A".into());
        writer.write("b".into(), "B".into());
        store.save("gone", "old").unwrap();
        writer.discard("gone".into());
        drop(writer);
        assert_eq!(store.load("a").unwrap().as_deref(), Some("A"));
        assert_eq!(store.load("b").unwrap().as_deref(), Some("B"));
        assert_eq!(store.load("gone").unwrap(), None);
    }

    #[test]
    fn write_now_writes_without_waiting_for_the_pause() {
        let (_dir, store, writer) = writer(NEVER);
        writer.write("k".into(), "closed editor".into());
        writer.write_now();
        let deadline = Instant::now() + Duration::from_secs(5);
        while store.load("k").unwrap().is_none() {
            assert!(Instant::now() < deadline, "write_now did not write");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(store.load("k").unwrap().as_deref(), Some("closed editor"));
    }

    #[test]
    fn many_keys_interleaved_each_end_with_their_last_request() {
        let (_dir, store, writer) = writer(Debounce {
            quiet: Duration::from_millis(1),
            max_wait: Duration::from_millis(2),
        });
        let mut last: HashMap<String, Option<String>> = HashMap::new();
        for n in 0..3000u32 {
            let key = format!("key{}", n % 7);
            // A fixed pseudo-random mix of writes and discards.
            if n.wrapping_mul(2_654_435_761) % 5 == 0 {
                writer.discard(key.clone());
                last.insert(key, None);
            } else {
                let text = format!("{key} version {n}");
                writer.write(key.clone(), text.clone());
                last.insert(key, Some(text));
            }
            if n % 100 == 0 {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        assert!(writer.flush());
        for (key, expected) in last {
            assert_eq!(store.load(&key).unwrap(), expected, "{key}");
        }
    }

    #[test]
    fn a_failed_write_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        // The drafts "directory" is a file: every write fails.
        let blocked = dir.path().join("drafts");
        std::fs::write(&blocked, "not a directory").unwrap();
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let writer = DraftWriter::start(
            DraftStore::new(&blocked),
            NEVER,
            Box::new(move |message| {
                let _ = tx.lock().unwrap().send(message);
            }),
        );
        writer.write("k".into(), "text".into());
        assert!(writer.flush());
        let message = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(message.starts_with("draft not written: "), "{message}");
        assert!(
            message.contains(&blocked.display().to_string()),
            "{message}"
        );
    }
}
