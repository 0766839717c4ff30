//! Watching a table: the `Table` side of `watched` (what a watch holds).

use std::collections::HashMap;
use std::time::Duration;

use super::Table;
use super::watched::{Beat, Fresh, Watch};

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
