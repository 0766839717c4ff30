//! The event loop: terminal events, API results, signals and (only while requests are in
//! flight or a failed page waits to be tried again) a timer feed `app::update`; the screen is
//! redrawn only when state changed. Input and output are parameters, so the same loop
//! serves an SSH channel (`serve`), and tests drive it in-process with a virtual clock.

pub mod audit_pages;
pub mod backend;
pub mod copy;
pub mod draft_writer;
pub mod effects;
pub mod export;
pub mod export_writer;
pub mod external_editor;
pub mod launch;
pub mod lazy;
mod memory;
pub mod profiles;
pub mod provider;
mod read_ahead;
pub mod rows;
pub mod screen;
pub mod terminal;
pub mod unattended;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::time::Duration;

use crossterm::event::Event;
use futures::{Stream, StreamExt};
use ratatui::layout::{Rect, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::app::{Action, Effect, ErrorInfo, State, update};
use crate::clipboard::Osc52Env;
use crate::ui::{self, Theme};

pub use backend::{Backend, Backends};
use draft_writer::{Debounce, DraftWriter};
use screen::Screen;

const SPINNER_EVERY: Duration = Duration::from_millis(120);
/// While a failed page waits to be tried again, its countdown on screen moves this often.
const COUNTDOWN_EVERY: Duration = Duration::from_secs(1);
/// Most queued messages handled before the next draw (keeps input responsive under load).
const BATCH: usize = 64;
/// Shortest time between two frames drawn for anything but input: a walk delivers pages far
/// faster than anyone reads them, and each frame rewrites the whole table. A key, a paste or
/// a resize draws at once.
const FRAME_EVERY: Duration = Duration::from_millis(50);

/// Something from outside the terminal's input the session must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// End the session (SIGTERM, SIGHUP, SIGINT, SIGQUIT); the number is the signal's.
    Stop(i32),
    /// Give the terminal back and stop until resumed (SIGTSTP).
    Suspend,
    /// The process was continued after a stop it could not see coming (SIGSTOP): take the
    /// terminal back and redraw everything.
    Continue,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// A signal ended it (its number).
    Signal(i32),
}

impl Exit {
    /// The process exit status: 0, or 128 + the signal's number as shells expect.
    pub fn code(self) -> i32 {
        match self {
            Exit::Quit => 0,
            Exit::Signal(n) => 128 + n,
        }
    }
}

/// Options of one dashboard session.
pub struct RunOptions {
    pub theme: Theme,
    pub read_only: bool,
    pub osc52: Osc52Env,
    pub drafts: crate::drafts::DraftStore,
    pub audit: crate::audit_log::AuditLog,
    /// Where `:` commands are kept for the next runs.
    pub history: crate::command_history::CommandHistory,
    /// Where bulk changes keep their journals.
    pub journals: crate::bulk_journal::BulkJournals,
    /// Where the columns chosen with `:columns` are kept (`None`: no config directory).
    pub columns: Option<crate::column_file::ColumnFile>,
    /// The terminal's size at start; later sizes come as resize events.
    pub size: (u16, u16),
    /// Stops the process until it is continued (job control). `None` where there is no
    /// process of its own to stop (an in-process test, a session served over SSH).
    pub stop_process: Option<fn()>,
}

/// Run the dashboard until the user quits, the events end or a signal stops it. Writes the
/// alternate-screen and cursor sequences itself and restores them before returning.
/// `make_events` opens the terminal's event stream; it is called again after the terminal
/// was handed to another program (`$EDITOR`, the shell during a suspend), because the
/// stream must not read the terminal while another program owns it.
pub async fn run<W, E, M, S>(
    out: W,
    mut make_events: M,
    signals: S,
    mut state: State,
    backends: Backends,
    options: RunOptions,
) -> anyhow::Result<Exit>
where
    W: Write,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    M: FnMut() -> E,
    S: Stream<Item = Signal> + Unpin,
{
    let (w, h) = options.size;
    let size = Size::new(w, h);
    let mut terminal = Terminal::with_options(
        Screen::new(out, size),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::from((ratatui::layout::Position::ORIGIN, size))),
        },
    )?;
    terminal::enter_sequences(terminal.backend_mut())?;
    let result = event_loop(
        &mut terminal,
        &mut make_events,
        signals,
        &mut state,
        &backends,
        &options,
    )
    .await;
    let restored = terminal::restore_sequences(terminal.backend_mut());
    let exit = result?;
    restored?;
    Ok(exit)
}

