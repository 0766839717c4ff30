//! The figures of the README's benchmark table, measured on a large sandbox (not a test:
//! `scripts/measure.sh` runs it; `cargo test` leaves it out). Prints one `name: value` line
//! per figure.
//!
//! Environment: `IDTUI_MEASURE_DB` (the sandbox database; generated when missing),
//! `IDTUI_MEASURE_ROWS` (records to generate, 1,000,000), `IDTUI_MEASURE_PAGE` (the plain
//! Kratos client's page size, 500: what `G` asks Kratos for; MATTR is walked at 1000, its
//! maximum, both ways), `IDTUI_MEASURE_EXPORT_ONLY` (set: only the plain walks, `:export`
//! to JSON Lines and MATTR's `G`).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::pty::{Key, PtySession};
use idtui::app::column::group as fmt;

struct Sandbox {
    child: Child,
    base: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sandbox(args: &[&str]) -> (Sandbox, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_idtui"))
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the sandbox");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("sandbox exited early").unwrap();
        if let Some(rest) = line.strip_prefix("idtui sandbox listening on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Sandbox { child, base }, started.elapsed())
}

/// A plain keep-alive client walking the identities by their `next` links.
fn http_walk(base: &str, size: u32) -> (usize, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut rows = 0;
        let started = Instant::now();
        common::plain::kratos_pages(base, size, |body| {
            let items: Vec<serde::de::IgnoredAny> = serde_json::from_slice(body).unwrap();
            rows += items.len();
            items.len()
        })
        .await;
        (rows, started.elapsed())
    })
}

/// utime + stime in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    f.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
}

/// The first number of the footer's `N of M` (rows up to the selected one).
fn position(screen: &str) -> Option<u64> {
    let footer = screen.lines().rev().find(|l| l.contains(" of "))?;
    let head = footer.split(" of ").next()?;
    let digits: String = head
        .rsplit(|c: char| !(c.is_ascii_digit() || c == ','))
        .next()?
        .replace(',', "");
    digits.parse().ok()
}

/// The credential the MATTR sandbox is started with.
const MATTR_TOKEN: &str = "measure";

fn config(base: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("idtui.toml"),
        format!(
            "[profiles.kratos]\nprovider = \"kratos\"\nurl = \"{base}\"\n\
             [profiles.mattr]\nprovider = \"core\"\nurl = \"{base}\"\n\
             token_env = \"IDTUI_MEASURE_TOKEN\"\n"
        ),
    )
    .unwrap();
    dir
}

fn dashboard(dir: &tempfile::TempDir) -> (PtySession, Duration) {
    dashboard_of(dir, "kratos", "@gen.example.com")
}

/// The dashboard on `profile`, once a row showing `shows` is drawn.
fn dashboard_of(dir: &tempfile::TempDir, profile: &str, shows: &str) -> (PtySession, Duration) {
    let path = dir.path().join("idtui.toml");
    let started = Instant::now();
    let s = PtySession::spawn(
        &["--config", path.to_str().unwrap(), "--profile", profile],
        &[("IDTUI_MEASURE_TOKEN", MATTR_TOKEN)],
        200,
        60,
    );
    s.wait_for(|t| t.contains(shows), Duration::from_secs(30))
        .expect("first rows");
    (s, started.elapsed())
}

