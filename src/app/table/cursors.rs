//! The saved cursors of a table's pages. Only some are kept: a bounded set of checkpoints
//! spread over the whole list (every `step`-th page, at most [`CHECKPOINTS`] of them: when a
//! page more would pass that, every other one goes and the spacing doubles) and whatever
//! the table asks to keep near the selection. A page whose cursor went is reached again by
//! reading on from the nearest cursor before it (see `Table::wants`).

use std::collections::BTreeMap;

use super::super::model::PageCursor;

/// At most this many checkpoints; page 0 is always one.
pub const CHECKPOINTS: usize = 64;

#[derive(Debug)]
pub struct Cursors {
    by_page: BTreeMap<usize, PageCursor>,
    /// Checkpoints are the pages that are multiples of it (a power of two).
    step: usize,
}

impl Default for Cursors {
    fn default() -> Cursors {
        Cursors {
            by_page: BTreeMap::new(),
            step: 1,
        }
    }
}

impl Cursors {
    pub fn get(&self, page: usize) -> Option<&PageCursor> {
        self.by_page.get(&page)
    }

    pub fn knows(&self, page: usize) -> bool {
        self.by_page.contains_key(&page)
    }

    /// Save (or replace) the cursor of `page`.
    pub fn set(&mut self, page: usize, cursor: PageCursor) {
        self.by_page.insert(page, cursor);
    }

    /// Save the cursor of `page` unless one is saved already.
    pub fn learn(&mut self, page: usize, cursor: PageCursor) {
        self.by_page.entry(page).or_insert(cursor);
    }

    /// The last page before `page` whose cursor is saved.
    pub fn known_before(&self, page: usize) -> Option<usize> {
        self.by_page.range(..page).next_back().map(|(&p, _)| p)
    }

    /// The checkpoint at or before `page`.
    pub fn checkpoint_before(&self, page: usize) -> usize {
        page - page % self.step
    }

    /// The list now has `pages` pages: widen the spacing while the checkpoints would be
    /// more than [`CHECKPOINTS`] (the cursors that stop being checkpoints go at `retain`).
    pub fn grew(&mut self, pages: usize) {
        while pages.div_ceil(self.step) > CHECKPOINTS {
            self.step *= 2;
        }
    }

    /// Drop every saved cursor that is neither a checkpoint nor `keep`.
    pub fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let step = self.step;
        self.by_page
            .retain(|&p, _| p.is_multiple_of(step) || keep(p));
    }

    /// Forget the cursors of pages from `pages` on.
    pub fn truncate(&mut self, pages: usize) {
        self.by_page.split_off(&pages);
    }

    pub fn len(&self) -> usize {
        self.by_page.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_thin_out_by_half_and_stay_at_most_the_bound() {
        let mut c = Cursors::default();
        for page in 0..2000 {
            c.set(page, PageCursor::wrap(page));
            c.grew(page + 1);
            c.retain(|p| p + 2 >= page);
            assert!(
                c.len() <= CHECKPOINTS + 3,
                "{} cursors at page {page}",
                c.len()
            );
        }
        assert!(c.knows(0) && c.knows(1999));
        assert_eq!(c.checkpoint_before(1000), 992);
        assert!(c.knows(992) && !c.knows(993));
        assert_eq!(c.known_before(993), Some(992));
        assert_eq!(c.get(992).and_then(|c| c.get::<usize>()), Some(&992));
    }
}
