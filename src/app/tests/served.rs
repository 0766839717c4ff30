//! A dashboard served over SSH (`State::remote`): what would act as the server's own user
//! is refused, and a read key says it is the key that makes the session read-only.

use super::commands::typed;
use super::*;
use crate::app::read_only::{ReadOnly, level};

fn served(read_key: bool) -> State {
    let mut s = kratos_state();
    s.read_only = read_key;
    s.remote = Some(Remote {
        name: "Ada Lovelace".into(),
        read_key,
        demo: true,
    });
    run(&mut s, Action::Resize(100, 30), 25);
    s
}

#[test]
fn e_over_ssh_is_refused_with_the_reason_and_nothing_runs() {
    let mut s = served(false);
    let effects = update(&mut s, ch('E'));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::ExternalEdit { .. })),
        "{effects:?}"
    );
    let flash = s.flash.clone().unwrap_or_default();
    assert!(flash.contains("not available over SSH"), "{flash}");
    // `e` still edits, in place.
    update(&mut s, ch('e'));
    assert!(s.editor.is_some());
}

#[test]
fn export_to_a_file_over_ssh_is_refused_since_it_would_write_on_the_server() {
    let mut s = served(false);
    let effects = typed(&mut s, "export /tmp/x.jsonl");
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Export(_))),
        "{effects:?}"
    );
    let said = s.error.as_ref().map(|e| e.line.clone()).unwrap_or_default();
    assert!(said.contains("not available over SSH"), "{said}");
    // The clipboard is the client's terminal: `:export -` still copies over SSH.
    let effects = typed(&mut s, "export -");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Export(_))),
        "{effects:?}"
    );
    // The local dashboard still exports.
    let mut local = kratos_state();
    run(&mut local, Action::Resize(100, 30), 25);
    let effects = typed(&mut local, "export /tmp/x.jsonl");
    assert!(effects.iter().any(|e| matches!(e, Effect::Export(_))));
}

#[test]
fn a_read_key_is_named_as_the_reason_a_change_is_refused() {
    let mut s = served(true);
    assert_eq!(level(&s), Some(ReadOnly::Key));
    let effects = update(&mut s, ch('X'));
    assert!(effects.iter().all(|e| !e.is_mutating()), "{effects:?}");
    let flash = s.flash.clone().unwrap_or_default();
    assert!(flash.contains("read key"), "{flash}");
    // A write key under a server started with --read-only is the flag's doing.
    let mut flagged = served(false);
    flagged.read_only = true;
    assert_eq!(level(&flagged), Some(ReadOnly::Flag));
}
