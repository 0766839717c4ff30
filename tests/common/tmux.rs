//! A private tmux server for end-to-end tests of what goes through tmux (copies into its
//! paste buffer): its own socket, no configuration file (tmux's defaults, as a new user has
//! them), a temporary `HOME` with `config/` and `state/` for the program, killed on drop.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

pub struct Tmux {
    socket: String,
    home: tempfile::TempDir,
}

impl Tmux {
    /// A 100x30 session running `command` (a shell command line), on a socket named after
    /// `name` and this process.
    pub fn start(name: &str, command: &str) -> Tmux {
        Tmux::start_sized(name, command, 100, 30)
    }

    /// [`start`](Self::start) with a `cols`x`rows` window.
    pub fn start_sized(name: &str, command: &str, cols: u16, rows: u16) -> Tmux {
        let home = tempfile::tempdir().unwrap();
        let socket = format!("idtui-e2e-{name}-{}", std::process::id());
        let h = home.path();
        for d in ["config", "state"] {
            std::fs::create_dir_all(h.join(d)).unwrap();
        }
        let env = |k: &str, v: &std::path::Path| format!("{k}={}", v.display());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", &cols.to_string(), "-y", &rows.to_string()])
            .args(["-e", &env("HOME", h)])
            .args(["-e", &env("XDG_CONFIG_HOME", &h.join("config"))])
            .args(["-e", &env("XDG_STATE_HOME", &h.join("state"))])
            .arg(command)
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket, home }
    }

    /// `HOME` as the program has it (a temporary directory of this test's own).
    pub fn home(&self) -> PathBuf {
        self.home.path().to_path_buf()
    }

    /// `XDG_STATE_HOME` as the program has it.
    pub fn state_dir(&self) -> PathBuf {
        self.home.path().join("state")
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    pub fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waiting for {needle:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Typing and reading the screen with a bound of its own ([`WAIT`] is for `wait_for`).
impl Tmux {
    /// `send-keys` with tmux's key names (`Enter`, `Escape`, `C-s`, `Down`, `j`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// `send-keys -l`: `text` typed as it is, no key names.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
    }

    /// Waits up to `within` until the screen satisfies `check`; the screen, or `Err` with
    /// the last one seen.
    pub fn wait_until(
        &self,
        within: Duration,
        check: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + within;
        loop {
            let screen = self.screen();
            if check(&screen) {
                return Ok(screen);
            }
            if Instant::now() >= deadline {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Waits up to `within` until `needle` is on screen, else fails the test showing it.
    pub fn expect(&self, needle: &str, within: Duration) -> String {
        self.wait_until(within, |s| s.contains(needle))
            .unwrap_or_else(|screen| panic!("waiting for {needle:?}; screen:\n{screen}"))
    }

    /// A tmux format about the pane (`#{pane_pid}`, `#{alternate_on}`).
    pub fn pane(&self, format: &str) -> String {
        self.tmux(&["display-message", "-p", format])
            .trim()
            .to_string()
    }

    /// The ids of the processes the pane's shell started (`/proc/PID/task/PID/children`).
    pub fn pane_children(&self) -> Vec<u32> {
        let pid = self.pane("#{pane_pid}");
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// The window resized as a user resizes the terminal it runs in.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.tmux(&[
            "resize-window",
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // tmux leaves its socket file behind when killed: remove it too.
        let socket = self.pane("#{socket_path}");
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
        if socket.ends_with(&self.socket) {
            let _ = std::fs::remove_file(socket);
        }
    }
}
