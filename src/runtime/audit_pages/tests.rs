//! Pages of the trail read from files written here: newest first, every line once, and a
//! key that may only read shown its own lines.

use super::*;
use crate::app::ListKind;
use std::io::Write;

fn texts(lines: &[(u64, AuditLine)]) -> Vec<String> {
    lines
        .iter()
        .map(|(_, l)| match l {
            AuditLine::Text(t) => t.clone(),
            AuditLine::TooLong(n) => format!("<{n}>"),
        })
        .collect()
}

#[test]
fn pages_run_newest_first_and_their_cursors_survive_appends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    for i in 0..10 {
        writeln!(f, "line {i}").unwrap();
    }
    let TrailPage {
        lines: first,
        older: next,
    } = read_page(&path, None, 4, None).unwrap();
    assert_eq!(texts(&first), ["line 9", "line 8", "line 7", "line 6"]);
    assert_eq!(first[0].0, 63, "each row knows where its line starts");
    // Lines appended meanwhile do not move the older pages.
    writeln!(f, "line 10").unwrap();
    let TrailPage {
        lines: second,
        older: next,
    } = read_page(&path, next, 4, None).unwrap();
    assert_eq!(texts(&second), ["line 5", "line 4", "line 3", "line 2"]);
    let TrailPage {
        lines: third,
        older: next,
    } = read_page(&path, next, 4, None).unwrap();
    assert_eq!(texts(&third), ["line 1", "line 0"]);
    assert_eq!(next, None);
    let top = read_page(&path, None, 1, None).unwrap().lines;
    assert_eq!(texts(&top), ["line 10"]);
}

#[test]
fn missing_file_blank_lines_no_final_newline_and_long_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    assert_eq!(
        read_page(&path, None, 10, None).unwrap(),
        TrailPage::default()
    );
    let long = "x".repeat(MAX_LINE as usize + 1);
    std::fs::write(&path, format!("a\n\n{long}\r\nb\n\nc")).unwrap();
    let TrailPage { lines, older: next } = read_page(&path, None, 10, None).unwrap();
    assert_eq!(
        texts(&lines),
        ["c", "b", &format!("<{}>", MAX_LINE + 2), "a"]
    );
    assert_eq!(next, None);
}

#[test]
fn paging_through_many_chunks_yields_every_line_once_newest_first() {
    // Lines longer than a chunk and many chunks: the spans still line up.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..3000 {
        let pad = "p".repeat((i * 37) % 300);
        writeln!(f, "{i} {pad}").unwrap();
    }
    drop(f);
    let mut before = None;
    let mut seen = 0;
    loop {
        let TrailPage { lines, older: next } = read_page(&path, before, 100, None).unwrap();
        for (_, line) in &lines {
            let AuditLine::Text(t) = line else { panic!() };
            let n: usize = t.split(' ').next().unwrap().parse().unwrap();
            assert_eq!(n, 2999 - seen);
            seen += 1;
        }
        if next.is_none() {
            break;
        }
        before = next;
    }
    assert_eq!(seen, 3000);
}

const ALICE: &str = "SHA256:alice0000000000000000000000000000000000";
const BOB: &str = "SHA256:bob00000000000000000000000000000000000000";

/// A line as the trail writes it, by `fingerprint` (the local login when `None`),
/// padded to `pad` bytes of message.
fn line_by(i: usize, fingerprint: Option<&str>, pad: usize) -> String {
    let actor = match fingerprint {
        Some(fp) => serde_json::json!({"fingerprint": fp, "name": "n"}),
        None => serde_json::json!({"user": "root"}),
    };
    serde_json::json!({
        "profile": "p", "object": format!("o{i}"), "outcome": "sent",
        "message": "m".repeat(pad), "actor": actor,
    })
    .to_string()
}

