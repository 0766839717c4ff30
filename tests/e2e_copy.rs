//! `y` / `Y` inside tmux with default options: the text lands in tmux's paste buffer
//! (`tmux show-buffer`), and the status bar says where it went. The test starts its own
//! tmux server on a private socket with no configuration file, and kills it afterwards.

mod common;

use common::tmux::Tmux;

#[test]
fn y_and_shift_y_copy_into_tmux_with_default_options() {
    let t = Tmux::start("copy", env!("CARGO_BIN_EXE_idtui"));
    t.wait_for("ada.lovelace@example.com");
    // Default options: passthrough is off, so only tmux itself can take the copy.
    assert!(t.tmux(&["show-options", "-gv", "allow-passthrough"]).trim() == "off");

    t.tmux(&["send-keys", "y"]);
    let screen = t.wait_for("tmux's paste buffer");
    let id = t.tmux(&["show-buffer"]);
    assert!(
        uuid::Uuid::parse_str(id.trim()).is_ok(),
        "the buffer holds the selected row's id: {id:?}"
    );
    let shown_prefix = &id[..8];
    assert!(screen.contains(shown_prefix), "{screen}");

    t.tmux(&["send-keys", "Y"]);
    t.wait_for("copied JSON");
    let json = t.tmux(&["show-buffer"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("the buffer holds JSON");
    assert_eq!(v["id"].as_str(), Some(id.trim()));
    let email = v["traits"]["email"].as_str().expect("the identity's email");
    assert!(
        screen.contains(email),
        "the selected row's JSON: {email}\n{screen}"
    );

    t.tmux(&["send-keys", "q"]);
}
