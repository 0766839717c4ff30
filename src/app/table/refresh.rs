//! Refreshing a table in place: the pages on screen fetched again one after the other,
//! the old rows shown until the new ones arrive, and the selection put back on the same
//! row (or where it was) when they do.

use std::collections::HashSet;

use super::super::model::PageData;
use super::{Anchor, Refresh, Slot, Table};

impl Table {
    /// Refresh in place (`r`, and after a change): keep the saved cursors, fetch the
    /// visible pages again in order and keep showing the old rows until they arrive; then
    /// select the same row by id, or the row now at the same index (the next one) when it is
    /// gone, clamped to the end, with the scroll position kept. A filter or search stays.
    /// `uid` replaces the table's id, so answers to requests sent before are dropped.
    pub fn refresh(&mut self, uid: u64, view_rows: usize) {
        if self.local {
            return;
        }
        self.uid = uid;
        self.walking = false;
        self.owed = 0;
        self.more_failure = None;
        self.loading_more = false;
        self.refreshing = None;
        self.seek = None;
        for slot in self.held.values_mut() {
            slot.loading = false;
            slot.failure = None;
        }
        let known = self.known();
        if known == 0 {
            // Nothing to keep in place: this is a first load.
            self.reset(uid);
            return;
        }
        let (index, match_pos) = match &self.filter {
            Some(f) => (
                f.matches.get(f.selected).copied().unwrap_or(self.selected),
                Some(f.selected),
            ),
            None => (self.selected, None),
        };
        let index = index.min(known - 1);
        // The rows on screen: around the selection, or the filter's selected match only
        // (a filter shows its matches, not the table's window).
        let (top, bottom) = match match_pos {
            Some(_) => (index, index),
            None => (
                self.offset.min(index),
                (self.offset + view_rows.max(1)).min(known) - 1,
            ),
        };
        let (Some(first), Some(sel_page), Some(end_page)) = (
            self.page_of(top),
            self.page_of(index),
            self.page_of(bottom.max(index)),
        ) else {
            self.reset(uid);
            return;
        };
        // The screen's cursors are kept; should the first one be missing (the screen was
        // resized since), the chain starts at the last saved one before it.
        let first = match self.cursors.knows(first) {
            true => first,
            false => self.cursors.known_before(first).unwrap_or(0),
        };
        let last = end_page.max(sel_page);
        let anchor = Anchor {
            id: self.row(index).map(|r| r.id.clone()),
            index,
            match_pos,
            on_screen: index.saturating_sub(self.offset),
        };
        let old_ids = if self.marked.is_empty() {
            HashSet::new()
        } else {
            self.held
                .range(first..=last)
                .filter_map(|(_, s)| s.rows.as_ref())
                .flatten()
                .map(|r| r.id.clone())
                .collect()
        };
        // Pages above the visible ones are fetched again by their cursors when needed;
        // pages below are found again as the list is read on from the refreshed ones.
        self.held = self.held.split_off(&first);
        if last + 1 < self.layout.pages() {
            // Should its cursor be missing, the one after the known pages stands in until
            // the chain reaches `last` and learns the true one.
            if let Some(next) = self.cursors.get(last + 1) {
                self.more = Some(next.clone());
            }
            self.drop_pages_from(last + 1);
        }
        let Some(cursor) = self.cursors.get(first).cloned() else {
            self.reset(uid);
            return;
        };
        self.sorted_refresh_starts(first, last);
        self.watch_refresh_starts();
        self.refreshing = Some(Box::new(Refresh {
            first,
            last,
            page: first,
            cursor,
            in_flight: false,
            anchor: Some(anchor),
            failure: None,
            old_ids,
        }));
    }

    /// A page of the refresh chain arrived: it replaces the page (its length may differ),
    /// later pages move along, and the next one is fetched from the cursor it returned.
    pub(super) fn apply_refreshed(&mut self, page: usize, data: PageData, view_rows: usize) {
        let Some(mut r) = self.refreshing.take() else {
            return;
        };
        r.failure = None;
        if data.total.is_some() {
            self.total = data.total;
        }
        let done = if data.rows.is_empty() {
            // This page is gone, and so is everything after it.
            self.drop_pages_from(page);
            self.more = None;
            true
        } else {
            self.layout.set_len(page, data.rows.len());
            self.held.insert(
                page,
                Slot {
                    rows: Some(data.rows),
                    ..Slot::default()
                },
            );
            self.sorted_take(page);
            let pages = self.layout.pages();
            match data.next {
                Some(next) if page < r.last && page + 1 < pages => {
                    self.cursors.set(page + 1, next.clone());
                    r.page = page + 1;
                    r.cursor = next;
                    r.in_flight = false;
                    false
                }
                next => {
                    self.drop_pages_from(page + 1);
                    self.more = next;
                    true
                }
            }
        };
        if let Some(anchor) = r.anchor.take() {
            // Only pages already refreshed count: the others still hold the old rows.
            let end = (page + 1).min(self.layout.pages());
            let found = anchor.id.as_ref().and_then(|id| {
                (r.first..end).find_map(|k| {
                    let rows = self.rows_of(k)?;
                    let at = rows.iter().position(|row| row.id == *id)?;
                    Some(self.layout.start(k) + at)
                })
            });
            match found {
                Some(i) => self.place(i, &anchor, view_rows),
                None if done => self.place(anchor.index, &anchor, view_rows),
                None => r.anchor = Some(anchor),
            }
        }
        if done {
            self.sorted_refresh_done();
            self.watch_refresh_done();
            let known = self.known();
            if self.selected >= known {
                self.selected = known.saturating_sub(1);
            }
            self.offset = self.offset.min(self.selected);
            self.scroll_into_view(view_rows);
            // A whole list that fits is shown whole: keeping the selected row on its screen
            // line would hide a row that appeared above it.
            if self.more.is_none() && known <= view_rows {
                self.offset = 0;
            }
            if !r.old_ids.is_empty() {
                let now: HashSet<&str> =
                    self.loaded_rows().map(|(_, row)| row.id.as_str()).collect();
                let gone: Vec<String> = r
                    .old_ids
                    .iter()
                    .filter(|id| !now.contains(id.as_str()))
                    .cloned()
                    .collect();
                for id in gone {
                    self.marked.unmark(&id);
                }
            }
        } else {
            self.refreshing = Some(r);
        }
        self.evict();
    }

    /// Select row `index` (clamped) after a refresh, at the screen line it was on before.
    fn place(&mut self, index: usize, anchor: &Anchor, view_rows: usize) {
        let known = self.known();
        self.selected = index.min(known.saturating_sub(1));
        self.offset = self.selected.saturating_sub(anchor.on_screen);
        self.scroll_into_view(view_rows);
        if let Some(mut f) = self.filter.take() {
            f.refresh(self.loaded_rows());
            f.selected = match f.matches.iter().position(|&m| m == self.selected) {
                Some(pos) => pos,
                None => anchor
                    .match_pos
                    .unwrap_or(0)
                    .min(f.matches.len().saturating_sub(1)),
            };
            self.filter = Some(f);
        }
    }
}
