//! A table over a cursor-paginated list. It keeps the rows of only a window of pages around
//! the selection, and the cursors of only that window, of the pages on screen and of a
//! bounded set of checkpoints spread over the list (see [`cursors`]). What it keeps for
//! every page is the page's size and length in run-length form ([`layout`]), so a row keeps
//! its index when its page is dropped. A dropped page is fetched again by its saved cursor
//! or, when that cursor went too, by a seek: the pages from the nearest saved cursor before
//! it are read in order, one at a time, each answer's `next` giving the following page's
//! cursor. So memory stays flat however far a walk goes: per page listed, nothing while
//! pages share a size and length (a run of them is 40 bytes); cursors, at most
//! [`CHECKPOINTS`] plus those from the checkpoint before the window to the page after the
//! screen (the checkpoint spacing, a 64th of the pages, plus the window), so walking back
//! page by page seeks once per checkpoint passed, not once per page.
//!
//! A refresh ([`Table::refresh`]) happens in place: the rows on screen stay until their pages
//! come back, fetched again in order from the first visible page's saved cursor, and then the
//! same row (by id) is selected again, or the row now at its place when it is gone.

mod cursors;
mod failures;
mod layout;
mod mark_walk;
mod refresh;
mod sort;
mod sorted;
mod watch;
mod watched;

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use self::cursors::Cursors;
use self::layout::Layout;
use super::find::LocalFilter;
use super::marks::{MarkWalk, Marks};
use super::model::{ListKind, PageCursor, PageData, Row};
use super::retry::Failure;

pub use self::cursors::CHECKPOINTS;
pub use self::sorted::{SORTED_MAX, SortKey, Sorted};
pub use self::watched::{Beat, Fresh, Watch};

/// Pages kept in memory on each side of the selected page.
pub const KEEP_AROUND: usize = 2;

/// A page in the window around the selection (or one still being fetched).
#[derive(Debug, Default)]
struct Slot {
    rows: Option<Vec<Row>>,
    loading: bool,
    /// The last fetch of this page failed (the rows, if any, are from before).
    failure: Option<Failure>,
}

/// Reading on from a saved cursor to reach a page whose cursor was dropped: `page` is
/// fetched only for the `next` cursor it returns. One page at a time.
#[derive(Debug)]
struct Seek {
    page: usize,
    in_flight: bool,
    /// The last fetch of `page` failed; it is tried again after the same backoff as a page.
    failure: Option<Failure>,
}

/// Where the selection was when a refresh started.
#[derive(Debug)]
struct Anchor {
    /// The selected row's id, when its page was in memory.
    id: Option<String>,
    /// Its index in the table.
    index: usize,
    /// Its position among the filter's matches, when a filter is open.
    match_pos: Option<usize>,
    /// How far below the first visible row it was (kept, so the screen does not jump).
    on_screen: usize,
}

/// An in-place refresh: pages `first..=last` are fetched again one after the other, each
/// from the `next` cursor the previous one returned (so a row removed or added in one page
/// moves the following pages along instead of leaving a gap or a duplicate).
#[derive(Debug)]
struct Refresh {
    first: usize,
    last: usize,
    /// The page to fetch next and its cursor.
    page: usize,
    cursor: PageCursor,
    in_flight: bool,
    /// `None` once the selection was placed, or when the user moved it meanwhile.
    anchor: Option<Anchor>,
    /// The last fetch of the chain's page failed; it is tried again from the same cursor.
    failure: Option<Failure>,
    /// Ids the refreshed pages held before, when rows were marked (marks of rows that went
    /// are dropped).
    old_ids: HashSet<String>,
}

/// A failed fetch whose retry is not due yet: nothing is asked for meanwhile.
fn waiting(failure: &Option<Failure>, now: Duration) -> bool {
    failure.as_ref().is_some_and(|f| !f.due(now))
}

