//! Pipelining for walks: while the dashboard takes in one page of a long Kratos identity
//! list read with walk-sized pages, the backend already fetches the page after it, so the
//! server is never idle waiting for the dashboard. One page is read ahead at most, and
//! used only for the very cursor it was started for, soon after, with no change sent since.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::api::{ApiError, Cursor};
use crate::app::PageData;

/// A page read ahead longer ago than this is not used (the list may have moved since).
const FRESH: Duration = Duration::from_secs(1);

type Fetch = JoinHandle<Result<PageData, ApiError>>;

struct Ahead {
    cursor: Cursor,
    size: u32,
    started: Instant,
    task: Fetch,
}

#[derive(Default)]
pub(super) struct ReadAhead(Mutex<Option<Ahead>>);

impl ReadAhead {
    /// The fetch started for `cursor` and `size`, if it is the one read ahead; any other
    /// is stopped.
    pub fn take(&self, cursor: &Cursor, size: u32) -> Option<Fetch> {
        let ahead = self.0.lock().ok()?.take()?;
        if ahead.cursor == *cursor && ahead.size == size && ahead.started.elapsed() < FRESH {
            Some(ahead.task)
        } else {
            ahead.task.abort();
            None
        }
    }

    /// Remember `task`, the fetch of `cursor`, in place of any other.
    pub fn start(&self, cursor: Cursor, size: u32, task: Fetch) {
        let ahead = Ahead {
            cursor,
            size,
            started: Instant::now(),
            task,
        };
        if let Ok(mut slot) = self.0.lock()
            && let Some(old) = slot.replace(ahead)
        {
            old.task.abort();
        }
    }

    /// Forget what was read ahead (a change was sent: it may be out of date).
    pub fn clear(&self) {
        if let Ok(mut slot) = self.0.lock()
            && let Some(old) = slot.take()
        {
            old.task.abort();
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.clear();
    }
}
