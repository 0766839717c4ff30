//! Start-up is lazy: a profile connects (and runs its `token_command`) when first used,
//! never at start; a hanging `token_command` is stopped at its limit and said so.

mod common;

use std::time::Duration;

use common::pty::{Key, PtySession};
use common::sandbox::Sandbox;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn a_profile_runs_its_token_command_only_when_first_used() {
    let sandbox = Sandbox::start(&["--demo"]);
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("second-ran");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.first]\nprovider = \"kratos\"\nurl = \"{base}\"\n\n\
             [profiles.second]\nprovider = \"kratos\"\nurl = \"{base}\"\n\
             token_command = \"touch {marker}; echo token\"\n\n\
             [profiles.stuck]\nprovider = \"kratos\"\nurl = \"{base}\"\n\
             token_command = \"sleep 600\"\n",
            base = sandbox.base,
            marker = marker.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let mut s = PtySession::spawn(&["--config", config, "--profile", "first"], &[], 100, 30);
    s.expect_text("ada.lovelace@example.com", WAIT);
    assert!(
        !marker.exists(),
        "the second profile's token_command ran at start-up"
    );

    // Tab on a root screen goes on to the next profile: now it connects.
    s.send_key(Key::Tab);
    let deadline = std::time::Instant::now() + WAIT;
    while !marker.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the token_command did not run when the profile was used"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    s.expect_text("ada.lovelace@example.com", WAIT);

    // A command that never ends is killed at 10 s and the pane says so.
    s.send_key(Key::Tab);
    s.expect_text("did not finish within 10 s", Duration::from_secs(30));
    s.send("q");
    s.wait_exit(WAIT).expect("exits");
}
