//! Giving memory back once a burst of pages is over. glibc keeps what a thread freed in that
//! thread's arena for reuse, and returns little of it to the system on its own: after `G`
//! over a million rows the process would keep the high-water mark of every worker's arena
//! for as long as it runs, which on a bastion can be days. The rows are gone (a table keeps
//! only the pages around the selection), so the memory can go too.

/// Pages taken in since the last release, from which a release is worth its cost (a few
/// milliseconds, once, when the loading stops).
const PAGES_BEFORE_RELEASE: usize = 64;

#[derive(Default)]
pub(super) struct Releaser {
    pages: usize,
}

impl Releaser {
    /// A page of rows was taken in.
    pub fn page_taken(&mut self) {
        self.pages += 1;
    }

    /// Nothing is being read any more: give freed memory back if much was loaded since,
    /// unless a walk goes on (a moment between two of its pages is not the end of it).
    pub fn idle(&mut self, walking: bool) {
        if !walking && self.pages >= PAGES_BEFORE_RELEASE {
            self.pages = 0;
            crate::sys::release_freed_memory();
        }
    }
}
