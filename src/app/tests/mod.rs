//! `update` tests. Here: navigation, pagination windowing, stale responses, keys, find,
//! back. In `changes`: confirmations, editors, drafts, copy, errors. In `selection`: the
//! selection staying on its row across refreshes.

mod audit_pane;
mod bulk;
mod changes;
mod commands;
mod credentials;
mod export;
mod leaving;
mod lifecycle;
mod prompts;
mod selection;
mod served;
mod table_seek;
mod view;
mod who;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::*;
use crate::app::provider::kratos;
use crate::keymap::Keymap;

pub(super) fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

pub(super) fn profile(name: &str, provider: Provider) -> ProfileInfo {
    ProfileInfo {
        name: name.into(),
        provider,
        host: "127.0.0.1:4455".into(),
        read_only: false,
        page_size: None,
        concurrency: None,
    }
}

pub(super) fn state_with(profiles: Vec<ProfileInfo>) -> State {
    let mut s = State::new(profiles, Keymap::defaults(), false);
    s.page_size = 10;
    // Tables made by `State::new` used the default size; rebuild them with 10-row pages.
    for tab in s.tabs_mut() {
        for pane in &mut tab.stack[0].panes {
            if let Pane::Table(t) = pane {
                t.set_page_size(10);
            }
        }
    }
    s
}

pub(super) fn kratos_state() -> State {
    state_with(vec![profile("kratos", Provider::Kratos)])
}

/// The text naming a row's object (an identity's email).
pub(super) fn name(r: &Row) -> &str {
    r.fields.name().unwrap_or_default()
}

pub(super) fn identity(i: usize) -> Row {
    let id = format!("{i:08}-0000-4000-8000-000000000000");
    Row::new(
        id.clone(),
        kratos::Identity {
            name: format!("user{i}@example.com"),
            state: "active".into(),
            schema: "default".into(),
            created: "2026-01-01T00:00:00Z".into(),
            metadata: format!("plan=p{i}"),
        },
        json!({"id": id, "traits": {"email": format!("user{i}@example.com")}}),
    )
}

/// A fake server for `total` identities: answers a FetchPage from its cursor (an offset).
pub(super) fn answer(effect: &Effect, total: usize) -> Option<Action> {
    let Effect::FetchPage {
        ticket,
        cursor,
        size,
        search,
        ..
    } = effect
    else {
        return None;
    };
    let start = cursor.get::<usize>().copied().unwrap_or(0);
    let end = (start + size).min(total);
    let mut rows: Vec<Row> = (start..end).map(identity).collect();
    if let Some(q) = search {
        rows.retain(|r| name(r) == q);
    }
    Some(Action::PageLoaded {
        ticket: ticket.clone(),
        result: Ok(PageData {
            rows,
            next: (end < total && search.is_none()).then(|| PageCursor::wrap(end)),
            total: None,
        }),
    })
}

/// Run `action` and answer every page request until the state asks for nothing more.
/// Returns how many page requests were made.
pub(super) fn run(state: &mut State, action: Action, total: usize) -> usize {
    let mut queue = update(state, action);
    let mut fetches = 0;
    while let Some(effect) = queue.pop() {
        if let Some(reply) = answer(&effect, total) {
            fetches += 1;
            queue.extend(update(state, reply));
        }
    }
    fetches
}

pub(super) fn table(state: &State) -> &table::Table {
    state.focused_table().expect("a table has focus")
}

#[test]
fn first_page_is_requested_at_start_and_rows_appear() {
    let mut s = kratos_state();
    let effects = update(&mut s, Action::Resize(80, 24));
    let fetch = effects
        .iter()
        .find(|e| matches!(e, Effect::FetchPage { .. }))
        .expect("first page requested");
    assert!(matches!(
        fetch,
        Effect::FetchPage {
            cursor: PageCursor::First,
            list: ListKind::Kratos(kratos::List::Identities),
            ..
        }
    ));
    assert!(s.busy());
    let reply = answer(fetch, 25).unwrap();
    update(&mut s, reply);
    assert_eq!(table(&s).known(), 10);
    assert_eq!(name(table(&s).selected_row().unwrap()), "user0@example.com");
}

