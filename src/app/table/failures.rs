//! A table's failed fetches: each kept where it happened (a page, the seek, the refresh
//! chain, the page after the known ones), the one that matters most to the user, and when
//! the next retry is due.

use std::time::Duration;

use super::super::model::ErrorInfo;
use super::super::retry::Failure;
use super::Table;

impl Table {
    /// A page request failed at `now`: the rows loaded so far and the selection stay, the
    /// error is kept on that page, and the page is tried again after a backoff when the
    /// error may pass (see [`Failure`]). A walk goes on after such a pause; a refusal ends it.
    pub fn fail(&mut self, page: usize, error: ErrorInfo, now: Duration) {
        let failure;
        if let Some(r) = self
            .refreshing
            .as_mut()
            .filter(|r| r.in_flight && r.page == page)
        {
            // The rows from before stay on screen until the page comes back.
            r.in_flight = false;
            r.failure = Some(Failure::new(error, r.failure.as_ref(), now));
            failure = r.failure.clone();
        } else if let Some(s) = self.seek.as_mut().filter(|s| s.in_flight && s.page == page) {
            s.in_flight = false;
            s.failure = Some(Failure::new(error, s.failure.as_ref(), now));
            failure = s.failure.clone();
        } else if page == self.layout.pages() {
            self.loading_more = false;
            let f = Failure::new(error, self.more_failure.as_deref(), now);
            failure = Some(f.clone());
            self.more_failure = Some(Box::new(f));
        } else if let Some(slot) = self.held.get_mut(&page) {
            slot.loading = false;
            slot.failure = Some(Failure::new(error, slot.failure.as_ref(), now));
            failure = slot.failure.clone();
        } else {
            return;
        }
        if failure.is_none_or(|f| f.retry_at.is_none()) {
            self.walking = false;
            self.owed = 0;
        }
    }

    /// `Esc` during a walk: stop it, and stop waiting to fetch past the end.
    pub fn stop_walk(&mut self) {
        self.walking = false;
        self.owed = 0;
        if let Some(f) = &mut self.more_failure {
            f.retry_at = None;
        }
    }

    /// The failure of a page near the selection waiting for a seek that failed.
    fn seek_failure(&self, page: usize) -> Option<&Failure> {
        let s = self.seek.as_ref()?;
        (s.page < page && self.rows_of(page).is_none())
            .then_some(s.failure.as_ref())
            .flatten()
    }

    /// The failure that matters most to the user now: the selected row's page (or the seek
    /// it waits for), a refresh under way, the page after the known ones, then any other.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure_at(self.selected)
            .or(self.refreshing.as_ref().and_then(|r| r.failure.as_ref()))
            .or(self.more_failure.as_deref())
            .or_else(|| self.held.values().find_map(|s| s.failure.as_ref()))
            .or(self.seek.as_ref().and_then(|s| s.failure.as_ref()))
    }

    /// The failure of the page holding row `index`, if its last fetch (or the seek toward
    /// it) failed.
    pub fn failure_at(&self, index: usize) -> Option<&Failure> {
        let page = self.page_of(index)?;
        self.held
            .get(&page)
            .and_then(|s| s.failure.as_ref())
            .or_else(|| self.seek_failure(page))
    }

    /// When the earliest retry of this table is due, if one is waiting (a page being
    /// fetched again is not waiting).
    pub fn next_retry(&self) -> Option<Duration> {
        let refresh = self
            .refreshing
            .as_ref()
            .filter(|r| !r.in_flight)
            .and_then(|r| r.failure.as_ref());
        let seek = self
            .seek
            .as_ref()
            .filter(|s| !s.in_flight)
            .and_then(|s| s.failure.as_ref());
        let more = self.more_failure.as_deref().filter(|_| !self.loading_more);
        self.held
            .values()
            .filter(|s| !s.loading)
            .filter_map(|s| s.failure.as_ref())
            .chain(refresh)
            .chain(seek)
            .chain(more)
            .filter_map(|f| f.retry_at)
            .min()
    }
}
