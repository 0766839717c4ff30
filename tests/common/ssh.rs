//! `idtui serve --ssh` as a child process on a loopback port, keys made with `ssh-keygen`,
//! an authorized keys file as an admin writes one, and the OpenSSH client's command line
//! for end-to-end tests (interactive ones run it in [`super::tmux::Tmux`]).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for the server to say something.
pub const WAIT: Duration = Duration::from_secs(10);

/// A key pair made with `ssh-keygen`, its comment the person's name.
#[derive(Debug, Clone)]
pub struct Key {
    pub private: PathBuf,
    pub name: String,
}

impl Key {
    /// `ssh-keygen -q -t ed25519 -N "" -C NAME -f DIR/FILE`.
    pub fn make(dir: &Path, file: &str, name: &str) -> Key {
        let private = dir.join(file);
        let status = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(&private)
            .stdin(Stdio::null())
            .status()
            .expect("run ssh-keygen");
        assert!(status.success(), "ssh-keygen failed");
        Key {
            private,
            name: name.to_string(),
        }
    }

    pub fn public(&self) -> PathBuf {
        self.private.with_extension("pub")
    }

    /// The public key line (`ssh-ed25519 AAAA… NAME`).
    pub fn public_line(&self) -> String {
        std::fs::read_to_string(self.public())
            .unwrap()
            .trim()
            .to_string()
    }

    /// `SHA256:…` as `ssh-keygen -lf KEY.pub` prints it.
    pub fn fingerprint(&self) -> String {
        let out = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(self.public())
            .output()
            .expect("run ssh-keygen -l");
        let text = String::from_utf8_lossy(&out.stdout);
        text.split_whitespace()
            .nth(1)
            .filter(|f| f.starts_with("SHA256:"))
            .unwrap_or_else(|| panic!("no fingerprint in {text:?}"))
            .to_string()
    }

    /// The key's own directory in the server's state: `ssh/<fingerprint made a name>`.
    pub fn state_name(&self) -> String {
        idtui::serve::session::key_dir_name(&self.fingerprint())
    }
}