#[test]
fn moving_down_prefetches_the_next_page_before_it_is_needed() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 1000);
    // Known rows stay ahead of the selection: the next page is asked for as soon as the
    // selection is within a page of the end.
    for _ in 0..35 {
        run(&mut s, ch('j'), 1000);
        let t = table(&s);
        assert!(
            t.known() > t.selected() + 1,
            "selection {} caught up with {}",
            t.selected(),
            t.known()
        );
    }
    assert_eq!(table(&s).selected(), 35);
    assert_eq!(
        name(table(&s).selected_row().unwrap()),
        "user35@example.com"
    );
}

#[test]
fn only_a_window_of_pages_stays_in_memory_and_dropped_pages_are_refetched_by_cursor() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 100_000);
    for _ in 0..30 {
        run(&mut s, key(KeyCode::PageDown), 100_000);
    }
    let t = table(&s);
    assert!(t.selected() >= 500, "selected {}", t.selected());
    let window = (2 * table::KEEP_AROUND + 1) * 10;
    assert!(
        t.rows_in_memory() <= window + 10,
        "{} rows held",
        t.rows_in_memory()
    );
    assert!(t.row(0).is_none(), "the first page was dropped");
    // Back to the top: page 0 comes back by its saved cursor and shows the same rows.
    let fetched = run(&mut s, ch('g'), 100_000);
    assert!(fetched >= 1);
    let t = table(&s);
    assert_eq!(t.selected(), 0);
    assert_eq!(name(t.row(0).unwrap()), "user0@example.com");
    assert_eq!(name(t.row(5).unwrap()), "user5@example.com");
    assert!(t.rows_in_memory() <= window + 10);
}

#[test]
fn a_dropped_page_is_requested_with_the_cursor_it_was_first_fetched_with() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 1000);
    for _ in 0..10 {
        run(&mut s, key(KeyCode::PageDown), 1000);
    }
    // Jump back up far enough to need page 3 again, but do not answer yet.
    s.focused_table_mut().unwrap().select(35, 19);
    let effects = update(&mut s, key(KeyCode::Up));
    let offsets: Vec<usize> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchPage { cursor, .. } => cursor.get::<usize>().copied(),
            _ => None,
        })
        .collect();
    assert!(
        offsets.contains(&30),
        "refetch of page 3 by its cursor, got {offsets:?}"
    );
}

#[test]
fn g_walks_to_the_end_with_progress_and_esc_stops_it() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 95);
    run(&mut s, ch('G'), 95);
    let t = table(&s);
    assert_eq!(t.known(), 95);
    assert_eq!(t.selected(), 94);
    assert!(!t.has_more() && !t.walking());
    // A walk reads the provider's largest pages; the window stays a few pages.
    assert!(t.pages_in_memory() <= 2 * crate::app::table::KEEP_AROUND + 1);

    // Cancelled: Esc stops the walk before the end.
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 10_000);
    let effects = update(&mut s, ch('G'));
    assert!(table(&s).walking());
    update(&mut s, key(KeyCode::Esc));
    assert!(!table(&s).walking());
    // The page already asked for still arrives; after that only the usual read-ahead
    // around the selection is fetched, not the rest of the list.
    let mut queue = effects;
    while let Some(e) = queue.pop() {
        if let Some(reply) = answer(&e, 10_000) {
            queue.extend(update(&mut s, reply));
        }
    }
    let t = table(&s);
    assert!(!t.walking());
    // (The walk's page asked for before Esc is one of 500 rows.)
    assert!(
        t.known() <= t.selected() + 500 + 60,
        "kept loading: {} rows",
        t.known()
    );
}

