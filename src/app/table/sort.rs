//! Sorting a table: the `Table` side of `sorted` (what a sort holds).

use std::collections::HashSet;

use super::super::model::Row;
use super::Table;
use super::sorted::{SortKey, Sorted};

impl Table {
    /// The sort in effect, if any.
    pub fn sorted(&self) -> Option<&Sorted> {
        self.shaping.sorted.as_deref()
    }

    /// Sort by `key` (`None`: back to the server's order), over the rows loaded now and
    /// those that arrive later. The selected row stays selected. A filter open closes.
    pub fn sort(&mut self, key: Option<SortKey>, view_rows: usize) {
        self.close_filter(view_rows);
        let keep = match &self.shaping.sorted {
            Some(s) => s.selected_id(),
            None => self.selected_row().map(|r| r.id.clone()),
        };
        let Some(key) = key else {
            if self.shaping.sorted.take().is_some() {
                let at = keep
                    .and_then(|id| self.loaded_rows().find(|(_, r)| r.id == id).map(|(i, _)| i));
                if let Some(i) = at {
                    self.select(i, view_rows);
                }
            }
            return;
        };
        let old = self.shaping.sorted.take();
        let mut sorted = Box::new(Sorted {
            key,
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            view: view_rows,
            capped: false,
            stale: HashSet::new(),
        });
        match old {
            // A new order of the same snapshot: rows walked past stay.
            Some(old) => {
                sorted.capped = old.capped;
                sorted.merge(&old.rows);
            }
            None => sorted.merge(self.loaded_rows().map(|(_, r)| r)),
        }
        sorted.reselect(keep.as_deref());
        self.shaping.sorted = Some(sorted);
    }

    /// `G` while sorted: rows listed before the sort began whose pages were dropped since
    /// are not among the sorted ones, and a walk only reads pages after the known ones; so
    /// the list is read again from its first page under `uid` (the sorted rows stay shown
    /// meanwhile, and each page read joins them), and every row of the list is sorted.
    /// Whether it started over.
    pub fn walk_sorted(&mut self, uid: u64) -> bool {
        let Some(sorted) = self.shaping.sorted.take() else {
            return false;
        };
        if sorted.capped || sorted.rows.len() >= self.known() {
            self.shaping.sorted = Some(sorted);
            return false;
        }
        self.reset(uid);
        self.shaping.sorted = Some(sorted);
        true
    }

    /// The row shown at `index` of the screen's order: the sorted snapshot's while sorted
    /// (and no filter is open), else the table's.
    pub fn shown_row(&self, index: usize) -> Option<&Row> {
        match self.sorted_view() {
            Some(s) => s.rows.get(index),
            None => self.row(index),
        }
    }

    /// The sort, when it is what the screen shows (a filter open shows its matches in the
    /// table's order instead).
    pub fn sorted_view(&self) -> Option<&Sorted> {
        self.shaping
            .sorted
            .as_deref()
            .filter(|_| self.filter.is_none())
    }

    /// The sort, when it is what moves with the keys.
    pub(super) fn sorted_view_mut(&mut self) -> Option<&mut Sorted> {
        match self.filter {
            Some(_) => None,
            None => self.shaping.sorted.as_deref_mut(),
        }
    }

    /// Moves while sorted: the selection in the snapshot.
    pub(super) fn sorted_move(&mut self, delta: isize, view_rows: usize) -> bool {
        match self.sorted_view_mut() {
            Some(s) => {
                s.move_by(delta, view_rows);
                true
            }
            None => false,
        }
    }

    pub(super) fn sorted_select(&mut self, index: usize, view_rows: usize) -> bool {
        match self.sorted_view_mut() {
            Some(s) => {
                s.selected = index.min(s.rows.len().saturating_sub(1));
                s.scroll(view_rows);
                true
            }
            None => false,
        }
    }

    pub(super) fn sorted_scroll(&mut self, view_rows: usize) {
        if let Some(s) = &mut self.shaping.sorted {
            s.scroll(view_rows);
        }
    }

    /// A page's rows arrived: they join the snapshot.
    pub(super) fn sorted_take(&mut self, page: usize) {
        let Some(mut s) = self.shaping.sorted.take() else {
            return;
        };
        if let Some(rows) = self.rows_of(page) {
            for row in rows {
                s.stale.remove(&row.id);
            }
            s.merge(rows);
        }
        self.shaping.sorted = Some(s);
    }

    /// A refresh starts: the rows of the pages it reads again are gone unless read again.
    pub(super) fn sorted_refresh_starts(&mut self, first: usize, last: usize) {
        let Some(s) = &mut self.shaping.sorted else {
            return;
        };
        s.stale = self
            .held
            .range(first..=last)
            .filter_map(|(_, slot)| slot.rows.as_ref())
            .flatten()
            .map(|r| r.id.clone())
            .collect();
    }

    /// The refresh is over: rows it did not read again leave the snapshot.
    pub(super) fn sorted_refresh_done(&mut self) {
        let Some(s) = &mut self.shaping.sorted else {
            return;
        };
        if s.stale.is_empty() {
            return;
        }
        let stale = std::mem::take(&mut s.stale);
        let keep = s.selected_id();
        let place = s.selected;
        s.rows.retain(|r| !stale.contains(&r.id));
        s.selected = place;
        s.reselect(keep.as_deref());
    }

    /// The app set the rows itself: the snapshot is those rows.
    pub(super) fn sorted_replace(&mut self) {
        if let Some(key) = self.shaping.sorted.as_ref().map(|s| s.key.clone()) {
            let keep = self.shaping.sorted.as_ref().and_then(|s| s.selected_id());
            self.shaping.sorted = None;
            let view = self.view;
            self.sort(Some(key), view);
            if let Some(s) = &mut self.shaping.sorted {
                s.reselect(keep.as_deref());
            }
        }
    }
}
