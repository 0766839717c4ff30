//! The event loop: terminal events, API results, signals and (only while requests are in
//! flight) a spinner tick feed `app::update`; the screen is redrawn only when state changed.
//! Input and output are parameters, so the same loop can later serve an SSH channel.

pub mod adapter;
pub mod audit_pages;
pub mod backend;
pub mod draft_writer;
pub mod effects;
pub mod external_editor;
pub mod kratos_credentials;
pub mod launch;
pub mod mutations;
pub mod people;
pub mod terminal;

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use crossterm::event::Event;
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::app::{Action, Effect, ErrorInfo, State, update};
use crate::clipboard::{self, Osc52Env};
use crate::ui::{self, Theme};

pub use backend::{Backend, Backends};
use draft_writer::{Debounce, DraftWriter};

const SPINNER_EVERY: Duration = Duration::from_millis(120);
/// Most queued messages handled before the next draw (keeps input responsive under load).
const BATCH: usize = 64;

/// Options of one dashboard session.
pub struct RunOptions {
    pub theme: Theme,
    pub read_only: bool,
    pub osc52: Osc52Env,
    pub drafts: crate::drafts::DraftStore,
    pub audit: crate::audit_log::AuditLog,
}

/// Run the dashboard until the user quits, the events end or `shutdown` resolves. Writes the
/// alternate-screen and cursor sequences itself and restores them before returning.
/// `make_events` opens the terminal's event stream; it is called again after `$EDITOR` ran,
/// because the stream must not read the terminal while another program owns it.
pub async fn run<W, E, M, F>(
    out: W,
    mut make_events: M,
    shutdown: F,
    mut state: State,
    backends: Backends,
    options: RunOptions,
) -> anyhow::Result<()>
where
    W: Write,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    M: FnMut() -> E,
    F: Future<Output = ()>,
{
    let mut terminal = Terminal::new(CrosstermBackend::new(out))?;
    terminal::enter_sequences(terminal.backend_mut())?;
    terminal.clear()?;
    let result = event_loop(
        &mut terminal,
        &mut make_events,
        shutdown,
        &mut state,
        &backends,
        &options,
    )
    .await;
    let restored = terminal::restore_sequences(terminal.backend_mut());
    result.and(restored.map_err(Into::into))
}

async fn event_loop<W, E, M, F>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    make_events: &mut M,
    shutdown: F,
    state: &mut State,
    backends: &Backends,
    options: &RunOptions,
) -> anyhow::Result<()>
where
    W: Write,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    M: FnMut() -> E,
    F: Future<Output = ()>,
{
    let mut events = Some(make_events());
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    // Dropped on every way out of this function (quit, signal, error, panic): the drop
    // writes whatever drafts are still waiting.
    let drafts = DraftWriter::start(options.drafts.clone(), Debounce::default(), {
        let tx = tx.clone();
        Box::new(move |line: String| {
            let _ = tx.send(Action::EffectFailed(ErrorInfo::new(line.clone(), line)));
        })
    });
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
                    Effect::WriteDraft { key, text } => drafts.write(key, text),
                    Effect::DiscardDraft { key } => drafts.discard(key),
                    Effect::FlushDrafts => drafts.write_now(),
                    Effect::LoadDraft { key } => {
                        let tx = tx.clone();
                        drafts.load(key.clone(), move |text| {
                            let _ = tx.send(Action::DraftLoaded { key, text });
                        });
                    }
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
                    Effect::ExternalEdit {
                        key,
                        text,
                        prefer_draft,
                    } => {
                        // The editor works on the draft file itself: every write asked for
                        // so far lands first, so none lands over what the editor writes.
                        drafts.flush();
                        // Stop reading the terminal first: crossterm's reader would steal the
                        // editor's keystrokes.
                        drop(events.take());
                        let result = suspended(
                            terminal,
                            external_editor::edit(&options.drafts, &key, &text, prefer_draft),
                        )
                        .await?;
                        events = Some(make_events());
                        let _ = tx.send(Action::ExternalEdited { key, result });
                    }
                    other => effects::spawn(
                        other,
                        backends,
                        &options.drafts,
                        &options.audit,
                        options.read_only,
                        &tx,
                    ),
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
        let events = events.get_or_insert_with(&mut *make_events);
        let first = tokio::select! {
            biased;
            () = &mut shutdown => Action::Terminate,
            Some(action) = rx.recv() => action,
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Action::Key(key),
                Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(Event::Paste(text))) => Action::Paste(text),
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

/// Give the terminal to another program for the duration of `work`, then take it back and
/// redraw everything.
async fn suspended<W: Write, T>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    work: impl Future<Output = T>,
) -> anyhow::Result<T> {
    terminal::restore_sequences(terminal.backend_mut())?;
    terminal.backend_mut().flush()?;
    settle_event_reader().await;
    let raw = crossterm::terminal::is_raw_mode_enabled().unwrap_or(false);
    if raw {
        crossterm::terminal::disable_raw_mode()?;
    }
    let out = work.await;
    if raw {
        crossterm::terminal::enable_raw_mode()?;
    }
    settle_event_reader().await;
    terminal::enter_sequences(terminal.backend_mut())?;
    // The screen is blank now; one blank frame tells ratatui so, and the next draw repaints
    // everything. (`Terminal::clear` would ask the terminal for the cursor position, a reply
    // the just-stopped event reader may still swallow.)
    terminal.draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))?;
    Ok(out)
}

/// Let the reader thread of a dropped `EventStream` finish, and consume the wake-up its drop
/// left behind, so no second reader competes with the editor or with the next stream (a key
/// read by a dying reader would sit unseen in crossterm's buffer until the next key).
async fn settle_event_reader() {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let _ = tokio::task::spawn_blocking(|| crossterm::event::poll(Duration::ZERO)).await;
}
