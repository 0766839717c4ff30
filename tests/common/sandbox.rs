//! `idtui sandbox` as a child process on a loopback port, with its request log, and plain
//! HTTP calls to it (a colleague's curl) for end-to-end tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub struct Sandbox {
    child: Child,
    pub base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// One line of the sandbox's request log.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// What the handler noted (an import's accepted hash format).
    pub note: Option<String>,
}

impl Sandbox {
    /// Starts `idtui sandbox` on a free loopback port with `args` (e.g. `--demo`, `--faults`).
    pub fn start(args: &[&str]) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("requests.jsonl");
        let mut child = Command::new(env!("CARGO_BIN_EXE_idtui"))
            .args(["sandbox", "--listen", "127.0.0.1:0", "--request-log"])
            .arg(&log)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("sandbox exited early").unwrap();
            if let Some(rest) = line.strip_prefix("idtui sandbox listening on ") {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Sandbox {
            child,
            base,
            log,
            _dir: dir,
        }
    }

    /// The sandbox process's id.
    #[allow(dead_code, reason = "only the benchmarks pin the sandbox to a core")]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The request log file (one JSON line per request).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Every request the sandbox has logged so far.
    pub fn requests(&self) -> Vec<Logged> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .map(|v| Logged {
                method: v["method"].as_str().unwrap_or("").to_string(),
                path: v["path"].as_str().unwrap_or("").to_string(),
                status: v["status"].as_u64().unwrap_or(0) as u16,
                note: v["note"].as_str().map(str::to_string),
            })
            .collect()
    }

    /// How many logged requests have `method` and a path starting with `prefix`.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path.starts_with(prefix))
            .count()
    }

    /// A barrier on the request log: when this returns, every request the sandbox had
    /// answered before it is in the log. It sends one request of its own, marked so it cannot
    /// be mistaken for the dashboard's, and waits (bounded) until that line is in the log; the
    /// sandbox writes each line as it answers, in answer order, so the earlier ones are there.
    ///
    /// A check that something was *not* sent calls this once the screen shows the dashboard's
    /// decision, then counts: no sleep, and no guess at how long is long enough.
    pub fn barrier(&self) {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mark = format!("/health/alive?idtui-test-barrier={n}");
        // Its answer does not matter (even a refusal is logged); only its line does.
        let _ = self.call("GET", &mark, None);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !self.requests().iter().any(|r| r.path == mark) {
            assert!(
                std::time::Instant::now() < deadline,
                "the barrier request {mark} never reached the request log"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// [`call`](Self::call) with the sandbox's credential (`--token`), in the header the API
    /// of `path` expects (`COASSEMBLE:1:…` for Coassemble, a bearer token otherwise).
    pub fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: &str,
    ) -> (u16, Value) {
        let header = if path.contains("/v1/headless/") {
            format!("COASSEMBLE:1:{token}")
        } else {
            format!("Bearer {token}")
        };
        self.request(method, path, body, Some(header))
    }

    /// An HTTP call as a colleague would make it with curl (bounded by a 10 s timeout);
    /// status 0 when no answer came (an injected fault).
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.request(method, path, body, None)
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        authorization: Option<String>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap();
            let mut req = client.request(method, url);
            if let Some(a) = authorization {
                req = req.header("authorization", a);
            }
            if let Some(body) = body {
                req = req.json(&body);
            }
            let Ok(resp) = req.send().await else {
                return (0, Value::Null);
            };
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// A config file in `dir` with one Kratos profile named `kratos` on this sandbox.
    pub fn kratos_config(&self, dir: &Path) -> PathBuf {
        let path = dir.join("idtui-e2e.toml");
        std::fs::write(
            &path,
            format!(
                "[profiles.kratos]\nprovider = \"kratos\"\nurl = \"{}\"\n",
                self.base
            ),
        )
        .unwrap();
        path
    }
}

/// A config file at `path` with one profile per provider on `base` (`kratos`, `core`,
/// `headless`; each credential from `SBX_TOKEN`). `kratos_extra` is added to the Kratos
/// profile (e.g. `read_only = true`); the Coassemble one is at `headless_url` (a port nobody
/// answers on makes a profile that is down).
pub fn three_profiles(path: &Path, base: &str, kratos_extra: &str, headless_url: &str) -> PathBuf {
    let text = format!(
        "[profiles.kratos]\nprovider = \"kratos\"\nurl = \"{base}\"\ntoken_env = \"SBX_TOKEN\"\n{kratos_extra}\n\
         [profiles.core]\nprovider = \"core\"\nurl = \"{base}\"\ntoken_env = \"SBX_TOKEN\"\n\n\
         [profiles.headless]\nprovider = \"headless\"\nurl = \"{headless_url}\"\n\
         workspace_id = \"1\"\ntoken_env = \"SBX_TOKEN\"\n"
    );
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
