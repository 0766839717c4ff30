//! `y` / `Y` inside tmux with default options: the text lands in tmux's paste buffer
//! (`tmux show-buffer`), and the status bar says where it went. The test starts its own
//! tmux server on a private socket with no configuration file, and kills it afterwards.

use std::process::Command;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

/// A private tmux server, killed on drop.
struct Tmux {
    socket: String,
    home: tempfile::TempDir,
}

impl Tmux {
    fn start(program: &str) -> Tmux {
        let home = tempfile::tempdir().unwrap();
        let socket = format!("idtui-e2e-copy-{}", std::process::id());
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
            .arg(program)
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket, home }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    fn wait_for(&self, needle: &str) -> String {
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
        let _ = &self.home;
    }
}

#[test]
fn y_and_shift_y_copy_into_tmux_with_default_options() {
    let t = Tmux::start(env!("CARGO_BIN_EXE_idtui"));
    t.wait_for("ada.lovelace@example.com");
    // Default options: passthrough is off, so only tmux itself can take the copy.
    assert!(t.tmux(&["show-options", "-gv", "allow-passthrough"]).trim() == "off");

    t.tmux(&["send-keys", "y"]);
    let screen = t.wait_for("tmux's paste buffer");
    let id = t.tmux(&["show-buffer"]);
    assert!(
        uuid::Uuid::parse_str(id.trim()).is_ok(),
        "the buffer holds the selected row's id: {id:?}"
    );
    let shown_prefix = &id[..8];
    assert!(screen.contains(shown_prefix), "{screen}");

    t.tmux(&["send-keys", "Y"]);
    t.wait_for("copied JSON");
    let json = t.tmux(&["show-buffer"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("the buffer holds JSON");
    assert_eq!(v["id"].as_str(), Some(id.trim()));
    let email = v["traits"]["email"].as_str().expect("the identity's email");
    assert!(
        screen.contains(email),
        "the selected row's JSON: {email}\n{screen}"
    );

    t.tmux(&["send-keys", "q"]);
}
