//! A hostile server on loopback, and the place it would send a client to.
//!
//! [`Hostile`] is a tiny HTTP/1.1 responder of its own, not a framework, so it can answer what
//! no well-behaved server would: redirects to another host, bodies that never end, twenty
//! million records, gzip bombs, escapes in ids. [`Elsewhere`] is a second listener standing
//! for the other host: it records every connection and every byte that reaches it, so a test
//! can say that nothing did. Both listen on 127.0.0.1 only and stop with the test; an endless
//! body stops by itself after [`ENDLESS_CAP`] bytes.

#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The most an endless body sends before it stops by itself (a client should stop far sooner).
pub const ENDLESS_CAP: u64 = 2 << 30;

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the hostile server answers.
pub enum Reply {
    /// A status line, headers and a body sent with its length.
    Fixed {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// `head`, then `chunk` again and again, chunked, until the client hangs up or
    /// [`ENDLESS_CAP`] is reached.
    Endless {
        headers: Vec<(String, String)>,
        head: Vec<u8>,
        chunk: Vec<u8>,
    },
}

impl Reply {
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Fixed {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    pub fn redirect(status: u16, to: &str) -> Reply {
        Reply::Fixed {
            status,
            headers: vec![("location".into(), to.into())],
            body: Vec::new(),
        }
    }
}

type Answer = dyn Fn(&Seen) -> Reply + Send + Sync;

/// The hostile server: every request is recorded and answered by the test's function.
pub struct Hostile {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Body bytes written to clients, all answers together.
    sent: Arc<AtomicU64>,
}

impl Hostile {
    pub async fn start(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let answer: Arc<Answer> = Arc::new(answer);
        let (s, n) = (seen.clone(), sent.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (s, n, answer) = (s.clone(), n.clone(), answer.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, s, n, answer).await;
                });
            }
        });
        Hostile { url, seen, sent }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn body_bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    sent: Arc<AtomicU64>,
    answer: Arc<Answer>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buf).await? else {
            return Ok(());
        };
        seen.lock().unwrap().push(request.clone());
        match answer(&request) {
            Reply::Fixed {
                status,
                headers,
                body,
            } => {
                let mut out = status_line(status, &headers);
                out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
                stream.write_all(&out).await?;
                stream.write_all(&body).await?;
                sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            }
            Reply::Endless {
                headers,
                head,
                chunk,
            } => {
                let mut out = status_line(200, &headers);
                out.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
                stream.write_all(&out).await?;
                let frame = |bytes: &[u8]| {
                    let mut f = format!("{:x}\r\n", bytes.len()).into_bytes();
                    f.extend_from_slice(bytes);
                    f.extend_from_slice(b"\r\n");
                    f
                };
                stream.write_all(&frame(&head)).await?;
                let piece = frame(&chunk);
                let mut total = head.len() as u64;
                while total < ENDLESS_CAP {
                    // A client that stops reading closes the connection: the write fails.
                    stream.write_all(&piece).await?;
                    total += chunk.len() as u64;
                    sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
                return Ok(());
            }
        }
    }
}

fn status_line(status: u16, headers: &[(String, String)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Hostile\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// One request from `stream` (head, then a body of its `content-length`); `None` when the
/// client closed the connection.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Option<Seen>> {
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    buf.drain(..head_end + 4);
    while buf.len() < len {
        let n = stream.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    let body = buf.drain(..len).collect();
    Ok(Some(Seen {
        method,
        target,
        headers,
        body,
    }))
}

/// The other host a redirect names: it counts every connection and keeps every byte sent to
/// it, and answers each request with a token and an empty list, as a thief would.
pub struct Elsewhere {
    pub url: String,
    connections: Arc<AtomicUsize>,
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Elsewhere {
    pub async fn start() -> Elsewhere {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let (c, b) = (connections.clone(), bytes.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let b = b.clone();
                tokio::spawn(async move {
                    let mut tmp = [0u8; 8192];
                    while let Ok(n) = stream.read(&mut tmp).await {
                        if n == 0 {
                            break;
                        }
                        b.lock().unwrap().extend_from_slice(&tmp[..n]);
                        let body = br#"{"access_token":"stolen","expires_in":3600,"data":[]}"#;
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                             content-length: {}\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(head.as_bytes()).await;
                        let _ = stream.write_all(body).await;
                    }
                });
            }
        });
        Elsewhere {
            url,
            connections,
            bytes,
        }
    }

    /// Connections made to it.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Everything that reached it, as text.
    pub fn received(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned()
    }
}
