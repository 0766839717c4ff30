//! How the list in view is shown: sorted by a column (`:sort`, `o`, `O`) over the loaded
//! rows, and watched (`:watch`): refreshed in place on the state's clock, with the rows new
//! or changed since the last refresh told apart for one cycle.

use std::time::Duration;

use crossterm::event::KeyCode;

use super::{ch, identity, key, kratos_state, table};
use crate::app::column::Shown;
use crate::app::provider::{headless, kratos};
use crate::app::state::Mode;
use crate::app::table::{Fresh, SortKey, Table};
use crate::app::*;

/// A server over `rows` (offset cursors), as the identities list reads it.
fn serve(rows: &[Row], effect: &Effect) -> Option<Action> {
    let Effect::FetchPage {
        ticket,
        cursor,
        size,
        ..
    } = effect
    else {
        return None;
    };
    let start = cursor.get::<usize>().copied().unwrap_or(0).min(rows.len());
    let end = (start + size).min(rows.len());
    Some(Action::PageLoaded {
        ticket: ticket.clone(),
        result: Ok(PageData {
            rows: rows[start..end].to_vec(),
            next: (end < rows.len()).then(|| PageCursor::wrap(end)),
            total: None,
        }),
    })
}

/// Run `action`, answering every page request from `rows`; how many were asked.
fn run_over(s: &mut State, rows: &[Row], action: Action) -> usize {
    let mut queue = update(s, action);
    let mut asked = 0;
    while let Some(effect) = queue.pop() {
        if let Some(reply) = serve(rows, &effect) {
            asked += 1;
            queue.extend(update(s, reply));
        }
    }
    asked
}

/// The identities list of `rows` at 100x30, loaded.
fn listing(rows: &[Row]) -> State {
    let mut s = kratos_state();
    run_over(&mut s, rows, Action::Resize(100, 30));
    s
}

fn typed(s: &mut State, rows: &[Row], line: &str) {
    run_over(s, rows, ch(':'));
    for c in line.chars() {
        run_over(s, rows, ch(c));
    }
    run_over(s, rows, key(KeyCode::Enter));
}

/// Identity `i` created on day `day` of 2026-01 (so creation order is not list order).
fn created(i: usize, day: usize) -> Row {
    let mut row = identity(i);
    if let Fields::Identity(f) = &mut row.fields {
        f.created = format!("2026-01-{day:02}T00:00:00Z");
    }
    row
}

/// 25 identities whose creation days are shuffled (7 × i mod 25, all different).
fn shuffled() -> Vec<Row> {
    (0..25).map(|i| created(i, 1 + (7 * i) % 25)).collect()
}

fn created_of(r: &Row) -> String {
    match &r.fields {
        Fields::Identity(f) => f.created.clone(),
        _ => String::new(),
    }
}

/// The ids of the sorted rows, in order.
fn sorted_ids(t: &Table) -> Vec<String> {
    let sorted = t.sorted().expect("sorted");
    sorted.rows().iter().map(|r| r.id.clone()).collect()
}

fn shown_created(s: &State) -> Vec<String> {
    let t = table(s);
    let sorted = t.sorted().expect("sorted");
    sorted.rows().iter().map(created_of).collect()
}

#[test]
fn sort_by_created_desc_orders_by_time_and_keeps_the_selected_row() {
    let rows = shuffled();
    let mut s = listing(&rows);
    for _ in 0..3 {
        run_over(&mut s, &rows, key(KeyCode::Down));
    }
    let before = table(&s).selected_row().unwrap().id.clone();
    typed(&mut s, &rows, "sort created desc");
    let t = table(&s);
    let sort = t.sorted().map(|s| s.key()).unwrap();
    assert_eq!((sort.column.title(), sort.desc), ("CREATED", true));
    let got = shown_created(&s);
    let mut want = got.clone();
    want.sort_by(|a, b| b.cmp(a));
    assert_eq!(got, want, "newest first");
    assert_eq!(got.len(), 25, "every loaded row");
    assert_eq!(table(&s).selected_row().unwrap().id, before, "same row");
    assert!(
        s.flash
            .as_deref()
            .unwrap()
            .contains("sorted by CREATED desc")
    );

    // Moving goes through the sorted order.
    run_over(&mut s, &rows, key(KeyCode::Char('g')));
    assert_eq!(
        created_of(table(&s).selected_row().unwrap()),
        "2026-01-25T00:00:00Z"
    );
    run_over(&mut s, &rows, key(KeyCode::Down));
    assert_eq!(
        created_of(table(&s).selected_row().unwrap()),
        "2026-01-24T00:00:00Z"
    );

    // Back to the server's order, on the same row.
    let chosen = table(&s).selected_row().unwrap().id.clone();
    typed(&mut s, &rows, "sort none");
    assert!(table(&s).sorted().is_none());
    assert_eq!(table(&s).selected_row().unwrap().id, chosen);
}

