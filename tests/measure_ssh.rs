//! The README's figures for `idtui serve --ssh` (not a test: `scripts/measure-ssh.sh` runs
//! it; `cargo test` leaves it out, and nothing here asserts a time). Prints one `name: value`
//! line per figure as it goes, then the figures again as markdown tables.
//!
//! One `idtui sandbox --generate N` (10,000 records per provider) and one release `idtui
//! serve --ssh` over it, with a config of one Kratos profile (so the server's RSS is the
//! server's own: the embedded demo sandbox would run inside it). The SSH client is russh, in
//! this process: 50 `ssh` processes would add their own CPU and memory to the noise. Every
//! terminal is 120x40, `xterm-256color`.
//!
//! - RSS: the server's VmRSS with no session yet, then with 1, 10 and 50 sessions open and
//!   drawn (each opened to its first frame with rows, the batches of 9 and 40 concurrently);
//!   per session is (RSS50 - RSS0) / 50. Then once they all ended, and around a second round
//!   of 50 opened at once and ended (what stays after the first is reused, or lost). The
//!   server's CPU over 5 s with every session open and idle.
//! - Key to frame: `j` and `k` alternately, one at a time. For each press, the time from
//!   writing the key to (1) the first byte of the reply and (2) the byte after which the
//!   screen, parsed as a terminal would, shows the selection on its new row (the frame).
//!   The next key waits until no byte came for [`QUIET`]. Measured on one session alone, on
//!   one session while the others are open and idle, with every session typing at once, and
//!   on the local dashboard (`idtui` in a pty of the same size over the same sandbox). The
//!   CPU of the process that draws (the server, or the local `idtui`) per key, from every
//!   thread's `schedstat`.
//!
//! Environment: `IDTUI_MEASURE_SESSIONS` (50), `IDTUI_MEASURE_KEYS` (key presses per run on
//! one session, 200), `IDTUI_MEASURE_KEYS_EACH` (per session when all type at once, 40),
//! `IDTUI_MEASURE_GENERATE` (records per provider in the sandbox, 10000).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use russh::keys::ssh_key::rand_core::OsRng;
use russh::keys::{Algorithm, PrivateKey, PrivateKeyWithHashAlg, PublicKey};
use russh::{ChannelMsg, ChannelWriteHalf, client};
use tokio::sync::mpsc;

use common::sandbox::Sandbox;

const COLS: u16 = 120;
const ROWS: u16 = 40;
/// No byte for this long ends a reply: the next key is typed after it.
const QUIET: Duration = Duration::from_millis(30);
/// Longest wait for anything the harness waits for (a frame, a session, the server).
const PATIENCE: Duration = Duration::from_secs(60);
/// What the generated identities' rows show.
const ROWS_SHOWN: &str = "@gen.example.com";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time of every thread of `pid` so far (`/proc/PID/task/*/schedstat`, nanoseconds; the
/// clock ticks of `/proc/PID/stat` are 10 ms, too coarse for a key).
fn cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The machine, as the README states it.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|v| v.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = status_like("/proc/meminfo", "MemTotal:");
    format!(
        "{cores} cores ({model}), {:.0} GB, load average {} at the start",
        mem as f64 / 1024.0 / 1024.0,
        load_average()
    )
}

/// The 1-minute load average: the machine is shared, and the figures move with it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_owned()
}