/// `G` from the top: how long until the last of `rows` rows is shown, the CPU it took, and
/// the RSS once 100,000 rows were passed.
fn walk_to_the_end(s: &mut PtySession, rows: u64) -> (f64, f64, Option<u64>) {
    let pid = s.pid();
    let cpu_from = cpu_ticks(pid);
    let started = Instant::now();
    s.send("G");
    let mut rss_100k = None;
    let end = format!("{} of {}", fmt(rows), fmt(rows));
    loop {
        let screen = s.screen_text();
        if rss_100k.is_none() && position(&screen).is_some_and(|p| p >= 100_000) {
            rss_100k = Some(common::status_kb(pid, "VmRSS:"));
        }
        if screen.contains(&end) && screen.contains("· end") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "G did not end:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let g = started.elapsed().as_secs_f64();
    let cpu = (cpu_ticks(pid) - cpu_from) as f64 / 100.0;
    (g, cpu, rss_100k)
}

/// A plain keep-alive client walking the MATTR users by `nextCursor`, `size` a page.
fn mattr_walk(base: &str, size: u32) -> (usize, Duration) {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Envelope {
        data: Vec<serde::de::IgnoredAny>,
        next_cursor: Option<String>,
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let users = reqwest::Url::parse(&format!("{base}/v1/users")).unwrap();
        let client = reqwest::Client::new();
        let mut cursor: Option<String> = None;
        let mut rows = 0;
        let started = Instant::now();
        loop {
            let mut url = users.clone();
            url.query_pairs_mut()
                .append_pair("limit", &size.to_string());
            if let Some(c) = cursor.take() {
                url.query_pairs_mut().append_pair("cursor", &c);
            }
            let body = client
                .get(url)
                .bearer_auth(MATTR_TOKEN)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let page: Envelope = serde_json::from_slice(&body).unwrap();
            rows += page.data.len();
            match page.next_cursor {
                Some(c) if !page.data.is_empty() => cursor = Some(c),
                _ => break,
            }
        }
        (rows, started.elapsed())
    })
}