type Term<W> = Terminal<Screen<W>>;

async fn event_loop<W, E, M, S>(
    terminal: &mut Term<W>,
    make_events: &mut M,
    mut signals: S,
    state: &mut State,
    backends: &Backends,
    options: &RunOptions,
) -> anyhow::Result<Exit>
where
    W: Write,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    M: FnMut() -> E,
    S: Stream<Item = Signal> + Unpin,
{
    let clock = Instant::now();
    let mut events = Some(make_events());
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    // Reads in flight, by seq: cancelled once nobody waits for them (their table was reset
    // or left).
    let mut reads: HashMap<u64, AbortHandle> = HashMap::new();
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
    let mut exit = Exit::Quit;

    let size = ratatui::backend::Backend::size(terminal.backend())?;
    let mut queue = vec![Action::Resize(size.width, size.height)];
    let mut last_frame: Option<Instant> = None;
    // Input arrived since the last frame: the next one is drawn without waiting.
    let mut urgent = true;
    let mut releaser = memory::Releaser::default();
    loop {
        for action in queue.drain(..) {
            if matches!(action, Action::PageLoaded { .. }) {
                releaser.page_taken();
            }
            urgent |= matches!(
                action,
                Action::Key(_) | Action::Resize(..) | Action::Paste(_)
            );
            if let Action::Resize(w, h) = action {
                let size = Size::new(w, h);
                terminal.backend_mut().set_size(size);
                terminal.resize(Rect::from((ratatui::layout::Position::ORIGIN, size)))?;
            }
            state.now = clock.elapsed();
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
                    Effect::Journal { key, line } => {
                        // In the loop, before any later effect (the change it announces)
                        // runs: after a crash the journal knows everything that left.
                        if let Err(e) = options.journals.append(&key, &line) {
                            let line = format!("bulk journal not written: {e}");
                            let _ =
                                tx.send(Action::EffectFailed(ErrorInfo::new(line.clone(), line)));
                        }
                    }
                    Effect::RememberCommand(line) => {
                        // One small append, in the loop: commands land in the order run.
                        if let Err(e) = options.history.append(&line) {
                            let line = format!("command history not written: {e}");
                            let _ =
                                tx.send(Action::EffectFailed(ErrorInfo::new(line.clone(), line)));
                        }
                    }
                    Effect::SaveColumns(text) => {
                        let written = match &options.columns {
                            Some(file) => file.save(&text).map_err(|e| e.to_string()),
                            None => {
                                Err("no config directory (HOME and XDG_CONFIG_HOME unset)".into())
                            }
                        };
                        if let Err(e) = written {
                            let line = format!("columns not saved: {e}");
                            let _ =
                                tx.send(Action::EffectFailed(ErrorInfo::new(line.clone(), line)));
                        }
                    }
                    Effect::Copy { text, what } => {
                        copy::copy(terminal.backend_mut(), text, what, options.osc52, &tx)
                    }
                    // Served over SSH, the user running idtui is the server's, not the
                    // person's: nothing runs or is written at a path of the session's choosing.
                    Effect::ExternalEdit { key, .. } if state.remote.is_some() => {
                        // The app refuses `E` first; this holds should any path still ask.
                        let result = Err("$EDITOR is not available over SSH".to_string());
                        let _ = tx.send(Action::ExternalEdited { key, result });
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
                    // The app refuses `:export FILE` first; this holds should any path ask.
                    Effect::Export(job)
                        if state.remote.is_some()
                            && matches!(
                                job.target,
                                crate::app::export::job::Target::File { .. }
                            ) =>
                    {
                        let line = "`:export FILE` is not available over SSH".to_string();
                        let _ = tx.send(Action::EffectFailed(ErrorInfo::new(line.clone(), line)));
                    }
                    Effect::Suspend => {
                        // A stopped process may never be continued (the shell closes):
                        // drafts are on disk before it stops.
                        drafts.flush();
                        suspend(terminal, &mut events, make_events, options).await?;
                        state.dirty = true;
                    }
                    other => {
                        if let Some((seq, handle)) = effects::spawn(
                            other,
                            backends,
                            &options.drafts,
                            &options.audit,
                            options.read_only,
                            &tx,
                        ) {
                            reads.insert(seq, handle);
                        }
                    }
                }
            }
        }
        reads.retain(|seq, handle| {
            let wanted = state.awaits(*seq) && !handle.is_finished();
            if !wanted {
                handle.abort();
            }
            wanted
        });
        if reads.is_empty() {
            releaser.idle(state.walking());
        }
        if state.quit {
            return Ok(exit);
        }
        // When the next frame is due: now for input, else a frame interval after the last.
        let frame_at = match last_frame {
            Some(at) if state.dirty && !urgent => Some(at + FRAME_EVERY),
            _ => None,
        };
        if state.dirty && frame_at.is_none_or(|at| at <= Instant::now()) {
            terminal.draw(|frame| ui::draw(frame, state, &options.theme))?;
            state.dirty = false;
            urgent = false;
            last_frame = Some(Instant::now());
        }
        let frame_at = frame_at.filter(|_| state.dirty);
        let busy = state.busy();
        // A failed page is tried again when due; its countdown moves every second meanwhile.
        let wake = state
            .next_wake()
            .map(|at| (clock + at).min(Instant::now() + COUNTDOWN_EVERY));
        let events = events.get_or_insert_with(&mut *make_events);
        let first = tokio::select! {
            biased;
            Some(signal) = signals.next() => match signal {
                Signal::Stop(n) => {
                    exit = Exit::Signal(n);
                    Action::Terminate
                }
                Signal::Suspend => Action::Key(suspend_key()),
                Signal::Continue => {
                    terminal::enter_sequences(terminal.backend_mut())?;
                    terminal.clear()?;
                    state.dirty = true;
                    continue;
                }
            },
            Some(action) = rx.recv() => action,
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => {
                    test_panic(&key);
                    Action::Key(key)
                }
                Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(Event::Paste(text))) => Action::Paste(text),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => Action::Terminate,
            },
            _ = tick.tick(), if busy => Action::Tick,
            () = tokio::time::sleep_until(wake.unwrap_or(clock)), if wake.is_some() => Action::Tick,
            () = tokio::time::sleep_until(frame_at.unwrap_or(clock)), if frame_at.is_some() => continue,
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

