//! The event loop in-process: `run` driven by scripted terminal events and signals, a fake
//! API backend and a virtual clock (`tokio::time::pause`), its screen read back through a
//! terminal emulator. Waits are bounded in virtual time, so retries, backoffs and countdowns
//! are tested without sleeping.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use serde_json::json;
use tokio::sync::Notify;

use super::*;
use crate::app::{
    Done, ErrorInfo, Hit, ListKind, Mutation, ObjectKind, PageCursor, PageData, ProfileInfo,
    Provider, Row,
};
use crate::keymap::Keymap;

mod pages;
mod screens;

/// What the fake server does with one page request (by the offset it starts at and how
/// many times that offset was asked for before).
pub(super) type Script = dyn Fn(usize, usize) -> Reply + Send + Sync;

pub(super) enum Reply {
    Rows,
    Fail(ErrorInfo),
    /// Never answers (a silent server).
    Hang,
}

/// A list of `total` users served `size` at a time, ending with an empty page as MATTR and
/// Coassemble do.
pub(super) struct FakeApi {
    pub total: usize,
    pub script: Box<Script>,
    /// Offsets asked for, in order.
    pub calls: Mutex<Vec<usize>>,
    /// Requests dropped before they answered (cancelled).
    pub dropped: Arc<AtomicUsize>,
    pub latency: Duration,
}

impl FakeApi {
    pub fn new(
        total: usize,
        script: impl Fn(usize, usize) -> Reply + Send + Sync + 'static,
    ) -> Arc<FakeApi> {
        Arc::new(FakeApi {
            total,
            script: Box::new(script),
            calls: Mutex::new(Vec::new()),
            dropped: Arc::new(AtomicUsize::new(0)),
            latency: Duration::from_millis(20),
        })
    }

    pub fn calls_at(&self, offset: usize) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|&&o| o == offset)
            .count()
    }

    pub fn call_count(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

fn user(i: usize) -> Row {
    let id = format!("user-{i:06}");
    Row::new(
        id.clone(),
        crate::app::provider::core::User {
            name: format!("u{i}@example.com"),
            ..Default::default()
        },
        json!({"id": id}),
    )
}

/// Counts a request future dropped before it finished.
struct DropGuard(Arc<AtomicUsize>, bool);

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.1 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Backend for Arc<FakeApi> {
    fn list(
        &self,
        _: ListKind,
        _: Option<String>,
        cursor: PageCursor,
        size: usize,
    ) -> BoxFuture<'static, Result<PageData, ErrorInfo>> {
        let offset = cursor.get::<usize>().copied().unwrap_or(0);
        let asked_before = {
            let mut calls = self.calls.lock().unwrap();
            let n = calls.iter().filter(|&&o| o == offset).count();
            calls.push(offset);
            n
        };
        let reply = (self.script)(offset, asked_before);
        let (total, latency) = (self.total, self.latency);
        let guard = DropGuard(Arc::clone(&self.dropped), false);
        async move {
            // The whole guard moves in (not only the field set below), so dropping the
            // future drops it.
            let mut guard = guard;
            tokio::time::sleep(latency).await;
            let result = match reply {
                Reply::Hang => futures::future::pending().await,
                Reply::Fail(e) => Err(e),
                Reply::Rows => {
                    let end = (offset + size).min(total);
                    Ok(PageData {
                        rows: (offset..end).map(user).collect(),
                        // Like MATTR: a cursor with every non-empty page, so the list ends on
                        // an empty one.
                        next: (end > offset).then(|| PageCursor::wrap(end)),
                        total: None,
                    })
                }
            };
            guard.1 = true;
            result
        }
        .boxed()
    }

    fn get(&self, _: ObjectKind, id: String) -> BoxFuture<'static, Result<Row, ErrorInfo>> {
        futures::future::ready(Err(ErrorInfo::new(format!("no {id}"), ""))).boxed()
    }

    fn version(
        &self,
    ) -> BoxFuture<'static, Result<crate::app::provider::kratos::version::Version, ErrorInfo>> {
        // A Kratos profile on it asks: it says it is a recent one.
        let version = crate::app::provider::kratos::version::Version {
            text: "v26.2.0".into(),
            release: Some([26, 2, 0]),
        };
        futures::future::ready(Ok(version)).boxed()
    }

    fn find(&self, _: String) -> BoxFuture<'static, Result<Vec<Hit>, ErrorInfo>> {
        futures::future::ready(Err(ErrorInfo::new("not here", ""))).boxed()
    }

    fn mutate(&self, _: Mutation) -> BoxFuture<'static, Result<Done, ErrorInfo>> {
        futures::future::ready(Err(ErrorInfo::new("not here", ""))).boxed()
    }

    fn request_line(&self, _: &Mutation) -> crate::runtime::backend::RequestLine {
        crate::runtime::backend::RequestLine::not_sent()
    }
}

/// What the loop wrote, as a terminal would show it.
#[derive(Clone)]
struct FakeTerminal {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    wrote: Arc<Notify>,
}