#[test]
fn responses_for_a_table_that_was_reset_are_dropped() {
    let mut s = kratos_state();
    let first = update(&mut s, Action::Resize(80, 24));
    // Refresh before the first answer arrives: the old request is stale.
    let second = update(&mut s, ch('r'));
    let old_reply = answer(&first[0], 50).unwrap();
    update(&mut s, old_reply);
    assert_eq!(table(&s).known(), 0, "stale page was applied");
    assert!(
        second.iter().any(|e| matches!(e, Effect::FetchPage { .. })),
        "refresh fetches again"
    );
    let mut queue = second;
    while let Some(e) = queue.pop() {
        if let Some(r) = answer(&e, 50) {
            queue.extend(update(&mut s, r));
        }
    }
    assert_eq!(name(table(&s).row(0).unwrap()), "user0@example.com");
    assert!(!s.busy(), "{:?}", s.in_flight());
}

#[test]
fn responses_for_a_closed_screen_are_dropped() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 50);
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.tab().unwrap().stack.len(), 2);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.tab().unwrap().stack.len(), 1);
    for e in effects {
        let err = Err(ErrorInfo::new("kratos 500: boom", ""));
        match e {
            Effect::FetchPage { ticket, .. } => {
                update(
                    &mut s,
                    Action::PageLoaded {
                        ticket,
                        result: err,
                    },
                );
            }
            Effect::FetchObject { ticket, .. } => {
                update(
                    &mut s,
                    Action::ObjectLoaded {
                        ticket,
                        result: Err(ErrorInfo::new("x", "")),
                    },
                );
            }
            _ => {}
        }
    }
    assert!(s.error.is_none(), "a stale error was shown");
    assert!(!s.busy());
}

#[test]
fn enter_opens_detail_with_child_lists_and_esc_restores_selection_and_scroll() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 200);
    for _ in 0..25 {
        run(&mut s, ch('j'), 200);
    }
    let (sel, offset) = (table(&s).selected(), table(&s).offset());
    assert!(offset > 0);
    let effects = update(&mut s, key(KeyCode::Enter));
    let screen = s.tab().unwrap().screen();
    assert_eq!(screen.panes.len(), 3);
    assert!(matches!(&screen.panes[0], Pane::Detail(d) if d.id.starts_with("00000025")));
    let lists: Vec<ListKind> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchPage { list, .. } => Some(list.clone()),
            _ => None,
        })
        .collect();
    assert!(lists.iter().any(
        |l| matches!(l, ListKind::Kratos(kratos::List::Sessions { identity }) if identity.starts_with("00000025"))
    ));
    assert!(
        lists
            .iter()
            .any(|l| matches!(l, ListKind::Kratos(kratos::List::Credentials { .. })))
    );
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.tab().unwrap().screen().focus, 1);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(table(&s).selected(), sel);
    assert_eq!(table(&s).offset(), offset);
}

#[test]
fn tab_walks_every_pane_of_every_open_profile() {
    let mut s = state_with(vec![
        profile("kratos", Provider::Kratos),
        profile("core", Provider::Core),
        profile("headless", Provider::Headless),
    ]);
    update(&mut s, Action::Resize(80, 24));
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push((s.active(), table(&s).kind().title()));
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(
        seen,
        vec![
            (0, "Identities"),
            (1, "Users"),
            (2, "Clients"),
            (2, "Users"),
            (0, "Identities")
        ]
    );
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!((s.active(), table(&s).kind().title()), (0, "Identities"));
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!((s.active(), table(&s).kind().title()), (2, "Users"));
}

