//! Watching a table (`:watch`): an in-place refresh every few seconds, by the state's clock,
//! and the rows that appeared or changed at the last refresh, shown as such for one cycle.
//! A beat that comes while a request of the table is still out is skipped, never stacked.

use std::collections::HashMap;
use std::time::Duration;

use super::super::row::Fields;
use super::Table;

/// How a row differs from the one shown before the last refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fresh {
    /// It was not there.
    New,
    /// Its values changed.
    Changed,
}

#[derive(Debug)]
pub struct Watch {
    every: Duration,
    /// When the next refresh is due.
    due: Duration,
    /// When the last refresh was asked for.
    refreshed: Option<Duration>,
    /// Beats skipped in a row because a request was still out.
    skipped: u32,
    /// The rows before the refresh under way, by id.
    before: Option<HashMap<String, Fields>>,
    /// What the last refresh brought.
    fresh: HashMap<String, Fresh>,
}

impl Watch {
    pub fn every(&self) -> Duration {
        self.every
    }

    /// When the last refresh was asked for (the state's clock), if one was.
    pub fn refreshed(&self) -> Option<Duration> {
        self.refreshed
    }

    /// Beats skipped in a row because a request was still out.
    pub fn skipped(&self) -> u32 {
        self.skipped
    }

    /// Whether row `id` appeared or changed at the last refresh.
    pub fn fresh(&self, id: &str) -> Option<Fresh> {
        self.fresh.get(id).copied()
    }
}

/// What a beat of the watch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    /// Not due yet.
    Waiting,
    /// A refresh started.
    Refreshed,
    /// Due, but a request was still out: nothing was asked.
    Skipped,
}

impl Table {
    /// Refresh in place every `every` from `now` on. A list the app built itself (`:find`)
    /// has nothing to refresh: `false`.
    pub fn watch(&mut self, every: Duration, now: Duration) -> bool {
        if self.local {
            return false;
        }
        self.shaping.watch = Some(Box::new(Watch {
            every,
            due: now + every,
            refreshed: None,
            skipped: 0,
            before: None,
            fresh: HashMap::new(),
        }));
        true
    }

    /// Stop watching; whether it was.
    pub fn stop_watch(&mut self) -> bool {
        self.shaping.watch.take().is_some()
    }

    pub fn watching(&self) -> Option<&Watch> {
        self.shaping.watch.as_deref()
    }

    /// When the next beat is due, while watching.
    pub fn watch_due(&self) -> Option<Duration> {
        self.shaping.watch.as_ref().map(|w| w.due)
    }

    /// The watch's beat at `now`: when due, refresh in place under `uid`, unless a request of
    /// this table is still out (then skip the beat and wait a whole period again).
    pub fn watch_beat(&mut self, now: Duration, uid: u64, view_rows: usize) -> Beat {
        let loading = self.is_loading();
        let Some(w) = self.shaping.watch.as_deref_mut() else {
            return Beat::Waiting;
        };
        if now < w.due {
            return Beat::Waiting;
        }
        w.due = now + w.every;
        if loading {
            w.skipped += 1;
            return Beat::Skipped;
        }
        w.skipped = 0;
        w.refreshed = Some(now);
        self.refresh(uid, view_rows);
        Beat::Refreshed
    }

    /// A refresh starts while watching: what is shown now is what the next rows are
    /// compared with.
    pub(super) fn watch_refresh_starts(&mut self) {
        if self.shaping.watch.is_none() {
            return;
        }
        let before = self
            .loaded_rows()
            .map(|(_, r)| (r.id.clone(), r.fields.clone()))
            .collect();
        if let Some(w) = &mut self.shaping.watch {
            w.before = Some(before);
        }
    }

    /// The refresh is over: the rows new or changed since it started are the fresh ones,
    /// until the next refresh is over.
    pub(super) fn watch_refresh_done(&mut self) {
        let Some(before) = self.shaping.watch.as_mut().and_then(|w| w.before.take()) else {
            return;
        };
        let fresh = self
            .loaded_rows()
            .filter_map(|(_, r)| match before.get(&r.id) {
                None => Some((r.id.clone(), Fresh::New)),
                Some(f) if *f != r.fields => Some((r.id.clone(), Fresh::Changed)),
                Some(_) => None,
            })
            .collect();
        if let Some(w) = &mut self.shaping.watch {
            w.fresh = fresh;
        }
    }
}
