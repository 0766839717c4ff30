//! The help overlay's content, generated from the effective keymap and the command table,
//! and its scrolling (kept within the text, so the way back up is as short as the way down).

use crossterm::event::KeyEvent;

use crate::keymap::{KeyAction, Keymap};

use super::command_table::COMMANDS;
use super::state::{Mode, State};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Heading(&'static str),
    /// Keys (or a command with its argument) and what they do.
    Row(String, &'static str),
    Note(&'static str),
}

/// Every line of the help: each action with its keys, each command with its argument.
pub fn lines(keymap: &Keymap) -> Vec<HelpLine> {
    let mut out = Vec::new();
    for section in keymap.help_sections() {
        out.push(HelpLine::Heading(section.title));
        out.extend(section.rows.into_iter().map(|(k, w)| HelpLine::Row(k, w)));
        if section.title == "Editing" {
            out.push(HelpLine::Row(
                "Ctrl-u / Ctrl-r".into(),
                "undo / redo in an editor",
            ));
            out.push(HelpLine::Row(
                "Esc".into(),
                "close an editor (the draft is kept; e or p reopens it)",
            ));
        }
        if section.title == "Navigation" {
            out.push(HelpLine::Row(
                "1–9".into(),
                "go to profile N, the tabs at the top (:profile)",
            ));
        }
    }
    out.push(HelpLine::Heading("Commands (: then Enter; Tab completes)"));
    for c in COMMANDS {
        let usage = if c.args.is_empty() {
            format!(":{}", c.name)
        } else {
            format!(":{} {}", c.name, c.args)
        };
        out.push(HelpLine::Row(usage, c.about));
    }
    out.push(HelpLine::Heading("Find"));
    out.push(HelpLine::Note(
        "/ filters the loaded rows (~: fuzzy); Enter searches the server where it can",
    ));
    out.push(HelpLine::Note(
        "identities: email/username, id or ext:EXTERNAL_ID · MATTR users: claims, e.g. given_name=Jamie",
    ));
    out.push(HelpLine::Note("Coassemble users: a client identifier"));
    out
}

/// Lines of help that fit on screen at once: the body less the box's borders.
pub fn visible(state: &State) -> usize {
    (state.height as usize).saturating_sub(4 + 2).max(1)
}

/// Widest key column; a longer key or usage gets a line of its own above its text.
pub const KEY_WIDTH: usize = 22;

/// The key column's width for these lines.
pub fn key_width(lines: &[HelpLine]) -> usize {
    use unicode_width::UnicodeWidthStr;
    lines
        .iter()
        .filter_map(|l| match l {
            HelpLine::Row(k, _) => Some(k.width()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .min(KEY_WIDTH)
}

/// Screen lines the help takes (a row whose usage is wider than the key column takes two).
pub fn screen_lines(keymap: &Keymap) -> usize {
    use unicode_width::UnicodeWidthStr;
    let all = lines(keymap);
    let width = key_width(&all);
    let long = all
        .iter()
        .filter(|l| matches!(l, HelpLine::Row(k, _) if k.width() > width))
        .count();
    all.len() + long
}

/// The furthest the help can scroll: its last line at the bottom of the box.
pub fn max_scroll(state: &State) -> usize {
    screen_lines(&state.keymap).saturating_sub(visible(state))
}

/// A key while the help is open: scroll keys scroll, any other key closes it.
pub fn on_key(state: &mut State, scroll: usize, key: &KeyEvent) {
    let page = visible(state);
    let last = max_scroll(state);
    let scroll = scroll.min(last);
    state.mode = match state.keymap.action_for(key) {
        Some(KeyAction::MoveDown) => Mode::Help {
            scroll: (scroll + 1).min(last),
        },
        Some(KeyAction::MoveUp) => Mode::Help {
            scroll: scroll.saturating_sub(1),
        },
        Some(KeyAction::PageDown) => Mode::Help {
            scroll: (scroll + page).min(last),
        },
        Some(KeyAction::PageUp) => Mode::Help {
            scroll: scroll.saturating_sub(page),
        },
        Some(KeyAction::First) => Mode::Help { scroll: 0 },
        Some(KeyAction::Last) => Mode::Help { scroll: last },
        _ => Mode::Normal,
    };
}
