//! A table sorted by one column. The servers list in their own order and a table keeps only a
//! window of pages, so a sort is over a snapshot: a copy of every row loaded since the sort
//! began (the window's rows, then each page as it arrives: browsing on, `G`, a refresh),
//! kept sorted as pages merge in and bounded by [`SORTED_MAX`] rows. While sorted, the table
//! shows and moves through the snapshot; the pages underneath go on as before, so loading
//! more (`G`) and refreshing work unchanged and feed the snapshot. The selection stays on
//! its row (by id) as rows merge in or the sort changes.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::super::column::Shown;
use super::super::model::Row;

/// The most rows a sorted snapshot holds (a row is a few hundred bytes; the record itself is
/// shared with the page it came from). Past it, rows that arrive are left out and the
/// footer says so.
pub const SORTED_MAX: usize = 50_000;

/// Which column and which way.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// One of the columns shown (a list's own or a path).
    pub column: Shown,
    pub desc: bool,
}

#[derive(Debug)]
pub struct Sorted {
    pub(super) key: SortKey,
    pub(super) rows: Vec<Row>,
    pub(super) selected: usize,
    pub(super) offset: usize,
    pub(super) view: usize,
    /// Rows arrived that the snapshot had no room for.
    pub(super) capped: bool,
    /// Ids of the rows the refresh under way reads again: those not read again are gone.
    pub(super) stale: HashSet<String>,
}

impl Sorted {
    pub fn key(&self) -> &SortKey {
        &self.key
    }

    /// The rows, in sorted order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The selected row's position in the sorted rows.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The first row on screen.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Rows were left out: the snapshot is full.
    pub fn capped(&self) -> bool {
        self.capped
    }

    pub(super) fn selected_id(&self) -> Option<String> {
        self.rows.get(self.selected).map(|r| r.id.clone())
    }

    /// Select the row `id` if the snapshot holds it, else stay at the same place (clamped).
    pub(super) fn reselect(&mut self, id: Option<&str>) {
        let at = id.and_then(|id| self.rows.iter().position(|r| r.id == id));
        self.selected = at
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
        self.scroll(self.view);
    }

    pub(super) fn scroll(&mut self, view_rows: usize) {
        let view_rows = view_rows.max(1);
        self.view = view_rows;
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + view_rows {
            self.offset = self.selected + 1 - view_rows;
        }
        // No blank lines below the last row while rows above are hidden.
        self.offset = self.offset.min(self.rows.len().saturating_sub(view_rows));
    }

    pub(super) fn move_by(&mut self, delta: isize, view_rows: usize) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
        self.scroll(view_rows);
    }

    /// Put `rows` in (replacing the rows of the same ids), keeping the order and the
    /// selected row.
    pub(super) fn merge<'r>(&mut self, rows: impl IntoIterator<Item = &'r Row>) {
        let mut incoming: Vec<Row> = Vec::new();
        let mut ids: HashSet<&str> = HashSet::new();
        for row in rows {
            if ids.insert(&row.id) {
                incoming.push(row.clone());
            }
        }
        if incoming.is_empty() {
            return;
        }
        let keep = self.selected_id();
        self.rows.retain(|r| !ids.contains(r.id.as_str()));
        let room = SORTED_MAX.saturating_sub(self.rows.len());
        if incoming.len() > room {
            incoming.truncate(room);
            self.capped = true;
        }
        let key = &self.key;
        incoming.sort_by(|a, b| order(key, a, b));
        // Both sorted: one pass, old rows first among equals (a stable merge).
        let old = std::mem::take(&mut self.rows);
        let mut merged = Vec::with_capacity(old.len() + incoming.len());
        let mut new = incoming.into_iter().peekable();
        for row in old {
            while new
                .peek()
                .is_some_and(|n| order(key, n, &row) == Ordering::Less)
            {
                merged.extend(new.next());
            }
            merged.push(row);
        }
        merged.extend(new);
        self.rows = merged;
        self.reselect(keep.as_deref());
    }
}

/// The order of two rows by `key`'s column: its cells' typed order (counts by number, times
/// by time), reversed for `desc`.
fn order(key: &SortKey, a: &Row, b: &Row) -> Ordering {
    let o = key.column.of(a).order(&key.column.of(b));
    if key.desc { o.reverse() } else { o }
}
