//! Pipelining for walks: while the dashboard takes in one page of a long list read with
//! walk-sized pages, the backend already fetches the page after it, so the server works on
//! the next page while this one travels, is parsed and drawn, and is never idle waiting for
//! the dashboard. That page is asked for as soon as its cursor is known: for the Kratos
//! identity list when the current answer's headers name it (its `Link`), before the current
//! body is even read; for other lists (their cursor is in the body, or a page number) once
//! the current page is read.
//!
//! One page is read ahead at most: a page read ahead learns its own successor but asks for
//! it only once the dashboard takes it. A page read ahead is used only for the very cursor
//! it was started for, soon after, with no change sent since.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use tokio::task::JoinHandle;

use crate::api::{ApiError, Cursor};
use crate::app::{ListKind, PageData};

/// One page of a provider's list (each module of `runtime::provider` answers it). `named` is
/// told the cursor of the page after it as soon as that is known, so a walk can ask for it
/// early.
pub trait Pages: Clone + Send + Sync + 'static {
    fn page(
        &self,
        list: ListKind,
        search: Option<String>,
        cursor: Cursor,
        size: u32,
        named: impl Fn(Cursor) + Send + Sync + 'static,
    ) -> BoxFuture<'static, Result<PageData, ApiError>>;
}

/// Which list a page belongs to, and the size it was asked with.
#[derive(Clone, PartialEq)]
pub(super) struct Walk {
    pub kind: ListKind,
    pub size: u32,
}

/// A page read ahead longer ago than this is not used (the list may have moved since).
const FRESH: Duration = Duration::from_secs(1);

/// A page being fetched; dropping it stops the fetch.
pub(super) struct Fetch(JoinHandle<Result<PageData, ApiError>>);

impl Fetch {
    /// The page, or `None` when the task was stopped or panicked.
    pub async fn page(mut self) -> Option<Result<PageData, ApiError>> {
        (&mut self.0).await.ok()
    }
}

impl Drop for Fetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct Ahead {
    cursor: Cursor,
    walk: Walk,
    started: Instant,
    fetch: Fetch,
    next: Arc<Next>,
}

/// What a fetch has learnt of the page after it, and whether that page is wanted yet.
#[derive(Default)]
struct Next(Mutex<NextState>);

#[derive(Default)]
enum NextState {
    /// Neither its cursor nor a want so far.
    #[default]
    Unknown,
    /// Named by the headers; asked for once the dashboard takes this page.
    Known(Cursor),
    /// The dashboard has this page: ask for the next as soon as it is named.
    Wanted,
    /// Asked for (at most once).
    Started,
}

impl Next {
    fn new(state: NextState) -> Arc<Next> {
        Arc::new(Next(Mutex::new(state)))
    }

    /// The headers named the next page: start it if it is wanted already.
    fn named(&self, cursor: Cursor, start: impl FnOnce(Cursor)) {
        let Ok(mut state) = self.0.lock() else { return };
        match *state {
            NextState::Unknown => *state = NextState::Known(cursor),
            NextState::Wanted => {
                *state = NextState::Started;
                drop(state);
                start(cursor);
            }
            NextState::Known(_) | NextState::Started => {}
        }
    }

    /// The dashboard took this page: start the next if it is named already.
    fn want(&self, start: impl FnOnce(Cursor)) {
        let Ok(mut state) = self.0.lock() else { return };
        match std::mem::take(&mut *state) {
            NextState::Unknown => *state = NextState::Wanted,
            NextState::Known(cursor) => {
                *state = NextState::Started;
                drop(state);
                start(cursor);
            }
            other => *state = other,
        }
    }
}

/// The read-ahead of one provider's lists, fetched through `P`.
pub(super) struct ReadAhead<P> {
    slot: Mutex<Option<Ahead>>,
    /// Counts changes sent: a fetch started before one never starts another after it.
    generation: AtomicU64,
    provider: std::marker::PhantomData<fn() -> P>,
}

