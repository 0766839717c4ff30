//! Where each page of a table starts and how many rows it asked for and holds, for every
//! page ever listed, in run-length form: consecutive pages with the same size and length
//! share one run. A walk reads pages of one size, so a list of a million rows is a handful
//! of runs (about 40 bytes each) whatever its length; only pages whose length differs from
//! their neighbours' (the last page, a page a refresh found shorter) start runs of their own.
//!
//! It is kept for every page, not only the ones in memory, so a row's index never changes
//! when its page is dropped and fetched again, and an index (`G`, a jump) maps to its page.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    /// Its first page.
    page: usize,
    /// The index of its first row.
    start: usize,
    /// How many pages it covers.
    count: usize,
    /// Rows each page asked for: asked again with the same size, a page holds the same rows.
    size: usize,
    /// Rows each page holds.
    len: usize,
}

impl Run {
    fn rows(&self) -> usize {
        self.count * self.len
    }
}

#[derive(Debug, Default)]
pub struct Layout {
    runs: Vec<Run>,
}

impl Layout {
    /// Pages listed so far.
    pub fn pages(&self) -> usize {
        self.runs.last().map_or(0, |r| r.page + r.count)
    }

    /// Rows listed so far.
    pub fn rows(&self) -> usize {
        self.runs.last().map_or(0, |r| r.start + r.rows())
    }

    /// The page holding row `index`, if it was listed.
    pub fn page_of(&self, index: usize) -> Option<usize> {
        if index >= self.rows() {
            return None;
        }
        // Empty runs (length 0) never hold a row: skip to the last run starting at or
        // before `index` that does.
        let at = self.runs.partition_point(|r| r.start <= index);
        let run = self.runs[..at].iter().rev().find(|r| r.len > 0)?;
        Some(run.page + (index - run.start) / run.len)
    }

    fn run(&self, page: usize) -> Option<(usize, &Run)> {
        let at = self
            .runs
            .partition_point(|r| r.page <= page)
            .checked_sub(1)?;
        let run = &self.runs[at];
        (page < run.page + run.count).then_some((at, run))
    }

    /// The index of the first row of `page` (of `pages()` when it is the end).
    pub fn start(&self, page: usize) -> usize {
        match self.run(page) {
            Some((_, r)) => r.start + (page - r.page) * r.len,
            None => self.rows(),
        }
    }

    /// Rows `page` holds.
    pub fn len(&self, page: usize) -> usize {
        self.run(page).map_or(0, |(_, r)| r.len)
    }

    /// Rows `page` asked for.
    pub fn size(&self, page: usize) -> Option<usize> {
        self.run(page).map(|(_, r)| r.size)
    }

    /// A page after the last one.
    pub fn push(&mut self, size: usize, len: usize) {
        let (page, start) = (self.pages(), self.rows());
        match self.runs.last_mut() {
            Some(r) if r.size == size && r.len == len => r.count += 1,
            _ => self.runs.push(Run {
                page,
                start,
                count: 1,
                size,
                len,
            }),
        }
    }

    /// `page` now holds `len` rows: the pages after it move along.
    pub fn set_len(&mut self, page: usize, len: usize) {
        let Some((at, &run)) = self.run(page) else {
            return;
        };
        if run.len == len {
            return;
        }
        let before = page - run.page;
        let after = run.count - before - 1;
        let start = run.start + before * run.len;
        let mut pieces = Vec::with_capacity(3);
        if before > 0 {
            pieces.push(Run {
                count: before,
                ..run
            });
        }
        pieces.push(Run {
            page,
            start,
            count: 1,
            size: run.size,
            len,
        });
        if after > 0 {
            pieces.push(Run {
                page: page + 1,
                start: start + len,
                count: after,
                ..run
            });
        }
        self.runs.splice(at..=at, pieces);
        for k in at + 1..self.runs.len() {
            let prev = self.runs[k - 1];
            self.runs[k].start = prev.start + prev.rows();
        }
        self.merge();
    }

    /// Forget the pages from `pages` on.
    pub fn truncate(&mut self, pages: usize) {
        self.runs.retain(|r| r.page < pages);
        if let Some(r) = self.runs.last_mut() {
            r.count = r.count.min(pages - r.page);
        }
    }

    /// Join neighbouring runs that became alike, so the runs stay few.
    fn merge(&mut self) {
        let mut out: Vec<Run> = Vec::with_capacity(self.runs.len());
        for run in self.runs.drain(..) {
            match out.last_mut() {
                Some(prev) if prev.size == run.size && prev.len == run.len => {
                    prev.count += run.count;
                }
                _ => out.push(run),
            }
        }
        self.runs = out;
    }

    /// Runs held (for tests and measurements: the bookkeeping that stays with the list).
    pub fn runs(&self) -> usize {
        self.runs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Layout;

    /// The plain per-page form the runs stand for.
    fn check(layout: &Layout, lens: &[usize]) {
        assert_eq!(layout.pages(), lens.len());
        assert_eq!(layout.rows(), lens.iter().sum::<usize>());
        let mut start = 0;
        for (page, &len) in lens.iter().enumerate() {
            assert_eq!(layout.start(page), start, "start of page {page}");
            assert_eq!(layout.len(page), len, "length of page {page}");
            for i in start..start + len {
                assert_eq!(layout.page_of(i), Some(page), "page of row {i}");
            }
            start += len;
        }
        assert_eq!(layout.page_of(start), None);
    }

    #[test]
    fn pages_of_one_size_are_one_run_and_indices_map_back_to_pages() {
        let mut l = Layout::default();
        l.push(10, 10);
        for _ in 0..2000 {
            l.push(500, 500);
        }
        l.push(500, 37);
        assert_eq!(l.runs(), 3);
        assert_eq!(l.pages(), 2002);
        assert_eq!(l.rows(), 10 + 2000 * 500 + 37);
        assert_eq!(l.page_of(10), Some(1));
        assert_eq!(l.page_of(10 + 500 * 1234 + 499), Some(1235));
        assert_eq!(l.start(1235), 10 + 500 * 1234);
        assert_eq!(l.size(0), Some(10));
        assert_eq!(l.size(2001), Some(500));
        assert_eq!(l.len(2001), 37);
    }

    #[test]
    fn a_page_changing_length_moves_the_later_ones_and_runs_rejoin() {
        let mut l = Layout::default();
        for _ in 0..6 {
            l.push(10, 10);
        }
        l.set_len(2, 7);
        check(&l, &[10, 10, 7, 10, 10, 10]);
        l.set_len(2, 0);
        check(&l, &[10, 10, 0, 10, 10, 10]);
        l.set_len(5, 3);
        check(&l, &[10, 10, 0, 10, 10, 3]);
        l.set_len(2, 10);
        check(&l, &[10, 10, 10, 10, 10, 3]);
        assert_eq!(l.runs(), 2);
        l.truncate(4);
        check(&l, &[10, 10, 10, 10]);
        l.truncate(0);
        check(&l, &[]);
    }
}
