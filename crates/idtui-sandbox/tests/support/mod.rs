//! Shared by the sandbox crate's HTTP tests: a bounded HTTP/1.1 exchange written by hand, for
//! requests no client library would send (another `Host`, none, two), and the request log.
#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

/// Every wait in these tests ends.
pub const BOUND: Duration = Duration::from_secs(10);

pub struct RawReply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl RawReply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Send `head` (request line and headers, without the blank line) and an empty body on a
/// fresh connection, which the request closes, and read the whole answer. Blocking: call it
/// from `spawn_blocking` in an async test.
pub fn raw(addr: SocketAddr, head: &str) -> RawReply {
    let mut s = TcpStream::connect_timeout(&addr, BOUND).unwrap();
    s.set_read_timeout(Some(BOUND)).unwrap();
    s.set_write_timeout(Some(BOUND)).unwrap();
    s.write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    RawReply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// [`raw`] off the async workers.
pub async fn raw_async(addr: SocketAddr, head: String) -> RawReply {
    tokio::task::spawn_blocking(move || raw(addr, &head))
        .await
        .unwrap()
}

/// The request log's lines, each parsed.
pub fn logged(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(BOUND).build().unwrap()
}
