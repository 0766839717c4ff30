//! Putting the local terminal into dashboard mode and always getting it back: on return,
//! on panic (hook) and on signals (the loop ends normally, so the guard runs).

use std::io::Write;

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

impl RawModeGuard {
    pub fn enable() -> std::io::Result<RawModeGuard> {
        terminal::enable_raw_mode()?;
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

/// Restore the terminal before the default hook prints the panic, so the message is
/// readable and the shell is usable afterwards.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = restore_sequences(&mut std::io::stdout());
        let _ = terminal::disable_raw_mode();
        previous(info);
    }));
}
