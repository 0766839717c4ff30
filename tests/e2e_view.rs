//! The real binary in a pseudo-terminal over the embedded demo sandbox: `:sort` orders the
//! loaded rows and says so, `:watch` refreshes on the binary's own timer (the runtime wakes
//! for it with nothing else in flight), and `:columns` keeps a chosen column across runs.
//! Every wait is bounded; nothing is timed.

mod common;

use std::time::Duration;

use common::pty::{Key, PtySession};

const WAIT: Duration = Duration::from_secs(8);

fn command(s: &mut PtySession, line: &str) {
    s.send(":");
    s.wait_for(|t| t.contains(":▏"), WAIT).unwrap();
    s.send(line);
    s.send("\r");
}

#[test]
fn sort_then_watch_the_identities_of_the_demo_sandbox() {
    let mut s = PtySession::spawn(&[], &[], 100, 30);
    s.expect_text("ada.lovelace@example.com", WAIT);
    command(&mut s, "sort email desc");
    let screen = s.expect_text("sorted by EMAIL / USERNAME desc", WAIT);
    assert!(screen.contains("EMAIL / USERNAME ↓"), "{screen}");
    // The emails on screen go down the alphabet.
    let emails: Vec<String> = screen
        .lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.contains('@')))
        .map(str::to_lowercase)
        .collect();
    assert!(emails.len() > 5, "{screen}");
    assert!(emails.windows(2).all(|w| w[0] >= w[1]), "{emails:?}");

    command(&mut s, "watch 1");
    // The first refresh comes on its own: the runtime woke for it.
    let screen = s.expect_text("refreshed", WAIT);
    assert!(screen.contains("watching every 1s"), "{screen}");
    assert!(
        screen.contains("sorted by EMAIL / USERNAME desc"),
        "still sorted: {screen}"
    );
    s.send_key(Key::Esc);
    s.expect_text("stopped watching", WAIT);
    s.send("q");
}