/// `:export FILE` in a fresh dashboard on `profile`: the time until the status bar says it
/// is done, the CPU it took and the highest RSS seen meanwhile (sampled every 20 ms).
fn export_to(dir: &tempfile::TempDir, profile: &str, shows: &str, rows: u64) -> (f64, f64, u64) {
    let (mut s, _) = dashboard_of(dir, profile, shows);
    std::thread::sleep(Duration::from_millis(500));
    let out = dir.path().join(format!("{profile}.jsonl"));
    let _ = std::fs::remove_file(&out);
    let pid = s.pid();
    let cpu_from = cpu_ticks(pid);
    let mut peak = common::status_kb(pid, "VmRSS:");
    let started = Instant::now();
    s.send(&format!(":export {}\r", out.display()));
    let end = format!("exported {} rows", fmt(rows));
    loop {
        peak = peak.max(common::status_kb(pid, "VmRSS:"));
        if s.screen_text().contains(&end) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "export did not end:\n{}",
            s.screen_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed().as_secs_f64();
    let cpu = (cpu_ticks(pid) - cpu_from) as f64 / 100.0;
    let lines = std::io::BufRead::lines(BufReader::new(std::fs::File::open(&out).unwrap())).count();
    assert_eq!(lines as u64, rows, "every record in the file");
    let _ = std::fs::remove_file(&out);
    s.send("q");
    let _ = s.wait_exit(Duration::from_secs(10));
    (took, cpu, peak)
}

fn main() {
    let db = std::env::var("IDTUI_MEASURE_DB").unwrap_or_else(|_| "/tmp/idtui-measure.db".into());
    let rows: u64 = std::env::var("IDTUI_MEASURE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let page: u32 = std::env::var("IDTUI_MEASURE_PAGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let fresh = !std::path::Path::new(&db).exists();
    let n = rows.to_string();
    let mut args = vec!["--db", db.as_str()];
    if fresh {
        args.extend(["--generate", n.as_str()]);
    }
    let (sb, ready) = sandbox(&args);
    if fresh {
        println!(
            "generate {rows}: {:.1} s (to listening)",
            ready.as_secs_f64()
        );
    }

    let (walked, took) = http_walk(&sb.base, page);
    let http = took.as_secs_f64();
    println!("plain HTTP walk, {page} a page: {walked} rows in {http:.1} s");

    let dir = config(&sb.base);
    let (export, cpu, peak) = export_to(&dir, "kratos", "@gen.example.com", rows);
    println!(
        "export to JSONL, {rows} identities: {export:.1} s ({cpu:.1} s CPU), RSS peak {:.1} MB",
        peak as f64 / 1024.0
    );
    println!("export / plain HTTP: {:.2}", export / http);
    let export_only = std::env::var_os("IDTUI_MEASURE_EXPORT_ONLY").is_some();
    if !export_only {
        kratos_dashboard(&dir, rows, http);
    }
    drop(sb);
    mattr(&db, rows);
    if !export_only {
        key_latency(&db);
    }
}

/// The Kratos dashboard: first frame, bytes per `j`, idle CPU, `G` against the plain walk
/// (`http` seconds), RSS over the walk, `g` back.
fn kratos_dashboard(dir: &tempfile::TempDir, rows: u64, http: f64) {
    let (mut s, first) = dashboard(dir);
    let pid = s.pid();
    println!(
        "first frame with rows: {:.0} ms",
        first.as_secs_f64() * 1000.0
    );

    std::thread::sleep(Duration::from_millis(500));
    let before = s.raw_output().len();
    for _ in 0..10 {
        s.send("j");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let per_j = (s.raw_output().len() - before) / 10;
    println!("bytes written per j: {per_j}");

    let idle_from = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(5));
    let ticks = cpu_ticks(pid) - idle_from;
    println!("idle CPU over 5 s: {} ms", ticks * 10);

    let rss_start = common::status_kb(pid, "VmRSS:");
    let (g, cpu, rss_100k) = walk_to_the_end(&mut s, rows);
    std::thread::sleep(Duration::from_millis(500));
    let rss_end = common::status_kb(pid, "VmRSS:");
    println!("G to row {rows}: {g:.1} s ({cpu:.1} s CPU)");
    println!("G / plain HTTP: {:.2}", g / http);
    println!(
        "RSS: {:.1} MB before G, {:.1} MB at 100k rows, {:.1} MB after {rows}",
        rss_start as f64 / 1024.0,
        rss_100k.unwrap_or(0) as f64 / 1024.0,
        rss_end as f64 / 1024.0
    );
    let back = Instant::now();
    s.send("g");
    s.wait_for(
        |t| t.contains(&format!("1 of {}", fmt(rows))),
        Duration::from_secs(30),
    )
    .expect("back to the top");
    println!("g back to row 1: {} ms", back.elapsed().as_millis());
    s.send("q");
    let _ = s.wait_exit(Duration::from_secs(10));
}

/// The same over MATTR users, at the largest page MATTR allows (what `G` asks for): the plain
/// walk, `:export` and `G`.
fn mattr(db: &str, rows: u64) {
    let (sb, _) = sandbox(&["--db", db, "--token", MATTR_TOKEN]);
    let (walked, took) = mattr_walk(&sb.base, 1000);
    let http = took.as_secs_f64();
    println!("MATTR plain HTTP walk, 1000 a page: {walked} rows in {http:.1} s");
    let dir = config(&sb.base);
    let (export, cpu, peak) = export_to(&dir, "mattr", "@example.test", rows);
    println!(
        "MATTR export to JSONL: {export:.1} s ({cpu:.1} s CPU), RSS peak {:.1} MB",
        peak as f64 / 1024.0
    );
    println!("MATTR export / plain HTTP: {:.2}", export / http);
    let (mut s, _) = dashboard_of(&dir, "mattr", "@example.test");
    std::thread::sleep(Duration::from_millis(500));
    let (g, cpu, _) = walk_to_the_end(&mut s, rows);
    println!("MATTR G to row {rows}: {g:.1} s ({cpu:.1} s CPU)");
    println!("MATTR G / plain HTTP: {:.2}", g / http);
    s.send("q");
    let _ = s.wait_exit(Duration::from_secs(10));
}

/// A key while a request hangs on a slow server is still answered at once.
fn key_latency(db: &str) {
    let (slow, _) = sandbox(&["--db", db, "--faults", "latency=3s"]);
    let dir = config(&slow.base);
    let (mut s, _) = dashboard(&dir);
    s.send("r");
    std::thread::sleep(Duration::from_millis(200));
    let row = s.selected_row().map(|(r, _)| r);
    let sent = Instant::now();
    s.send_key(Key::Down);
    // The highlighted line moves when the key is drawn (the refresh is still waiting).
    while s.selected_row().map(|(r, _)| r) == row && sent.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_micros(200));
    }
    println!(
        "key latency during a 3 s request: {:.1} ms",
        sent.elapsed().as_secs_f64() * 1000.0
    );
    s.send("q");
    let _ = s.wait_exit(Duration::from_secs(10));
}