impl<P> Default for ReadAhead<P> {
    fn default() -> Self {
        ReadAhead {
            slot: Mutex::default(),
            generation: AtomicU64::default(),
            provider: std::marker::PhantomData,
        }
    }
}

impl<P: Pages> ReadAhead<P> {
    /// The page of `walk`'s list at `cursor`: the one read ahead when it is that page, else
    /// fetched now. Either way the page after it is asked for as soon as it is known.
    pub async fn walk(
        self: &Arc<Self>,
        pages: &P,
        walk: Walk,
        cursor: Cursor,
    ) -> Result<PageData, ApiError> {
        if let Some((fetch, next)) = self.take(&walk, &cursor) {
            next.want(|c| self.start(pages, &walk, c));
            if let Some(page) = fetch.page().await {
                return page;
            }
        }
        // Not read ahead (or its task failed): read here, as the dashboard waits for it.
        let named = self.on_named(pages, &walk, Next::new(NextState::Wanted));
        fetch_page(pages, &walk, cursor, named).await
    }

    /// Forget what was read ahead (a change was sent: it may be out of date).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut slot) = self.slot.lock() {
            slot.take();
        }
    }

    /// The fetch started for `walk` at `cursor`, if it is the one read ahead; any other
    /// is stopped.
    fn take(&self, walk: &Walk, cursor: &Cursor) -> Option<(Fetch, Arc<Next>)> {
        let ahead = self.slot.lock().ok()?.take()?;
        (ahead.cursor == *cursor && ahead.walk == *walk && ahead.started.elapsed() < FRESH)
            .then_some((ahead.fetch, ahead.next))
    }

    /// Read the page at `cursor` ahead, in place of any other.
    fn start(self: &Arc<Self>, pages: &P, walk: &Walk, cursor: Cursor) {
        let (fetch, next) = self.fetch(pages, walk, cursor.clone());
        let ahead = Ahead {
            cursor,
            walk: walk.clone(),
            started: Instant::now(),
            fetch,
            next,
        };
        if let Ok(mut slot) = self.slot.lock() {
            slot.replace(ahead);
        }
    }

    /// What a fetch does when its headers name the next page: tell `next`, which starts that
    /// page when it is wanted, unless a change was sent since.
    fn on_named(
        self: &Arc<Self>,
        pages: &P,
        walk: &Walk,
        next: Arc<Next>,
    ) -> impl Fn(Cursor) + Send + Sync + 'static {
        // Weak: a fetch lives in `self`'s slot, and must not keep `self` alive.
        let (me, pages, walk) = (Arc::downgrade(self), pages.clone(), walk.clone());
        let generation = self.generation.load(Ordering::SeqCst);
        move |c: Cursor| {
            next.named(c, |c| {
                if let Some(me) = Weak::upgrade(&me)
                    && me.generation.load(Ordering::SeqCst) == generation
                {
                    me.start(&pages, &walk, c);
                }
            })
        }
    }

    /// Fetch the page at `cursor` ahead, learning the next page's cursor as soon as it can.
    fn fetch(self: &Arc<Self>, pages: &P, walk: &Walk, cursor: Cursor) -> (Fetch, Arc<Next>) {
        let next = Next::new(NextState::Unknown);
        let named = self.on_named(pages, walk, Arc::clone(&next));
        let (pages, walk) = (pages.clone(), walk.clone());
        let task = tokio::spawn(async move { fetch_page(&pages, &walk, cursor, named).await });
        (Fetch(task), next)
    }
}

/// One page of `walk`'s list, telling `named` the cursor of the page after it as soon as it
/// is known.
async fn fetch_page<P: Pages>(
    pages: &P,
    walk: &Walk,
    cursor: Cursor,
    named: impl Fn(Cursor) + Send + Sync + 'static,
) -> Result<PageData, ApiError> {
    pages
        .page(walk.kind.clone(), None, cursor, walk.size, named)
        .await
}