fn objects(lines: &[(u64, AuditLine)]) -> Vec<String> {
    lines
        .iter()
        .map(|(_, l)| {
            let AuditLine::Text(t) = l else {
                panic!("{l:?}")
            };
            let v: serde_json::Value = serde_json::from_str(t).unwrap();
            v["object"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn a_read_key_is_shown_its_own_lines_in_full_pages_across_runs_of_others() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut alices = Vec::new();
    for i in 0..400 {
        // Alice's lines come in ones and twos between runs of others' lines long
        // enough to span chunks; her line 0 is the file's first.
        let fp = match i {
            0 => Some(ALICE),
            i if i % 37 == 0 || i % 37 == 1 => Some(ALICE),
            i if i % 3 == 0 => None,
            _ => Some(BOB),
        };
        if fp == Some(ALICE) {
            alices.push(format!("o{i}"));
        }
        writeln!(f, "{}", line_by(i, fp, (i * 131) % 900)).unwrap();
        // What cannot be read is not shown to a filtered viewer, even when it
        // names her.
        if i % 50 == 0 {
            writeln!(f, "{{\"actor\": {{\"fingerprint\": \"{ALICE}\"").unwrap();
            writeln!(f, "[{{\"actor\": {{\"fingerprint\": \"{ALICE}\"}}}}]").unwrap();
            writeln!(f, "{{\"actor\": \"{ALICE}\"}}").unwrap();
            writeln!(f, "{{\"fingerprint\": \"{ALICE}\"}}").unwrap();
            let long = "x".repeat(MAX_LINE as usize);
            writeln!(
                f,
                "{{\"actor\": {{\"fingerprint\": \"{ALICE}\"}}, \"m\": \"{long}\"}}"
            )
            .unwrap();
            writeln!(f).unwrap();
        }
    }
    drop(f);
    alices.reverse();
    let mut before = None;
    let mut shown = Vec::new();
    let mut pages = Vec::new();
    loop {
        let TrailPage { lines, older } = read_page(&path, before, 5, Some(ALICE)).unwrap();
        pages.push(lines.len());
        shown.extend(objects(&lines));
        if older.is_none() {
            break;
        }
        assert!(older < before.or(Some(u64::MAX)), "each page starts older");
        before = older;
    }
    assert_eq!(shown, alices, "hers alone, newest first, each once");
    let full = alices.len() / 5;
    assert!(pages[..full].iter().all(|&n| n == 5), "{pages:?}");
    assert_eq!(pages.iter().sum::<usize>(), alices.len());
    // Bob sees his own lines, and the whole trail is unchanged for a write key.
    let bob = read_page(&path, None, 1000, Some(BOB)).unwrap();
    assert!(!bob.lines.is_empty() && bob.older.is_none());
    let all = read_page(&path, None, 3, None).unwrap();
    assert_eq!(all.lines.len(), 3);
    assert_eq!(objects(&all.lines[..1]), ["o399"]);
}

#[test]
fn a_filtered_page_ends_where_its_last_line_starts_and_shows_lines_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let lines = [
        line_by(0, Some(BOB), 0),
        line_by(1, Some(ALICE), 0),
        line_by(2, Some(BOB), 0),
        line_by(3, Some(ALICE), 0),
        line_by(4, None, 0),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let at = |i: usize| lines[..i].iter().map(|l| l.len() as u64 + 1).sum::<u64>();
    let first = read_page(&path, None, 1, Some(ALICE)).unwrap();
    assert_eq!(objects(&first.lines), ["o3"]);
    assert_eq!(first.lines[0].0, at(3));
    assert_eq!(first.older, Some(at(3)));
    let second = read_page(&path, first.older, 1, Some(ALICE)).unwrap();
    assert_eq!(objects(&second.lines), ["o1"]);
    assert_eq!(second.older, Some(at(1)), "a full page: there may be more");
    let third = read_page(&path, second.older, 1, Some(ALICE)).unwrap();
    assert_eq!(
        third,
        TrailPage::default(),
        "the last page is empty, ending the list"
    );
    // A line appended meanwhile shows on the first page, not the older ones.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    writeln!(f, "{}", line_by(5, Some(ALICE), 0)).unwrap();
    let again = read_page(&path, first.older, 5, Some(ALICE)).unwrap();
    assert_eq!(objects(&again.lines), ["o1"]);
    assert_eq!(again.older, None);
    assert_eq!(
        objects(&read_page(&path, None, 5, Some(ALICE)).unwrap().lines),
        ["o5", "o3", "o1"]
    );
}

#[test]
fn a_few_lines_among_ten_thousand_come_back_in_pages_with_cursors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let theirs = [3, 2500, 2501, 7777, 9999];
    for i in 0..10_000 {
        let fp = if theirs.contains(&i) { ALICE } else { BOB };
        writeln!(f, "{}", line_by(i, Some(fp), 100)).unwrap();
    }
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() > 20 * CHUNK as u64);
    let log = AuditLog::new(&path).shown_only_to(ALICE.into());
    let mut cursor = PageCursor::First;
    let mut pages = Vec::new();
    loop {
        let data = page(log.path(), log.shown_only(), &cursor, 2).unwrap();
        assert!(data.rows.len() <= 2);
        pages.push(
            data.rows
                .iter()
                .map(|r| r.raw["object"].as_str().unwrap().to_string())
                .collect::<Vec<_>>(),
        );
        match data.next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(
        pages,
        [vec!["o9999", "o7777"], vec!["o2501", "o2500"], vec!["o3"]]
    );
    // Nobody's lines: one empty page, the end of the list.
    let none = page(&path, Some("SHA256:nobody"), &PageCursor::First, 50).unwrap();
    assert!(none.rows.is_empty() && none.next.is_none());
}

#[tokio::test]
async fn the_pane_reads_through_the_trail_it_was_given() {
    use crate::app::Effect;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let lines: Vec<String> = (0..6)
        .map(|i| line_by(i, Some(if i % 2 == 0 { ALICE } else { BOB }), 0))
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let drafts = dir.path().join("drafts");
    let read = |log: AuditLog| {
        let drafts = drafts.clone();
        async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            super::super::effects::spawn(
                Effect::FetchPage {
                    ticket: Ticket {
                        seq: 1,
                        purpose: PageFor::Table { table: 1, page: 0 },
                    },
                    profile: "p".into(),
                    list: ListKind::Audit,
                    search: None,
                    cursor: PageCursor::First,
                    size: 10,
                },
                &crate::runtime::Backends::default(),
                &crate::drafts::DraftStore::new(drafts),
                &log,
                true,
                &tx,
            );
            match rx.recv().await {
                Some(Action::PageLoaded {
                    result: Ok(data), ..
                }) => data
                    .rows
                    .iter()
                    .map(|r| r.raw["object"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>(),
                other => panic!("{other:?}"),
            }
        }
    };
    let log = AuditLog::new(&path);
    assert_eq!(
        read(log.clone()).await,
        ["o5", "o4", "o3", "o2", "o1", "o0"]
    );
    let read_key = log.via("ssh").shown_only_to(BOB.into());
    assert_eq!(read(read_key).await, ["o5", "o3", "o1"]);
}

#[tokio::test]
async fn an_export_of_the_trail_holds_the_lines_its_viewer_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let lines: Vec<String> = (0..7)
        .map(|i| line_by(i, Some(if i % 3 == 0 { ALICE } else { BOB }), 0))
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let walked = |log: AuditLog| async move {
        let backends = crate::runtime::Backends::default();
        let mut walk =
            crate::runtime::export::Walk::new(&backends, &log, "p", ListKind::Audit, None, 2);
        let mut objects = Vec::new();
        while let Some(page) = walk.next().await.unwrap() {
            objects.extend(
                page.rows
                    .iter()
                    .map(|r| r.raw["object"].as_str().unwrap().to_string()),
            );
        }
        objects
    };
    let log = AuditLog::new(&path);
    assert_eq!(walked(log.clone()).await.len(), 7);
    let read_key = log.via("ssh").shown_only_to(ALICE.into());
    assert_eq!(walked(read_key).await, ["o6", "o3", "o0"]);
}