#[test]
fn find_filters_loaded_rows_and_esc_keeps_the_chosen_row() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    run(&mut s, ch('/'), 30);
    for c in "USER1".chars() {
        run(&mut s, ch(c), 30);
    }
    let f = table(&s).filter().cloned().unwrap();
    // The text anywhere, in any case: user1 and user10..user19 (those loaded), in table
    // order; not user2 or user3.
    assert_eq!(f.matches.first(), Some(&1), "{:?}", f.matches);
    assert!(f.matches.contains(&12), "{:?}", f.matches);
    assert!(!f.matches.contains(&2) && !f.matches.contains(&3));
    assert!(f.matches.windows(2).all(|w| w[0] < w[1]), "table order");
    run(&mut s, key(KeyCode::Down), 30);
    let chosen = table(&s).selected_row().unwrap().id.clone();
    // Esc closes the filter and leaves the selection on the row picked in it.
    run(&mut s, key(KeyCode::Esc), 30);
    assert!(table(&s).filter().is_none());
    assert!(matches!(s.mode, Mode::Normal));
    assert_eq!(table(&s).selected_row().unwrap().id, chosen);
}

#[test]
fn find_enter_searches_the_server_and_esc_returns_to_the_full_list() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    run(&mut s, ch('/'), 30);
    for c in "user7@example.com".chars() {
        run(&mut s, ch(c), 30);
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(effects.iter().any(
        |e| matches!(e, Effect::FetchPage { search: Some(q), .. } if q == "user7@example.com")
    ));
    for e in effects {
        if let Some(r) = answer(&e, 30) {
            update(&mut s, r);
        }
    }
    assert_eq!(table(&s).known(), 1);
    assert_eq!(table(&s).search(), Some("user7@example.com"));
    run(&mut s, key(KeyCode::Esc), 30);
    assert_eq!(table(&s).search(), None);
    assert!(table(&s).known() >= 10);
    assert_eq!(name(table(&s).row(7).unwrap()), "user7@example.com");
}

#[test]
fn filter_without_server_search_stays_local_after_enter() {
    let mut s = state_with(vec![profile("headless", Provider::Headless)]);
    run(&mut s, Action::Resize(80, 24), 30);
    run(&mut s, ch('/'), 30);
    run(&mut s, ch('9'), 30);
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(!effects.iter().any(|e| matches!(
        e,
        Effect::FetchPage {
            search: Some(_),
            ..
        }
    )));
    assert!(table(&s).filter().is_some());
    assert!(matches!(s.mode, Mode::Normal));
}

#[test]
fn command_line_completes_and_remembers() {
    let mut s = state_with(vec![
        profile("kratos", Provider::Kratos),
        profile("core", Provider::Core),
    ]);
    run(&mut s, Action::Resize(80, 24), 30);
    run(&mut s, ch(':'), 30);
    run(&mut s, ch('p'), 30);
    run(&mut s, key(KeyCode::Tab), 30);
    assert!(matches!(&s.mode, Mode::Command(i) if i.text == "profile "));
    run(&mut s, ch('c'), 30);
    run(&mut s, key(KeyCode::Tab), 30);
    assert!(matches!(&s.mode, Mode::Command(i) if i.text == "profile core"));
    run(&mut s, key(KeyCode::Enter), 30);
    assert_eq!(s.active(), 1);
    // History: Up brings the last command back.
    run(&mut s, ch(':'), 30);
    run(&mut s, key(KeyCode::Up), 30);
    assert!(matches!(&s.mode, Mode::Command(i) if i.text == "profile core"));
    run(&mut s, key(KeyCode::Esc), 30);
    // Unknown profile: an error naming the open ones, nothing switched.
    for c in ":profile nope".chars() {
        run(&mut s, ch(c), 30);
    }
    run(&mut s, key(KeyCode::Enter), 30);
    assert_eq!(s.active(), 1);
    assert!(s.error.as_ref().unwrap().line.contains("kratos, core"));
}

