//! One dashboard per SSH session: its own state, drafts, history and tasks, over the
//! server's shared API clients (the secrets never leave the server process). A read key's
//! session holds only read-only clients and profiles it was granted; whatever ends it (q,
//! the client leaving, idle, the server stopping, a panic) ends only it.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::Event;
use futures::StreamExt;
use futures::stream::BoxStream;
use russh::ChannelId;
use russh::server::Handle;
use tokio::sync::mpsc;

use crate::app::{ProfileInfo, Remote};
use crate::audit_log::{Actor, AuditLog};
use crate::clipboard::Osc52Env;
use crate::keymap::{Keymap, KeymapIssue};
use crate::runtime::launch::{Places, prepare};
use crate::runtime::{Backends, Exit, RunOptions, Signal};
use crate::ui::Theme;

use super::channel_io::{self, ChannelOut};
use super::keys::{AuthorizedKeys, Grant, Role};
use super::limits::{Failures, Full, Limits, Registry};

/// Input events waiting for a session that is busy; past this the client waits.
const INPUT_QUEUE: usize = 256;
/// How long a session's last output may take to reach a client once it ended.
const FAREWELL_WAIT: Duration = Duration::from_secs(5);

/// What every session of one server shares.
pub struct Shared {
    /// Every profile's backend, for write keys (read-only too under `--read-only`).
    pub write: Backends,
    /// Every profile's backend over clients that refuse any change, for read keys.
    pub read: Backends,
    pub infos: Vec<ProfileInfo>,
    /// `--profile` or the config's `default_profile`: the tab in front at start.
    pub first: Option<String>,
    /// Serving the embedded demo sandbox (no config).
    pub demo: bool,
    /// `--read-only`: no key may change anything.
    pub read_only: bool,
    pub keymap: Keymap,
    pub keymap_issues: Vec<KeymapIssue>,
    pub state_dir: PathBuf,
    pub audit_path: PathBuf,
    pub keys: AuthorizedKeys,
    pub limits: Limits,
    pub registry: Registry,
    pub failures: Failures,
}

/// The client's terminal, from its pty request.
#[derive(Debug, Clone)]
pub struct TermInfo {
    pub term: String,
    pub size: (u16, u16),
    pub no_color: bool,
}

/// A terminal size as a client asks for it, within what a screen can be (a zero size, or
/// one in the millions, is a client's mistake or an attack: neither is drawn as asked).
pub fn clamp_size(cols: u32, rows: u32) -> (u16, u16) {
    let clamp = |n: u32, default: u16| {
        if n == 0 { default } else { n.min(1000) as u16 }
    };
    (clamp(cols, 80), clamp(rows, 24))
}

/// The handler's side of a running session.
pub struct Live {
    events: mpsc::Sender<io::Result<Event>>,
    stop: mpsc::UnboundedSender<(Signal, &'static str)>,
    activity: Activity,
}

impl Live {
    pub async fn send(&self, event: Event) {
        let _ = self.events.send(Ok(event)).await;
    }

    /// Input came: the idle clock starts again.
    pub fn touch(&self) {
        self.activity.touch();
    }

