//! Watching a table (`:watch`): an in-place refresh every few seconds, by the state's clock,
//! and the rows that appeared or changed at the last refresh, shown as such for one cycle.
//! A beat that comes while a request of the table is still out is skipped, never stacked.

use std::collections::HashMap;
use std::time::Duration;

use super::super::row::Fields;

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
    pub(super) every: Duration,
    /// When the next refresh is due.
    pub(super) due: Duration,
    /// When the last refresh was asked for.
    pub(super) refreshed: Option<Duration>,
    /// Beats skipped in a row because a request was still out.
    pub(super) skipped: u32,
    /// The rows before the refresh under way, by id.
    pub(super) before: Option<HashMap<String, Fields>>,
    /// What the last refresh brought.
    pub(super) fresh: HashMap<String, Fresh>,
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