/// A page the table wants fetched.
#[derive(Debug, Clone)]
pub struct PageWant {
    pub page: usize,
    pub cursor: PageCursor,
    /// Rows to ask for.
    pub size: usize,
}

#[derive(Debug)]
pub struct Table {
    kind: ListKind,
    /// Changes whenever the list is reset (refresh, search): responses for an older id are stale.
    uid: u64,
    /// The server-side search the list shows, if any.
    search: Option<String>,
    page_size: usize,
    /// Size and length of every page listed.
    layout: Layout,
    /// Saved cursors: checkpoints, the window, the screen, the refresh chain.
    cursors: Cursors,
    /// Pages in the window around the selection, and pages still being fetched.
    held: BTreeMap<usize, Slot>,
    seek: Option<Box<Seek>>,
    /// Rows on screen at the last scroll (their pages' cursors are kept for a refresh).
    view: usize,
    /// Cursor of the page after the last known one; `None` once the end was reached.
    more: Option<PageCursor>,
    loading_more: bool,
    /// The size the page after the known ones was asked with (while `loading_more`).
    more_size: usize,
    total: Option<u64>,
    selected: usize,
    /// First visible row.
    offset: usize,
    /// `G` in progress: keep fetching until the end.
    walking: bool,
    /// Boxed: rarely open, and a table is kept inline in every pane.
    filter: Option<Box<LocalFilter>>,
    /// The last fetch of the page after the known ones failed.
    more_failure: Option<Box<Failure>>,
    /// Rows marked with `space` or `:mark` (for bulk changes and export); kept across page
    /// drops.
    /// Boxed: most tables never hold a mark, and a table is kept inline in every pane.
    marked: Box<Marks>,
    /// `:mark all` under way: the whole list read from its first page, marking every row.
    mark_walk: Option<Box<MarkWalk>>,
    /// Rows the user asked to move down past what is loaded; applied as pages arrive, so
    /// holding PageDown goes as far as it would on a list that was already there.
    owed: usize,
    refreshing: Option<Box<Refresh>>,
    /// Rows set by the app itself (`set_rows`), never fetched: nothing to request or refresh.
    local: bool,
    /// How it is shown beyond its pages: sorted, watched. Boxed, as one: a table is kept
    /// inline in every pane, and most are never sorted nor watched.
    shaping: Box<Shaping>,
}

#[derive(Debug, Default)]
struct Shaping {
    /// Sorted by a column (`:sort`, `o`): the loaded rows in that order.
    sorted: Option<Box<Sorted>>,
    /// Refreshed in place every few seconds (`:watch`).
    watch: Option<Box<Watch>>,
}

impl Table {
    /// The list it shows.
    pub fn kind(&self) -> &ListKind {
        &self.kind
    }

    /// Its id: answers to requests made for another id are stale (see [`Table::reset`]).
    pub fn uid(&self) -> u64 {
        self.uid
    }

    /// Rows asked for per page while browsing.
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// Tests browse with small pages, set after the state is built.
    #[cfg(test)]
    pub(crate) fn set_page_size(&mut self, size: usize) {
        self.page_size = size;
    }

    /// The selected row's index (in the whole list, whether its page is in memory or not).
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The first row on screen.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// How many rows the server says the list holds, when it says.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The server-side search the list shows, if any.
    pub fn search(&self) -> Option<&str> {
        self.search.as_deref()
    }

    /// Show what the server finds for `query` instead of the whole list: the local filter
    /// goes, and the caller resets the table to fetch it.
    pub fn search_server(&mut self, query: String) {
        self.filter = None;
        self.search = Some(query);
    }

    /// Back to the whole list (the caller resets the table to fetch it).
    pub fn clear_search(&mut self) {
        self.search = None;
    }

    /// `G` in progress: pages keep being fetched until the end.
    pub fn walking(&self) -> bool {
        self.walking
    }

