//! A crafted Kratos on loopback: a bare HTTP/1.1 responder that answers every request with
//! whatever body (and `Link` header) the test computes from the request line, so a page can
//! hold records no real server would send: too deep, too large, not UTF-8. Shared with the
//! dashboard's adapter test at the workspace root.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server on loopback answering every request with `page(query)`; it records the
/// request lines.
pub async fn crafted(
    page: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    crafted_with_link(move |line| (page(line), None)).await
}

/// As [`crafted`], the answer with a `Link` header when `page` gives one.
pub async fn crafted_with_link(
    page: impl Fn(&str) -> (Vec<u8>, Option<String>) + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (page, log) = (Arc::new(page), Arc::clone(&seen));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (page, log) = (Arc::clone(&page), Arc::clone(&log));
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let line = head.lines().next().unwrap_or("").to_string();
                log.lock().unwrap().push(line.clone());
                let (body, link) = page(&line);
                let link = link.map_or(String::new(), |l| format!("link: {l}\r\n"));
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{link}connection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    (base, seen)
}

pub fn identity(id: &str, metadata: Value) -> Value {
    json!({"id": id, "schema_id": "default", "state": "active",
           "traits": {"email": format!("{id}@example.com")}, "metadata_public": metadata})
}

pub fn nested(levels: usize) -> Value {
    (0..levels).fold(json!(1), |v, _| json!({ "a": v }))
}
