//! The bulk change's figures for the README (not a test: `scripts/measure.sh` runs it;
//! `cargo test` leaves it out): `:set` over every identity of a sandbox (10,000 by default,
//! `IDTUI_MEASURE_BULK`) at the default concurrency (4), against a plain client doing the
//! same pairs of requests (a read of the identity, then the same JSON Patch) four at a time.
//! Prints items/s both ways, their ratio, and the dashboard's peak RSS.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::pty::{Key, PtySession};
use common::sandbox::Sandbox;
use serde_json::{Value, json};

const CONCURRENCY: usize = 4;

/// Every identity's id, read page by page.
fn ids(base: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let mut ids = Vec::new();
        let mut url = format!("{base}/admin/identities?page_size=500");
        loop {
            let resp = client.get(&url).send().await.unwrap();
            let next = resp
                .headers()
                .get("link")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| {
                    l.split(',')
                        .find(|p| p.contains("rel=\"next\""))
                        .and_then(|p| p.split(['<', '>']).nth(1))
                        .map(str::to_string)
                });
            let page: Vec<Value> = resp.json().await.unwrap();
            ids.extend(page.iter().map(|i| i["id"].as_str().unwrap().to_string()));
            match next {
                Some(n) if !page.is_empty() => {
                    url = if n.starts_with("http") {
                        n
                    } else {
                        format!("{base}{n}")
                    }
                }
                _ => break,
            }
        }
        ids
    })
}

/// A plain client: for each id, read it, then send the patch `:set` would send, four ids at
/// a time. Returns how long it took.
fn plain(base: &str, ids: &[String], value: &str) -> Duration {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ids = Arc::new(ids.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let workers = (0..CONCURRENCY).map(|_| {
            let (client, ids, next) = (client.clone(), ids.clone(), next.clone());
            let (base, value) = (base.to_string(), value.to_string());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = ids.get(n) else { break };
                    let url = format!("{base}/admin/identities/{id}");
                    let current: Value =
                        client.get(&url).send().await.unwrap().json().await.unwrap();
                    let mut metadata = current["metadata_public"].clone();
                    if !metadata.is_object() {
                        metadata = json!({});
                    }
                    metadata["bench"] = json!(value);
                    let patch =
                        json!([{"op": "add", "path": "/metadata_public", "value": metadata}]);
                    // The answer is read whole, as any client that wants to know the
                    // change landed must.
                    let resp = client.patch(&url).json(&patch).send().await.unwrap();
                    let status = resp.status();
                    let body = resp.bytes().await.unwrap();
                    assert!(status.is_success() && !body.is_empty(), "{status}");
                }
            })
        });
        for w in workers.collect::<Vec<_>>() {
            w.await.unwrap();
        }
    });
    started.elapsed()
}

/// Pin every thread of `pid` (and what it starts later) to `cores`; whether `taskset` did.
fn pin(pid: u32, cores: &str) -> bool {
    std::process::Command::new("taskset")
        .args(["-a", "-pc", cores, &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The dashboard marks every identity, sets `bench` on each, and is timed from the Enter
/// that starts the run to its "finished".
fn dashboard(sandbox: &Sandbox, count: usize, value: &str) -> (Duration, u64) {
    let dir = tempfile::tempdir().unwrap();
    let config = sandbox.kratos_config(dir.path());
    let mut s = PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--profile", "kratos"],
        &[],
        120,
        40,
    );
    s.expect_text("@gen.example.com", Duration::from_secs(60));
    s.send(":mark all");
    s.send_key(Key::Enter);
    let marked = format!("{} marked", idtui::app::column::group(count as u64));
    s.expect_text(&marked, Duration::from_secs(120));
    s.send(&format!(":set bench=\"{value}\""));
    s.send_key(Key::Enter);
    s.expect_text("and Enter to start", Duration::from_secs(10));
    s.send(&count.to_string());
    let started = Instant::now();
    s.send_key(Key::Enter);
    s.wait_for(|t| t.contains("finished ·"), Duration::from_secs(1800))
        .expect("the run finishes");
    let took = started.elapsed();
    let screen = s.screen_text();
    let done = format!("done {}", idtui::app::column::group(count as u64));
    assert!(screen.contains(&done), "every item done:\n{screen}");
    (took, peak_rss_kb(s.pid()))
}

fn main() {
    let count: usize = std::env::var("IDTUI_MEASURE_BULK")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let sandbox = Sandbox::start(&["--generate", &count.to_string()]);
    // The server runs elsewhere in practice: here it gets a core of its own and both clients
    // share the other, so neither client is measured by how much CPU it takes from the
    // server it waits for.
    let pinned = std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
        && pin(sandbox.pid(), "0")
        && pin(std::process::id(), "1");
    let ids = ids(&sandbox.base);
    assert_eq!(ids.len(), count);
    // Each side writes a value the other did not, so every item is a real write; the plain
    // client goes first and last, and its better time is kept.
    let plain_a = plain(&sandbox.base, &ids, "plain-1");
    let (idtui, rss_kb) = dashboard(&sandbox, count, "idtui");
    let plain_b = plain(&sandbox.base, &ids, "plain-2");
    let plain = plain_a.min(plain_b);
    let rate = |d: Duration| count as f64 / d.as_secs_f64();
    println!(
        "bulk items: {count} at concurrency {CONCURRENCY}; {}",
        if pinned {
            "sandbox on core 0, clients on core 1"
        } else {
            "not pinned"
        }
    );
    println!(
        "plain client (read + patch): {:.1} s, {:.0} items/s (runs: {:.1} s, {:.1} s)",
        plain.as_secs_f64(),
        rate(plain),
        plain_a.as_secs_f64(),
        plain_b.as_secs_f64()
    );
    println!(
        "idtui :set: {:.1} s, {:.0} items/s",
        idtui.as_secs_f64(),
        rate(idtui)
    );
    println!("idtui / plain items/s: {:.2}", rate(idtui) / rate(plain));
    println!("idtui peak RSS: {:.1} MB", rss_kb as f64 / 1024.0);
}