    /// Walk to the end when there is more to fetch (`G`).
    pub fn start_walk(&mut self) {
        self.walking = self.has_more();
    }

    /// A move by hand ends a walk; rows owed and a scheduled retry stay (unlike `stop_walk`).
    pub fn end_walk(&mut self) {
        self.walking = false;
    }

    pub fn filter(&self) -> Option<&LocalFilter> {
        self.filter.as_deref()
    }

    pub fn filter_mut(&mut self) -> Option<&mut LocalFilter> {
        self.filter.as_deref_mut()
    }

    pub fn set_filter(&mut self, filter: Option<LocalFilter>) {
        self.filter = filter.map(Box::new);
    }

    pub fn take_filter(&mut self) -> Option<LocalFilter> {
        self.filter.take().map(|f| *f)
    }

    /// Rows marked with `space` or `:mark`, kept across page drops.
    pub fn marked(&self) -> &Marks {
        &self.marked
    }

    pub fn marks_mut(&mut self) -> &mut Marks {
        &mut self.marked
    }

    pub fn unmark(&mut self, id: &str) {
        self.marked.unmark(id);
    }
}

impl Table {
    pub fn new(kind: ListKind, uid: u64, page_size: usize) -> Table {
        Table {
            kind,
            uid,
            search: None,
            page_size: page_size.max(1),
            layout: Layout::default(),
            cursors: Cursors::default(),
            held: BTreeMap::new(),
            seek: None,
            view: 1,
            more: Some(PageCursor::First),
            loading_more: false,
            more_size: page_size.max(1),
            total: None,
            selected: 0,
            offset: 0,
            walking: false,
            filter: None,
            more_failure: None,
            marked: Default::default(),
            mark_walk: None,
            owed: 0,
            refreshing: None,
            local: false,
            shaping: Box::default(),
        }
    }

    /// Put `rows` in place of whatever the table holds, for a list the app builds itself
    /// (`:find`); the selection stays on its row by id. Such a table never asks for pages.
    pub fn set_rows(&mut self, rows: Vec<Row>, view_rows: usize) {
        let selected_id = self.selected_row().map(|r| r.id.clone());
        self.local = true;
        self.more = None;
        self.loading_more = false;
        self.refreshing = None;
        self.seek = None;
        self.more_failure = None;
        self.walking = false;
        self.owed = 0;
        self.total = None;
        let len = rows.len();
        let at = selected_id.and_then(|id| rows.iter().position(|r| r.id == id));
        self.layout = Layout::default();
        self.cursors = Cursors::default();
        self.held.clear();
        if !rows.is_empty() {
            self.layout.push(len, len);
            self.cursors.set(0, PageCursor::First);
            self.held.insert(
                0,
                Slot {
                    rows: Some(rows),
                    ..Slot::default()
                },
            );
        }
        self.selected = at.unwrap_or(self.selected).min(len.saturating_sub(1));
        if let Some(mut f) = self.filter.take() {
            f.refresh(self.loaded_rows());
            self.filter = Some(f);
        }
        self.scroll_into_view(view_rows);
        self.sorted_replace();
    }

    /// Forget every page and start again from the first (refresh, new search). A sort
    /// stays, over the rows that come.
    pub fn reset(&mut self, uid: u64) {
        let kind = self.kind.clone();
        let search = self.search.take();
        let sort = self.shaping.sorted.as_ref().map(|s| s.key().clone());
        let view = self.view;
        let watch = self.shaping.watch.take();
        // Marks are ids of this list's objects: a set gathered over several searches stays
        // (`:mark none` clears it); a `:mark all` under way was for the old list and stops.
        let marked = std::mem::take(&mut self.marked);
        *self = Table::new(kind, uid, self.page_size);
        self.search = search;
        self.marked = marked;
        self.shaping.watch = watch;
        self.sort(sort, view);
    }

    /// Rows known so far (loaded at least once).
    pub fn known(&self) -> usize {
        self.layout.rows()
    }

