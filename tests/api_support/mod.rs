//! Shared by the `api_*` integration tests: a sandbox on loopback, profiles pointing at it,
//! its request log, and a small reverse proxy for path-prefix and token tests.

#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use idtui::api::{self, Api, RetryPolicy};
use idtui::config::{Profile, Provider};
use idtui::sandbox::{self, RunningSandbox, SandboxOptions};
use serde_json::Value;
use tokio::net::TcpListener;

pub struct Harness {
    pub sandbox: RunningSandbox,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// A sandbox with the demo data and a request log, changed by `tweak`.
    pub async fn start(tweak: impl FnOnce(&mut SandboxOptions)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("requests.jsonl");
        let mut opts = SandboxOptions {
            demo: true,
            request_log: Some(log.clone()),
            ..SandboxOptions::for_tests()
        };
        tweak(&mut opts);
        let sandbox = sandbox::start(opts).await.unwrap();
        Self {
            sandbox,
            log,
            _dir: dir,
        }
    }

    pub fn base(&self) -> &str {
        &self.sandbox.base_url
    }

    /// Every logged request: (method, path with query, status or null).
    pub fn requests(&self) -> Vec<(String, String, Value)> {
        read_log(&self.log)
    }

    /// A file holding `secret`, for `token_file` / `client_secret_file`.
    pub fn secret_file(&self, name: &str, secret: &str) -> PathBuf {
        let p = self._dir.path().join(name);
        std::fs::write(&p, secret).unwrap();
        // A secret file others can read is refused, as ssh refuses such a key.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        p
    }
}

pub fn read_log(path: &Path) -> Vec<(String, String, Value)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["method"].as_str().unwrap().to_owned(),
                v["path"].as_str().unwrap().to_owned(),
                v["status"].clone(),
            )
        })
        .collect()
}

pub fn profile(provider: Provider, url: &str) -> Profile {
    let mut p = Profile::new("test", provider, url);
    if provider == Provider::Headless {
        p.workspace_id = Some("1".into());
    }
    p
}

/// Quick retries so fault tests do not crawl; `Retry-After` is still honoured.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 8,
        base_delay: std::time::Duration::from_millis(10),
        max_delay: std::time::Duration::from_secs(2),
        max_total_delay: std::time::Duration::from_secs(20),
    }
}

pub fn connect(p: &Profile) -> Api {
    idtui::connect::connect_with(p, false, fast_retries()).unwrap()
}

pub fn kratos(p: &Profile) -> api::KratosApi {
    match connect(p) {
        Api::Kratos(k) => k,
        other => panic!("expected kratos, got {other:?}"),
    }
}

pub fn core(p: &Profile) -> api::CoreApi {
    match connect(p) {
        Api::Core(c) => c,
        other => panic!("expected core, got {other:?}"),
    }
}

pub fn headless(p: &Profile) -> api::HeadlessApi {
    match connect(p) {
        Api::Headless(h) => h,
        other => panic!("expected headless, got {other:?}"),
    }
}

/// Rewrites a proxied answer: (request path, body) -> new body.
pub type Rewrite = fn(&str, Bytes) -> Bytes;

struct ProxyState {
    upstream: String,
    prefix: String,
    rewrite: Option<Rewrite>,
    http: reqwest::Client,
}

/// A reverse proxy on loopback serving `upstream` under `prefix` (e.g. `/kratos`), the way
/// an Ory Network project URL or a gateway mounts an API below a path.
pub async fn proxy(upstream: &str, prefix: &str, rewrite: Option<Rewrite>) -> String {
    let state = Arc::new(ProxyState {
        upstream: upstream.trim_end_matches('/').to_owned(),
        prefix: prefix.trim_end_matches('/').to_owned(),
        rewrite,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    });
    let app = axum::Router::new().fallback(forward).with_state(state);
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}{prefix}")
}

async fn forward(State(st): State<Arc<ProxyState>>, req: Request) -> Response {
    let pq = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let Some(rest) = pq.strip_prefix(&st.prefix) else {
        return Response::builder()
            .status(404)
            .body(Body::from("outside the prefix"))
            .unwrap();
    };
    let path = rest.split('?').next().unwrap_or("").to_owned();
    let method = req.method().clone();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut out = st.http.request(method, format!("{}{rest}", st.upstream));
    for (k, v) in &headers {
        if k != "host" && k != "content-length" {
            out = out.header(k, v);
        }
    }
    let resp = match out.body(body).send().await {
        Ok(r) => r,
        Err(_) => return Response::builder().status(502).body(Body::empty()).unwrap(),
    };
    let mut builder = Response::builder().status(resp.status());
    for (k, v) in resp.headers() {
        if k != "content-length" && k != "transfer-encoding" {
            builder = builder.header(k, v);
        }
    }
    let mut bytes = resp.bytes().await.unwrap_or_default();
    if let Some(rw) = st.rewrite {
        bytes = rw(&path, bytes);
    }
    builder.body(Body::from(bytes)).unwrap()
}

/// Lines of the request log per (method, path without query).
pub fn count(log: &[(String, String, Value)], method: &str, path: &str) -> usize {
    log.iter()
        .filter(|(m, p, _)| m == method && p.split('?').next() == Some(path))
        .count()
}