#[test]
fn an_unknown_column_is_named_and_headers_complete_in_any_case() {
    let rows = shuffled();
    let mut s = listing(&rows);
    typed(&mut s, &rows, "sort colour");
    let err = s.error.as_ref().expect("refused").line.clone();
    assert!(
        err.contains("no column `colour`") && err.contains("CREATED"),
        "{err}"
    );
    assert!(table(&s).sorted().is_none());
    assert_eq!(
        crate::app::command::complete(&s, "sort cr").as_deref(),
        Some("sort CREATED")
    );
    assert_eq!(
        crate::app::command::candidates(&s, "sort s"),
        vec!["STATE".to_string(), "SCHEMA".to_string()]
    );
    // A unique beginning is enough, and `asc` is the default.
    typed(&mut s, &rows, "sort email asc");
    let sort = table(&s).sorted().map(|s| s.key()).unwrap();
    assert_eq!(
        (sort.column.title(), sort.desc),
        ("EMAIL / USERNAME", false)
    );
}

#[test]
fn o_cycles_the_sort_column_and_capital_o_reverses_it() {
    let rows = shuffled();
    let mut s = listing(&rows);
    let key_of = |s: &State| {
        table(s)
            .sorted()
            .map(|s| (s.key().column.title().to_string(), s.key().desc))
    };
    let titles: Vec<&str> = kratos::columns::IDENTITIES
        .iter()
        .map(|c| c.title)
        .collect();
    run_over(&mut s, &rows, ch('o'));
    assert_eq!(key_of(&s), Some((titles[0].to_string(), false)));
    run_over(&mut s, &rows, ch('O'));
    assert_eq!(key_of(&s), Some((titles[0].to_string(), true)));
    for title in &titles[1..] {
        run_over(&mut s, &rows, ch('o'));
        assert_eq!(
            key_of(&s),
            Some((title.to_string(), true)),
            "direction kept"
        );
    }
    run_over(&mut s, &rows, ch('o'));
    assert_eq!(key_of(&s), None, "past the last column: the server's order");
    let help = crate::app::help::lines(&s.keymap);
    let said = format!("{help:?}");
    assert!(said.contains("sort by the next column") && said.contains("reverse the sort"));
}

#[test]
fn counts_sort_by_number_and_blanks_come_first() {
    let mut t = Table::new(ListKind::Headless(headless::List::Clients), 1, 10);
    let client = |id: &str, users: Option<u64>| {
        Row::new(
            id,
            headless::Client {
                name: id.into(),
                users,
                metadata: String::new(),
            },
            serde_json::json!({"id": id}),
        )
    };
    t.wants(20, Duration::ZERO);
    t.apply(
        0,
        PageData {
            rows: vec![
                client("a", Some(100)),
                client("b", Some(9)),
                client("c", None),
                client("d", Some(10)),
            ],
            next: None,
            total: None,
        },
        20,
    );
    let users = t
        .kind()
        .columns()
        .iter()
        .find(|c| c.title == "USERS")
        .unwrap();
    t.sort(
        Some(SortKey {
            column: Shown::Builtin(users),
            desc: false,
        }),
        20,
    );
    assert_eq!(
        sorted_ids(&t),
        ["c", "b", "d", "a"],
        "blank, 9, 10, 100: not as text"
    );
}

#[test]
fn g_while_sorted_sorts_the_whole_list_even_rows_whose_pages_were_dropped() {
    let rows: Vec<Row> = (0..200).map(|i| created(i, 1 + (i * 7) % 28)).collect();
    let mut s = listing(&rows);
    let loaded = table(&s).rows_in_memory();
    assert!(loaded < 200);
    typed(&mut s, &rows, "sort created");
    assert_eq!(table(&s).sorted().unwrap().rows().len(), loaded);
    // `G` loads the rest; each page joins the sorted rows (past the window it keeps).
    run_over(&mut s, &rows, ch('G'));
    let got = shown_created(&s);
    assert_eq!(got.len(), 200, "every row walked");
    assert!(got.windows(2).all(|w| w[0] <= w[1]), "still in order");
    let ids: std::collections::HashSet<String> = sorted_ids(table(&s)).into_iter().collect();
    assert_eq!(ids.len(), 200, "each row once, though read twice");
}

