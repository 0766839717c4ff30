//! A long list keeps few cursors: pages whose cursors were dropped are reached again by a
//! seek from the nearest checkpoint, one page at a time, with the usual retries; the rows
//! that come back are the server's rows at those indices.

use std::time::Duration;

use serde_json::json;

use crate::app::provider::{headless, kratos};
use crate::app::table::{CHECKPOINTS, KEEP_AROUND, PageWant, Table};
use crate::app::*;

const VIEW: usize = 19;
const SIZE: usize = 5;
const PAGES: usize = 2000;

/// A keyset-paginated fake server (like Kratos' `page_token`): a cursor names the last id
/// of the page before, so reaching a page needs the cursor the page before it returned.
#[derive(Debug)]
struct After(usize);

struct Server {
    ids: Vec<usize>,
    /// Pages asked for, in order: (table page, first id served).
    asked: Vec<usize>,
}

impl Server {
    fn new(n: usize) -> Server {
        Server {
            ids: (0..n).collect(),
            asked: Vec::new(),
        }
    }

    fn page(&mut self, want: &PageWant) -> PageData {
        self.asked.push(want.page);
        let from = match want.cursor.get::<After>() {
            Some(After(last)) => self.ids.partition_point(|id| id <= last),
            None => 0,
        };
        let ids = &self.ids[from..(from + want.size).min(self.ids.len())];
        let more = from + ids.len() < self.ids.len();
        PageData {
            rows: ids.iter().map(|&i| row(i)).collect(),
            next: ids
                .last()
                .filter(|_| more)
                .map(|&l| PageCursor::wrap(After(l))),
            total: None,
        }
    }

    /// Answer whatever the table asks for until it asks for nothing more; how many pages.
    fn serve(&mut self, t: &mut Table, now: Duration) -> usize {
        let before = self.asked.len();
        loop {
            let wants = t.wants(VIEW, now);
            if wants.is_empty() {
                return self.asked.len() - before;
            }
            for want in wants {
                let data = self.page(&want);
                t.apply(want.page, data, VIEW);
            }
        }
    }
}

fn row(i: usize) -> Row {
    let fields = kratos::Identity {
        name: format!("user{i}"),
        ..Default::default()
    };
    Row::new(format!("id{i}"), fields, json!({"id": i}))
}

fn selected_id(t: &Table) -> Option<&str> {
    t.selected_row().map(|r| r.id.as_str())
}

/// A table walked (`G`) to the end of a list of `PAGES` pages, checking on the way that
/// the cursors it keeps stay bounded.
fn walked(server: &mut Server) -> Table {
    let mut t = Table::new(ListKind::Headless(headless::List::Clients), 1, SIZE);
    server.serve(&mut t, Duration::ZERO);
    t.start_walk();
    let bound = CHECKPOINTS + PAGES / CHECKPOINTS + 2 * KEEP_AROUND + VIEW / SIZE + 3;
    let mut most = 0;
    while t.walking() {
        for want in t.wants(VIEW, Duration::ZERO) {
            let data = server.page(&want);
            t.apply(want.page, data, VIEW);
        }
        most = most.max(t.cursors_held());
    }
    assert_eq!(t.known(), PAGES * SIZE);
    assert!(most <= bound, "{most} cursors held, more than {bound}");
    assert!(t.pages_in_memory() <= 2 * KEEP_AROUND + 1);
    // The lengths of 2000 pages of one size are one run.
    assert_eq!(t.layout_runs(), 1);
    t
}

#[test]
fn a_walk_over_2000_pages_keeps_a_bounded_number_of_cursors() {
    let mut server = Server::new(PAGES * SIZE);
    let t = walked(&mut server);
    assert_eq!(
        selected_id(&t),
        Some(format!("id{}", PAGES * SIZE - 1).as_str())
    );
    assert!(t.cursors_held() <= CHECKPOINTS + 2 * PAGES / CHECKPOINTS);
}

#[test]
fn g_after_the_end_shows_row_one_at_once_and_page_up_walks_back_with_the_servers_rows() {
    let mut server = Server::new(PAGES * SIZE);
    let mut t = walked(&mut server);
    // `g`: page 0 is a checkpoint, asked for in the very first batch.
    t.select(0, VIEW);
    t.after_move();
    let first = t.wants(VIEW, Duration::ZERO);
    assert!(
        first.iter().any(|w| w.page == 0),
        "page 0 not asked for at once: {first:?}"
    );
    for want in first {
        let data = server.page(&want);
        t.apply(want.page, data, VIEW);
    }
    assert_eq!(selected_id(&t), Some("id0"));
    server.serve(&mut t, Duration::ZERO);

    // Back to the end, then PageUp over the last 300 pages.
    t.select(usize::MAX, VIEW);
    t.after_move();
    server.serve(&mut t, Duration::ZERO);
    let start = t.selected();
    let asked = server.asked.len();
    while t.selected() > start - 300 * SIZE {
        t.move_by(-(VIEW as isize), VIEW);
        t.after_move();
        server.serve(&mut t, Duration::ZERO);
        let i = t.selected();
        assert_eq!(selected_id(&t), Some(format!("id{i}").as_str()));
        // The window's rows are there, and are the server's.
        let page = i / SIZE;
        for r in (page.saturating_sub(KEEP_AROUND) * SIZE)..((page + KEEP_AROUND + 1) * SIZE) {
            assert_eq!(t.row(r).map(|r| r.id.clone()), Some(format!("id{r}")));
        }
        assert!(t.cursors_held() <= CHECKPOINTS + 2 * PAGES / CHECKPOINTS);
    }
    // Each page is read once as it enters the window and at most once more by the seek
    // that learns its cursor: not once per page from the checkpoint.
    let fetched = server.asked.len() - asked;
    assert!(
        fetched <= 2 * 300 + 2 * PAGES / CHECKPOINTS,
        "{fetched} pages fetched"
    );
}

