//! `HttpSettings::timeout` (a profile's `timeout_secs`) bounds a whole read, retries and waits
//! included. The clock is virtual (`tokio::time::pause`), so the bound is checked exactly
//! without waiting for it.

use std::time::Duration;

use idtui_api::{Auth, CoreApi, Cursor, ErrorKind, HttpLayer, HttpSettings, Provider};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

/// A server on loopback that reads each request and then, after `answer_after`, answers 503
/// (or never, when `None`).
async fn server(answer_after: Option<Duration>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                match answer_after {
                    None => std::future::pending::<()>().await,
                    Some(d) => {
                        tokio::time::sleep(d).await;
                        let body = "upstream busy";
                        let _ = sock
                            .write_all(
                                format!(
                                    "HTTP/1.1 503 Service Unavailable\r\ncontent-length: {}\r\n\r\n{body}",
                                    body.len()
                                )
                                .as_bytes(),
                            )
                            .await;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// A core client whose every call, retries included, ends within `timeout_secs`.
fn core(url: &str, timeout_secs: u64) -> CoreApi {
    let settings = HttpSettings {
        timeout: Duration::from_secs(timeout_secs),
        ..HttpSettings::new(Provider::Core, url)
    };
    CoreApi::new(HttpLayer::new(&settings, Auth::None).unwrap(), None)
}

fn within_a_fifth(elapsed: Duration, limit: Duration) {
    assert!(
        elapsed >= limit.mul_f64(0.8) && elapsed <= limit.mul_f64(1.2),
        "took {elapsed:?} for a {limit:?} timeout"
    );
}

#[tokio::test(start_paused = true)]
async fn a_silent_server_gives_a_timeout_error_within_timeout_secs() {
    let url = server(None).await;
    let core = core(&url, 3);
    let started = Instant::now();
    let err = core.list_users(&Cursor::first(), 10).await.unwrap_err();
    within_a_fifth(started.elapsed(), Duration::from_secs(3));
    assert_eq!(err.kind, ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains("within 3 s"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn retries_of_a_slow_failing_server_stay_within_timeout_secs() {
    // Each answer takes 2 s and is a 503: once 18 s (five tries, each with the full timeout
    // and a wait between), now the whole read ends at 3 s.
    let url = server(Some(Duration::from_secs(2))).await;
    let core = core(&url, 3);
    let started = Instant::now();
    let err = core.list_users(&Cursor::first(), 10).await.unwrap_err();
    within_a_fifth(started.elapsed(), Duration::from_secs(3));
    assert!(
        err.to_string().contains("503"),
        "the last answer is named: {err}"
    );
}