    /// Whether the app fills this table itself (`set_rows`): all its rows are in memory and
    /// there is no server list behind it.
    pub fn is_local(&self) -> bool {
        self.local
    }

    pub fn has_more(&self) -> bool {
        self.more.is_some()
    }

    pub fn is_loading(&self) -> bool {
        self.loading_more
            || self.refreshing.is_some()
            || self.seek.as_ref().is_some_and(|s| s.in_flight)
            || self.held.values().any(|s| s.loading)
    }

    /// An in-place refresh is under way (the rows shown are the ones from before it).
    pub fn is_refreshing(&self) -> bool {
        self.refreshing.is_some()
    }

    /// Whether the first page has arrived (an empty list counts as arrived).
    pub fn started(&self) -> bool {
        self.layout.pages() > 0 || self.more.is_none()
    }

    /// Saved page cursors (bounded: the checkpoints, the window, the screen, a refresh).
    pub fn cursors_held(&self) -> usize {
        self.cursors.len()
    }

    /// Runs of the run-length page layout: the only bookkeeping that grows with the list,
    /// by one run per page whose length differs from its neighbours'.
    pub fn layout_runs(&self) -> usize {
        self.layout.runs()
    }

    fn page_of(&self, index: usize) -> Option<usize> {
        self.layout.page_of(index)
    }

    fn rows_of(&self, page: usize) -> Option<&Vec<Row>> {
        self.held.get(&page)?.rows.as_ref()
    }

    /// The row at `index`, if its page is in memory.
    pub fn row(&self, index: usize) -> Option<&Row> {
        let page = self.page_of(index)?;
        self.rows_of(page)?.get(index - self.layout.start(page))
    }

    /// Whether the page holding `index` is in memory (a missing row there was removed on
    /// the server since the page was first listed).
    pub fn page_loaded(&self, index: usize) -> bool {
        self.page_of(index)
            .is_some_and(|p| self.rows_of(p).is_some())
    }

    pub fn selected_row(&self) -> Option<&Row> {
        match (&self.filter, self.sorted()) {
            (Some(f), _) => f.matches.get(f.selected).and_then(|&i| self.row(i)),
            (None, Some(s)) => s.rows().get(s.selected()),
            (None, None) => self.row(self.selected),
        }
    }

    /// Rows currently held in memory (bounded by the window).
    pub fn rows_in_memory(&self) -> usize {
        self.held
            .values()
            .filter_map(|s| s.rows.as_ref())
            .map(Vec::len)
            .sum()
    }

    pub fn pages_in_memory(&self) -> usize {
        self.held.values().filter(|s| s.rows.is_some()).count()
    }

    /// Every row in memory with its index (for the local filter and `:goto` completion).
    pub fn loaded_rows(&self) -> impl Iterator<Item = (usize, &Row)> {
        self.held.iter().flat_map(|(&page, slot)| {
            let start = self.layout.start(page);
            slot.rows
                .iter()
                .flat_map(move |rows| rows.iter().enumerate().map(move |(i, r)| (start + i, r)))
        })
    }

    /// Move the selection by `delta` rows, clamped to the known rows.
    pub fn move_by(&mut self, delta: isize, view_rows: usize) {
        self.user_moved();
        if let Some(f) = &mut self.filter {
            f.move_by(delta);
            return;
        }
        if self.sorted_move(delta, view_rows) {
            return;
        }
        let known = self.known();
        if known == 0 {
            return;
        }
        let owed = if delta > 0 { self.owed as isize } else { 0 };
        let target = self.selected as isize + owed + delta;
        self.selected = target.clamp(0, known as isize - 1) as usize;
        self.owed = if delta > 0 && self.has_more() {
            (target - self.selected as isize) as usize
        } else {
            0
        };
        self.scroll_into_view(view_rows);
    }