#[test]
fn goto_completes_ids_and_opens_the_object_when_it_arrives() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    for c in ":goto 0000000".chars() {
        run(&mut s, ch(c), 30);
    }
    run(&mut s, key(KeyCode::Tab), 30);
    // Ten loaded ids share the prefix up to the last digit of the counter.
    assert!(matches!(&s.mode, Mode::Command(i) if i.text == "goto 0000000"));
    run(&mut s, ch('3'), 30);
    run(&mut s, key(KeyCode::Tab), 30);
    assert!(matches!(&s.mode, Mode::Command(i) if i.text == format!("goto {}", identity(3).id)));
    let effects = update(&mut s, key(KeyCode::Enter));
    let seq = match effects.iter().find(|e| matches!(e, Effect::Find { .. })) {
        Some(Effect::Find { ticket, text, .. }) => {
            assert_eq!(text, &identity(3).id);
            ticket.clone()
        }
        other => panic!("{other:?}"),
    };
    let hit = Hit {
        kind: ObjectKind::Kratos(kratos::Object::Identity),
        row: identity(3),
    };
    update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![hit]),
        },
    );
    assert!(matches!(s.focused(), Some(Pane::Detail(d)) if d.id == identity(3).id));
}

#[test]
fn keys_follow_the_keymap_including_user_overrides() {
    let (keymap, issues) =
        Keymap::with_overrides("move_down = [\"J\"]\n", std::path::Path::new("user.toml"));
    assert!(issues.is_empty(), "{issues:?}");
    let mut s = State::new(vec![profile("kratos", Provider::Kratos)], keymap, false);
    run(&mut s, Action::Resize(80, 24), 30);
    run(&mut s, ch('J'), 30);
    assert_eq!(table(&s).selected(), 1);
    run(&mut s, ch('j'), 30);
    assert_eq!(
        table(&s).selected(),
        1,
        "j no longer moves once move_down is rebound"
    );
    run(&mut s, ch('?'), 30);
    assert!(matches!(s.mode, Mode::Help { .. }));
    run(&mut s, key(KeyCode::Esc), 30);
    assert!(matches!(s.mode, Mode::Normal));
}

#[test]
fn keymap_issues_are_reported_with_file_and_line() {
    let (keymap, issues) = Keymap::with_overrides(
        "move_down = [\"j\"]\nfly = [\"f\"]\n",
        std::path::Path::new("/home/u/.config/idtui/keybindings.toml"),
    );
    let mut s = State::new(vec![profile("kratos", Provider::Kratos)], keymap, false);
    s.report_keymap_issues(&issues);
    let err = s.error.expect("issues shown");
    assert!(err.line.contains("keybindings.toml:2"), "{}", err.line);
}

#[test]
fn spinner_ticks_only_while_requests_are_in_flight() {
    let mut s = kratos_state();
    let effects = update(&mut s, Action::Resize(80, 24));
    s.dirty = false;
    update(&mut s, Action::Tick);
    assert!(s.dirty && s.spinner == 1);
    for e in effects {
        if let Some(r) = answer(&e, 5) {
            update(&mut s, r);
        }
    }
    s.dirty = false;
    update(&mut s, Action::Tick);
    assert!(!s.dirty, "an idle tick must not cause a redraw");
}

#[test]
fn paging_down_faster_than_pages_arrive_still_lands_where_asked() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 10_000);
    // Ten PageDowns typed before any further page arrives.
    let mut held = Vec::new();
    for _ in 0..10 {
        held.extend(update(&mut s, key(KeyCode::PageDown)));
    }
    let mut queue = held;
    while let Some(e) = queue.pop() {
        if let Some(r) = answer(&e, 10_000) {
            queue.extend(update(&mut s, r));
        }
    }
    assert_eq!(table(&s).selected(), 10 * s.table_rows());
}

