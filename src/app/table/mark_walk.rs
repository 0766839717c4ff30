//! `:mark all`: every row of the list on the server (or of its search) is marked, not only the
//! loaded ones. The list is read from its first page to its end, one page at a time at the
//! largest size the list allows, as `G` reads it; each page's rows are marked as it arrives
//! and then dropped, so a long list costs its marks and nothing else. The rows on screen and
//! the selection do not move.

use std::time::Duration;

use super::super::marks::{MarkPage, MarkWalk};
use super::super::model::{ErrorInfo, PageCursor, PageData};
use super::super::retry::Failure;
use super::Table;

impl Table {
    /// Start `:mark all` (again from the first page when one is under way).
    pub fn start_mark_walk(&mut self) {
        self.mark_walk = Some(Box::new(MarkWalk {
            cursor: PageCursor::First,
            in_flight: false,
            read: 0,
            failure: None,
        }));
    }

    /// `:mark all` is reading the list: rows read so far.
    pub fn mark_walk_read(&self) -> Option<usize> {
        self.mark_walk.as_ref().map(|w| w.read)
    }

    /// The walk's failure, while it waits to retry (or for `r`).
    pub fn mark_walk_failure(&self) -> Option<&Failure> {
        self.mark_walk.as_ref()?.failure.as_ref()
    }

    /// `Esc`: stop marking; the rows marked so far stay marked.
    pub fn stop_mark_walk(&mut self) -> bool {
        self.mark_walk.take().is_some()
    }

    /// The page to read now, if any (one at a time; none while a retry is not due).
    pub fn mark_walk_want(&mut self, now: Duration) -> Option<MarkPage> {
        if self.local {
            return None;
        }
        let w = self.mark_walk.as_mut()?;
        if w.in_flight || w.failure.as_ref().is_some_and(|f| !f.due(now)) {
            return None;
        }
        w.in_flight = true;
        let size = self
            .kind
            .walk_page_size()
            .map_or(self.page_size, |max| max.max(self.page_size));
        Some(MarkPage {
            cursor: w.cursor.clone(),
            size,
        })
    }

    /// A page of the walk arrived: its rows are marked, and the walk ends with the list.
    pub fn mark_walk_page(&mut self, data: PageData) {
        let Some(w) = self.mark_walk.as_mut() else {
            return;
        };
        w.in_flight = false;
        w.failure = None;
        w.read += data.rows.len();
        let next = data.next.filter(|_| !data.rows.is_empty());
        for row in &data.rows {
            self.marked.mark(&row.id, row.fields.name().unwrap_or(""));
        }
        match next {
            Some(cursor) => w.cursor = cursor,
            None => self.mark_walk = None,
        }
    }

    /// A page of the walk failed: tried again after the usual backoff when the error may
    /// pass; otherwise the walk stops (the rows marked so far stay) and says why.
    pub fn mark_walk_failed(&mut self, error: ErrorInfo, now: Duration) -> Option<String> {
        let w = self.mark_walk.as_mut()?;
        w.in_flight = false;
        let failure = Failure::new(error, w.failure.as_ref(), now);
        if failure.retry_at.is_none() {
            let why = format!(
                ":mark all stopped after {} rows: {}",
                w.read, failure.error.line
            );
            self.mark_walk = None;
            return Some(why);
        }
        w.failure = Some(failure);
        None
    }

    /// When the walk tries again by itself, if it waits to.
    pub fn mark_walk_wake(&self) -> Option<Duration> {
        self.mark_walk_failure()?.retry_at
    }
}
