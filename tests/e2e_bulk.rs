//! A bulk change end to end: the real binary in a pseudo-terminal against `idtui sandbox`
//! injecting faults (5xx, 429, dropped connections, cut answers), killed with SIGKILL in the
//! middle of the run and started again on the same state directory. Each identity must carry
//! the change in the end, and the sandbox's request log must show exactly one write that
//! landed per identity: nothing done twice, nothing skipped. Every wait is bounded.

mod common;

use std::time::Duration;

use common::pty::{Key, PtySession};
use common::sandbox::Sandbox;
use serde_json::Value;

const COUNT: usize = 300;

fn dashboard(sandbox: &Sandbox, config_dir: &std::path::Path, state: &str) -> PtySession {
    let config = sandbox.kratos_config(config_dir);
    PtySession::spawn(
        &["--config", config.to_str().unwrap(), "--profile", "kratos"],
        &[("XDG_STATE_HOME", state)],
        120,
        40,
    )
}

/// How many items the run's screen says are settled (`123/300 · done …`).
fn settled(screen: &str) -> Option<usize> {
    let at = screen.find(&format!("/{COUNT} · done"))?;
    let digits: String = screen[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

/// The identities whose change the journal says left without an answer when the dashboard
/// was killed (a `sent` line with no outcome after it).
fn in_flight_at_the_kill(state: &str) -> Vec<String> {
    let dir = format!("{state}/idtui/bulk");
    let entry = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap();
    let text = std::fs::read_to_string(entry.path()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let items = lines[0]["plan"]["items"].as_array().unwrap().clone();
    let mut out: std::collections::BTreeSet<u64> = Default::default();
    for line in &lines[1..] {
        if let Some(i) = line["sent"]["item"].as_u64() {
            out.insert(i);
        }
        if let Some(i) = line["outcome"]["item"].as_u64() {
            out.remove(&i);
        }
    }
    out.iter()
        .map(|&i| items[i as usize][0].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_bulk_set_under_faults_and_a_kill_lands_exactly_once_per_identity() {
    let sandbox = Sandbox::start(&[
        "--generate",
        &COUNT.to_string(),
        "--faults",
        "5xx=0.05,429=0.01,retry_after=1,drop=0.03,truncate=0.05,seed=11",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let state = state.to_str().unwrap();

    let mut s = dashboard(&sandbox, dir.path(), state);
    s.expect_text("1 of", Duration::from_secs(30));
    s.send(":mark all");
    s.send_key(Key::Enter);
    s.expect_text(&format!("{COUNT} marked"), Duration::from_secs(60));
    s.send(":set tier=\"gold\"");
    s.send_key(Key::Enter);
    s.expect_text(&format!("Type {COUNT} and Enter"), Duration::from_secs(10));
    s.send(&COUNT.to_string());
    s.send_key(Key::Enter);
    if let Err(screen) = s.wait_for(
        |t| settled(t).is_some_and(|n| n >= COUNT / 4),
        Duration::from_secs(120),
    ) {
        panic!("the run never got a quarter through: {screen}");
    }
    s.signal("KILL");
    s.wait_exit(Duration::from_secs(10)).expect("killed");
    let before_restart = settled(&s.screen_text()).unwrap();
    assert!(before_restart < COUNT, "killed before the end");
    // Sent without an answer yet (out at the kill, or waiting to go again after a passing
    // failure): the resume reads these before anything is sent again.
    let in_flight = in_flight_at_the_kill(state);

    // The next start finds the journal and offers to resume.
    let mut again = dashboard(&sandbox, dir.path(), state);
    again.expect_text("interrupted", Duration::from_secs(30));
    again.send_key(Key::Enter);
    let done = again.wait_for(
        |t| t.contains("finished ·") || t.contains("stopped ·"),
        Duration::from_secs(180),
    );
    let done = done.unwrap_or_else(|screen| panic!("never finished: {screen}"));
    assert!(done.contains("finished ·"), "{done}");
    assert!(
        done.contains(&format!("done {COUNT} ")),
        "every item done, none failed or unknown:\n{done}"
    );
    sandbox.barrier();

    // Every identity carries the change...
    let mut ids = Vec::new();
    let mut next = Some("/admin/identities?page_size=500".to_string());
    while let Some(path) = next.take() {
        let (status, body) = loop {
            // The faults apply to this walk too: ask again until the page comes whole.
            let (status, body) = sandbox.call("GET", &path, None);
            if status == 200 && body.is_array() {
                break (status, body);
            }
        };
        assert_eq!(status, 200);
        for identity in body.as_array().unwrap() {
            assert_eq!(
                identity["metadata_public"]["tier"], "gold",
                "{}",
                identity["id"]
            );
            ids.push(identity["id"].as_str().unwrap().to_string());
        }
        // One page of 500 holds them all.
        assert!(ids.len() == COUNT || body.as_array().unwrap().is_empty());
    }
    assert_eq!(ids.len(), COUNT);
    // ...written exactly once: one PATCH per identity reached the handler and was applied
    // (a cut answer counts: it was applied; a 5xx, 429 or dropped one was not). A change in
    // flight when the dashboard was killed may have been applied with no log line (the
    // sandbox drops a request whose client is gone, after its write, before logging it): such
    // an identity has none, was settled by a read, and must not have been written again.
    let requests = sandbox.requests();
    for id in &ids {
        let landed = requests
            .iter()
            .filter(|r| {
                r.method == "PATCH"
                    && r.path == format!("/admin/identities/{id}")
                    && r.status == 200
            })
            .count();
        match landed {
            1 => {}
            0 => assert!(
                in_flight.contains(id),
                "identity {id} was never written, and was not in flight at the kill"
            ),
            n => panic!("identity {id} was written {n} times"),
        }
    }
    // The journal says the run ended: the next start offers nothing.
    let journals: Vec<_> = std::fs::read_dir(format!("{state}/idtui/bulk"))
        .unwrap()
        .collect();
    assert_eq!(journals.len(), 1);
    let text = std::fs::read_to_string(journals[0].as_ref().unwrap().path()).unwrap();
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["end"]["stopped"], false);
}
