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
    out.push(HelpLine::Heading("Export"));
    out.push(HelpLine::Note(
        ":export FILE writes the whole list in view (walked on the server), only the marked rows if any, or the open object",
    ));
    out.push(HelpLine::Note(
        ".jsonl: records as the server sent them · .json: one array · .csv: the columns shown, formulas neutralised with '",
    ));
    out.push(HelpLine::Note(
        "an existing FILE is never replaced unless :export! FILE · ~ is your home · Esc cancels, leaving no file",
    ));
    out.push(HelpLine::Note(
        ":export - copies a small export (JSON Lines; -.json or -.csv for those) to the clipboard / tmux buffer",
    ));
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

/// Widest the help's box gets; narrower terminals get a narrower box.
pub const BOX_WIDTH: u16 = 100;

/// One line of the help as drawn: a heading, or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenLine {
    pub heading: bool,
    pub text: String,
}

/// The help as drawn in a terminal `width` columns wide: a key and what it does side by
/// side, the text wrapped under itself rather than cut; a key or usage wider than the key
/// column on a line of its own above its text.
pub fn screen_lines(keymap: &Keymap, width: u16) -> Vec<ScreenLine> {
    use unicode_width::UnicodeWidthStr;
    // The box's borders and its one column of margin.
    let room = (width.min(BOX_WIDTH) as usize).saturating_sub(3);
    let all = lines(keymap);
    let keys = key_width(&all);
    let text = |t: String| ScreenLine {
        heading: false,
        text: t,
    };
    let mut out = Vec::new();
    for line in &all {
        match line {
            HelpLine::Heading(t) => out.push(ScreenLine {
                heading: true,
                text: t.to_string(),
            }),
            HelpLine::Row(k, what) => {
                let indent = " ".repeat(keys + 4);
                let wrapped = crate::sanitize::wrap(what, room.saturating_sub(keys + 4));
                let mut rest = wrapped.into_iter();
                if k.width() > keys {
                    out.push(text(format!("  {k}")));
                } else if let Some(first) = rest.next() {
                    out.push(text(format!(
                        "  {}  {first}",
                        crate::sanitize::fit_pad(k, keys)
                    )));
                }
                out.extend(rest.map(|l| text(format!("{indent}{l}"))));
            }
            HelpLine::Note(t) => {
                let wrapped = crate::sanitize::wrap(t, room.saturating_sub(4));
                for (i, l) in wrapped.into_iter().enumerate() {
                    let indent = if i == 0 { "  " } else { "    " };
                    out.push(text(format!("{indent}{l}")));
                }
            }
        }
    }
    out
}

/// The furthest the help can scroll: its last line at the bottom of the box.
pub fn max_scroll(state: &State) -> usize {
    screen_lines(&state.keymap, state.width)
        .len()
        .saturating_sub(visible(state))
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
