//! `:export` through the real binary in a pseudo-terminal: the whole list (not only the rows
//! loaded) lands in the file, the status bar says where and how many, `~` is the home
//! directory, and an existing file is refused until `:export!`.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::pty::PtySession;
use common::sandbox::Sandbox;

const WAIT: Duration = Duration::from_secs(60);

#[test]
fn export_writes_the_whole_list_and_refuses_to_replace_a_file() {
    let sb = Sandbox::start(&["--generate", "2500"]);
    let dir = tempfile::tempdir().unwrap();
    let config = sb.kratos_config(dir.path());
    let config = config.to_str().unwrap();
    let mut s = PtySession::spawn(&["--config", config, "--profile", "kratos"], &[], 100, 30);
    s.expect_text("@gen.example.com", WAIT);

    let out = dir.path().join("x.jsonl");
    s.send(&format!(":export {}\r", out.display()));
    let screen = s.expect_text("exported 2,500 rows to", WAIT);
    assert!(screen.contains("x.jsonl"), "{screen}");
    let text = std::fs::read_to_string(&out).unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one record a line");
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 2500, "every identity, not only the rows loaded");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 2500, "none twice");

    // Again: the file is there, so it is kept.
    s.send(&format!(":export {}\r", out.display()));
    s.expect_text(":export!", WAIT);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);

    // `~` is the home directory; CSV of the same list.
    s.send(":export ~/ids.csv\r");
    s.expect_text("exported 2,500 rows to", WAIT);
    let csv = std::fs::read_to_string(s.home().join("ids.csv")).unwrap();
    assert!(csv.starts_with("ID,"), "{}", &csv[..40.min(csv.len())]);
    assert_eq!(csv.lines().count(), 2501);

    s.send("q");
    assert!(s.wait_exit(WAIT).is_some());
}