fn status_like(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Bytes that arrived together, and when they were read.
struct Chunk {
    at: Instant,
    bytes: Vec<u8>,
}

enum Input {
    Ssh {
        write: ChannelWriteHalf<client::Msg>,
        // Held so the connection stays up for as long as the terminal.
        _handle: client::Handle<Client>,
    },
    Pty(Box<dyn Write + Send>),
}

/// One terminal the harness types into and reads: an SSH session or a local pty. A reader
/// (task or thread) stamps each chunk as it arrives; the screen is parsed here.
struct Term {
    input: Input,
    chunks: mpsc::UnboundedReceiver<Chunk>,
    screen: vt100::Parser,
}

/// What one key press cost.
#[derive(Clone, Copy)]
struct Sample {
    first_byte: Duration,
    frame: Duration,
    bytes: usize,
    /// Separate reads: SSH channel data messages, or `read`s of the pty.
    pieces: usize,
}

impl Term {
    fn new(input: Input, chunks: mpsc::UnboundedReceiver<Chunk>) -> Term {
        let rows = NonZeroU16::new(ROWS).unwrap();
        let cols = NonZeroU16::new(COLS).unwrap();
        Term {
            input,
            chunks,
            screen: vt100::Parser::new(rows, cols, 0),
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        match &mut self.input {
            Input::Ssh { write, .. } => write.data(bytes).await.expect("send to the channel"),
            Input::Pty(w) => {
                w.write_all(bytes).expect("write to the pty");
                w.flush().expect("flush the pty");
            }
        }
    }

    /// The next chunk within `timeout`, parsed into the screen; `None` on timeout.
    async fn next(&mut self, timeout: Duration) -> Option<Chunk> {
        match tokio::time::timeout(timeout, self.chunks.recv()).await {
            Ok(Some(chunk)) => {
                self.screen.process(&chunk.bytes);
                Some(chunk)
            }
            Ok(None) => panic!(
                "the terminal closed; last screen:\n{}",
                self.screen.screen().contents()
            ),
            Err(_) => None,
        }
    }

    /// Reads until the screen text passes `check`; panics with the screen after [`PATIENCE`].
    async fn wait_for(&mut self, check: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while !check(&self.screen.screen().contents()) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out; screen:\n{}",
                self.screen.screen().contents()
            );
            self.next(left).await;
        }
    }

    /// Reads until nothing came for `quiet` (bounded by [`PATIENCE`]).
    async fn settle(&mut self, quiet: Duration) -> (usize, usize) {
        let deadline = Instant::now() + PATIENCE;
        let (mut bytes, mut pieces) = (0, 0);
        while let Some(c) = self.next(quiet).await {
            bytes += c.bytes.len();
            pieces += 1;
            assert!(Instant::now() < deadline, "the output never went quiet");
        }
        (bytes, pieces)
    }

    /// The line of the selected table row (bold reverse video in its first cell).
    fn selected_row(&self) -> Option<u16> {
        let screen = self.screen.screen();
        (2..ROWS.saturating_sub(2)).find(|&row| {
            screen
                .cell(row, 0)
                .is_some_and(|cell| cell.inverse() && cell.bold())
        })
    }

    /// Types `key` and times the reply (the terminal must be quiet first), waiting until
    /// the selection is drawn on `row` and the output is quiet again.
    async fn press(&mut self, key: u8, row: u16) -> Sample {
        let sent = Instant::now();
        self.send(&[key]).await;
        let (mut first, mut bytes, mut pieces) = (None, 0, 0);
        let frame = loop {
            let chunk = self.next(PATIENCE).await.unwrap_or_else(|| {
                panic!(
                    "no frame for {:?}; screen:\n{}",
                    key as char,
                    self.screen.screen().contents()
                )
            });
            first.get_or_insert(chunk.at - sent);
            bytes += chunk.bytes.len();
            pieces += 1;
            if self.selected_row() == Some(row) {
                break chunk.at - sent;
            }
        };
        let (more, more_pieces) = self.settle(QUIET).await;
        Sample {
            first_byte: first.unwrap_or(frame),
            frame,
            bytes: bytes + more,
            pieces: pieces + more_pieces,
        }
    }

    /// `n` presses, `j` and `k` alternately (the selection moves down one row and back).
    async fn presses(&mut self, n: usize) -> Vec<Sample> {
        self.settle(QUIET).await;
        let top = self.selected_row().expect("a selected row");
        let mut samples = Vec::with_capacity(n);
        for i in 0..n {
            let (key, row) = if i % 2 == 0 {
                (b'j', top + 1)
            } else {
                (b'k', top)
            };
            samples.push(self.press(key, row).await);
        }
        samples
    }
}

