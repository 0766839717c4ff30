//! `:export` as the runtime runs it, over the sandbox on loopback through the real clients:
//! a walk of 100,000 identities equals the server's list (count, ids in order, and for JSON
//! Lines each record's bytes as a plain GET of the pages has them); a hostile cell survives
//! CSV; marked rows alone; the open object; a cancelled export leaves no file; an existing
//! file is not replaced; `-` over the clipboard's limit is refused.

#[path = "../crates/idtui-api/tests/support/mod.rs"]
mod support;

mod common;

use std::path::Path;
use std::time::Duration;

use idtui::api::Api;
use idtui::app::export::job::{ExportJob, Exported, Format, Only, Source, Target, Written};
use idtui::app::provider::{core, kratos};
use idtui::app::{Action, ErrorInfo, ListKind, ObjectKind};
use idtui::audit_log::AuditLog;
use idtui::runtime::{Backends, provider};
use support::Harness;
use tokio::sync::mpsc;

const IDENTITIES: ListKind = ListKind::Kratos(kratos::List::Identities);

fn backends(h: &Harness) -> Backends {
    let mut b = Backends::default();
    b.insert(
        "kratos",
        provider::backend(Api::Kratos(support::kratos(h.base()))),
    );
    b.insert(
        "mattr",
        provider::backend(Api::Core(support::core(h.base()))),
    );
    b
}

fn walk(kind: ListKind, profile: &str, only: Option<Only>) -> Source {
    Source::List {
        profile: profile.into(),
        page_size: kind.walk_page_size().unwrap_or(100),
        kind,
        search: None,
        only,
    }
}

fn to_file(path: &Path, format: Format, source: Source) -> ExportJob {
    ExportJob {
        seq: 7,
        target: Target::File {
            path: path.display().to_string(),
            replace: false,
        },
        format,
        columns: None,
        source,
    }
}

/// Run `job` to its end (a bounded wait), with how many progress reports came.
async fn export(backends: &Backends, job: ExportJob) -> (Result<Exported, ErrorInfo>, usize) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let trail = tempfile::tempdir().unwrap();
    let trail = AuditLog::new(trail.path().join("audit.jsonl"));
    idtui::runtime::export::spawn(job, backends, &trail, &tx);
    let mut progress = 0;
    loop {
        let action = tokio::time::timeout(Duration::from_secs(300), rx.recv())
            .await
            .expect("the export ends")
            .expect("an answer");
        match action {
            Action::ExportProgress { .. } => progress += 1,
            Action::ExportDone { result, .. } => return (result, progress),
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Each record of a JSON array's text, as its bytes: split here by hand, not by the
/// client's own splitter, which is what the test checks.
fn records(array: &[u8]) -> Vec<Vec<u8>> {
    let (mut out, mut depth, mut in_string, mut escaped, mut start) =
        (Vec::new(), 0, false, false, 0);
    for (i, &b) in array.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 && b == b'{' {
                    start = i;
                }
            }
            b'}' | b']' => {
                if depth == 2 {
                    out.push(array[start..=i].to_vec());
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    out
}

/// Every identity as a plain client reads it: pages of 500 by their `Link`, each record's
/// bytes as sent.
async fn plain_walk(base: &str) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    common::plain::kratos_pages(base, 500, |body| {
        let page = records(body);
        let held = page.len();
        all.extend(page);
        held
    })
    .await;
    all
}

fn id_of(record: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(record).unwrap();
    v["id"].as_str().unwrap().to_string()
}

/// What is left in `dir` besides `keep`.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_of_100k_identities_is_the_servers_list_record_for_record() {
    let h = Harness::start(|o| o.generate = Some(100_000)).await;
    let b = backends(&h);
    let dir = tempfile::tempdir().unwrap();

    let jsonl = dir.path().join("ids.jsonl");
    let (done, progress) = export(
        &b,
        to_file(&jsonl, Format::Jsonl, walk(IDENTITIES, "kratos", None)),
    )
    .await;
    let done = done.unwrap_or_else(|e| panic!("{}", e.details));
    let served = plain_walk(h.base()).await;
    assert!(served.len() > 100_000, "demo and generated identities");
    assert_eq!(done.rows as usize, served.len());
    assert_eq!(done.left_out, 0);
    assert_eq!(done.to, Written::File(jsonl.display().to_string()));
    assert!(progress > 0, "progress was reported on the way");
    let text = std::fs::read(&jsonl).unwrap();
    let lines: Vec<&[u8]> = text
        .strip_suffix(b"\n")
        .unwrap()
        .split(|&b| b == b'\n')
        .collect();
    assert_eq!(lines.len(), served.len());
    for (i, (line, record)) in lines.iter().zip(&served).enumerate() {
        assert_eq!(*line, record.as_slice(), "record {i} as the server sent it");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&jsonl).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "private, like every local file");
    assert_eq!(
        others(dir.path(), &["ids.jsonl"]),
        Vec::<String>::new(),
        "no temporary file"
    );

    // The same list as one JSON array: the same records, ids in the server's order.
    let json = dir.path().join("ids.json");
    let (done, _) = export(
        &b,
        to_file(&json, Format::Json, walk(IDENTITIES, "kratos", None)),
    )
    .await;
    assert_eq!(done.unwrap().rows as usize, served.len());
    let array: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let ids: Vec<&str> = array.iter().map(|v| v["id"].as_str().unwrap()).collect();
    let expected: Vec<String> = served.iter().map(|r| id_of(r)).collect();
    assert_eq!(ids, expected);

    // CSV: a header and one line per identity, the id first.
    let csv = dir.path().join("ids.csv");
    let (done, _) = export(
        &b,
        to_file(&csv, Format::Csv, walk(IDENTITIES, "kratos", None)),
    )
    .await;
    assert_eq!(done.unwrap().rows as usize, served.len());
    let table = parse_csv(&std::fs::read_to_string(&csv).unwrap());
    assert_eq!(table[0][0], "ID");
    assert_eq!(table.len(), served.len() + 1);
    assert_eq!(table[1][0], expected[0]);
    assert_eq!(table.last().unwrap()[0], *expected.last().unwrap());
}

