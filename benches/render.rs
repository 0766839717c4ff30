//! Render and update at scale: a 10,000-row list paged in 100-row pages, drawn at 200x60,
//! and scrolling through it (page requests answered in memory, no network).
//!
//! `cargo bench --bench render`

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use idtui::app::provider::kratos::Identity;
use idtui::app::{Action, Effect, PageCursor, PageData, ProfileInfo, Provider, Row, State, update};
use idtui::keymap::Keymap;
use idtui::ui::{self, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::json;

const TOTAL: usize = 10_000;

fn main() {
    divan::main();
}

fn row(i: usize) -> Row {
    let id = format!("{i:08x}-5daf-46d2-98af-be1e09f93040");
    Row::new(
        id.clone(),
        Identity {
            name: format!("user{i:07}@gen.example.com"),
            state: "active".into(),
            schema: "default".into(),
            created: "2024-01-01T01:16:00Z".into(),
            metadata: format!("plan=team seats={i} avatar=https://avatars.example/{i}.png"),
        },
        json!({"id": id}),
    )
}

/// Answer every page request from an in-memory list of `TOTAL` rows.
fn pump(state: &mut State, effects: Vec<Effect>) {
    let mut queue = effects;
    while let Some(effect) = queue.pop() {
        if let Effect::FetchPage {
            ticket,
            cursor,
            size,
            ..
        } = effect
        {
            let start = cursor.get::<usize>().copied().unwrap_or(0);
            let end = (start + size).min(TOTAL);
            let data = PageData {
                rows: (start..end).map(row).collect(),
                next: (end < TOTAL).then(|| PageCursor::wrap(end)),
                total: None,
            };
            queue.extend(update(
                state,
                Action::PageLoaded {
                    ticket,
                    result: Ok(data),
                },
            ));
        }
    }
}

fn loaded_state() -> State {
    let profile = ProfileInfo {
        name: "kratos".into(),
        provider: Provider::Kratos,
        host: "127.0.0.1:4455".into(),
        read_only: false,
        page_size: None,
        concurrency: None,
    };
    let mut state = State::new(vec![profile], Keymap::defaults(), false);
    let effects = update(&mut state, Action::Resize(200, 60));
    pump(&mut state, effects);
    let effects = update(&mut state, key(KeyCode::Char('G')));
    pump(&mut state, effects);
    state
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// One full frame of the identities table at 200x60, selection near the end of 10,000 rows.
#[divan::bench]
fn render_table_200x60(bencher: Bencher) {
    let state = loaded_state();
    let area = Rect::new(0, 0, 200, 60);
    let theme = Theme { color: true };
    bencher.bench_local(|| {
        let mut buf = Buffer::empty(area);
        ui::render(&state, &theme, area, &mut buf);
        buf
    });
}

/// One keypress of `update`: move the selection down a row (no page boundary work).
#[divan::bench]
fn update_move_down(bencher: Bencher) {
    bencher
        .with_inputs(|| {
            let mut state = loaded_state();
            let effects = update(&mut state, key(KeyCode::Char('g')));
            pump(&mut state, effects);
            state
        })
        .bench_local_values(|mut state| update(&mut state, key(KeyCode::Char('j'))));
}

/// Scroll from the top to the end of 10,000 rows with PageDown, answering the page requests
/// in memory (pages are dropped and fetched as the window moves).
#[divan::bench(sample_count = 10)]
fn scroll_through_10000_rows(bencher: Bencher) {
    bencher
        .with_inputs(|| {
            let mut state = loaded_state();
            let effects = update(&mut state, key(KeyCode::Char('g')));
            pump(&mut state, effects);
            state
        })
        .bench_local_values(|mut state| {
            while state
                .focused_table()
                .is_some_and(|t| t.selected() + 1 < TOTAL)
            {
                let effects = update(&mut state, key(KeyCode::PageDown));
                pump(&mut state, effects);
            }
            state
        });
}
