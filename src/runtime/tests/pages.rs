//! Lists under faults, through the real event loop: indicators settle without a key, a
//! failed page is retried in place, a rate limit pauses and resumes a walk, abandoned reads
//! are cancelled.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crossterm::event::KeyCode;

use super::{FakeApi, Reply, Session};
use crate::app::ErrorInfo;

fn status(code: u16) -> ErrorInfo {
    let mut e = ErrorInfo::new(format!("core {code}: injected"), format!("status: {code}"));
    e.status = Some(code);
    e
}

const SOON: Duration = Duration::from_secs(5);

#[tokio::test(start_paused = true)]
async fn a_walk_to_the_end_settles_the_footer_without_a_key() {
    // 2,000 users, 100 a page: the list ends with an empty page (MATTR and Coassemble do).
    let api = FakeApi::new(2_000, |_, _| Reply::Rows);
    let s = Session::core(api.clone());
    s.wait_for(SOON, |t| t.contains("user-000000")).await;
    s.key(KeyCode::Char('G'));
    // No key is pressed after G: the footer must say the end was reached by itself.
    s.wait_for(Duration::from_secs(60), |_| s.footer().contains("· end"))
        .await;
    let footer = s.footer();
    assert!(footer.contains("2,000 of 2,000"), "{footer}");
    assert!(!footer.contains("loading"), "{footer}");
    assert_eq!(api.calls_at(2_000), 1, "the empty last page was read once");
    // Idle means idle: nothing more is asked for however long nobody types.
    let calls = api.call_count();
    s.idle(Duration::from_secs(600)).await;
    assert_eq!(api.call_count(), calls);
    s.quit().await;
}

#[tokio::test(start_paused = true)]
async fn a_refused_first_page_says_so_in_the_footer_instead_of_loading() {
    let api = FakeApi::new(100, |_, _| Reply::Fail(status(403)));
    let s = Session::core(api.clone());
    let screen = s
        .wait_for(SOON, |t| t.contains("could not load: core 403"))
        .await;
    let footer = s.footer();
    assert!(!footer.contains("loading"), "{footer}\n{screen}");
    assert!(footer.contains("could not load · r retries"), "{footer}");
    assert!(s.status().contains("core 403"), "{}", s.status());
    // A refusal is not retried by itself; r does.
    s.idle(Duration::from_secs(300)).await;
    assert_eq!(api.calls_at(0), 1);
    s.key(KeyCode::Char('r'));
    s.idle(SOON).await;
    assert_eq!(api.calls_at(0), 2);
    s.quit().await;
}

#[tokio::test(start_paused = true)]
async fn a_5xx_page_at_row_4200_of_10000_is_retried_in_place_and_the_walk_goes_on() {
    // The walk's pages (1,000 rows after the two read first) start at row 200 + k·1,000; the
    // one at row 4,200 fails twice with 503, then loads.
    let api = FakeApi::new(10_000, |offset, before| {
        if offset == 4_200 && before < 2 {
            Reply::Fail(status(503))
        } else {
            Reply::Rows
        }
    });
    let s = Session::core(api.clone());
    s.wait_for(SOON, |t| t.contains("user-000000")).await;
    s.key(KeyCode::Char('G'));
    // The walk pauses at row 4,200 with the error and a countdown, keeping its rows and
    // its place.
    s.wait_for(Duration::from_secs(60), |_| {
        s.footer().contains("retrying in")
    })
    .await;
    let footer = s.footer();
    assert!(footer.starts_with("4,200 of 4,200+"), "{footer}");
    assert!(s.status().contains("core 503"), "{}", s.status());
    let screen = s.screen();
    assert!(screen.contains("user-004199"), "{screen}");
    // ...and goes on by itself to the end.
    s.wait_for(Duration::from_secs(120), |_| s.footer().contains("· end"))
        .await;
    assert!(s.footer().starts_with("10,000 of 10,000"), "{}", s.footer());
    assert_eq!(api.calls_at(4_200), 3, "tried again until it loaded");
    assert_eq!(api.calls_at(0), 1, "the pages before were not read again");
    assert!(!s.status().contains("503"), "the error went with its cause");
    s.quit().await;
}

