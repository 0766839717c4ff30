//! The `:` command table walked: every command is found by its names, listed in help,
//! completed, refused in read-only mode exactly when it changes something, and asks for its
//! argument when it needs one. Dispatch matches the table's ids exhaustively, so a command
//! cannot be in the table and not handled.

use crossterm::event::KeyCode;

use super::*;
use crate::app::command::complete;
use crate::app::command_table::{COMMANDS, command};
use crate::app::help::{HelpLine, lines};

pub(super) fn typed(s: &mut State, line: &str) -> Vec<Effect> {
    let mut effects = update(s, ch(':'));
    for c in line.chars() {
        effects.extend(update(s, ch(c)));
    }
    effects.extend(update(s, key(KeyCode::Enter)));
    effects
}

fn state(read_only: bool) -> State {
    let p = profile("kratos", Provider::Kratos);
    let mut s = State::new(vec![p], crate::keymap::Keymap::defaults(), read_only);
    run(&mut s, Action::Resize(100, 30), 5);
    s
}

fn shown(s: &State) -> String {
    let error = s.error.as_ref().map(|e| e.line.clone());
    error.or_else(|| s.flash.clone()).unwrap_or_default()
}

#[test]
fn every_command_is_found_helped_and_completed_by_the_table() {
    let help = lines(&crate::keymap::Keymap::defaults());
    let s = state(false);
    for c in COMMANDS {
        assert_eq!(command(c.name).map(|f| f.id), Some(c.id), "{}", c.name);
        for alias in c.aliases {
            assert_eq!(command(alias).map(|f| f.id), Some(c.id), "{alias}");
        }
        let usage = format!(":{}", c.name);
        assert!(
            help.iter().any(
                |l| matches!(l, HelpLine::Row(k, w) if k.starts_with(&usage) && *w == c.about)
            ),
            "{usage} is in help"
        );
        assert_eq!(
            complete(&s, c.name).as_deref(),
            Some(format!("{} ", c.name).as_str()),
            "{} completes",
            c.name
        );
    }
    let names: std::collections::BTreeSet<&str> = COMMANDS.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), COMMANDS.len(), "no name twice");
}

#[test]
fn read_only_refuses_exactly_the_commands_that_change_something() {
    for c in COMMANDS {
        let mut s = state(true);
        let line = if c.args.is_empty() {
            c.name.to_string()
        } else {
            format!("{} ada.lovelace@example.com", c.name)
        };
        let effects = typed(&mut s, &line);
        let said = shown(&s);
        match c.changes {
            Some(what) => {
                // Kept in the history (to fix and run again), and nothing else.
                assert!(
                    effects
                        .iter()
                        .all(|e| matches!(e, Effect::RememberCommand(_))),
                    ":{line} sent {effects:?}"
                );
                assert!(
                    said.contains("read-only") && said.contains(what),
                    ":{line} → {said}"
                );
            }
            None => assert!(!said.contains("read-only"), ":{line} → {said}"),
        }
    }
}

#[test]
fn a_command_that_needs_its_argument_shows_its_usage_without_one() {
    for c in COMMANDS {
        let mut s = state(false);
        typed(&mut s, c.name);
        let said = shown(&s);
        assert_eq!(
            said.starts_with(&format!("usage: :{}", c.name)),
            c.needs_arg,
            ":{} → {said}",
            c.name
        );
    }
}

#[test]
fn a_command_on_a_provider_it_does_not_work_on_says_why_and_asks_nothing() {
    for provider in [Provider::Kratos, Provider::Core, Provider::Headless] {
        for c in COMMANDS.iter().filter(|c| !c.providers.contains(&provider)) {
            let p = profile("p", provider);
            let mut s = State::new(vec![p], crate::keymap::Keymap::defaults(), false);
            run(&mut s, Action::Resize(100, 30), 5);
            let line = if c.args.is_empty() {
                c.name.to_string()
            } else {
                format!("{} someone@example.com", c.name)
            };
            let effects = typed(&mut s, &line);
            assert!(
                effects.iter().all(|e| !matches!(
                    e,
                    Effect::Mutate { .. } | Effect::Find { .. } | Effect::FetchObject { .. }
                )),
                "{provider:?} :{line} asked {effects:?}"
            );
            let said = shown(&s);
            assert!(
                said.contains(provider.system()) || said.contains("Kratos"),
                "{provider:?} :{line} says why: {said}"
            );
        }
    }
}

#[test]
fn a_command_run_is_kept_for_the_next_runs_and_earlier_ones_come_back_with_up() {
    let mut s = state(false);
    s.history
        .seed(["find ada".to_string(), "audit".to_string()]);
    let effects = typed(&mut s, "find grace");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::RememberCommand(l) if l == "find grace")),
        "{effects:?}"
    );
    update(&mut s, ch(':'));
    for expected in ["find grace", "audit", "find ada"] {
        update(&mut s, key(KeyCode::Up));
        assert!(
            matches!(&s.mode, Mode::Command(i) if i.text == expected),
            "{:?}",
            s.mode
        );
    }
}

#[test]
fn tab_on_an_ambiguous_prefix_lists_the_commands_it_could_be() {
    let mut s = state(false);
    update(&mut s, ch(':'));
    update(&mut s, ch('r'));
    update(&mut s, ch('e'));
    update(&mut s, key(KeyCode::Tab));
    let said = s.flash.clone().unwrap_or_default();
    let expected: Vec<&str> = COMMANDS
        .iter()
        .map(|c| c.name)
        .filter(|n| n.starts_with("re"))
        .collect();
    assert!(expected.len() > 1, "{expected:?}");
    for name in expected.iter().take(8) {
        assert!(said.contains(name), "{name} in {said}");
    }
    assert!(
        said.starts_with(&format!("{} match", expected.len())),
        "{said}"
    );
    // One way on: completed, nothing listed.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch(':'));
    for c in "aud".chars() {
        update(&mut s, ch(c));
    }
    update(&mut s, key(KeyCode::Tab));
    assert!(
        matches!(&s.mode, Mode::Command(i) if i.text == "audit "),
        "{:?}",
        s.mode
    );
    assert_eq!(s.flash, None);
}