#[test]
fn opening_an_identity_fetches_the_full_object_and_updates_the_detail_in_place() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    let effects = update(&mut s, key(KeyCode::Enter));
    let (seq, id) = match effects
        .iter()
        .find(|e| matches!(e, Effect::FetchObject { .. }))
    {
        Some(Effect::FetchObject {
            ticket, id, kind, ..
        }) => {
            assert_eq!(*kind, ObjectKind::Kratos(kratos::Object::Identity));
            (ticket.clone(), id.clone())
        }
        other => panic!("no refresh requested: {other:?}"),
    };
    let traits: serde_json::Map<String, serde_json::Value> =
        (0..40).map(|i| (format!("t{i}"), json!(i))).collect();
    let full = Row::new(
        id.clone(),
        kratos::Identity::default(),
        json!({"id": id, "traits": traits,
               "credentials": {"password": {"type": "password", "identifiers": ["user0@example.com"]}}}),
    );
    // The user scrolled the partial detail before the full object arrived.
    if let Some(Pane::Detail(d)) = s.focused_mut() {
        d.scroll = 1;
    }
    update(
        &mut s,
        Action::ObjectLoaded {
            ticket: seq,
            result: Ok(full),
        },
    );
    match s.focused() {
        Some(Pane::Detail(d)) => {
            assert_eq!(d.scroll, 1, "scroll position kept");
            let text: String = d.lines.iter().flatten().map(|(_, t)| t.as_str()).collect();
            assert!(text.contains("Credentials"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn sessions_command_opens_the_selected_identity_on_its_sessions() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 5);
    for c in ":sessions".chars() {
        run(&mut s, ch(c), 5);
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    let first = identity(0).id;
    assert!(
        matches!(&table(&s).kind(), ListKind::Kratos(kratos::List::Sessions { identity: i }) if *i == first)
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchObject { .. })),
        "full identity fetched"
    );
}

#[test]
fn a_refetched_page_that_shrank_keeps_later_rows_in_place() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 1000);
    for _ in 0..10 {
        run(&mut s, key(KeyCode::PageDown), 1000);
    }
    s.focused_table_mut().unwrap().select(5, 19);
    let effects = update(&mut s, key(KeyCode::Down));
    // Page 0 comes back with two rows fewer (deleted on the server meanwhile).
    for e in effects {
        if let Some(Action::PageLoaded {
            ticket,
            result: Ok(mut data),
        }) = answer(&e, 1000)
        {
            if matches!(&e, Effect::FetchPage { cursor, .. } if cursor.get::<usize>().is_none()) {
                data.rows.truncate(8);
            }
            update(
                &mut s,
                Action::PageLoaded {
                    ticket,
                    result: Ok(data),
                },
            );
        }
    }
    let t = table(&s);
    assert!(
        t.row(8).is_none() && t.page_loaded(8),
        "gone rows are known as gone"
    );
    assert_eq!(
        name(t.row(10).unwrap()),
        "user10@example.com",
        "later rows did not shift"
    );
}

#[test]
fn shrinking_the_terminal_and_growing_it_back_shows_the_top_rows_again() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(80, 24), 30);
    for _ in 0..3 {
        run(&mut s, key(KeyCode::Down), 30);
    }
    // So short that the table shows one row: the selection's.
    run(&mut s, Action::Resize(60, 5), 30);
    assert_eq!(table(&s).offset(), 3);
    run(&mut s, Action::Resize(80, 24), 30);
    assert_eq!(table(&s).offset(), 0, "the rows above come back");
    assert_eq!(table(&s).selected(), 3, "the selection stays");
}

#[test]
fn a_digit_goes_to_the_profile_of_that_number() {
    let mut s = state_with(vec![
        profile("kratos", Provider::Kratos),
        profile("core", Provider::Core),
        profile("headless", Provider::Headless),
    ]);
    run(&mut s, Action::Resize(100, 30), 5);
    update(&mut s, ch('3'));
    assert_eq!(s.tab().unwrap().profile.name, "headless");
    update(&mut s, ch('1'));
    assert_eq!(s.tab().unwrap().profile.name, "kratos");
    update(&mut s, ch('7'));
    assert_eq!(
        s.tab().unwrap().profile.name,
        "kratos",
        "no such profile: stays"
    );
    assert_eq!(s.flash.as_deref(), Some("no profile 7: there are 3"));
    let help = crate::app::help::lines(&s.keymap);
    assert!(help.iter().any(
        |l| matches!(l, crate::app::help::HelpLine::Row(k, what) if k == "1–9" && what.contains("profile"))
    ));
}