#[tokio::test(start_paused = true)]
async fn a_rate_limited_walk_counts_down_resumes_by_itself_and_esc_stops_it() {
    // A 429 asking for 53 s at row 10,200 (a walk page starts there: 200 + 10·1,000).
    let api = FakeApi::new(12_000, |offset, before| {
        if offset == 10_200 && before == 0 {
            let mut e = status(429);
            e.retry_after = Some(Duration::from_secs(53));
            Reply::Fail(e)
        } else {
            Reply::Rows
        }
    });
    let s = Session::core(api.clone());
    s.wait_for(SOON, |t| t.contains("user-000000")).await;
    s.key(KeyCode::Char('G'));
    s.wait_for(Duration::from_secs(60), |_| {
        s.footer().contains("rate limited, resuming in 53s")
    })
    .await;
    assert!(s.footer().contains("Esc stops"), "{}", s.footer());
    // The countdown moves with the clock.
    s.wait_for(Duration::from_secs(20), |_| {
        let f = s.footer();
        assert!(
            !f.contains("· end"),
            "resumed before the wait was over: {f}"
        );
        f.contains("resuming in 40s")
    })
    .await;
    s.wait_for(Duration::from_secs(120), |_| s.footer().contains("· end"))
        .await;
    assert!(s.footer().starts_with("12,000 of 12,000"), "{}", s.footer());
    assert_eq!(api.calls_at(10_200), 2);
    s.quit().await;

    // Esc during the pause stops it for good.
    let api = FakeApi::new(12_000, |offset, _| {
        if offset == 10_200 {
            let mut e = status(429);
            e.retry_after = Some(Duration::from_secs(53));
            Reply::Fail(e)
        } else {
            Reply::Rows
        }
    });
    let s = Session::core(api.clone());
    s.wait_for(SOON, |t| t.contains("user-000000")).await;
    s.key(KeyCode::Char('G'));
    s.wait_for(Duration::from_secs(60), |_| {
        s.footer().contains("resuming in")
    })
    .await;
    s.key(KeyCode::Esc);
    s.wait_for(SOON, |_| !s.footer().contains("loading to the end"))
        .await;
    s.idle(Duration::from_secs(600)).await;
    assert_eq!(api.calls_at(10_200), 1, "not resumed after Esc");
    assert!(s.footer().contains("r retries"), "{}", s.footer());
    s.quit().await;
}

#[tokio::test(start_paused = true)]
async fn reads_for_a_table_that_was_reset_or_left_are_cancelled() {
    // The first page never answers; r starts it again: the first request is cancelled, not
    // left running.
    let api = FakeApi::new(100, |_, _| Reply::Hang);
    let s = Session::core(api.clone());
    s.wait_for(SOON, |t| t.contains("loading…")).await;
    s.idle(Duration::from_secs(1)).await;
    assert_eq!(api.call_count(), 1);
    s.key(KeyCode::Char('r'));
    s.idle(Duration::from_secs(1)).await;
    assert_eq!(api.call_count(), 2);
    assert_eq!(
        api.dropped.load(Ordering::SeqCst),
        1,
        "the first read was cancelled"
    );
    s.quit().await;
}

#[tokio::test(start_paused = true)]
async fn a_watch_refreshes_the_list_by_itself_on_the_virtual_clock_until_esc() {
    let api = FakeApi::new(30, |_, _| Reply::Rows);
    let s = Session::core(api.clone());
    s.wait_for(SOON, |t| t.contains("user-000000")).await;
    assert_eq!(api.calls_at(0), 1);
    s.keys(":watch 2");
    s.key(KeyCode::Enter);
    s.wait_for(SOON, |t| t.contains("watching every 2s")).await;
    // No key is pressed: the event loop's own timer brings each refresh.
    s.idle(Duration::from_millis(2_500)).await;
    assert_eq!(api.calls_at(0), 2, "one refresh after 2 s");
    s.idle(Duration::from_secs(2)).await;
    assert_eq!(api.calls_at(0), 3, "and one more 2 s later");
    s.key(KeyCode::Esc);
    s.wait_for(SOON, |t| !t.contains("watching every")).await;
    s.idle(Duration::from_secs(10)).await;
    assert_eq!(api.calls_at(0), 3, "Esc stops it");
    s.quit().await;
}