    /// The client went away: the session ends (its drafts are written).
    pub fn hang_up(&self, why: &'static str) {
        let _ = self.stop.send((Signal::Stop(1), why));
    }
}

/// When input last came, for the idle timeout.
#[derive(Clone)]
struct Activity {
    start: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

/// Start a dashboard for `grant` on `channel`, unless a session limit is reached.
pub fn start(
    shared: Arc<Shared>,
    grant: Grant,
    peer: SocketAddr,
    term: TermInfo,
    handle: Handle,
    channel: ChannelId,
) -> Result<Live, Full> {
    let (stop_tx, stop_rx) = mpsc::unbounded_channel();
    let place = shared
        .registry
        .admit(&shared.limits, &grant.fingerprint, stop_tx.clone())?;
    let (events_tx, events_rx) = mpsc::channel(INPUT_QUEUE);
    let activity = Activity::new();
    let idle = watch_idle(activity.clone(), shared.limits.idle, stop_tx.clone());
    let (out, writer) = channel_io::open(handle.clone(), channel);
    tokio::spawn(async move {
        let _place = place;
        let began = Instant::now();
        tracing::info!(%peer, name = %grant.name, role = grant.role.name(), term = %term.term,
            cols = term.size.0, rows = term.size.1, "session started");
        let why = Arc::new(Mutex::new(None::<&'static str>));
        let signals = signals(stop_rx, Arc::clone(&why));
        let mut farewell_out = out.clone();
        // A task of its own: a panic in this dashboard unwinds to here, not further.
        let dashboard = tokio::spawn(Box::pin(dashboard(
            Arc::clone(&shared),
            grant.clone(),
            term,
            out,
            events_rx,
            signals,
        )));
        let mut ended_by = "q";
        let (status, farewell) = match dashboard.await {
            Ok(Ok(exit)) => {
                let why = why.lock().unwrap_or_else(|p| p.into_inner()).take();
                ended_by = why.unwrap_or(ended_by);
                (exit_status(exit), farewell_for(why))
            }
            Ok(Err(e)) => {
                ended_by = "an error";
                tracing::warn!(name = %grant.name, error = %format!("{e:#}"), "session failed");
                let text = crate::sanitize::clean_line(&format!("{e:#}")).into_owned();
                (1, format!("idtui: the session ended: {text}"))
            }
            Err(join) => {
                ended_by = "a panic";
                tracing::error!(name = %grant.name, panic = join.is_panic(), "session crashed");
                // The screen is as the panic left it: give the terminal back first.
                let _ = crate::runtime::terminal::restore_sequences(&mut farewell_out);
                (
                    1,
                    "idtui: this session hit an internal error and ended; the server and \
                     other sessions go on (details in the server's log). Your drafts are kept."
                        .to_string(),
                )
            }
        };
        idle.abort();
        farewell_out.end(status, &farewell);
        let _ = tokio::time::timeout(FAREWELL_WAIT, writer).await;
        // A client closes its connection once its one channel is closed. One that does
        // not (it stopped reading, so it never saw the close) is disconnected, rather than
        // its buffers outliving the session.
        tokio::spawn(async move {
            tokio::time::sleep(FAREWELL_WAIT).await;
            let _ = handle
                .disconnect(
                    russh::Disconnect::ByApplication,
                    "the session has ended".into(),
                    String::new(),
                )
                .await;
        });
        tracing::info!(%peer, name = %grant.name, status, seconds = began.elapsed().as_secs(),
            by = ended_by, "session ended");
        release_freed_memory_soon();
    });
    Ok(Live {
        events: events_tx,
        stop: stop_tx,
        activity,
    })
}

/// Give the memory of ended sessions back to the system. Each session's screens, tables and
/// pages are freed when it ends, but glibc keeps freed memory in the arenas of the threads
/// that used it: without this, a server that once had 50 sessions keeps their high-water
/// mark for as long as it runs (about 60 MB against 12 MB idle; `tests/measure_ssh.rs`). One
/// trim (a few milliseconds) off the async workers; the ends of a burst share it.
fn release_freed_memory_soon() {
    static PENDING: AtomicBool = AtomicBool::new(false);
    if !PENDING.swap(true, Ordering::AcqRel) {
        tokio::task::spawn_blocking(|| {
            PENDING.store(false, Ordering::Release);
            crate::sys::release_freed_memory();
        });
    }
}

fn exit_status(exit: Exit) -> u32 {
    u32::try_from(exit.code()).unwrap_or(1)
}

fn farewell_for(why: Option<&'static str>) -> String {
    match why {
        None => String::new(),
        Some(why) => format!("idtui: the session ended: {why}. Your drafts are kept."),
    }
}

/// Tells the session to end once no input came for `idle`.
fn watch_idle(
    activity: Activity,
    idle: Duration,
    stop: mpsc::UnboundedSender<(Signal, &'static str)>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let quiet = activity.idle();
            if quiet >= idle {
                let _ = stop.send((Signal::Stop(1), "no input for the idle timeout"));
                return;
            }
            tokio::time::sleep(idle - quiet).await;
        }
    })
}

/// The session's signal stream; the reason of the first stop is kept for the farewell.
fn signals(
    rx: mpsc::UnboundedReceiver<(Signal, &'static str)>,
    why: Arc<Mutex<Option<&'static str>>>,
) -> BoxStream<'static, Signal> {
    futures::stream::unfold(rx, move |mut rx| {
        let why = Arc::clone(&why);
        async move {
            let (signal, reason) = rx.recv().await?;
            why.lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(reason);
            Some((signal, rx))
        }
    })
    .boxed()
}

/// The dashboard of one session, run to its end.
async fn dashboard(
    shared: Arc<Shared>,
    grant: Grant,
    term: TermInfo,
    out: ChannelOut,
    events: mpsc::Receiver<io::Result<Event>>,
    signals: BoxStream<'static, Signal>,
) -> anyhow::Result<Exit> {
    let read_only = shared.read_only || grant.role == Role::Read;
    let all = if read_only {
        &shared.read
    } else {
        &shared.write
    };
    let backends = all.only(|p| grant.sees(p));
    let infos: Vec<ProfileInfo> = shared
        .infos
        .iter()
        .filter(|i| grant.sees(&i.name))
        .cloned()
        .collect();
    if infos.is_empty() {
        anyhow::bail!(
            "your key is granted no profile this server has (idtui-profiles in its authorized keys)"
        );
    }
    let places = places_for(&shared.state_dir, &grant.fingerprint);
    let mut prepared = prepare(
        infos,
        shared.keymap.clone(),
        &shared.keymap_issues,
        read_only,
        shared.first.as_deref(),
        &places,
        Vec::new(),
    );
    prepared.state.remote = Some(Remote {
        name: grant.name.clone(),
        read_key: grant.role == Role::Read,
        demo: shared.demo,
    });
    let actor = Actor {
        fingerprint: grant.fingerprint.clone(),
        name: grant.name.clone(),
    };
    let mut audit = AuditLog::new(&shared.audit_path).via("ssh").actor(actor);
    if grant.role == Role::Read {
        audit = audit.shown_only_to(grant.fingerprint.clone());
    }
    let mut events = Some(events);
    let make_events = move || -> BoxStream<'static, io::Result<Event>> {
        match events.take() {
            Some(rx) => {
                futures::stream::unfold(
                    rx,
                    |mut rx| async move { rx.recv().await.map(|e| (e, rx)) },
                )
                .boxed()
            }
            // Asked again only after a program took the terminal over, which never
            // happens over SSH.
            None => futures::stream::pending().boxed(),
        }
    };
    let options = RunOptions {
        theme: theme_for(&term),
        read_only,
        // Straight to the client's terminal: what multiplexer it runs in, if any, is its
        // own business (its TERM says at most which).
        osc52: Osc52Env::default(),
        drafts: prepared.drafts,
        audit,
        history: prepared.history,
        journals: prepared.journals,
        columns: prepared.columns,
        size: term.size,
        stop_process: None,
    };
    crate::runtime::run(out, make_events, signals, prepared.state, backends, options).await
}

/// The directory name of a key's places: its fingerprint's base64 made safe for a path
/// (`/` → `_`, `+` → `-`, no padding).
pub fn key_dir_name(fingerprint: &str) -> String {
    fingerprint
        .trim_start_matches("SHA256:")
        .chars()
        .filter_map(|c| match c {
            '/' => Some('_'),
            '+' => Some('-'),
            '=' => None,
            c => Some(c),
        })
        .collect()
}

/// Colour unless the client sent `NO_COLOR` or its terminal has none.
fn theme_for(term: &TermInfo) -> Theme {
    let mono = term.term == "dumb" || term.term.ends_with("-mono") || term.term.ends_with("-m");
    Theme {
        color: !term.no_color && !mono,
    }
}

/// A key's own drafts, history, bulk journals and columns: `ssh/KEY/` in the state
/// directory, named after its fingerprint.
pub fn places_for(state_dir: &Path, fingerprint: &str) -> Places {
    let dir = state_dir.join("ssh").join(key_dir_name(fingerprint));
    Places {
        drafts: dir.join("drafts"),
        history: dir.join("history"),
        journals: dir.join("journal"),
        columns: Some(dir.join("columns.toml")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_places_named_safely_after_its_fingerprint() {
        let p = places_for(Path::new("/s"), "SHA256:ab/c+d=");
        assert_eq!(p.drafts, Path::new("/s/ssh/ab_c-d/drafts"));
        let q = places_for(Path::new("/s"), "SHA256:other");
        assert_ne!(p.drafts, q.drafts);
    }

    #[test]
    fn sizes_are_kept_within_what_a_screen_can_be() {
        assert_eq!(clamp_size(80, 24), (80, 24));
        assert_eq!(clamp_size(0, 0), (80, 24));
        assert_eq!(clamp_size(4_000_000, 70_000), (1000, 1000));
    }
}