impl Write for FakeTerminal {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.parser.lock().unwrap().process(buf);
        self.raw.lock().unwrap().extend_from_slice(buf);
        self.wrote.notify_waiters();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One dashboard session running `run` in-process.
pub(super) struct Session {
    keys: UnboundedSender<std::io::Result<Event>>,
    signals: UnboundedSender<Signal>,
    term: FakeTerminal,
    done: tokio::task::JoinHandle<anyhow::Result<Exit>>,
}

pub(super) fn profile(provider: Provider) -> ProfileInfo {
    ProfileInfo {
        name: provider.key().into(),
        provider,
        host: "fake".into(),
        read_only: false,
        page_size: None,
        concurrency: None,
    }
}

impl Session {
    /// A session on one `core` profile (a MATTR-like users list) served by `api`.
    pub fn core(api: Arc<FakeApi>) -> Session {
        let state = State::new(vec![profile(Provider::Core)], Keymap::defaults(), false);
        let mut backends = Backends::default();
        backends.insert("core", Arc::new(api) as Arc<dyn Backend>);
        Session::start(state, backends, (80, 24))
    }

    pub fn start(state: State, backends: Backends, size: (u16, u16)) -> Session {
        let (keys, key_rx) = unbounded();
        let (signals, signal_rx) = unbounded();
        let term = FakeTerminal {
            parser: Arc::new(Mutex::new(vt100::Parser::new(
                std::num::NonZeroU16::new(size.1).unwrap(),
                std::num::NonZeroU16::new(size.0).unwrap(),
                0,
            ))),
            raw: Arc::default(),
            wrote: Arc::new(Notify::new()),
        };
        let dir = std::env::temp_dir().join(format!("idtui-runtime-test-{}", std::process::id()));
        let options = RunOptions {
            theme: Theme::plain(),
            read_only: false,
            osc52: Osc52Env::default(),
            drafts: crate::drafts::DraftStore::new(dir.join("drafts")),
            audit: crate::audit_log::AuditLog::new(dir.join("audit.jsonl")),
            history: crate::command_history::CommandHistory::new(dir.join("history")),
            journals: crate::bulk_journal::BulkJournals::new(dir.join("bulk")),
            columns: Some(crate::column_file::ColumnFile::new(
                dir.join("columns.toml"),
            )),
            size,
            stop_process: None,
        };
        let mut key_rx = Some(key_rx);
        let make_events = move || -> BoxStream<'static, std::io::Result<Event>> {
            match key_rx.take() {
                Some(rx) => rx.boxed(),
                None => futures::stream::pending().boxed(),
            }
        };
        let out = term.clone();
        let done = tokio::spawn(run(out, make_events, signal_rx, state, backends, options));
        Session {
            keys,
            signals,
            term,
            done,
        }
    }

    pub fn key(&self, code: KeyCode) {
        let mods = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, mods))))
            .unwrap();
    }

    pub fn keys(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn signal(&self, signal: Signal) {
        self.signals.unbounded_send(signal).unwrap();
    }

    pub fn screen(&self) -> String {
        self.term.parser.lock().unwrap().screen().contents()
    }

    /// The footer (the line above the status bar).
    pub fn footer(&self) -> String {
        let parser = self.term.parser.lock().unwrap();
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        let (rows, cols) = (u16::from(rows), u16::from(cols));
        screen.contents_between(rows - 2, 0, rows - 2, cols)
    }

    pub fn status(&self) -> String {
        let parser = self.term.parser.lock().unwrap();
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        let (rows, cols) = (u16::from(rows), u16::from(cols));
        screen.contents_between(rows - 1, 0, rows - 1, cols)
    }

    /// Waits (in virtual time, at most `within`) until `check` accepts the screen; returns
    /// it, or panics with the last screen. No key is sent meanwhile: what shows up, shows up
    /// by itself.
    pub async fn wait_for(&self, within: Duration, check: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let wrote = self.term.wrote.notified();
            tokio::pin!(wrote);
            wrote.as_mut().enable();
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            tokio::select! {
                () = wrote => {}
                () = tokio::time::sleep_until(deadline) => {
                    panic!("not seen within {within:?}; screen:\n{screen}")
                }
            }
        }
    }

    /// Let the loop run for `d` of virtual time.
    pub async fn idle(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    pub async fn quit(self) -> Exit {
        self.key(KeyCode::Char('q'));
        self.finish().await
    }

    pub async fn finish(self) -> Exit {
        tokio::time::timeout(Duration::from_secs(60), self.done)
            .await
            .expect("the loop ends")
            .expect("the loop did not panic")
            .expect("the loop ended without an error")
    }

    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.term.raw.lock().unwrap()).into_owned()
    }
}

#[tokio::test(start_paused = true)]
async fn a_signal_ends_the_session_with_its_number_and_the_screen_restored() {
    let s = Session::core(FakeApi::new(30, |_, _| Reply::Rows));
    s.wait_for(Duration::from_secs(5), |t| t.contains("user-000000"))
        .await;
    s.signal(Signal::Stop(3));
    let raw_before = s.raw().len();
    let term = s.term.clone();
    let exit = s.finish().await;
    assert_eq!(exit, Exit::Signal(3));
    assert_eq!(exit.code(), 131);
    let raw = String::from_utf8_lossy(&term.raw.lock().unwrap()[raw_before..]).into_owned();
    assert!(
        raw.contains("\x1b[?1049l") && raw.contains("\x1b[?25h"),
        "{raw:?}"
    );
}