/// An authorized keys file in a private directory (0700, the file 0600: the server refuses
/// one others could write). Each entry is `(options, key)`, options as written before the
/// key (`idtui-role="write"`), empty for none.
pub fn authorized_keys(dir: &Path, entries: &[(&str, &Key)]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let ssh = dir.join("authorized");
    std::fs::create_dir_all(&ssh).unwrap();
    std::fs::set_permissions(&ssh, std::fs::Permissions::from_mode(0o700)).unwrap();
    let path = ssh.join("authorized_keys");
    let text: String = entries
        .iter()
        .map(|(options, key)| {
            if options.is_empty() {
                format!("{}\n", key.public_line())
            } else {
                format!("{options} {}\n", key.public_line())
            }
        })
        .collect();
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// A running `idtui serve --ssh` with its own HOME and state, its log kept as it comes.
pub struct Server {
    child: Child,
    pub port: u16,
    /// What it printed on stdout (the banner).
    pub banner: String,
    log: Arc<Mutex<String>>,
    home: tempfile::TempDir,
    exited: Option<ExitStatus>,
}

impl Server {
    /// `idtui serve --ssh --listen 127.0.0.1:0 --authorized-keys KEYS ARGS` with `env`
    /// added; waits for its banner.
    pub fn start(keys: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_in(tempfile::tempdir().unwrap(), Some(keys), args, env)
    }

    /// As [`Server::start`], in `home` (prepared by the caller), and with no
    /// `--authorized-keys` when `keys` is `None`.
    pub fn start_in(
        home: tempfile::TempDir,
        keys: Option<&Path>,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let h = home.path();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_idtui"));
        cmd.args(["serve", "--ssh", "--listen", "127.0.0.1:0"]);
        if let Some(keys) = keys {
            cmd.arg("--authorized-keys").arg(keys);
        }
        cmd.args(args)
            .env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_STATE_HOME", h.join("state"))
            .env_remove("IDTUI_TEST_PANIC")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start idtui serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let mut log = kept.lock().unwrap_or_else(|p| p.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut banner = String::new();
        let port = loop {
            let Some(Ok(line)) = stdout.next() else {
                let _ = child.kill();
                let log = log.lock().unwrap().clone();
                panic!("idtui serve exited before its banner:\n{banner}\n{log}");
            };
            banner.push_str(&line);
            banner.push('\n');
            if let Some(rest) = line.strip_prefix("idtui serve: SSH on 127.0.0.1:") {
                break rest.trim().parse::<u16>().expect("a port");
            }
        };
        // The rest of the banner comes at once after the first line; keep reading it (and
        // anything later) so the server never blocks on a full pipe.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + WAIT;
        while !banner.contains("  limits: ") && Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
                banner.push_str(&line);
                banner.push('\n');
            }
        }
        Server {
            child,
            port,
            banner,
            log,
            home,
            exited: None,
        }
    }

    /// `XDG_STATE_HOME/idtui`, where the server keeps its host key, audit trail and each
    /// key's drafts.
    pub fn state_dir(&self) -> PathBuf {
        self.home.path().join("state").join("idtui")
    }

    /// A known hosts file for the client called `name` (not there until it connects).
    pub fn known_hosts(&self, name: &str) -> PathBuf {
        self.home.path().join(format!("known_hosts-{name}"))
    }

    /// A key's drafts directory on this server.
    pub fn drafts_of(&self, key: &Key) -> PathBuf {
        self.state_dir()
            .join("ssh")
            .join(key.state_name())
            .join("drafts")
    }

    /// The server's log (stderr) so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits (bounded) until a line of the log satisfies `check`; returns that line.
    pub fn wait_log_line(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let log = self.log();
            if let Some(line) = log.lines().find(|l| check(l)) {
                return line.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "the server never logged {what}; its log:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (bounded) until a log line holds every one of `needles`; returns it.
    pub fn wait_log(&self, needles: &[&str]) -> String {
        self.wait_log_line(&format!("{needles:?}"), |l| {
            needles.iter().all(|n| l.contains(n))
        })
    }

    /// The `ssh` arguments (before the host) that connect with `key`, knowing the host key
    /// in `known_hosts` (accepted on first use), with nothing from the user's own setup.
    pub fn ssh_args(&self, key: &Key, known_hosts: &Path) -> Vec<String> {
        vec![
            "-p".into(),
            self.port.to_string(),
            "-i".into(),
            key.private.display().to_string(),
            "-F".into(),
            "/dev/null".into(),
            "-o".into(),
            "IdentitiesOnly=yes".into(),
            "-o".into(),
            format!("UserKnownHostsFile={}", known_hosts.display()),
            "-o".into(),
            "StrictHostKeyChecking=accept-new".into(),
            "-o".into(),
            "BatchMode=yes".into(),
        ]
    }

    /// A shell command line for a tmux pane: `ssh -tt … 127.0.0.1` with `key`, then, once
    /// ssh is gone, `[ssh exited N]` and a pause, so the test reads what it left on screen.
    pub fn ssh_in_pane(&self, key: &Key, known_hosts: &Path) -> String {
        let mut words = vec!["ssh".to_string(), "-tt".to_string()];
        words.extend(self.ssh_args(key, known_hosts));
        words.push("127.0.0.1".into());
        let quoted: Vec<String> = words.iter().map(|w| quote(w)).collect();
        format!(
            "{}; echo \"[ssh exited $?]\"; exec sleep 600",
            quoted.join(" ")
        )
    }

    /// `ssh ARGS… 127.0.0.1 REST…` run to its end without a terminal (stdin empty), bounded.
    pub fn ssh(&self, key: &Key, known_hosts: &Path, before: &[&str], after: &[&str]) -> Output {
        let mut cmd = Command::new("ssh");
        cmd.args(self.ssh_args(key, known_hosts))
            .args(before)
            .arg("127.0.0.1")
            .args(after)
            .stdin(Stdio::null());
        run_bounded(cmd)
    }

    /// Sends SIGTERM, as a service manager stops the server.
    pub fn terminate(&self) {
        signal(self.child.id(), "TERM");
    }

    /// The server's exit status once it exits within `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.exited = Some(status);
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.exited.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `cmd` with its output captured; killed past [`WAIT`] (a test must not hang on a
/// client that never gives up).
pub fn run_bounded(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ssh");
    let deadline = Instant::now() + WAIT;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{cmd:?} did not end within {WAIT:?}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// `kill -SIGNAL pid`: a signal to one process this test started, by its id.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid}");
}

/// `word` in single quotes for `sh`.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}