    /// Select the row at `index` of what the screen shows (the sorted order while sorted).
    pub fn select(&mut self, index: usize, view_rows: usize) {
        self.user_moved();
        self.owed = 0;
        if self.sorted_select(index, view_rows) {
            return;
        }
        self.select_index(index, view_rows);
    }

    /// Select the row at `index` of the list.
    fn select_index(&mut self, index: usize, view_rows: usize) {
        let known = self.known();
        self.selected = index.min(known.saturating_sub(1));
        self.scroll_into_view(view_rows);
    }

    /// Drop the local filter, keeping the row it had selected; whether there was one.
    pub fn close_filter(&mut self, view_rows: usize) -> bool {
        let Some(f) = self.filter.take() else {
            return false;
        };
        if let Some(&i) = f.matches.get(f.selected) {
            self.user_moved();
            self.owed = 0;
            self.select_index(i, view_rows);
            // Sorted, the same row is selected in the sorted order.
            if let Some(id) = self.row(i).map(|r| r.id.clone())
                && let Some(at) = self
                    .sorted()
                    .and_then(|s| s.rows().iter().position(|r| r.id == id))
            {
                self.sorted_select(at, view_rows);
            }
        }
        true
    }

    /// Keep the selected row on screen, scrolling as little as possible.
    pub fn scroll_into_view(&mut self, view_rows: usize) {
        let view_rows = view_rows.max(1);
        self.sorted_scroll(view_rows);
        // A taller view shows as many more rows above as it gained (the selection keeps its
        // distance from the bottom), so shrinking the terminal and growing it back returns
        // to the rows shown before instead of leaving the top ones scrolled off.
        if view_rows > self.view {
            self.offset = self.offset.saturating_sub(view_rows - self.view);
        }
        self.view = view_rows;
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + view_rows {
            self.offset = self.selected + 1 - view_rows;
        }
    }

    /// The pages whose rows are kept: the selected one and `KEEP_AROUND` on each side.
    fn window(&self) -> Option<(usize, usize)> {
        let sel = self.page_of(self.selected)?;
        let hi = (sel + KEEP_AROUND).min(self.layout.pages() - 1);
        Some((sel.saturating_sub(KEEP_AROUND), hi))
    }

    /// Pages to request now: dropped pages near the selection and, when the selection gets
    /// within a page of the end of what is known, the next page (so moving down never waits).
    /// A page whose last fetch failed is asked for again once its retry is due (`now`, the
    /// state's clock), never before. A page near the selection whose cursor was dropped
    /// waits for a seek (one page at a time, from the nearest saved cursor before it).
    pub fn wants(&mut self, view_rows: usize, now: Duration) -> Vec<PageWant> {
        let mut out = Vec::new();
        // A list held here (a pick list) is never fetched.
        if self.local {
            return out;
        }
        // The refresh chain fetches its own pages, one at a time.
        let mut chain = usize::MAX..usize::MAX;
        if let Some(r) = &mut self.refreshing {
            chain = r.page..r.last + 1;
            if !r.in_flight && !waiting(&r.failure, now) {
                r.in_flight = true;
                out.push(PageWant {
                    page: r.page,
                    cursor: r.cursor.clone(),
                    size: self.layout.size(r.page).unwrap_or(self.page_size),
                });
            }
        }
        let seeking = self.seek.as_ref().filter(|s| s.in_flight).map(|s| s.page);
        let mut goal = None;
        if let Some((lo, hi)) = self.window() {
            for page in (lo..=hi).filter(|p| !chain.contains(p) && seeking != Some(*p)) {
                let slot = self.held.entry(page).or_default();
                if slot.rows.is_some() || slot.loading || waiting(&slot.failure, now) {
                    continue;
                }
                match self.cursors.get(page) {
                    Some(cursor) => {
                        slot.loading = true;
                        out.push(PageWant {
                            page,
                            cursor: cursor.clone(),
                            size: self.layout.size(page).unwrap_or(self.page_size),
                        });
                    }
                    None => {
                        goal.get_or_insert(page);
                    }
                }
            }
        }
        out.extend(self.seek_toward(goal, now));
        // Stay at least a page and two screens ahead, so PageDown never waits either.
        let ahead = self.page_size.max(2 * view_rows);
        let near_end = self.selected + ahead >= self.known();
        if (near_end || self.walking)
            && self.refreshing.is_none()
            && !self.loading_more
            && self.more_failure.as_deref().is_none_or(|f| f.due(now))
            && let Some(cursor) = self.more.clone()
        {
            self.loading_more = true;
            // A walk asks for the largest pages the list allows; pages keep their size.
            self.more_size = match self.kind.walk_page_size() {
                Some(max) if self.walking => max.max(self.page_size),
                _ => self.page_size,
            };
            out.push(PageWant {
                page: self.layout.pages(),
                cursor,
                size: self.more_size,
            });
        }
        out
    }