#[test]
fn a_refresh_while_sorted_stays_sorted_drops_gone_rows_and_moves_changed_ones() {
    let mut rows = shuffled();
    let mut s = listing(&rows);
    typed(&mut s, &rows, "sort created");
    run_over(&mut s, &rows, ch('g'));
    let first = table(&s).selected_row().unwrap().id.clone();
    rows.retain(|r| r.id != first);
    // Another row is now the newest.
    if let Fields::Identity(f) = &mut rows[3].fields {
        f.created = "2026-02-01T00:00:00Z".into();
    }
    let newest = rows[3].id.clone();
    run_over(&mut s, &rows, ch('r'));
    let t = table(&s);
    let sorted = t.sorted().expect("still sorted after r");
    assert_eq!(sorted.rows().len(), 24);
    assert!(sorted.rows().iter().all(|r| r.id != first), "gone row left");
    assert_eq!(sorted.rows().last().unwrap().id, newest);
    let got: Vec<String> = sorted.rows().iter().map(created_of).collect();
    assert!(got.windows(2).all(|w| w[0] <= w[1]), "still in order");
}

/// The watch's next due time, and its fresh rows by id.
fn fresh(s: &State, id: &str) -> Option<Fresh> {
    table(s).watching()?.fresh(id)
}

fn page_requests(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::FetchPage { .. }))
        .count()
}

#[test]
fn a_watch_refreshes_when_due_and_marks_new_and_changed_rows_for_one_cycle() {
    let mut rows: Vec<Row> = (0..5).map(identity).collect();
    let mut s = listing(&rows);
    s.now = Duration::from_secs(100);
    typed(&mut s, &rows, "watch 2");
    assert!(s.flash.as_deref().unwrap().contains("every 2s"));
    assert_eq!(
        s.next_wake(),
        Some(Duration::from_secs(102)),
        "the runtime wakes for it"
    );
    // Not due yet: nothing asked.
    s.now = Duration::from_millis(101_500);
    assert_eq!(page_requests(&update(&mut s, Action::Tick)), 0);

    // The server changes: user1 renamed, a sixth user.
    if let Fields::Identity(f) = &mut rows[1].fields {
        f.name = "renamed@example.com".into();
    }
    rows.push(identity(5));
    let selected = table(&s).selected_row().unwrap().id.clone();
    s.now = Duration::from_secs(102);
    assert_eq!(
        run_over(&mut s, &rows, Action::Tick),
        1,
        "one page refreshed"
    );
    assert_eq!(fresh(&s, &rows[1].id), Some(Fresh::Changed));
    assert_eq!(fresh(&s, &rows[5].id), Some(Fresh::New));
    assert_eq!(fresh(&s, &rows[0].id), None);
    assert_eq!(
        table(&s).selected_row().unwrap().id,
        selected,
        "selection kept"
    );
    assert_eq!(table(&s).known(), 6);

    // The next refresh finds nothing new: the marks were for one cycle.
    s.now = Duration::from_secs(104);
    assert_eq!(run_over(&mut s, &rows, Action::Tick), 1);
    assert_eq!(fresh(&s, &rows[1].id), None);
    assert_eq!(fresh(&s, &rows[5].id), None);
    assert_eq!(
        table(&s).watching().unwrap().refreshed(),
        Some(Duration::from_secs(104))
    );
}

#[test]
fn a_beat_while_a_request_is_out_is_skipped_not_stacked() {
    let rows: Vec<Row> = (0..5).map(identity).collect();
    let mut s = listing(&rows);
    typed(&mut s, &rows, "watch");
    let every = Duration::from_secs(crate::app::watch::DEFAULT_SECONDS);
    s.now += every;
    // The refresh goes out and its answer is not back yet.
    let out = update(&mut s, Action::Tick);
    assert_eq!(page_requests(&out), 1);
    s.now += every;
    assert_eq!(page_requests(&update(&mut s, Action::Tick)), 0, "skipped");
    assert_eq!(table(&s).watching().unwrap().skipped(), 1);
    // The answer lands; the next beat refreshes again.
    for e in &out {
        if let Some(reply) = serve(&rows, e) {
            update(&mut s, reply);
        }
    }
    s.now += every;
    assert_eq!(page_requests(&update(&mut s, Action::Tick)), 1);
    assert_eq!(table(&s).watching().unwrap().skipped(), 0);
}

