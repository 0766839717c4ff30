//! A sandbox on a file database serves reads from a pool of read-only connections: reads
//! held open there stop no request, and what a request wrote is what the next one reads.
//! Waits are bounded; nothing is timed.

use std::sync::mpsc;
use std::time::Duration;

use idtui_sandbox::db::READERS;
use idtui_sandbox::{RunningSandbox, SandboxOptions, start};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(30);

async fn on_file(dir: &tempfile::TempDir) -> RunningSandbox {
    start(SandboxOptions {
        db: Some(dir.path().join("sandbox.db")),
        generate: Some(50),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(BOUND).build().unwrap()
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.send().await.expect("answered within the bound");
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A read inside the sandbox's own pool, kept open (as a long scan would be) until the test
/// lets it go.
struct Held {
    release: mpsc::Sender<()>,
    /// The identities the read counted before and after it was let go.
    done: JoinHandle<(i64, i64)>,
}

/// Any error a database error converts into will do for the held read.
type AnyError = Box<dyn std::error::Error + Send + Sync>;

async fn hold_a_read(sb: &RunningSandbox) -> Held {
    let (entered_tx, entered) = oneshot::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let db = sb.db.clone();
    let done = tokio::spawn(async move {
        db.read(move |c| -> Result<(i64, i64), AnyError> {
            let count = || c.query_row("SELECT count(*) FROM kratos_identities", [], |r| r.get(0));
            let before = count()?;
            entered_tx.send(()).unwrap();
            release_rx
                .recv_timeout(BOUND)
                .expect("the test lets the read go");
            Ok((before, count()?))
        })
        .await
        .unwrap()
    });
    timeout(BOUND, entered)
        .await
        .expect("the held read starts")
        .unwrap();
    Held { release, done }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_held_open_in_the_pool_stop_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let sb = on_file(&dir).await;
    let http = http();
    let base = sb.base_url.clone();
    let (_, page) = send(http.get(format!("{base}/admin/identities?page_size=1"))).await;
    let known = page[0]["id"].as_str().unwrap().to_owned();

    // All readers but one are busy, as with a few long scans at once.
    let mut held = Vec::new();
    for _ in 0..READERS - 1 {
        held.push(hold_a_read(&sb).await);
    }

    // Every request below completes while those reads are provably still open: they are
    // only let go after the last one.
    let (status, got) = send(http.get(format!("{base}/admin/identities/{known}"))).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["id"], known);
    let (status, made) = send(http.post(format!("{base}/admin/identities")).json(&json!({
        "schema_id": "default",
        "traits": {"email": "held@example.com"}
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().unwrap();
    let (status, got) = send(http.get(format!("{base}/admin/identities/{id}"))).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["traits"]["email"], "held@example.com");
    let (status, found) = send(
        http.post(format!("{base}/v1/users/search"))
            .json(&json!({"claims": {"given_name": "nobody"}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let (status, clients) = send(http.get(format!("{base}/v1/headless/clients"))).await;
    assert_eq!(status, StatusCode::OK, "{clients}");

    for h in held {
        h.release.send(()).unwrap();
        let (before, after) = timeout(BOUND, h.done).await.unwrap().unwrap();
        assert_eq!(
            before, after,
            "a held read keeps its snapshot across the create made meanwhile"
        );
        assert_eq!(before, 50);
    }
    sb.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_request_writes_the_next_one_reads() {
    let dir = tempfile::tempdir().unwrap();
    let sb = on_file(&dir).await;
    let http = http();
    let base = sb.base_url.clone();
    for n in 0..20 {
        // Kratos: create, read, list by identifier, delete, read again.
        let email = format!("raw{n}@example.com");
        let (status, made) = send(http.post(format!("{base}/admin/identities")).json(&json!({
            "schema_id": "default",
            "traits": {"email": email}
        })))
        .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let id = made["id"].as_str().unwrap().to_owned();
        let (status, got) = send(http.get(format!("{base}/admin/identities/{id}"))).await;
        assert_eq!(
            (status, &got["traits"]["email"]),
            (StatusCode::OK, &json!(email))
        );
        let (_, listed) = send(http.get(format!(
            "{base}/admin/identities?credentials_identifier={email}"
        )))
        .await;
        assert_eq!(listed[0]["id"], json!(id), "{listed}");
        let (status, _) = send(http.delete(format!("{base}/admin/identities/{id}"))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = send(http.get(format!("{base}/admin/identities/{id}"))).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "a deleted identity is gone at once"
        );

        // MATTR: create, read, update, read, search.
        let (status, user) = send(
            http.post(format!("{base}/v1/users"))
                .json(&json!({"claims": {"given_name": format!("Raw{n}")}})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let uid = user["id"].as_str().unwrap().to_owned();
        let (status, got) = send(http.get(format!("{base}/v1/users/{uid}"))).await;
        assert_eq!((status, &got["id"]), (StatusCode::OK, &json!(uid)));
        let (status, _) = send(
            http.put(format!("{base}/v1/users/{uid}"))
                .json(&json!({"claims": {"given_name": format!("Changed{n}")}})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (_, got) = send(http.get(format!("{base}/v1/users/{uid}"))).await;
        assert_eq!(got["claims"]["given_name"], json!(format!("Changed{n}")));
        let (_, found) = send(
            http.post(format!("{base}/v1/users/search"))
                .json(&json!({"claims": {"given_name": format!("Changed{n}")}})),
        )
        .await;
        assert_eq!(found["data"][0]["id"], json!(uid), "{found}");

        // Coassemble: a course link creates the user, who is then there to read.
        let who = format!("raw-{n}");
        let (status, link) = send(
            http.post(format!("{base}/v1/headless/embed/course"))
                .json(&json!({"action": "edit", "identifier": who, "clientIdentifier": "acme"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{link}");
        let (status, got) = send(http.get(format!(
            "{base}/v1/headless/user/{who}?clientIdentifier=acme"
        )))
        .await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!(got["identifier"], json!(who));
    }

    // A search ran on a reader; its events were still written, both of them, and are read
    // back at once.
    let (_, events) = send(http.get(format!(
        "{base}/v1/analytics/events?types=USER_SEARCH_START,USER_SEARCH_SUCCESS&limit=100"
    )))
    .await;
    let events = events["data"].as_array().unwrap();
    assert_eq!(events.len(), 40, "one start and one success per search");
    sb.stop().await;
}