/// The SSH client's side of the connection: the server is ours, on loopback.
struct Client;

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _key: &PublicKey) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// A session on the server at `addr`: connected, authenticated, a pty of 120x40 and the
/// shell (the dashboard) asked for. Not yet drawn.
async fn open_ssh(addr: SocketAddr, key: Arc<PrivateKey>) -> Term {
    let config = Arc::new(client::Config {
        // As OpenSSH does for an interactive session.
        nodelay: true,
        ..Default::default()
    });
    let mut handle = client::connect(config, addr, Client)
        .await
        .expect("connect");
    let auth = handle
        .authenticate_publickey("bench", PrivateKeyWithHashAlg::new(key, None))
        .await
        .expect("authenticate");
    assert!(auth.success(), "the key was refused");
    let channel = handle.channel_open_session().await.expect("a session");
    channel
        .request_pty(false, "xterm-256color", COLS.into(), ROWS.into(), 0, 0, &[])
        .await
        .expect("a pty");
    channel.request_shell(false).await.expect("the shell");
    let (mut read, write) = channel.split();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(msg) = read.wait().await {
            match msg {
                ChannelMsg::Data { data } => {
                    let at = Instant::now();
                    if tx
                        .send(Chunk {
                            at,
                            bytes: data.to_vec(),
                        })
                        .is_err()
                    {
                        break;
                    }
                }
                ChannelMsg::Close | ChannelMsg::Eof => break,
                _ => {}
            }
        }
    });
    Term::new(
        Input::Ssh {
            write,
            _handle: handle,
        },
        rx,
    )
}

/// `n` sessions opened at once, each to its first frame with rows; with how long each took.
async fn open_many(addr: SocketAddr, key: &Arc<PrivateKey>, n: usize) -> Vec<(Term, Duration)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let key = Arc::clone(key);
            tokio::spawn(async move {
                let started = Instant::now();
                let mut term = Box::pin(open_ssh(addr, key)).await;
                term.wait_for(|s| s.contains(ROWS_SHOWN)).await;
                let took = started.elapsed();
                (term, took)
            })
        })
        .collect();
    let mut terms = Vec::with_capacity(n);
    for t in tasks {
        terms.push(t.await.expect("a session task"));
    }
    terms
}

/// The local dashboard in a pty of the same size, with the same environment as the server.
struct Local {
    term: Term,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    pid: u32,
    // The master end: dropping it hangs the program up.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

fn open_local(config: &Path, home: &Home) -> Local {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_idtui"));
    cmd.args(["--config", config.to_str().unwrap()]);
    cmd.cwd(&home.root);
    cmd.env("TERM", "xterm-256color");
    for (k, v) in home.vars() {
        cmd.env(k, v);
    }
    for var in ["TMUX", "STY", "NO_COLOR", "IDTUI_LOG"] {
        cmd.env_remove(var);
    }
    let child = pair.slave.spawn_command(cmd).expect("start idtui");
    drop(pair.slave);
    let pid = child.process_id().expect("its pid");
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let writer = pair.master.take_writer().expect("pty writer");
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let at = Instant::now();
                    if tx
                        .send(Chunk {
                            at,
                            bytes: buf[..n].to_vec(),
                        })
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    Local {
        term: Term::new(Input::Pty(writer), rx),
        child,
        pid,
        _master: pair.master,
    }
}

/// A temporary HOME with XDG_CONFIG_HOME and XDG_STATE_HOME inside (0700).
struct Home {
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a temporary HOME");
        let root = dir.path().to_path_buf();
        for sub in ["config", "state", "keys"] {
            let p = root.join(sub);
            std::fs::create_dir_all(&p).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        Home { root, _dir: dir }
    }

    fn vars(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", self.root.clone()),
            ("XDG_CONFIG_HOME", self.root.join("config")),
            ("XDG_STATE_HOME", self.root.join("state")),
        ]
    }
}

