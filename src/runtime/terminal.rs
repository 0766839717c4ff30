//! Putting the local terminal into dashboard mode and always getting it back: on return,
//! on panic (hook) and on signals (the loop ends normally, so the guard runs).

use std::io::Write;
use std::sync::OnceLock;
use std::thread::ThreadId;

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::{cursor, execute, terminal};

/// Sequences that restore the screen: bracketed paste off, leave the alternate screen,
/// show the cursor.
pub fn restore_sequences(out: &mut impl Write) -> std::io::Result<()> {
    execute!(
        out,
        DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        cursor::Show
    )
}

pub fn enter_sequences(out: &mut impl Write) -> std::io::Result<()> {
    // Mouse capture stays off (text selection keeps working, as over SSH users expect).
    // Bracketed paste is on: a paste arrives as one piece of text, not as keystrokes (which
    // the editor would auto-indent and write as a draft one by one).
    execute!(
        out,
        terminal::EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide,
        terminal::Clear(terminal::ClearType::All)
    )
}

/// Raw mode on the process's terminal for as long as it lives.
pub struct RawModeGuard {
    _private: (),
}

/// The thread that runs the event loop and owns the terminal.
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

impl RawModeGuard {
    /// Call on the thread that runs the event loop.
    pub fn enable() -> std::io::Result<RawModeGuard> {
        terminal::enable_raw_mode()?;
        let _ = UI_THREAD.set(std::thread::current().id());
        install_panic_hook();
        Ok(RawModeGuard { _private: () })
    }
}

impl Drop for RawModeGuard {
    fn drop(&mut self) {
        let _ = restore_sequences(&mut std::io::stdout());
        let _ = terminal::disable_raw_mode();
    }
}

/// Every panic is logged (where it happened; payloads are our own messages, which never
/// hold a secret). A panic on the event loop's thread ends the session: the terminal is
/// restored before the default hook prints the message, so it is readable and the shell
/// usable, and the unwinding loop then shuts down in order (drafts written). A panic on any
/// other thread is a background task's: it becomes an error on screen (see
/// `effects::panicked`) and the terminal is left alone, since the loop keeps drawing.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_ui = UI_THREAD.get() == Some(&std::thread::current().id());
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let message = crate::sanitize::cap(&message, 500).into_owned();
        if on_ui {
            tracing::error!(%location, %message, "panic in the event loop; restoring the terminal");
            let _ = restore_sequences(&mut std::io::stdout());
            let _ = terminal::disable_raw_mode();
            previous(info);
        } else {
            let thread = std::thread::current()
                .name()
                .unwrap_or("unnamed")
                .to_string();
            tracing::error!(%location, %message, %thread, "panic in a background task");
        }
    }));
}
