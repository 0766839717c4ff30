//! The `:` command line: commands, Tab completion (commands, profiles, ids) and history.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Effect;
use super::model::{ErrorInfo, ListKind};
use super::state::{COMMANDS, Input, Mode, Pane, State};
use super::update::{goto, refresh_screen, switch_tab};

/// Most commands remembered.
const HISTORY_MAX: usize = 100;

pub fn on_key(state: &mut State, mut input: Input, key: KeyEvent, effects: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            let line = input.text.trim().to_string();
            if !line.is_empty() {
                if state.history.last() != Some(&line) {
                    state.history.push(line.clone());
                    if state.history.len() > HISTORY_MAX {
                        state.history.remove(0);
                    }
                }
                execute(state, &line, effects);
            }
        }
        KeyCode::Tab => {
            if let Some(done) = complete(state, &input.text) {
                input.text = done;
            }
            state.mode = Mode::Command(input);
        }
        KeyCode::Up => {
            let pos = match state.history_pos {
                Some(p) => p.saturating_sub(1),
                None => state.history.len().saturating_sub(1),
            };
            if let Some(line) = state.history.get(pos) {
                input.text = line.clone();
                state.history_pos = Some(pos);
            }
            state.mode = Mode::Command(input);
        }
        KeyCode::Down => {
            match state.history_pos {
                Some(p) if p + 1 < state.history.len() => {
                    input.text = state.history[p + 1].clone();
                    state.history_pos = Some(p + 1);
                }
                _ => {
                    input.text.clear();
                    state.history_pos = None;
                }
            }
            state.mode = Mode::Command(input);
        }
        KeyCode::Backspace => {
            if input.text.pop().is_none() {
                state.mode = Mode::Normal;
            } else {
                state.mode = Mode::Command(input);
            }
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.text.clear();
            state.mode = Mode::Command(input);
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.text.push(c);
            state.mode = Mode::Command(input);
        }
        _ => state.mode = Mode::Command(input),
    }
}

fn unknown(state: &mut State, msg: String) {
    state.error = Some(ErrorInfo::new(msg.clone(), msg));
}

pub fn execute(state: &mut State, line: &str, effects: &mut Vec<Effect>) {
    let (cmd, arg) = match line.split_once(char::is_whitespace) {
        Some((c, a)) => (c, a.trim()),
        None => (line, ""),
    };
    match cmd {
        "q" | "quit" => super::leaving::request_quit(state, effects),
        "help" => state.mode = Mode::Help { scroll: 0 },
        "error" => match state.current_error() {
            Some(error) => {
                state.mode = Mode::ErrorDetail {
                    scroll: 0,
                    error: Box::new(error.clone()),
                }
            }
            None => state.flash = Some("no error to show".into()),
        },
        "refresh" => refresh_screen(state),
        "audit" => super::audit_pane::open(state),
        "profile" => match state.tabs.iter().position(|t| t.profile.name == arg) {
            Some(i) => switch_tab(state, i),
            None => unknown(
                state,
                format!(
                    "no profile `{arg}`; open: {}",
                    state.profile_names().join(", ")
                ),
            ),
        },
        "goto" if !arg.is_empty() => goto(state, arg, effects),
        "goto" => unknown(state, "usage: :goto ID".into()),
        "sessions" | "credentials" => focus_child(state, cmd, effects),
        _ => unknown(
            state,
            format!(
                "unknown command `{cmd}`; try {} (? lists them)",
                COMMANDS
                    .iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    }
}

/// Focus the Sessions/Credentials pane of the opened object, opening the selected row first
/// when the user is still on a list.
fn focus_child(state: &mut State, which: &str, effects: &mut Vec<Effect>) {
    let wanted = |kind: &ListKind| match which {
        "sessions" => matches!(kind, ListKind::KratosSessions { .. }),
        _ => matches!(
            kind,
            ListKind::KratosCredentials { .. } | ListKind::CoreCredentials { .. }
        ),
    };
    let find = |state: &State| {
        state.tab().and_then(|t| {
            t.screen()
                .panes
                .iter()
                .position(|p| matches!(p, Pane::Table(t) if wanted(&t.kind)))
        })
    };
    if find(state).is_none()
        && let Some(Pane::Table(t)) = state.focused()
        && let Some(row) = t.selected_row().cloned()
    {
        let kind = t.kind.object();
        super::update::open_object(state, kind, &row);
        super::update::refresh_detail(state, kind, &row.id, effects);
    }
    match (find(state), state.tab_mut()) {
        (Some(i), Some(tab)) => tab.screen_mut().focus = i,
        _ => unknown(state, format!(":{which}: nothing here has {which}")),
    }
}

/// The completed line for `text`, or `None` when nothing (or nothing unique) completes.
/// With several candidates the longest common prefix is returned.
pub fn complete(state: &State, text: &str) -> Option<String> {
    let (head, candidates): (String, Vec<String>) = match text.split_once(' ') {
        None => (
            String::new(),
            COMMANDS
                .iter()
                .filter(|c| c.name.starts_with(text))
                .map(|c| format!("{} ", c.name))
                .collect(),
        ),
        Some(("profile", arg)) => (
            "profile ".into(),
            state
                .profile_names()
                .into_iter()
                .filter(|p| p.starts_with(arg))
                .collect(),
        ),
        Some(("goto", arg)) => (
            "goto ".into(),
            state
                .focused_table()
                .map(|t| {
                    t.loaded_rows()
                        .filter(|(_, r)| r.id.starts_with(arg))
                        .map(|(_, r)| r.id.clone())
                        .take(1000)
                        .collect()
                })
                .unwrap_or_default(),
        ),
        Some(_) => return None,
    };
    let first = candidates.first()?;
    let common = candidates.iter().fold(first.clone(), |acc, c| {
        acc.chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    Some(format!("{head}{common}"))
}