#[test]
fn selecting_a_far_row_seeks_from_the_nearest_checkpoint() {
    let mut server = Server::new(PAGES * SIZE);
    let mut t = walked(&mut server);
    let target = 1234 * SIZE + 3;
    t.select(target, VIEW);
    t.after_move();
    let asked = server.asked.len();
    server.serve(&mut t, Duration::ZERO);
    assert_eq!(selected_id(&t), Some(format!("id{target}").as_str()));
    // From the checkpoint before page 1232 (spacing 32: page 1216), in order.
    let seek: Vec<usize> = server.asked[asked..].iter().copied().take(16).collect();
    assert_eq!(seek, (1216..1232).collect::<Vec<_>>());
    assert!(server.asked.len() - asked <= 16 + 2 * KEEP_AROUND + 1);
}

#[test]
fn a_failure_mid_seek_is_retried_after_its_backoff_and_the_seek_completes() {
    let mut server = Server::new(PAGES * SIZE);
    let mut t = walked(&mut server);
    let target = 1500 * SIZE;
    t.select(target, VIEW);
    t.after_move();
    let now = Duration::from_secs(100);
    // Three pages of the seek arrive, the fourth fails with a 503.
    let mut failed = None;
    for step in 0..4 {
        let wants = t.wants(VIEW, now);
        assert_eq!(wants.len(), 1, "one page at a time: {wants:?}");
        let want = &wants[0];
        if step == 3 {
            let mut error = ErrorInfo::new("503", "busy");
            error.status = Some(503);
            t.fail(want.page, error, now);
            failed = Some(want.page);
        } else {
            let data = server.page(want);
            t.apply(want.page, data, VIEW);
        }
    }
    let page = failed.expect("the fourth fetch failed");
    assert!(t.failure_at(target).is_some(), "the wait is shown");
    assert!(t.wants(VIEW, now).is_empty(), "retried before its backoff");
    let at = t.next_retry().expect("a retry is scheduled");
    assert!(at > now);
    let again = t.wants(VIEW, at);
    assert_eq!(again.iter().map(|w| w.page).collect::<Vec<_>>(), vec![page]);
    for want in again {
        let data = server.page(&want);
        t.apply(want.page, data, VIEW);
    }
    server.serve(&mut t, at);
    assert_eq!(selected_id(&t), Some(format!("id{target}").as_str()));
    assert!(t.failure().is_none() && t.next_retry().is_none());
}

#[test]
fn moving_back_before_a_seek_lands_stops_it() {
    let mut server = Server::new(PAGES * SIZE);
    let mut t = walked(&mut server);
    t.select(1500 * SIZE, VIEW);
    t.after_move();
    let seek = t.wants(VIEW, Duration::ZERO);
    assert_eq!(seek.len(), 1);
    // Back at the end before the seek's page arrives: it lands, and nothing more of the
    // seek is asked for; the end's pages come back by a seek from their own checkpoint
    // (page 1984, with 32 pages between checkpoints).
    t.select(usize::MAX, VIEW);
    t.after_move();
    for want in seek {
        let data = server.page(&want);
        t.apply(want.page, data, VIEW);
    }
    let asked = server.asked.len();
    server.serve(&mut t, Duration::ZERO);
    let late = &server.asked[asked..];
    assert_eq!(late, (1984..PAGES).collect::<Vec<_>>());
    assert!(!t.is_loading());
}

#[test]
fn a_refresh_after_a_seek_keeps_the_selected_row_by_id() {
    let mut server = Server::new(PAGES * SIZE);
    let mut t = walked(&mut server);
    let target = 1234 * SIZE + 3;
    t.select(target, VIEW);
    t.after_move();
    server.serve(&mut t, Duration::ZERO);
    assert_eq!(selected_id(&t), Some(format!("id{target}").as_str()));
    // Two rows above it on its screen go on the server; `r` keeps it selected by id.
    server.ids.retain(|&i| i != target - 1 && i != target - 2);
    t.refresh(2, VIEW);
    server.serve(&mut t, Duration::ZERO);
    assert!(!t.is_refreshing());
    assert_eq!(selected_id(&t), Some(format!("id{target}").as_str()));
    assert_eq!(t.selected(), target - 2);
    // Rows further down moved up with it, and walking back still finds the server's rows.
    assert_eq!(
        t.row(target + 5).map(|r| r.id.as_str()),
        Some(format!("id{}", target + 7).as_str())
    );
    t.select(1000 * SIZE, VIEW);
    t.after_move();
    server.serve(&mut t, Duration::ZERO);
    assert_eq!(selected_id(&t), Some(format!("id{}", 1000 * SIZE).as_str()));
}