#[test]
fn esc_or_leaving_the_view_stops_the_watch_and_bad_periods_are_refused() {
    let rows: Vec<Row> = (0..5).map(identity).collect();
    let mut s = listing(&rows);
    typed(&mut s, &rows, "watch 0");
    assert!(s.error.as_ref().unwrap().line.contains("at least 1"));
    assert!(table(&s).watching().is_none());
    typed(&mut s, &rows, "watch 3");
    assert!(table(&s).watching().is_some());
    run_over(&mut s, &rows, key(KeyCode::Esc));
    assert!(table(&s).watching().is_none());
    assert_eq!(s.flash.as_deref(), Some("stopped watching"));
    assert_eq!(s.next_wake(), None, "no more wake-ups");

    typed(&mut s, &rows, "watch 3");
    // Opening a row is leaving the list.
    run_over(&mut s, &rows, key(KeyCode::Enter));
    let list_watched = s.tab().unwrap().stack[0].panes.iter().any(|p| {
        matches!(p, Pane::Table(t) if t.watching().is_some()
            && *t.kind() == ListKind::Kratos(kratos::List::Identities))
    });
    assert!(!list_watched);
}

fn shown_titles(s: &State) -> Vec<String> {
    s.shown_columns(table(s))
        .iter()
        .map(|c| c.title().to_string())
        .collect()
}

fn keys(s: &mut State, text: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for c in text.chars() {
        out.extend(update(s, ch(c)));
    }
    out
}

#[test]
fn the_column_chooser_hides_moves_and_adds_path_columns_then_saves_them() {
    let rows = shuffled();
    let mut s = listing(&rows);
    typed(&mut s, &rows, "columns");
    assert!(matches!(s.mode, Mode::Columns(_)));
    // Hide ID (the first), move EMAIL down under STATE, add a path after it.
    keys(&mut s, " j");
    keys(&mut s, "J");
    keys(&mut s, "atraits.name.last");
    update(&mut s, key(KeyCode::Enter));
    // A bad path is refused with why, and the typing goes on.
    keys(&mut s, "aa..b");
    update(&mut s, key(KeyCode::Enter));
    let Mode::Columns(c) = &s.mode else {
        panic!("chooser open")
    };
    assert!(c.problem.as_deref().unwrap().contains("empty key"));
    update(&mut s, key(KeyCode::Esc));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.mode, Mode::Normal));
    assert_eq!(
        shown_titles(&s),
        [
            "STATE",
            "EMAIL / USERNAME",
            "traits.name.last",
            "SCHEMA",
            "CREATED",
            "METADATA"
        ]
    );
    let saved = effects
        .iter()
        .find_map(|e| match e {
            Effect::SaveColumns(text) => Some(text.clone()),
            _ => None,
        })
        .expect("saved");
    assert!(
        saved.contains(
            "identities = [\"STATE\", \"EMAIL / USERNAME\", \"traits.name.last\", \"SCHEMA\", \"CREATED\", \"METADATA\"]"
        ),
        "{saved}"
    );
    // The path column sorts like any other.
    typed(&mut s, &rows, "sort traits.name.last desc");
    let sort = table(&s).sorted().map(|s| s.key()).unwrap();
    assert_eq!(sort.column.title(), "traits.name.last");

    // Esc leaves the choice as it was; the last shown column cannot be hidden.
    typed(&mut s, &rows, "columns");
    keys(&mut s, " ");
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(shown_titles(&s)[0], "STATE");
}

#[test]
fn choices_from_an_unreadable_file_are_kept_for_the_run_and_never_written() {
    let rows = shuffled();
    let mut s = kratos_state();
    s.columns = crate::app::column_choices::ColumnChoices::parse("[kratos\n");
    run_over(&mut s, &rows, Action::Resize(100, 30));
    assert_eq!(shown_titles(&s).len(), kratos::columns::IDENTITIES.len());
    typed(&mut s, &rows, "columns");
    keys(&mut s, " ");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(!effects.iter().any(|e| matches!(e, Effect::SaveColumns(_))));
    assert!(s.error.as_ref().unwrap().line.contains("for this run only"));
    assert_eq!(shown_titles(&s)[0], "EMAIL / USERNAME");
}
