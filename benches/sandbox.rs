//! Sandbox at scale: how long `--generate N` takes, and how fast a page is served when every
//! provider holds N records. N defaults to 1,000,000 (`IDTUI_BENCH_N` overrides it).
//!
//! Run: `cargo bench --bench sandbox`. The generation time is printed once before the page
//! benchmarks; the page benchmarks time one HTTP request each over loopback, first pages and
//! deep pages (a deep keyset page must cost the same as the first one).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use idtui::sandbox::{self, RunningSandbox, SandboxOptions};
use tokio::runtime::Runtime;

struct Fixture {
    rt: Runtime,
    http: reqwest::Client,
    base: String,
    core_deep_cursor: String,
    headless_last_page: u64,
    _sandbox: RunningSandbox,
    _dir: tempfile::TempDir,
}

fn records() -> u64 {
    std::env::var("IDTUI_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let n = records();
        let rt = Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bench.db");

        let started = Instant::now();
        let sb = rt
            .block_on(sandbox::start(SandboxOptions {
                db: Some(db.clone()),
                generate: Some(n),
                ..SandboxOptions::for_tests()
            }))
            .unwrap();
        let generated = started.elapsed();
        let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "generate: {n} records per provider in {:.2} s (database {} MiB)",
            generated.as_secs_f64(),
            size >> 20
        );

        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let base = sb.base_url.clone();

        // Walk MATTR's cursor halfway in big steps to get a cursor from the middle of the list.
        let core_deep_cursor = rt.block_on(async {
            let mut cursor = String::new();
            for _ in 0..(n / 2000).max(1) {
                let url = if cursor.is_empty() {
                    format!("{base}/v1/users?limit=1000")
                } else {
                    format!("{base}/v1/users?limit=1000&cursor={cursor}")
                };
                let page: serde_json::Value =
                    http.get(url).send().await.unwrap().json().await.unwrap();
                match page["nextCursor"].as_str() {
                    Some(c) => cursor = c.to_owned(),
                    None => break,
                }
            }
            cursor
        });
        Fixture {
            rt,
            http,
            headless_last_page: (n / 100).saturating_sub(1),
            base,
            core_deep_cursor,
            _sandbox: sb,
            _dir: dir,
        }
    })
}

fn get(path: &str) -> usize {
    let f = fixture();
    f.rt.block_on(async {
        let resp = f
            .http
            .get(format!("{}{path}", f.base))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.bytes().await.unwrap().len()
    })
}

#[divan::bench]
fn kratos_identities_first_page_250() -> usize {
    get("/admin/identities?page_size=250")
}

#[divan::bench]
fn kratos_identities_deep_page_250() -> usize {
    get("/admin/identities?page_size=250&page_token=80000000-0000-4000-8000-000000000000")
}

#[divan::bench]
fn kratos_sessions_first_page_250() -> usize {
    get("/admin/sessions?page_size=250")
}

#[divan::bench]
fn kratos_lookup_by_email() -> usize {
    get("/admin/identities?credentials_identifier=user0500000@gen.example.com")
}

#[divan::bench]
fn core_users_first_page_100() -> usize {
    get("/v1/users?limit=100")
}

#[divan::bench]
fn core_users_deep_page_100() -> usize {
    let cursor = &fixture().core_deep_cursor;
    get(&format!("/v1/users?limit=100&cursor={cursor}"))
}

#[divan::bench]
fn headless_users_first_page_100() -> usize {
    get("/api/v1/headless/users?page=0&length=100")
}

#[divan::bench]
fn headless_users_last_page_100() -> usize {
    let last = fixture().headless_last_page;
    get(&format!("/api/v1/headless/users?page={last}&length=100"))
}

fn main() {
    fixture();
    divan::main();
}
