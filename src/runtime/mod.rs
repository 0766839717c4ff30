//! The event loop: terminal events, API results, signals and (only while requests are in
//! flight) a spinner tick feed `app::update`; the screen is redrawn only when state changed.
//! Input and output are parameters, so the same loop can later serve an SSH channel.

pub mod adapter;
pub mod backend;
pub mod effects;
pub mod launch;
pub mod terminal;

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use crossterm::event::Event;
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::app::{Action, Effect, State, update};
use crate::clipboard::{self, Osc52Env};
use crate::ui::{self, Theme};

pub use backend::{Backend, Backends};

const SPINNER_EVERY: Duration = Duration::from_millis(120);
/// Most queued messages handled before the next draw (keeps input responsive under load).
const BATCH: usize = 64;

/// Options of one dashboard session.
pub struct RunOptions {
    pub theme: Theme,
    pub read_only: bool,
    pub osc52: Osc52Env,
    pub drafts: crate::drafts::DraftStore,
}

/// Run the dashboard until the user quits, `events` ends or `shutdown` resolves. Writes the
/// alternate-screen and cursor sequences itself and restores them before returning.
pub async fn run<W, E, F>(
    out: W,
    mut events: E,
    shutdown: F,
    mut state: State,
    backends: Backends,
    options: RunOptions,
) -> anyhow::Result<()>
where
    W: Write,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    F: Future<Output = ()>,
{
    let mut terminal = Terminal::new(CrosstermBackend::new(out))?;
    terminal::enter_sequences(terminal.backend_mut())?;
    terminal.clear()?;
    let result = event_loop(
        &mut terminal,
        &mut events,
        shutdown,
        &mut state,
        &backends,
        &options,
    )
    .await;
    let restored = terminal::restore_sequences(terminal.backend_mut());
    result.and(restored.map_err(Into::into))
}

async fn event_loop<W, E, F>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    events: &mut E,
    shutdown: F,
    state: &mut State,
    backends: &Backends,
    options: &RunOptions,
) -> anyhow::Result<()>
where
    W: Write,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    F: Future<Output = ()>,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let mut tick = tokio::time::interval(SPINNER_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);

    let size = terminal.size()?;
    let mut queue = vec![Action::Resize(size.width, size.height)];
    loop {
        for action in queue.drain(..) {
            for effect in update(state, action) {
                match effect {
                    Effect::Quit => state.quit = true,
                    Effect::Copy { text, what } => {
                        let answer =
                            match clipboard::copy(terminal.backend_mut(), &text, options.osc52) {
                                Ok(()) => Action::Notice(format!("copied {what}")),
                                Err(e) => Action::EffectFailed(crate::app::ErrorInfo::new(
                                    e.to_string(),
                                    e.to_string(),
                                )),
                            };
                        let _ = tx.send(answer);
                    }
                    other => {
                        effects::spawn(other, backends, &options.drafts, options.read_only, &tx)
                    }
                }
            }
        }
        if state.quit {
            return Ok(());
        }
        if state.dirty {
            terminal.draw(|frame| ui::draw(frame, state, &options.theme))?;
            state.dirty = false;
        }
        let busy = state.busy();
        let first = tokio::select! {
            biased;
            () = &mut shutdown => Action::Terminate,
            Some(action) = rx.recv() => action,
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Action::Key(key),
                Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => Action::Terminate,
            },
            _ = tick.tick(), if busy => Action::Tick,
        };
        queue.push(first);
        // Handle what else is already waiting before drawing again.
        while queue.len() < BATCH {
            match rx.try_recv() {
                Ok(action) => queue.push(action),
                Err(_) => break,
            }
        }
    }
}