/// A test-only way to panic on the event loop's thread: `IDTUI_TEST_PANIC=ui` and the key
/// `!` (debug builds only; a release build has no such path).
fn test_panic(key: &crossterm::event::KeyEvent) {
    #[cfg(debug_assertions)]
    if key.code == crossterm::event::KeyCode::Char('!')
        && std::env::var("IDTUI_TEST_PANIC").as_deref() == Ok("ui")
    {
        panic!("test-only panic on the event loop's thread");
    }
    let _ = key;
}

/// SIGTSTP asks for what Ctrl-z does; raw mode delivers Ctrl-z as a key, not a signal.
fn suspend_key() -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('z'),
        crossterm::event::KeyModifiers::CONTROL,
    )
}

/// Hand the terminal back to the shell, stop the process, and take the terminal back when
/// it is continued. Without a process to stop, nothing happens.
async fn suspend<W, E, M>(
    terminal: &mut Term<W>,
    events: &mut Option<E>,
    make_events: &mut M,
    options: &RunOptions,
) -> anyhow::Result<()>
where
    W: Write,
    M: FnMut() -> E,
{
    let Some(stop) = options.stop_process else {
        return Ok(());
    };
    drop(events.take());
    suspended(terminal, async { stop() }).await?;
    *events = Some(make_events());
    Ok(())
}

/// Give the terminal to another program for the duration of `work`, then take it back and
/// redraw everything.
async fn suspended<W: Write, T>(
    terminal: &mut Term<W>,
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
    // The screen is blank now: forget what was drawn, so the next draw repaints everything.
    terminal.clear()?;
    Ok(out)
}

/// Let the reader thread of a dropped `EventStream` finish, and consume the wake-up its drop
/// left behind, so no second reader competes with the editor or with the next stream (a key
/// read by a dying reader would sit unseen in crossterm's buffer until the next key).
async fn settle_event_reader() {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let _ = tokio::task::spawn_blocking(|| crossterm::event::poll(Duration::ZERO)).await;
}
