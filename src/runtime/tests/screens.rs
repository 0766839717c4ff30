//! What the screen says, through the real event loop: help at 80x24, errors that hold and
//! only while they hold, no mode the user cannot see.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;

use super::{FakeApi, Reply, Session, profile};
use crate::app::command_table::COMMANDS;
use crate::app::{ErrorInfo, Provider, State};
use crate::keymap::{KeyAction, Keymap};
use crate::runtime::{Backend, Backends};

const SOON: Duration = Duration::from_secs(5);

#[tokio::test(start_paused = true)]
async fn help_at_80x24_scrolls_through_every_action_and_every_command() {
    let s = Session::core(FakeApi::new(30, |_, _| Reply::Rows));
    s.wait_for(SOON, |t| t.contains("user-000000")).await;
    s.key(KeyCode::Char('?'));
    s.wait_for(SOON, |t| t.contains("Help 1–")).await;
    let mut seen = String::new();
    // Page down until the last line shows; every screen is kept.
    for _ in 0..20 {
        let screen = s.screen();
        for line in screen.lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
        seen.push_str(&screen);
        if screen.contains("Coassemble users: a client identifier") {
            break;
        }
        s.key(KeyCode::PageDown);
        s.idle(Duration::from_millis(50)).await;
    }
    for &action in KeyAction::all() {
        assert!(
            seen.contains(action.description()),
            "{} is missing from help:\n{seen}",
            action.name()
        );
    }
    for c in COMMANDS {
        let usage = format!(":{} {}", c.name, c.args);
        assert!(seen.contains(usage.trim_end()), "{usage} missing:\n{seen}");
    }
    // Back to the top in one key, then any other key closes it.
    s.key(KeyCode::Char('g'));
    s.wait_for(SOON, |t| t.contains("Help 1–")).await;
    s.key(KeyCode::Char('x'));
    s.wait_for(SOON, |t| !t.contains("Help")).await;
    s.quit().await;
}

#[tokio::test(start_paused = true)]
async fn error_with_none_says_so_and_opens_no_hidden_mode() {
    let s = Session::core(FakeApi::new(30, |_, _| Reply::Rows));
    s.wait_for(SOON, |t| t.contains("user-000000")).await;
    s.key(KeyCode::Char(':'));
    s.keys("error");
    s.key(KeyCode::Enter);
    s.wait_for(SOON, |_| s.status().contains("no error to show"))
        .await;
    // The next keys act as they say: `:` opens the command line at once.
    s.key(KeyCode::Char(':'));
    s.wait_for(SOON, |_| s.footer().starts_with(":")).await;
    s.key(KeyCode::Esc);
    s.wait_for(SOON, |_| !s.footer().starts_with(":")).await;
    s.quit().await;
}

#[tokio::test(start_paused = true)]
async fn a_profiles_error_stays_with_it_and_enter_shows_that_one() {
    let broken = FakeApi::new(30, |_, _| {
        let mut e = ErrorInfo::new("kratos 401: token rejected", "status: 401");
        e.status = Some(401);
        Reply::Fail(e)
    });
    let fine = FakeApi::new(30, |_, _| Reply::Rows);
    let state = State::new(
        vec![profile(Provider::Kratos), profile(Provider::Core)],
        Keymap::defaults(),
        false,
    );
    let mut backends = Backends::default();
    backends.insert("kratos", Arc::new(broken) as Arc<dyn Backend>);
    backends.insert("core", Arc::new(fine) as Arc<dyn Backend>);
    let s = Session::start(state, backends, (80, 24));
    s.wait_for(SOON, |t| t.contains("could not load: kratos 401"))
        .await;
    assert!(s.status().contains("kratos 401"), "{}", s.status());
    // Another profile: its own (good) state, not the other's error.
    s.key(KeyCode::Tab);
    s.wait_for(SOON, |t| t.contains("user-000000")).await;
    assert!(!s.status().contains("401"), "{}", s.status());
    // A command's error there, then back: Enter on "could not load" shows kratos' own error.
    s.key(KeyCode::Char(':'));
    s.keys("nope");
    s.key(KeyCode::Enter);
    // Long enough to wrap from the status line onto the footer's.
    s.wait_for(SOON, |t| t.contains("unknown command")).await;
    s.key(KeyCode::BackTab);
    s.wait_for(SOON, |_| s.status().contains("kratos 401"))
        .await;
    s.key(KeyCode::Enter);
    let screen = s.wait_for(SOON, |t| t.contains("status: 401")).await;
    assert!(!screen.contains("unknown command"), "{screen}");
    s.key(KeyCode::Esc);
    s.wait_for(SOON, |t| !t.contains("status: 401")).await;
    s.quit().await;
}
