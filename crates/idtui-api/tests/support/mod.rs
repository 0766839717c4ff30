//! Shared by the client tests in this directory: a sandbox on loopback (the `idtui-sandbox`
//! crate, in-process) with its request log, clients built from `idtui-api`'s own constructors
//! with quick retries, and a small reverse proxy for path-prefix and token tests.
//!
//! The dashboard's tests of profile → client wiring (`tests/connect.rs` at the workspace root)
//! load this file by `#[path]` rather than keep a copy, and `tests/e2e_hostile.rs` loads
//! [`hostile`] the same way: the root crate depends on both library crates, never the reverse.

#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

pub mod crafted;
pub mod hostile;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use idtui_api::{
    Auth, CoreApi, HeadlessApi, HttpLayer, HttpSettings, KratosApi, Provider, RetryPolicy, Secret,
};
use idtui_sandbox::{RunningSandbox, SandboxOptions};
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
        let sandbox = idtui_sandbox::start(opts).await.unwrap();
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

    /// A file holding `secret`, for a profile's `token_file` / `client_secret_file` (the
    /// dashboard's connect tests; the clients here take a [`Secret`]).
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

/// Lines of the request log per (method, path without query).
pub fn count(log: &[(String, String, Value)], method: &str, path: &str) -> usize {
    log.iter()
        .filter(|(m, p, _)| m == method && p.split('?').next() == Some(path))
        .count()
}

/// Quick retries so fault tests do not crawl; `Retry-After` is still honoured.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
        max_total_delay: Duration::from_secs(20),
    }
}

/// A profile's defaults (30 s per call, 10 s to connect, no extra CA, writes allowed) with
/// [`fast_retries`].
pub fn settings(provider: Provider, url: &str) -> HttpSettings {
    HttpSettings {
        retry: fast_retries(),
        ..HttpSettings::new(provider, url)
    }
}

/// A layer without credentials.
pub fn layer(provider: Provider, url: &str) -> HttpLayer {
    HttpLayer::new(&settings(provider, url), Auth::None).unwrap()
}

/// A Kratos client at `url` without credentials or a public URL.
pub fn kratos(url: &str) -> KratosApi {
    KratosApi::new(layer(Provider::Kratos, url), None)
}

/// A Kratos client sending `token` in `header` (`Authorization: Bearer` when `None`).
pub fn kratos_with_token(url: &str, header: Option<&str>, token: &str) -> KratosApi {
    let auth = Auth::bearer(Provider::Kratos, header, &Secret::new(token)).unwrap();
    KratosApi::new(
        HttpLayer::new(&settings(Provider::Kratos, url), auth).unwrap(),
        None,
    )
}

/// A MATTR VII core client at `url` under the API's current `/v1` prefix, without credentials.
pub fn core(url: &str) -> CoreApi {
    CoreApi::new(layer(Provider::Core, url), None)
}

/// A core client that fetches its tokens with client credentials from `auth_url`.
pub fn core_oauth(
    url: &str,
    auth_url: &str,
    client_id: &str,
    secret: &str,
    audience: Option<&str>,
) -> CoreApi {
    let source = idtui_api::OAuthSource::new(
        Provider::Core,
        auth_url,
        client_id.to_owned(),
        Secret::new(secret),
        audience.map(str::to_owned),
    )
    .unwrap();
    let auth = Auth::OAuth(Arc::new(source));
    CoreApi::new(
        HttpLayer::new(&settings(Provider::Core, url), auth).unwrap(),
        None,
    )
}

/// A Coassemble headless client for workspace 1 with an empty key, as the sandbox takes
/// when it was started without a token.
pub fn headless(url: &str) -> HeadlessApi {
    let auth = Auth::coassemble(Provider::Headless, "1", &Secret::new("")).unwrap();
    HeadlessApi::new(HttpLayer::new(&settings(Provider::Headless, url), auth).unwrap())
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

/// Run `test` as the `idtui` binary runs its work: on threads whose stacks hold records as
/// deep as the servers accept (a test thread's 2 MiB would overflow on them). The dashboard's
/// tests keep the same ten lines in `tests/common`, which this crate cannot reach.
pub fn on_deep_stacks<F: std::future::Future<Output = ()> + Send + 'static>(test: F) {
    idtui_api::json::on_deep_stack(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_stack_size(idtui_api::json::STACK_BYTES)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(test)
    });
}