    /// The next page of the seek toward `goal` (the first page near the selection whose
    /// cursor is not saved), if one should be fetched now: the last page before it with a
    /// saved cursor, unless a fetch that will bring the cursor is already under way.
    fn seek_toward(&mut self, goal: Option<usize>, now: Duration) -> Option<PageWant> {
        let Some(goal) = goal else {
            // Nothing waits for a cursor (the selection moved back, `Esc`): a seek waiting
            // to retry is dropped; one under way is let land, as any page fetch is.
            if self.seek.as_ref().is_some_and(|s| !s.in_flight) {
                self.seek = None;
            }
            return None;
        };
        let from = self.cursors.known_before(goal)?;
        // A refresh chain learns the cursors of its pages itself; a page being fetched (or
        // waiting to be fetched again) brings its `next` cursor then.
        if self.refreshing.as_ref().is_some_and(|r| from >= r.page)
            || self
                .held
                .get(&from)
                .is_some_and(|s| s.loading || waiting(&s.failure, now))
        {
            return None;
        }
        match &mut self.seek {
            Some(s) if s.in_flight => return None,
            Some(s) if s.page == from => {
                if waiting(&s.failure, now) {
                    return None;
                }
                s.in_flight = true;
            }
            seek => {
                *seek = Some(Box::new(Seek {
                    page: from,
                    in_flight: true,
                    failure: None,
                }));
            }
        }
        Some(PageWant {
            page: from,
            cursor: self.cursors.get(from)?.clone(),
            size: self.layout.size(from).unwrap_or(self.page_size),
        })
    }

