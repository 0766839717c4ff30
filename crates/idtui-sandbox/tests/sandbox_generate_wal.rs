//! `--generate` on a file database leaves no write-ahead log behind: the load is checkpointed
//! and the `-wal` file truncated, and the data is served from the database file itself.

use idtui_sandbox::{self as sandbox, SandboxOptions};

#[tokio::test]
async fn generation_leaves_an_empty_wal_and_the_rows_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gen.db");
    let sb = sandbox::start(SandboxOptions {
        db: Some(db.clone()),
        generate: Some(3000),
        ..SandboxOptions::for_tests()
    })
    .await
    .unwrap();
    let wal = dir.path().join("gen.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_len, 0, "the -wal file is truncated after generation");

    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let page: serde_json::Value = http
        .get(format!("{}/admin/identities?page_size=500", sb.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page.as_array().unwrap().len(), 500);
    let sessions: serde_json::Value = http
        .get(format!("{}/admin/sessions?page_size=10", sb.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 10);
    sb.stop().await;
}
