//! `idtui serve --ssh`: the dashboard served over SSH. One process holds the profiles and
//! their secrets; each connection authenticated by a key in the authorized keys gets its
//! own dashboard over the shared clients, with the role and profiles its key line grants.
//! There is no shell and nothing else to ask for.

pub mod channel_io;
pub mod handler;
pub mod host_key;
pub mod keys;
pub mod limits;
pub mod session;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use russh::server::Config;
use russh::{MethodKind, MethodSet};
use tokio::net::TcpListener;

use crate::keymap::Keymap;
use crate::runtime::Signal;

use keys::AuthorizedKeys;
use limits::{Failures, Limits, Registry};
use session::Shared;

/// Time a client has to authenticate.
const LOGIN_GRACE: Duration = Duration::from_secs(30);
/// Connections not yet in a session (key exchange, authentication) beyond the sessions.
const SPARE_CONNECTIONS: usize = 16;
/// How long sessions get to write their drafts and say goodbye when the server stops.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// What `idtui serve --ssh` was asked for.
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub authorized_keys: Option<PathBuf>,
    pub host_key: Option<PathBuf>,
    pub limits: Limits,
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub read_only: bool,
}

/// Serve until SIGTERM, SIGINT or SIGHUP; the exit status.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<i32> {
    for (path, problem) in crate::local_files::tighten_tree(&crate::logging::state_dir()) {
        tracing::warn!(path = %path.display(), %problem, "local state");
    }
    let opened = crate::runtime::profiles::open(opts.config.clone(), opts.profile.clone()).await?;
    let demo = opened.sandbox.is_some();
    let (write, infos) = crate::runtime::profiles::backends(&opened.profiles, opts.read_only);
    let (read, _) = crate::runtime::profiles::backends(&opened.profiles, true);
    let (keymap, keymap_issues) = Keymap::load(Keymap::user_file().as_deref());
    let keys_path = match &opts.authorized_keys {
        Some(p) => p.clone(),
        None => AuthorizedKeys::default_path()
            .context("HOME is not set: name the authorized keys with --authorized-keys")?,
    };
    let mut keys = AuthorizedKeys::new(&keys_path);
    if demo && opts.authorized_keys.is_none() {
        keys = keys.or_own_keys();
    }
    let host = host_key::load_or_create(opts.host_key.as_deref())?;
    let listener = TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let address = listener.local_addr()?;

    println!("idtui serve: SSH on {address}");
    println!(
        "  host key {} ({}{})",
        host.fingerprint(),
        host.path.display(),
        if host.created { ", made now" } else { "" }
    );
    if let Some(own) = keys.own_keys_in_use() {
        let names: Vec<String> = own.iter().map(|p| p.display().to_string()).collect();
        println!(
            "  no {}: serving only demo data, so your own keys get in as write keys: {}",
            keys_path.display(),
            names.join(", ")
        );
    } else {
        match keys.check() {
            Ok((n, problems)) => {
                println!(
                    "  authorized keys: {} ({n} key{} usable{})",
                    keys_path.display(),
                    if n == 1 { "" } else { "s" },
                    if problems.is_empty() {
                        String::new()
                    } else {
                        format!(", {} line(s) ignored: see the log", problems.len())
                    }
                );
                for p in problems {
                    tracing::warn!(line = p.line, why = %p.why, "authorized_keys line ignored");
                }
            }
            Err(e) => println!(
                "  authorized keys: {e}\n  nobody can connect until it exists; add a public key \
                 there, e.g. `cat ~/.ssh/id_ed25519.pub >> {}` (read again on every connection)",
                keys_path.display()
            ),
        }
    }
    if demo {
        println!(
            "  serving the DEMO SANDBOX (no --config): demo data only, no real tenant; \
             ssh -p {} localhost",
            address.port()
        );
    } else {
        let names: Vec<&str> = infos.iter().map(|i| i.name.as_str()).collect();
        println!("  profiles: {}", names.join(", "));
    }
    if opts.read_only {
        println!("  --read-only: no key can change anything");
    }
    println!(
        "  limits: {} sessions, {} per key, idle {}s, {} failed logins per address per {} min",
        opts.limits.sessions,
        opts.limits.sessions_per_key,
        opts.limits.idle.as_secs(),
        opts.limits.auth_failures,
        limits::FAILURE_WINDOW.as_secs() / 60
    );

    let shared = Arc::new(Shared {
        write,
        read,
        infos,
        first: opened.first.clone(),
        demo,
        read_only: opts.read_only,
        keymap,
        keymap_issues,
        state_dir: crate::logging::state_dir(),
        audit_path: crate::audit_log::AuditLog::default_path(),
        keys,
        limits: opts.limits,
        registry: Registry::default(),
        failures: Failures::default(),
    });
    let config = Arc::new(Config {
        // What the client sees before authenticating: the product, not the library and its
        // version.
        server_id: russh::SshId::Standard("SSH-2.0-idtui".into()),
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        keys: vec![host.key],
        auth_rejection_time: Duration::from_secs(1),
        auth_rejection_time_initial: Some(Duration::ZERO),
        max_auth_attempts: 6,
        // The session's own idle timeout speaks first; this only collects connections
        // whose client vanished without a word.
        inactivity_timeout: Some(opts.limits.idle + Duration::from_secs(120)),
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    });
    tracing::info!(%address, demo, "serving");
    let stopped_by = accept(&listener, &shared, &config).await;
    drop(listener);
    let n = shared.registry.len();
    tracing::info!(sessions = n, signal = stopped_by, "stopping");
    shared
        .registry
        .stop_all(Signal::Stop(stopped_by), "the server is shutting down");
    if tokio::time::timeout(STOP_WAIT, shared.registry.emptied())
        .await
        .is_err()
    {
        tracing::warn!(
            left = shared.registry.len(),
            "sessions still ending; stopping anyway"
        );
    }
    if let Some(s) = opened.sandbox {
        s.stop().await;
    }
    tracing::info!("stopped");
    Ok(0)
}

