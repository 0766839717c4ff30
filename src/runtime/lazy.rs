//! A profile connects when it is first used, not at start-up: its client is built (and its
//! `token_command` run) by the first request, so a dashboard with many profiles opens at
//! once and a slow or broken secret only affects the profile that needs it.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::app::provider::kratos::version::Version;
use crate::app::{Done, ErrorInfo, Hit, ListKind, Mutation, ObjectKind, PageCursor, PageData, Row};
use crate::config::Profile;

use super::backend::{Backend, RequestLine};
use super::provider::{self, error_info};

/// A failed connection is reused this long, so the requests a screen sends together run a
/// failing `token_command` once; after it, the next request (`r`) tries again.
const FAILURE_REUSED: Duration = Duration::from_secs(2);

enum Slot {
    Idle,
    Ready(Arc<dyn Backend>),
    Failed(ErrorInfo, Instant),
}

pub struct Lazy {
    profile: Arc<Profile>,
    read_only: bool,
    slot: Arc<tokio::sync::Mutex<Slot>>,
    /// The backend once connected, for what must be answered without waiting (the audit
    /// trail's request line).
    connected: Arc<OnceLock<Arc<dyn Backend>>>,
}

impl Lazy {
    pub fn new(profile: Profile, read_only: bool) -> Lazy {
        Lazy {
            profile: Arc::new(profile),
            read_only,
            slot: Arc::new(tokio::sync::Mutex::new(Slot::Idle)),
            connected: Arc::default(),
        }
    }

    /// The connected backend, connecting first if needed. Requests arriving meanwhile wait
    /// for the same connection.
    fn backend(&self) -> BoxFuture<'static, Result<Arc<dyn Backend>, ErrorInfo>> {
        let (slot, profile, read_only, ready) = (
            Arc::clone(&self.slot),
            Arc::clone(&self.profile),
            self.read_only,
            Arc::clone(&self.connected),
        );
        async move {
            let mut slot = slot.lock().await;
            match &*slot {
                Slot::Ready(b) => return Ok(Arc::clone(b)),
                Slot::Failed(e, at) if at.elapsed() < FAILURE_REUSED => return Err(e.clone()),
                _ => {}
            }
            // Resolving a secret may run a `token_command`: off the async threads.
            let p = Arc::clone(&profile);
            let connected =
                tokio::task::spawn_blocking(move || crate::connect::connect(&p, read_only))
                    .await
                    .map_err(|e| {
                        let line = format!("connecting profile {} failed: {e}", profile.name);
                        ErrorInfo::new(line.clone(), line)
                    })?;
            match connected {
                Ok(client) => {
                    let b = provider::backend(client);
                    *slot = Slot::Ready(Arc::clone(&b));
                    let _ = ready.set(Arc::clone(&b));
                    Ok(b)
                }
                Err(e) => {
                    tracing::warn!(profile = %profile.name, error = %e, "profile not connected");
                    let info = error_info(&e);
                    *slot = Slot::Failed(info.clone(), Instant::now());
                    Err(info)
                }
            }
        }
        .boxed()
    }
}

impl Backend for Lazy {
    fn list(
        &self,
        list: ListKind,
        search: Option<String>,
        cursor: PageCursor,
        size: usize,
    ) -> BoxFuture<'static, Result<PageData, ErrorInfo>> {
        let backend = self.backend();
        async move { backend.await?.list(list, search, cursor, size).await }.boxed()
    }

    fn get(&self, kind: ObjectKind, id: String) -> BoxFuture<'static, Result<Row, ErrorInfo>> {
        let backend = self.backend();
        async move { backend.await?.get(kind, id).await }.boxed()
    }

    fn version(&self) -> BoxFuture<'static, Result<Version, ErrorInfo>> {
        let backend = self.backend();
        async move { backend.await?.version().await }.boxed()
    }

    fn find(&self, text: String) -> BoxFuture<'static, Result<Vec<Hit>, ErrorInfo>> {
        let backend = self.backend();
        async move { backend.await?.find(text).await }.boxed()
    }

    fn mutate(&self, mutation: Mutation) -> BoxFuture<'static, Result<Done, ErrorInfo>> {
        let backend = self.backend();
        async move { backend.await?.mutate(mutation).await }.boxed()
    }

    /// The connected client's own line; before the profile is connected, the line its
    /// client will send (built from the profile the same way).
    fn request_line(&self, mutation: &Mutation) -> RequestLine {
        match self.connected.get() {
            Some(b) => b.request_line(mutation),
            None => provider::request_line(&self.profile, mutation),
        }
    }
}