/// RFC 4180, by hand: fields, quotes doubled inside quoted ones, CRLF between records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

const HOSTILE: &str = "=cmd|' /C calc'!A0, \"quoted\"\nnext\u{1b}[31mred\u{200b}";

async fn with_hostile_identity(h: &Harness) -> String {
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/admin/identities", h.base()))
        .json(&serde_json::json!({
            "schema_id": "default",
            "traits": {"email": "hostile@example.com"},
            "metadata_public": {HOSTILE: 1},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"].as_str().expect("created").to_string()
}

#[tokio::test]
async fn a_hostile_cell_survives_csv_cleaned_and_neutralised() {
    let h = Harness::start(|_| {}).await;
    let id = with_hostile_identity(&h).await;
    let b = backends(&h);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hostile.csv");
    let mut job = to_file(&csv, Format::Csv, walk(IDENTITIES, "kratos", None));
    job.columns = Some(idtui::app::column::Shown::defaults(IDENTITIES.columns()));
    export(&b, job).await.0.unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{200b}'),
        "{text:?}"
    );
    let table = parse_csv(&text);
    // The metadata column starts with the key's text.
    let meta = table[0].iter().position(|t| t == "METADATA").unwrap();
    let row = table
        .iter()
        .find(|r| r[0] == id)
        .expect("the hostile identity");
    let cleaned = idtui::sanitize::clean_line(HOSTILE);
    assert_eq!(row[meta], format!("'{cleaned}=1"));
    assert!(row[meta].starts_with("'=cmd"), "a formula is neutralised");
    assert!(
        table.iter().all(|r| r.len() == table[0].len()),
        "every line whole"
    );
}

#[tokio::test]
async fn marked_rows_alone_the_open_object_and_mattr_users() {
    let h = Harness::start(|o| o.generate = Some(1_200)).await;
    let b = backends(&h);
    let dir = tempfile::tempdir().unwrap();
    let served = plain_walk(h.base()).await;
    let marked: Vec<String> = [3, 600, 1100].iter().map(|&i| id_of(&served[i])).collect();

    let out = dir.path().join("marked.jsonl");
    let keep = marked.clone();
    let only = Only::new(keep.len(), move |id| keep.iter().any(|k| k == id));
    let (done, _) = export(
        &b,
        to_file(&out, Format::Jsonl, walk(IDENTITIES, "kratos", Some(only))),
    )
    .await;
    assert_eq!(done.unwrap().rows, 3);
    let text = std::fs::read_to_string(&out).unwrap();
    let ids: Vec<String> = text.lines().map(|l| id_of(l.as_bytes())).collect();
    assert_eq!(ids, marked, "the marked rows, in the list's order");

    let one = dir.path().join("one.csv");
    let object = Source::Object {
        profile: "kratos".into(),
        kind: ObjectKind::Kratos(kratos::Object::Identity),
        id: marked[1].clone(),
    };
    let (done, _) = export(&b, to_file(&one, Format::Csv, object)).await;
    assert_eq!(done.unwrap().rows, 1);
    let table = parse_csv(&std::fs::read_to_string(&one).unwrap());
    assert_eq!((table.len(), table[1][0].as_str()), (2, marked[1].as_str()));

    let users = dir.path().join("users.jsonl");
    let list = ListKind::Core(core::List::Users);
    let (done, _) = export(
        &b,
        to_file(&users, Format::Jsonl, walk(list, "mattr", None)),
    )
    .await;
    let rows = done.unwrap().rows;
    assert!(rows > 1_200, "every MATTR user ({rows})");
    assert_eq!(
        std::fs::read_to_string(&users).unwrap().lines().count() as u64,
        rows
    );
}

#[tokio::test]
async fn an_existing_file_is_kept_unless_replace_and_a_large_copy_is_refused() {
    let h = Harness::start(|o| o.generate = Some(600)).await;
    let b = backends(&h);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("theirs.jsonl");
    std::fs::write(&out, "keep me\n").unwrap();
    let (done, _) = export(
        &b,
        to_file(&out, Format::Jsonl, walk(IDENTITIES, "kratos", None)),
    )
    .await;
    let refused = done.unwrap_err();
    assert!(refused.line.contains(":export!"), "{}", refused.line);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    assert_eq!(others(dir.path(), &["theirs.jsonl"]), Vec::<String>::new());

    let mut job = to_file(&out, Format::Jsonl, walk(IDENTITIES, "kratos", None));
    job.target = Target::File {
        path: out.display().to_string(),
        replace: true,
    };
    let (done, _) = export(&b, job).await;
    let rows = done.unwrap().rows;
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().lines().count() as u64,
        rows
    );

    let mut job = to_file(&out, Format::Jsonl, walk(IDENTITIES, "kratos", None));
    job.target = Target::Clipboard;
    let (done, _) = export(&b, job).await;
    let refused = done.unwrap_err();
    assert!(refused.line.contains("clipboard"), "{}", refused.line);

    // A small one is copied, free of anything a paste could act on.
    let hostile = with_hostile_identity(&h).await;
    let object = Source::Object {
        profile: "kratos".into(),
        kind: ObjectKind::Kratos(kratos::Object::Identity),
        id: hostile,
    };
    let mut job = to_file(&out, Format::Jsonl, object);
    job.target = Target::Clipboard;
    let Written::Clipboard(text) = export(&b, job).await.0.unwrap().to else {
        panic!("copied");
    };
    assert_eq!(idtui::sanitize::copy_refusal(&text, true), None);
    let back: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(back["metadata_public"][HOSTILE], 1, "the same record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_export_leaves_no_file() {
    // Slow pages: the export is still walking when it is stopped.
    let h = Harness::start(|o| {
        o.generate = Some(3_000);
        o.faults = Some("latency=300ms".parse().unwrap());
    })
    .await;
    let b = backends(&h);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stopped.jsonl");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_, handle) = idtui::runtime::export::spawn(
        to_file(&out, Format::Jsonl, walk(IDENTITIES, "kratos", None)),
        &b,
        &AuditLog::new(dir.path().join("audit.jsonl")),
        &tx,
    )
    .unwrap();
    // Its temporary file is there while it walks.
    let mut waited = 0;
    while others(dir.path(), &[]).is_empty() {
        assert!(waited < 1000, "the export starts");
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    assert!(others(dir.path(), &[])[0].ends_with(".idtui-export"));
    // What the event loop does once the app no longer awaits it (Esc).
    handle.abort();
    let mut waited = 0;
    while !others(dir.path(), &[]).is_empty() {
        assert!(waited < 1000, "the partial file is removed");
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    assert!(!out.exists());
    drop(tx);
    while let Ok(Some(action)) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
        assert!(
            !matches!(action, Action::ExportDone { .. }),
            "a stopped export does not end"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_walks_on_through_server_errors() {
    // A third of the answers fail (5xx, dropped, cut): each page is tried again until read.
    let h = Harness::start(|o| {
        o.generate = Some(2_000);
        o.faults = Some("5xx=0.2,drop=0.05,truncate=0.05,seed=5".parse().unwrap());
    })
    .await;
    let b = backends(&h);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("through.jsonl");
    let (done, _) = export(
        &b,
        to_file(&out, Format::Jsonl, walk(IDENTITIES, "kratos", None)),
    )
    .await;
    let rows = done.unwrap_or_else(|e| panic!("{}", e.details)).rows;
    let ids: std::collections::HashSet<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| id_of(l.as_bytes()))
        .collect();
    assert_eq!(ids.len() as u64, rows, "none twice");
    assert!(rows >= 2_000, "every identity ({rows})");
}