/// `idtui serve --ssh` on a free loopback port; SIGTERM when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(config: &Path, authorized: &Path, home: &Home, sessions: usize) -> Server {
        let max = (sessions + 14).to_string();
        let log = std::fs::File::create(home.root.join("serve.log")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_idtui"))
            .args(["--config", config.to_str().unwrap(), "serve", "--ssh"])
            .args(["--listen", "127.0.0.1:0", "--authorized-keys"])
            .arg(authorized)
            .args(["--max-sessions", &max, "--max-sessions-per-key", &max])
            .envs(home.vars())
            .env_remove("IDTUI_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start idtui serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines
            .next()
            .expect("the server's banner")
            .expect("its first line");
        let addr = first
            .strip_prefix("idtui serve: SSH on ")
            .unwrap_or_else(|| panic!("not the banner: {first}"))
            .trim()
            .parse()
            .expect("an address");
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn rss(&self) -> u64 {
        common::status_kb(self.pid(), "VmRSS:")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-s", "TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Nearest-rank percentile.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The figures of one set of key presses.
struct Latency {
    n: usize,
    first: (Duration, Duration),
    frame: (Duration, Duration, Duration),
    bytes: f64,
    pieces: f64,
    /// CPU of the process drawing (the server, or the local idtui) per key, in ms.
    cpu_per_key: f64,
}

impl Latency {
    fn of(samples: &[Sample], cpu_ns: u64) -> Latency {
        let mut first: Vec<Duration> = samples.iter().map(|s| s.first_byte).collect();
        let mut frame: Vec<Duration> = samples.iter().map(|s| s.frame).collect();
        first.sort();
        frame.sort();
        let n = samples.len().max(1);
        Latency {
            n: samples.len(),
            first: (percentile(&first, 50.0), percentile(&first, 99.0)),
            frame: (
                percentile(&frame, 50.0),
                percentile(&frame, 99.0),
                frame.last().copied().unwrap_or_default(),
            ),
            bytes: samples.iter().map(|s| s.bytes).sum::<usize>() as f64 / n as f64,
            pieces: samples.iter().map(|s| s.pieces).sum::<usize>() as f64 / n as f64,
            cpu_per_key: cpu_ns as f64 / 1e6 / n as f64,
        }
    }

    fn say(&self, what: &str) {
        println!(
            "{what}: key to frame p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; first byte p50 \
             {:.2} ms, p99 {:.2} ms; {:.0} bytes in {:.1} pieces per key; {:.2} ms CPU per key \
             ({} keys)",
            ms(self.frame.0),
            ms(self.frame.1),
            ms(self.frame.2),
            ms(self.first.0),
            ms(self.first.1),
            self.bytes,
            self.pieces,
            self.cpu_per_key,
            self.n
        );
    }
}

/// Times `n` presses on `term`, with the CPU `pid` spent meanwhile.
async fn timed(term: &mut Term, n: usize, pid: u32) -> Latency {
    term.settle(QUIET).await;
    let cpu = cpu_ns(pid);
    let samples = term.presses(n).await;
    Latency::of(&samples, cpu_ns(pid).saturating_sub(cpu))
}

/// RSS after the server has been quiet for a moment (sessions drawn, pages read).
async fn settled_rss(server: &Server) -> (u64, u64) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    (server.rss(), common::status_kb(server.pid(), "VmHWM:"))
}

fn main() {
    let sessions = env_number("IDTUI_MEASURE_SESSIONS", 50).max(2);
    let keys = env_number("IDTUI_MEASURE_KEYS", 200).max(2);
    let keys_each = env_number("IDTUI_MEASURE_KEYS_EACH", 40).max(2);
    let generate = env_number("IDTUI_MEASURE_GENERATE", 10_000);
    let machine = machine();
    println!("machine: {machine}");

    let sandbox = Sandbox::start(&["--generate", &generate.to_string()]);
    // The sandbox answers before anything is measured.
    let (status, _) = sandbox.call("GET", "/admin/identities?page_size=1", None);
    assert_eq!(status, 200, "the sandbox answers");
    let home = Home::new();
    let config = sandbox.kratos_config(&home.root.join("config"));

    let key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).expect("a key");
    let authorized = home.root.join("keys").join("authorized_keys");
    {
        use std::os::unix::fs::PermissionsExt;
        let public = key.public_key().to_openssh().expect("the public key");
        std::fs::write(
            &authorized,
            format!("idtui-role=\"write\" {public} bench\n"),
        )
        .unwrap();
        std::fs::set_permissions(&authorized, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let key = Arc::new(key);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let figures = rt.block_on(Box::pin(measure(
        &config,
        &authorized,
        &home,
        key,
        sessions,
        keys,
        keys_each,
    )));
    drop(sandbox);
    figures.print(&machine, sessions, generate);
    println!("load average {} at the end", load_average());
}

/// `q` in every session, then waits (bounded) until each channel is closed.
async fn end_all(mut terms: Vec<Term>) {
    for t in &mut terms {
        t.send(b"q").await;
    }
    for mut t in terms {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while let Ok(Some(_)) = tokio::time::timeout_at(deadline, t.chunks.recv()).await {}
    }
}

struct Figures {
    local: Latency,
    local_rss: u64,
    local_first_frame: Duration,
    rss0: u64,
    rss1: u64,
    ten: usize,
    rss10: u64,
    rss_all: u64,
    hwm_all: u64,
    rss_after: u64,
    rss_again: u64,
    rss_after_again: u64,
    open_all: (usize, Duration, Duration),
    first_frame_one: Duration,
    open_batch: (usize, Duration, Duration),
    one: Latency,
    one_of_many: Latency,
    all: Latency,
    all_wall: Duration,
    /// This process's CPU (the SSH clients, parsing every screen) while all typed.
    harness_cpu: Duration,
    /// The server's CPU over 5 s with every session open and nobody typing.
    idle_cpu: Duration,
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call from main, the run's settings"
)]
async fn measure(
    config: &Path,
    authorized: &Path,
    home: &Home,
    key: Arc<PrivateKey>,
    sessions: usize,
    keys: usize,
    keys_each: usize,
) -> Figures {
    // The local dashboard first, with no server running.
    let started = Instant::now();
    let mut local = open_local(config, home);
    local.term.wait_for(|s| s.contains(ROWS_SHOWN)).await;
    let local_first_frame = started.elapsed();
    println!(
        "local: first frame with rows {:.0} ms",
        ms(local_first_frame)
    );
    let local_latency = timed(&mut local.term, keys, local.pid).await;
    local_latency.say("local pty");
    let local_rss = common::status_kb(local.pid, "VmRSS:");
    println!("local: RSS {:.1} MB", mb(local_rss));
    local.term.send(b"q").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !matches!(local.child.try_wait(), Ok(Some(_))) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = local.child.kill();
    drop(local);

    let server = Server::start(config, authorized, home, sessions);
    let (rss0, _) = settled_rss(&server).await;
    println!(
        "server: RSS {:.1} MB with no session (on {})",
        mb(rss0),
        server.addr
    );

    let mut batch = open_many(server.addr, &key, 1).await;
    let first_frame_one = batch[0].1;
    println!(
        "ssh: connect to first frame with rows, one session {:.0} ms",
        ms(first_frame_one)
    );
    let mut terms: Vec<Term> = batch.drain(..).map(|(t, _)| t).collect();
    let (rss1, _) = settled_rss(&server).await;
    println!("server: RSS {:.1} MB with 1 session", mb(rss1));

    let one = timed(&mut terms[0], keys, server.pid()).await;
    one.say("ssh, 1 session");

    let ten = 10.min(sessions);
    terms.extend(
        open_many(server.addr, &key, ten - 1)
            .await
            .into_iter()
            .map(|(t, _)| t),
    );
    let (rss10, _) = settled_rss(&server).await;
    println!("server: RSS {:.1} MB with {ten} sessions", mb(rss10));

    let rest = sessions - ten;
    let opened = open_many(server.addr, &key, rest).await;
    let mut each: Vec<Duration> = opened.iter().map(|(_, d)| *d).collect();
    each.sort();
    let open_batch = (
        rest,
        percentile(&each, 50.0),
        each.last().copied().unwrap_or_default(),
    );
    println!(
        "ssh: {rest} sessions opened at once, connect to first frame p50 {:.0} ms, max {:.0} ms",
        ms(open_batch.1),
        ms(open_batch.2)
    );
    terms.extend(opened.into_iter().map(|(t, _)| t));
    let (rss_all, hwm_all) = settled_rss(&server).await;
    println!(
        "server: RSS {:.1} MB with {sessions} sessions (VmHWM {:.1} MB); {:.2} MB per session",
        mb(rss_all),
        mb(hwm_all),
        mb(rss_all.saturating_sub(rss0)) / sessions as f64
    );

    for t in &mut terms {
        t.settle(QUIET).await;
    }
    let idle_from = cpu_ns(server.pid());
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle_cpu = Duration::from_nanos(cpu_ns(server.pid()).saturating_sub(idle_from));
    println!(
        "server: CPU over 5 s with {sessions} idle sessions {:.1} ms",
        ms(idle_cpu)
    );

    let one_of_many = timed(&mut terms[0], keys, server.pid()).await;
    one_of_many.say(&format!(
        "ssh, 1 session typing, {} open and idle",
        sessions - 1
    ));

    // Every session types at once.
    for t in &mut terms {
        t.settle(QUIET).await;
    }
    let cpu = cpu_ns(server.pid());
    let harness_from = cpu_ns(std::process::id());
    let started = Instant::now();
    let tasks: Vec<_> = terms
        .drain(..)
        .map(|mut t| {
            tokio::spawn(async move {
                let samples = t.presses(keys_each).await;
                (t, samples)
            })
        })
        .collect();
    let mut samples = Vec::new();
    for task in tasks {
        let (t, s) = task.await.expect("a typing session");
        terms.push(t);
        samples.extend(s);
    }
    let all_wall = started.elapsed();
    let all = Latency::of(&samples, cpu_ns(server.pid()).saturating_sub(cpu));
    all.say(&format!("ssh, all {sessions} typing at once"));
    let harness_cpu = Duration::from_nanos(cpu_ns(std::process::id()).saturating_sub(harness_from));
    println!(
        "harness (the {sessions} clients) CPU meanwhile: {:.1} s over {:.1} s",
        harness_cpu.as_secs_f64(),
        all_wall.as_secs_f64()
    );

    end_all(terms).await;
    let (rss_after, _) = settled_rss(&server).await;
    println!(
        "server: RSS {:.1} MB after every session ended",
        mb(rss_after)
    );

    // A second round, all at once: whether what stays after the first is kept for reuse
    // (RSS back to the same) or lost (RSS grows by as much again).
    let again = open_many(server.addr, &key, sessions).await;
    let mut each: Vec<Duration> = again.iter().map(|(_, d)| *d).collect();
    each.sort();
    let open_all = (
        sessions,
        percentile(&each, 50.0),
        each.last().copied().unwrap_or_default(),
    );
    println!(
        "ssh: {sessions} sessions opened at once, connect to first frame p50 {:.0} ms, max {:.0} ms",
        ms(open_all.1),
        ms(open_all.2)
    );
    let (rss_again, _) = settled_rss(&server).await;
    end_all(again.into_iter().map(|(t, _)| t).collect()).await;
    let (rss_after_again, _) = settled_rss(&server).await;
    println!(
        "server: RSS {:.1} MB with {sessions} sessions again, {:.1} MB after they ended",
        mb(rss_again),
        mb(rss_after_again)
    );
    drop(server);

    Figures {
        local: local_latency,
        local_rss,
        local_first_frame,
        rss0,
        rss1,
        ten,
        rss10,
        rss_all,
        hwm_all,
        rss_after,
        rss_again,
        rss_after_again,
        open_all,
        first_frame_one,
        open_batch,
        one,
        one_of_many,
        all,
        all_wall,
        harness_cpu,
        idle_cpu,
    }
}

impl Figures {
    fn print(&self, machine: &str, sessions: usize, generate: usize) {
        println!();
        println!(
            "`idtui serve --ssh` ({sessions} sessions, russh client in the harness, loopback, \
             120x40; sandbox --generate {generate}); {machine}"
        );
        println!();
        let lat = |l: &Latency| format!("{:.2} / {:.2} ms", ms(l.frame.0), ms(l.frame.1));
        let first = |l: &Latency| format!("{:.2} / {:.2} ms", ms(l.first.0), ms(l.first.1));
        let per = |l: &Latency| format!("{:.0} B in {:.1}", l.bytes, l.pieces);
        let cpu = |l: &Latency| format!("{:.2} ms", l.cpu_per_key);
        let many = format!("SSH, 1 of {sessions} ({} idle)", sessions - 1);
        let all = format!("SSH, all {sessions} typing at once");
        println!("| key `j`/`k` | local pty | SSH, 1 session | {many} | {all} |");
        println!("| --- | --- | --- | --- | --- |");
        let row = |what: &str, f: &dyn Fn(&Latency) -> String| {
            println!(
                "| {what} | {} | {} | {} | {} |",
                f(&self.local),
                f(&self.one),
                f(&self.one_of_many),
                f(&self.all)
            );
        };
        row("key to frame drawn, p50 / p99", &lat);
        row("key to first byte, p50 / p99", &first);
        row("bytes per key, in (reads or SSH data messages)", &per);
        row("CPU of the drawing process per key", &cpu);
        row("keys timed", &|l: &Latency| l.n.to_string());
        println!();
        println!("| memory and start | figure |");
        println!("| --- | --- |");
        println!(
            "| server RSS: no session / 1 / {} / {sessions} | {:.1} / {:.1} / {:.1} / {:.1} MB |",
            self.ten,
            mb(self.rss0),
            mb(self.rss1),
            mb(self.rss10),
            mb(self.rss_all)
        );
        println!(
            "| RSS per session, (RSS{sessions} - RSS0) / {sessions} | {:.2} MB |",
            mb(self.rss_all.saturating_sub(self.rss0)) / sessions as f64
        );
        println!(
            "| server VmHWM with {sessions} sessions / RSS after all ended | {:.1} / {:.1} MB |",
            mb(self.hwm_all),
            mb(self.rss_after)
        );
        println!(
            "| a second round: RSS with {sessions} sessions / after they ended | {:.1} / {:.1} MB |",
            mb(self.rss_again),
            mb(self.rss_after_again)
        );
        println!(
            "| local `idtui` RSS (one dashboard, its own process) | {:.1} MB |",
            mb(self.local_rss)
        );
        println!(
            "| first frame with rows: local / one SSH session (from connect) | {:.0} / {:.0} ms |",
            ms(self.local_first_frame),
            ms(self.first_frame_one)
        );
        println!(
            "| {} sessions opened at once: connect to first frame p50 / max | {:.0} / {:.0} ms |",
            self.open_batch.0,
            ms(self.open_batch.1),
            ms(self.open_batch.2)
        );
        println!(
            "| {} sessions opened at once (second round): connect to first frame p50 / max | {:.0} / {:.0} ms |",
            self.open_all.0,
            ms(self.open_all.1),
            ms(self.open_all.2)
        );
        println!(
            "| all {sessions} typing {} keys each: wall time (server CPU / harness CPU) | {:.1} s ({:.1} s / {:.1} s) |",
            self.all.n / sessions.max(1),
            self.all_wall.as_secs_f64(),
            self.all.cpu_per_key * self.all.n as f64 / 1000.0,
            self.harness_cpu.as_secs_f64()
        );
        println!(
            "| server CPU over 5 s with {sessions} sessions open, nobody typing | {:.1} ms |",
            ms(self.idle_cpu)
        );
    }
}