    /// A page arrived.
    pub fn apply(&mut self, page: usize, data: PageData, view_rows: usize) {
        if self
            .refreshing
            .as_ref()
            .is_some_and(|r| r.in_flight && r.page == page)
        {
            self.apply_refreshed(page, data, view_rows);
            return;
        }
        if data.total.is_some() {
            self.total = data.total;
        }
        let pages = self.layout.pages();
        if self
            .seek
            .as_ref()
            .is_some_and(|s| s.in_flight && s.page == page)
        {
            self.seek = None;
            if page + 1 < pages && (data.rows.is_empty() || data.next.is_none()) {
                // The list ends before the pages listed earlier: they are gone.
                self.cut(if data.rows.is_empty() { page } else { page + 1 });
                self.scroll_into_view(view_rows);
                self.evict();
                return;
            }
        }
        if page == pages {
            self.loading_more = false;
            self.more_failure = None;
            let cursor = self.more.clone().unwrap_or(PageCursor::First);
            // An empty page with a next cursor would loop forever; treat it as the end.
            self.more = if data.rows.is_empty() {
                None
            } else {
                data.next
            };
            if data.rows.is_empty() {
                // The end of the list (MATTR and Coassemble end on an empty page): a walk
                // or a move past the end is over now, not at the next key.
                self.walking = false;
                self.owed = 0;
                return;
            }
            self.layout.push(self.more_size, data.rows.len());
            self.cursors.set(page, cursor);
            self.cursors.grew(page + 1);
            self.held.insert(
                page,
                Slot {
                    rows: Some(data.rows),
                    ..Slot::default()
                },
            );
        } else if page < pages {
            if let Some(next) = data
                .next
                .filter(|_| page + 1 < pages && !data.rows.is_empty())
            {
                self.cursors.learn(page + 1, next);
            }
            let in_window = self
                .window()
                .is_some_and(|(lo, hi)| (lo..=hi).contains(&page));
            let slot = match self.held.get_mut(&page) {
                Some(slot) => slot,
                None if in_window => self.held.entry(page).or_default(),
                // Read only for its `next` cursor (a seek): its rows are not kept.
                None => {
                    self.evict();
                    return;
                }
            };
            slot.loading = false;
            slot.failure = None;
            // The server's list may have changed since; keep the recorded length so later
            // indices stay put, padding or trimming what came back.
            let mut rows = data.rows;
            rows.truncate(self.layout.len(page));
            slot.rows = Some(rows);
        } else {
            return;
        }
        if self.owed > 0 {
            let last = self.known().saturating_sub(1);
            let target = self.selected + self.owed;
            self.selected = target.min(last);
            self.owed = if self.more.is_some() {
                target - self.selected
            } else {
                0
            };
        }
        if self.walking {
            self.selected = self.known().saturating_sub(1);
            if self.more.is_none() {
                self.walking = false;
            }
        }
        self.sorted_take(page);
        self.scroll_into_view(view_rows);
        self.evict();
    }

    /// Forget page `first` and every page after it: their place, cursors and rows.
    fn drop_pages_from(&mut self, first: usize) {
        self.layout.truncate(first);
        self.cursors.truncate(first);
        self.held.split_off(&first);
    }

    /// The list now ends after `pages` pages (found shorter than listed before): later
    /// pages go, and the selection moves up onto the last row when it was past it.
    fn cut(&mut self, pages: usize) {
        self.drop_pages_from(pages);
        self.more = None;
        self.walking = false;
        self.owed = 0;
        self.selected = self.selected.min(self.known().saturating_sub(1));
        self.offset = self.offset.min(self.selected);
    }

    /// Drop the pages outside the window around the selection (rows, failures) and the
    /// cursors no longer needed. Kept: the checkpoints; every cursor from the checkpoint
    /// before the window (or the screen) to the page after it, so walking back page by
    /// page seeks once per checkpoint spacing, not once per page; the refresh chain's; the
    /// seek's.
    fn evict(&mut self) {
        let Some((lo, hi)) = self.window() else {
            return;
        };
        self.held.retain(|p, s| {
            if (lo..=hi).contains(p) {
                return true;
            }
            // A page still being fetched stays marked so, so it is not asked for twice.
            s.rows = None;
            s.failure = None;
            s.loading
        });
        let top = self.page_of(self.offset).unwrap_or(lo);
        let last_row = (self.offset + self.view).min(self.known()) - 1;
        let bottom = self.page_of(last_row).unwrap_or(hi);
        let from = self.cursors.checkpoint_before(lo.min(top));
        let to = hi.max(bottom) + 1;
        let chain = self.refreshing.as_ref().map(|r| r.first..=r.last + 1);
        let seek = self.seek.as_ref().map(|s| s.page);
        self.cursors.retain(|p| {
            (from..=to).contains(&p)
                || chain.as_ref().is_some_and(|c| c.contains(&p))
                || seek == Some(p)
        });
    }

    /// Call after selection moves: drops far pages.
    pub fn after_move(&mut self) {
        self.evict();
    }

    /// The user moved the selection: a refresh under way no longer moves it back.
    fn user_moved(&mut self) {
        if let Some(r) = &mut self.refreshing {
            r.anchor = None;
        }
    }
}
