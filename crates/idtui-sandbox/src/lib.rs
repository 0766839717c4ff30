//! `idtui sandbox`: a local emulator of the Kratos admin, MATTR VII core users and Coassemble
//! headless identities APIs over real HTTP, backed by SQLite.
//!
//! Each provider lives in its own module and exposes the same four things: `migrate` (create
//! its tables), `seed_demo` (load `assets/demo/*` into empty tables), `generate` (N
//! deterministic records) and `router` (its routes, with its own auth and error envelope).

pub mod core;
pub mod db;
mod edge;
mod envelope;
pub mod faults;
pub mod headless;
mod host;
pub mod kratos;
pub mod options;
mod private;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use db::Db;
pub use faults::FaultSpec;
pub use options::{HeadlessPlan, KratosVersion, SandboxOptions};

/// Kratos' admin server caps request bodies at 5 MB; we use the same cap everywhere.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// UTC with milliseconds and `Z` (`2020-08-25T06:46:09.510Z`): how MATTR and Coassemble write
/// timestamps, and a text form that sorts like the time (the core keyset relies on it).
pub(crate) fn iso_millis(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub(crate) fn now_iso() -> String {
    iso_millis(&chrono::Utc::now())
}

/// Compare a presented secret with the configured one in time independent of where they
/// differ; every provider's auth uses it.
pub(crate) fn secret_eq(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub options: Arc<SandboxOptions>,
    /// `http://ip:port` this server is reachable at (Kratos' `schema_url`, `Location`).
    pub base_url: Arc<str>,
    pub kratos: kratos::KratosState,
    pub core: core::CoreState,
    pub headless: headless::HeadlessState,
    edge: edge::SharedEdge,
}

/// Create every provider's tables and load the requested data, then open the read pool.
/// Idempotent: a restart on the same database keeps what is there.
pub fn prepare(db: &Db, options: &SandboxOptions) -> anyhow::Result<()> {
    db.with(|conn| -> anyhow::Result<()> {
        kratos::migrate(conn).context("kratos tables")?;
        core::migrate(conn).context("core tables")?;
        headless::migrate(conn).context("headless tables")?;
        if options.demo {
            kratos::seed_demo(conn).context("kratos demo data")?;
            core::seed_demo(conn).context("core demo data")?;
            headless::seed_demo(conn).context("headless demo data")?;
        }
        if let Some(n) = options.generate {
            let started = Instant::now();
            db::bulk_load(conn, |conn| {
                let phase = Instant::now();
                kratos::generate(conn, n).context("kratos generate")?;
                tracing::info!(elapsed = ?phase.elapsed(), "generated kratos records");
                let phase = Instant::now();
                core::generate(conn, n).context("core generate")?;
                tracing::info!(elapsed = ?phase.elapsed(), "generated core records");
                let phase = Instant::now();
                headless::generate(conn, n).context("headless generate")?;
                tracing::info!(elapsed = ?phase.elapsed(), "generated headless records");
                Ok(())
            })?;
            tracing::info!(n, elapsed = ?started.elapsed(), "generated synthetic records");
        }
        Ok(())
    })?;
    db.start_readers(db::READERS);
    Ok(())
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(kratos::router(&state))
        .merge(core::router())
        .merge(headless::router())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(envelope::layer))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::layer,
        ))
        .with_state(state)
}

/// A sandbox serving in the background of this process.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub base_url: String,
    /// The database it serves, for tests that hold a read open or look behind the API.
    pub db: Db,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    /// Stop accepting, finish in-flight requests, and wait for the server to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Bind, prepare the database and serve until [`RunningSandbox::stop`] (or drop).
pub async fn start(mut options: SandboxOptions) -> anyhow::Result<RunningSandbox> {
    options.read_token_file()?;
    if !options.listen.ip().is_loopback() && !options.allow_remote {
        bail!(
            "refusing to listen on {} (not loopback); pass --allow-remote if you mean it",
            options.listen
        );
    }
    let listener = TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");

    let db = Db::open(options.db.as_deref()).context("cannot open the sandbox database")?;
    let prep_db = db.clone();
    let prep_opts = options.clone();
    tokio::task::spawn_blocking(move || prepare(&prep_db, &prep_opts)).await??;

    let edge = edge::Edge {
        dice: options.faults.clone().map(faults::FaultDice::new),
        log: match &options.request_log {
            Some(p) => Some(
                edge::RequestLog::open(p)
                    .with_context(|| format!("cannot open request log {}", p.display()))?,
            ),
            None => None,
        },
        port: addr.port(),
    };
    let state = AppState {
        db: db.clone(),
        options: Arc::new(options),
        base_url: base_url.clone().into(),
        kratos: Default::default(),
        core: Default::default(),
        headless: Default::default(),
        edge: Arc::new(edge),
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "sandbox server failed");
        }
    });
    Ok(RunningSandbox {
        addr,
        base_url,
        db,
        shutdown: Some(tx),
        task: Some(task),
    })
}
