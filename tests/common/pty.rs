//! Runs a program in a pseudo-terminal and keeps a parsed copy of its screen, so
//! end-to-end tests can type keys and read what the user would see.
//!
//! A reader thread feeds everything the program writes into a `vt100` parser (and keeps
//! the raw bytes, to check how the terminal was left). It also answers the two queries
//! terminal libraries block on at start-up — cursor position and device attributes — as
//! a real terminal would.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// A key the harness can type, encoded as xterm sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    /// Ctrl plus a letter, e.g. `Ctrl('s')`.
    Ctrl(char),
    /// F1..=F12.
    F(u8),
}

impl Key {
    pub fn bytes(self) -> Vec<u8> {
        let s: &str = match self {
            Key::Enter => "\r",
            Key::Esc => "\x1b",
            Key::Tab => "\t",
            Key::BackTab => "\x1b[Z",
            Key::Backspace => "\x7f",
            Key::Delete => "\x1b[3~",
            Key::Up => "\x1b[A",
            Key::Down => "\x1b[B",
            Key::Right => "\x1b[C",
            Key::Left => "\x1b[D",
            Key::Home => "\x1b[H",
            Key::End => "\x1b[F",
            Key::PageUp => "\x1b[5~",
            Key::PageDown => "\x1b[6~",
            Key::Ctrl(c) => {
                assert!(
                    c.is_ascii_alphabetic(),
                    "Ctrl({c:?}): only letters have a control code"
                );
                return vec![c.to_ascii_lowercase() as u8 & 0x1f];
            }
            Key::F(n) => match n {
                1 => "\x1bOP",
                2 => "\x1bOQ",
                3 => "\x1bOR",
                4 => "\x1bOS",
                5 => "\x1b[15~",
                6 => "\x1b[17~",
                7 => "\x1b[18~",
                8 => "\x1b[19~",
                9 => "\x1b[20~",
                10 => "\x1b[21~",
                11 => "\x1b[23~",
                12 => "\x1b[24~",
                _ => panic!("F{n}: only F1..=F12 exist"),
            },
        };
        s.as_bytes().to_vec()
    }
}

struct Screen {
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// The program closed the terminal (it exited, or EIO on Linux).
    closed: bool,
}

type Shared = Arc<(Mutex<Screen>, Condvar)>;
type Writer = Arc<Mutex<Box<dyn Write + Send>>>;

/// A program running in a pseudo-terminal. The child is killed when this is dropped.
pub struct PtySession {
    master: Box<dyn MasterPty + Send>,
    writer: Writer,
    child: Box<dyn Child + Send + Sync>,
    shared: Shared,
    exit: Option<ExitStatus>,
    home: tempfile::TempDir,
}

fn size(cols: u16, rows: u16) -> (NonZeroU16, NonZeroU16) {
    let nz = |n: u16, what: &str| {
        NonZeroU16::new(n).unwrap_or_else(|| panic!("a terminal needs at least one {what}"))
    };
    (nz(rows, "row"), nz(cols, "column"))
}