/// Accept connections until SIGTERM, SIGINT or SIGHUP (its number).
async fn accept(listener: &TcpListener, shared: &Arc<Shared>, config: &Arc<Config>) -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut int = signal(SignalKind::interrupt()).ok();
    // The terminal the server was started from closing (no nohup, no service manager):
    // stopped as cleanly as by SIGTERM, not killed with the drafts unwritten.
    let mut hup = signal(SignalKind::hangup()).ok();
    let connections = Arc::new(AtomicUsize::new(0));
    let max_connections = shared.limits.sessions + SPARE_CONNECTIONS;
    loop {
        let accepted = tokio::select! {
            Some(()) = async { term.as_mut()?.recv().await } => return 15,
            Some(()) = async { int.as_mut()?.recv().await } => return 2,
            Some(()) = async { hup.as_mut()?.recv().await } => return 1,
            accepted = listener.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of descriptors, say: wait a moment rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if shared
            .failures
            .blocked(peer.ip(), shared.limits.auth_failures)
        {
            tracing::warn!(%peer, "refused: too many failed logins from this address");
            continue;
        }
        if connections.load(Ordering::Relaxed) >= max_connections {
            tracing::warn!(%peer, "refused: too many connections");
            continue;
        }
        let _ = socket.set_nodelay(true);
        let counted = Counted::new(&connections);
        let handler = handler::Connection::new(Arc::clone(shared), peer);
        let authed = Arc::clone(&handler.authed);
        let config = Arc::clone(config);
        tokio::spawn(async move {
            let _counted = counted;
            connection(config, socket, handler, peer, authed).await;
        });
    }
}

/// One connection, from the key exchange to its end.
async fn connection(
    config: Arc<Config>,
    socket: tokio::net::TcpStream,
    handler: handler::Connection,
    peer: SocketAddr,
    authed: Arc<AtomicBool>,
) {
    let grace = tokio::time::sleep(LOGIN_GRACE);
    tokio::pin!(grace);
    let running = tokio::select! {
        r = russh::server::run_stream(config, socket, handler) => r,
        () = &mut grace => {
            tracing::warn!(%peer, "dropped: no key exchange within the login grace time");
            return;
        }
    };
    let running = match running {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(%peer, error = %e, "connection setup failed");
            return;
        }
    };
    let handle = running.handle();
    tokio::pin!(running);
    let ended = tokio::select! {
        r = &mut running => Some(r),
        () = &mut grace => None,
    };
    let ended = match ended {
        Some(r) => r,
        None if !authed.load(Ordering::Relaxed) => {
            tracing::warn!(%peer, "dropped: not authenticated within the login grace time");
            let _ = handle
                .disconnect(
                    russh::Disconnect::ByApplication,
                    "authentication took too long".into(),
                    String::new(),
                )
                .await;
            return;
        }
        None => running.await,
    };
    if let Err(e) = ended {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
    if authed.load(Ordering::Relaxed) {
        tracing::info!(%peer, "disconnected");
    }
}

/// One connection counted for as long as it lives.
struct Counted(Arc<AtomicUsize>);

impl Counted {
    fn new(n: &Arc<AtomicUsize>) -> Counted {
        n.fetch_add(1, Ordering::Relaxed);
        Counted(Arc::clone(n))
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
