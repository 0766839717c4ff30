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
        let home = tempfile::tempdir().unwrap();
        let socket = format!("idtui-e2e-{name}-{}", std::process::id());
        let h = home.path();
        for d in ["config", "state"] {
            std::fs::create_dir_all(h.join(d)).unwrap();
        }
        let env = |k: &str, v: &std::path::Path| format!("{k}={}", v.display());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "100", "-y", "30"])
            .args(["-e", &env("HOME", h)])
            .args(["-e", &env("XDG_CONFIG_HOME", &h.join("config"))])
            .args(["-e", &env("XDG_STATE_HOME", &h.join("state"))])
            .arg(command)
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket, home }
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

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