fn lock(shared: &Shared) -> MutexGuard<'_, Screen> {
    shared
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl PtySession {
    /// Runs the `idtui` binary built for this test run with `args`.
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> PtySession {
        PtySession::spawn_program(env!("CARGO_BIN_EXE_idtui"), args, env, cols, rows)
    }

    /// Runs any program. The environment is the test's own plus `TERM=xterm-256color`,
    /// a fresh temporary `HOME` with `XDG_CONFIG_HOME` and `XDG_STATE_HOME` inside it, no
    /// multiplexer variables, and finally `env` (which may override any of these).
    pub fn spawn_program(
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> PtySession {
        let (nz_rows, nz_cols) = size(cols, rows);
        let home = tempfile::tempdir().expect("temporary HOME");
        let config = home.path().join("config");
        let state = home.path().join("state");
        std::fs::create_dir_all(&config).expect("config dir");
        std::fs::create_dir_all(&state).expect("state dir");

        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(home.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", &config);
        cmd.env("XDG_STATE_HOME", &state);
        for var in ["TMUX", "STY", "NO_COLOR", "IDTUI_LOG", "EDITOR", "VISUAL"] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
        // Our copy of the slave end must go, or reads never see the child's exit.
        drop(pair.slave);

        let reader = pair.master.try_clone_reader().expect("pty reader");
        let writer: Writer = Arc::new(Mutex::new(pair.master.take_writer().expect("pty writer")));
        let shared: Shared = Arc::new((
            Mutex::new(Screen {
                parser: vt100::Parser::new(nz_rows, nz_cols, 0),
                raw: Vec::new(),
                closed: false,
            }),
            Condvar::new(),
        ));
        {
            let shared = Arc::clone(&shared);
            let writer = Arc::clone(&writer);
            thread::spawn(move || read_loop(reader, shared, writer));
        }
        PtySession {
            master: pair.master,
            writer,
            child,
            shared,
            exit: None,
            home,
        }
    }

    /// The temporary `HOME` the program runs in.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `XDG_CONFIG_HOME` as given to the program (unless `env` overrode it).
    pub fn config_dir(&self) -> PathBuf {
        self.home.path().join("config")
    }

    /// `XDG_STATE_HOME` as given to the program (unless `env` overrode it).
    pub fn state_dir(&self) -> PathBuf {
        self.home.path().join("state")
    }

    /// Types `text` as is.
    pub fn send(&mut self, text: &str) {
        self.send_bytes(text.as_bytes());
    }

    /// Pastes `text` as a terminal does: bracketed (`ESC[200~` … `ESC[201~`) when the
    /// program turned bracketed paste on (`ESC[?2004h`), otherwise as plain typed text.
    /// Terminals send a pasted line break as CR; pass the text as the terminal would.
    pub fn send_paste(&mut self, text: &str) {
        let mut bytes = Vec::new();
        let bracketed = self.bracketed_paste();
        if bracketed {
            bytes.extend_from_slice(b"\x1b[200~");
        }
        bytes.extend_from_slice(text.as_bytes());
        if bracketed {
            bytes.extend_from_slice(b"\x1b[201~");
        }
        self.send_bytes(&bytes);
    }

    /// Whether the program has bracketed paste on (the last `ESC[?2004` it wrote was `h`).
    pub fn bracketed_paste(&self) -> bool {
        let raw = self.raw_output();
        let last = |seq: &[u8]| raw.windows(seq.len()).rposition(|w| w == seq);
        match (last(b"\x1b[?2004h"), last(b"\x1b[?2004l")) {
            (Some(on), Some(off)) => on > off,
            (on, _) => on.is_some(),
        }
    }

    pub fn send_key(&mut self, key: Key) {
        self.send_bytes(&key.bytes());
    }

    fn send_bytes(&mut self, bytes: &[u8]) {
        // A program that stops reading its terminal fills the input queue, and a plain write
        // would then block the test forever: type from a helper thread, and fail the test
        // with the screen when the keys cannot be delivered in time.
        let writer = Arc::clone(&self.writer);
        let owned = bytes.to_vec();
        let (done, delivered) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut writer = writer.lock().unwrap_or_else(|p| p.into_inner());
            // A closed terminal is reported by wait_for / wait_exit; typing into it is not a
            // failure of the test step itself.
            let _ = writer.write_all(&owned).and_then(|()| writer.flush());
            let _ = done.send(());
        });
        if delivered.recv_timeout(Duration::from_secs(30)).is_err() {
            panic!(
                "the program stopped reading its input: {} bytes not taken in 30 s\n{}",
                bytes.len(),
                self.screen_text()
            );
        }
    }

    /// The screen as text: one line per row, trailing blanks trimmed.
    pub fn screen_text(&self) -> String {
        lock(&self.shared).parser.screen().contents()
    }

    /// The selected table row, as drawn: the body line (between the two title lines and
    /// the footer and status lines) shown in bold reverse video, with its line number.
    pub fn selected_row(&self) -> Option<(u16, String)> {
        let screen = lock(&self.shared);
        let screen = screen.parser.screen();
        let (rows, cols) = screen.size();
        let (rows, cols) = (u16::from(rows), u16::from(cols));
        (2..rows.saturating_sub(2)).find_map(|row| {
            let cell = screen.cell(row, 0)?;
            (cell.inverse() && cell.bold())
                .then(|| (row, screen.contents_between(row, 0, row, cols)))
        })
    }

    /// Line `row` of the screen as text.
    pub fn line(&self, row: u16) -> String {
        let screen = lock(&self.shared);
        let screen = screen.parser.screen();
        screen.contents_between(row, 0, row, screen.size().1.into())
    }

    /// Every byte the program wrote so far.
    pub fn raw_output(&self) -> Vec<u8> {
        lock(&self.shared).raw.clone()
    }

    /// Waits until `check` accepts the screen text and returns that text. On timeout, or
    /// when the program closes the terminal first, returns the last screen as the error.
    pub fn wait_for(
        &self,
        mut check: impl FnMut(&str) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        let (mutex, changed) = &*self.shared;
        let mut screen = mutex.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let text = screen.parser.screen().contents();
            if check(&text) {
                return Ok(text);
            }
            if screen.closed {
                return Err(format!(
                    "the program closed the terminal; last screen:\n{text}"
                ));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(format!("timed out after {timeout:?}; screen:\n{text}"));
            }
            screen = changed
                .wait_timeout(screen, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Waits until the screen contains `needle`; panics with the screen otherwise.
    pub fn expect_text(&self, needle: &str, timeout: Duration) -> String {
        self.wait_for(|s| s.contains(needle), timeout)
            .unwrap_or_else(|screen| panic!("waiting for {needle:?}: {screen}"))
    }

    /// Resizes the terminal; the program gets SIGWINCH.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let (nz_rows, nz_cols) = size(cols, rows);
        lock(&self.shared).parser.set_size(nz_rows, nz_cols);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pseudo-terminal");
    }

    /// The terminal's line settings as `stty -a` prints them (raw mode shows as `-icanon
    /// -echo`, a restored terminal as `icanon echo`).
    pub fn tty_modes(&self) -> String {
        let tty = self.master.tty_name().expect("the pty's name");
        let out = std::process::Command::new("stty")
            .arg("-a")
            .arg("-F")
            .arg(&tty)
            .output()
            .expect("run stty");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Whether the terminal is in raw mode (no line editing, no echo).
    pub fn raw_mode(&self) -> bool {
        let modes = self.tty_modes();
        let has = |flag: &str| modes.split_whitespace().any(|w| w == flag);
        assert!(has("icanon") || has("-icanon"), "stty said: {modes}");
        has("-icanon") && has("-echo")
    }

    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    /// The program's state letter from `/proc/PID/stat` (`T` when stopped).
    pub fn process_state(&self) -> char {
        let pid = self.child.process_id().expect("child pid");
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next())
            .unwrap_or('?')
    }

    /// Waits until the program's state is `state`; panics otherwise.
    pub fn wait_state(&self, state: char, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.process_state() != state {
            assert!(
                Instant::now() < deadline,
                "process state {} after {timeout:?}, wanted {state}",
                self.process_state()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends a signal by name (`TERM`, `HUP`, `INT`) to the program.
    pub fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("child pid");
        let status = std::process::Command::new("kill")
            .args(["-s", name, &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {name} {pid} failed");
    }

    /// Waits for the program to exit. Once it has, also waits (within the same timeout)
    /// for the rest of its output so that [`raw_output`](Self::raw_output) is complete.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while self.exit.is_none() {
            match self.child.try_wait() {
                Ok(Some(status)) => self.exit = Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                _ => return None,
            }
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        let _ = self.wait_for_close(remaining);
        self.exit.clone()
    }

    fn wait_for_close(&self, timeout: Duration) -> bool {
        let (mutex, changed) = &*self.shared;
        let screen = mutex.lock().unwrap_or_else(|p| p.into_inner());
        let (screen, _) = changed
            .wait_timeout_while(screen, timeout, |s| !s.closed)
            .unwrap_or_else(|p| p.into_inner());
        screen.closed
    }
}

impl Drop for PtySession {
    fn drop(&mut self) {
        if self.exit.is_none() && !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Terminal queries the harness answers, with how to answer them.
const QUERIES: &[&[u8]] = &[b"\x1b[6n", b"\x1b[c", b"\x1b[0c"];

fn read_loop(mut reader: Box<dyn Read + Send>, shared: Shared, writer: Writer) {
    let mut buf = [0u8; 8192];
    // The tail of the previous chunk, so a query split across two reads is still seen.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) | Err(_) => break, // EIO on Linux: every slave fd is closed
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        let mut window = std::mem::take(&mut carry);
        let carried = window.len();
        window.extend_from_slice(chunk);
        let replies = {
            let mut screen = lock(&shared);
            screen.parser.process(chunk);
            screen.raw.extend_from_slice(chunk);
            let (row, col) = screen.parser.screen().cursor_position();
            answers(&window, carried, row, col)
        };
        shared.1.notify_all();
        if !replies.is_empty() {
            let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
            let _ = w.write_all(&replies).and_then(|()| w.flush());
        }
        let keep = window.len().saturating_sub(3);
        carry = window[keep..].to_vec();
    }
    lock(&shared).closed = true;
    shared.1.notify_all();
}

/// Replies to queries that end inside the new part of `window` (past `carried`).
fn answers(window: &[u8], carried: usize, row: u16, col: u16) -> Vec<u8> {
    let mut out = Vec::new();
    for start in 0..window.len() {
        for query in QUERIES {
            let end = start + query.len();
            if end > carried && window[start..].starts_with(query) {
                if query[2] == b'6' {
                    out.extend(format!("\x1b[{};{}R", row + 1, col + 1).into_bytes());
                } else {
                    // A VT220-class terminal with no special features.
                    out.extend_from_slice(b"\x1b[?62;22c");
                }
            }
        }
    }
    out
}
