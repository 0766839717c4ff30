//! The outermost layer of the sandbox: the `Host` check, injected faults, caught panics and
//! the request log. They sit in front of every provider, so a test sees exactly what a client
//! would see on the wire, and the log holds every request, refused or crashed ones included.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::{FutureExt, stream};

use super::faults::{Fault, FaultDice};
use super::{AppState, envelope, host, private};

/// One JSON line per request, flushed at once so a test can read it straight away.
pub struct RequestLog {
    out: Mutex<BufWriter<File>>,
}

impl RequestLog {
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = private::open_append(path)?;
        Ok(Self {
            out: Mutex::new(BufWriter::new(file)),
        })
    }

    fn write(&self, line: &serde_json::Value) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        // A full disk must not take the server down with it; the log is best effort.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// A handler's note for the request log line of its answer (what an import accepted), so a
/// test or a person reading the log sees it without the secret that caused it.
#[derive(Clone, Debug)]
pub struct LogNote(pub String);

pub struct Edge {
    pub dice: Option<FaultDice>,
    pub log: Option<RequestLog>,
    /// The port the sandbox listens on, the only one a request's `Host` may name.
    pub port: u16,
}

/// A body that fails before its first byte: hyper then closes the connection mid-response.
fn dropped() -> Response {
    let failing = stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected drop",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// Keep the declared length but send only half of the body, then fail.
async fn truncated(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(bytes.len().max(1)),
    );
    let chunks = stream::iter(vec![
        Ok(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected truncation",
        )),
    ]);
    Response::from_parts(parts, Body::from_stream(chunks))
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let edge = &state.edge;

    let (resp, fault) = match host::check(&req, edge.port) {
        // Before any fault: a refused client must learn why, not meet a random 503.
        Err(refused) => (
            envelope::error_at(&path, refused.status, &refused.message),
            None,
        ),
        Ok(()) => serve(edge, &path, req, next).await,
    };

    if let Some(log) = &edge.log {
        let status = match fault {
            Some(Fault::Drop) => serde_json::Value::Null,
            _ => resp.status().as_u16().into(),
        };
        let mut line = serde_json::json!({
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "method": method.as_str(),
            "path": path,
            "status": status,
            "duration_ms": started.elapsed().as_secs_f64() * 1000.0,
            "fault": fault.map(|f| format!("{f:?}")),
        });
        if let Some(LogNote(note)) = resp.extensions().get::<LogNote>() {
            line["note"] = note.clone().into();
        }
        log.write(&line);
    }
    resp
}

/// Run the request with its injected faults, a panic in a handler (or an injected one) caught
/// here, inside the request log, so that it is answered 500 and logged like any other answer
/// instead of taking the connection down with it unrecorded.
async fn serve(edge: &Edge, path: &str, req: Request, next: Next) -> (Response, Option<Fault>) {
    let mut fault = None;
    if let Some(dice) = &edge.dice {
        if let Some(d) = dice.latency() {
            tokio::time::sleep(d).await;
        }
        fault = dice.roll();
    }
    let run = async move {
        match fault {
            Some(Fault::Drop) => dropped(),
            Some(Fault::ServerError) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "upstream connect error or disconnect/reset before headers (injected)",
            )
                .into_response(),
            Some(Fault::TooManyRequests) => {
                let secs = edge
                    .dice
                    .as_ref()
                    .map(|d| d.spec().retry_after_secs)
                    .unwrap_or(1);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, secs.to_string())],
                    "Too Many Requests (injected)",
                )
                    .into_response()
            }
            Some(Fault::Truncate) => truncated(next.run(req).await).await,
            Some(Fault::Panic) => panic!("injected panic (--faults panic)"),
            None => next.run(req).await,
        }
    };
    // A panic leaves nothing shared half-done: the database mutexes recover from poisoning,
    // rusqlite rolls back a transaction dropped while unwinding, and a reader lent to a
    // panicking read is closed rather than returned (see `db`).
    let resp = match AssertUnwindSafe(run).catch_unwind().await {
        Ok(resp) => resp,
        Err(_) => {
            // The panic hook has already printed the message and where it happened.
            tracing::error!(path, "a sandbox handler panicked; answered 500");
            let mut resp = envelope::error_at(
                path,
                StatusCode::INTERNAL_SERVER_ERROR,
                "The sandbox failed while handling this request (a handler panicked)",
            );
            resp.extensions_mut()
                .insert(LogNote("the handler panicked".into()));
            resp
        }
    };
    (resp, fault)
}

pub type SharedEdge = Arc<Edge>;
