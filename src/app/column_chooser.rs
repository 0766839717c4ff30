//! `:columns`: which columns the list in view shows and in what order. The list's own
//! columns can be hidden and moved, and columns read from the record by a path
//! (`traits.name.last`, `verifiable_addresses[0].verified`) added by typing it. `Enter`
//! keeps the choice for this profile and list (`ColumnChoices`, saved in the config
//! directory); `Esc` leaves everything as it was.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Effect;
use super::column::{JsonPath, Shown};
use super::column_choices::{ColumnChooser, Entry};
use super::model::ErrorInfo;
use super::state::{Mode, State};

/// The chooser's keys, on its last line.
pub const HINT: &str =
    "space show/hide · J/K move down/up · a add a path · d drop a path · Enter keep · Esc cancel";

/// Open the chooser for the list in view.
pub fn open(state: &mut State) {
    let (Some(t), Some(tab)) = (state.focused_table(), state.tab()) else {
        state.flash = Some("no list here: :columns chooses the columns of a list".into());
        return;
    };
    let profile = tab.profile.name.clone();
    let list = t.kind().clone();
    let shown = state.columns.shown(&profile, &list);
    let hidden: Vec<Entry> = Shown::defaults(list.columns())
        .into_iter()
        .filter(|c| !shown.contains(c))
        .map(|column| Entry {
            column,
            shown: false,
        })
        .collect();
    let entries = shown
        .into_iter()
        .map(|column| Entry {
            column,
            shown: true,
        })
        .chain(hidden)
        .collect();
    state.mode = Mode::Columns(Box::new(ColumnChooser {
        list,
        profile,
        entries,
        selected: 0,
        typing: None,
        problem: None,
    }));
}

pub fn on_key(
    state: &mut State,
    mut c: Box<ColumnChooser>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    c.problem = None;
    // Closed unless a key below keeps it open.
    state.mode = Mode::Normal;
    if let Some(mut path) = c.typing.take() {
        match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => match JsonPath::parse(&path) {
                Ok(p) => {
                    let at = (c.selected + 1).min(c.entries.len());
                    c.entries.insert(
                        at,
                        Entry {
                            column: Shown::Path(Box::new(p)),
                            shown: true,
                        },
                    );
                    c.selected = at;
                }
                Err(e) => {
                    c.problem = Some(format!("not a path: {e}"));
                    c.typing = Some(path);
                }
            },
            KeyCode::Backspace => {
                path.pop();
                c.typing = Some(path);
            }
            KeyCode::Char(ch) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                path.push(ch);
                c.typing = Some(path);
            }
            _ => c.typing = Some(path),
        }
        state.mode = Mode::Columns(c);
        return;
    }
    let last = c.entries.len().saturating_sub(1);
    match key.code {
        KeyCode::Esc => return,
        KeyCode::Enter => {
            keep(state, &c, effects);
            return;
        }
        KeyCode::Char('j') | KeyCode::Down if key.modifiers.contains(KeyModifiers::SHIFT) => {
            move_entry(&mut c, 1)
        }
        KeyCode::Char('k') | KeyCode::Up if key.modifiers.contains(KeyModifiers::SHIFT) => {
            move_entry(&mut c, -1)
        }
        KeyCode::Char('J') => move_entry(&mut c, 1),
        KeyCode::Char('K') => move_entry(&mut c, -1),
        KeyCode::Char('j') | KeyCode::Down => c.selected = (c.selected + 1).min(last),
        KeyCode::Char('k') | KeyCode::Up => c.selected = c.selected.saturating_sub(1),
        KeyCode::Char(' ') => {
            let shown = c.entries.iter().filter(|e| e.shown).count();
            if let Some(e) = c.entries.get_mut(c.selected) {
                if e.shown && shown == 1 {
                    c.problem = Some("one column at least stays shown".into());
                } else {
                    e.shown = !e.shown;
                }
            }
        }
        KeyCode::Char('a') => c.typing = Some(String::new()),
        KeyCode::Char('d') | KeyCode::Delete => match c.entries.get(c.selected) {
            Some(Entry {
                column: Shown::Path(_),
                ..
            }) if c.entries.iter().filter(|e| e.shown).count() > 1
                || !c.entries[c.selected].shown =>
            {
                c.entries.remove(c.selected);
                c.selected = c.selected.min(c.entries.len().saturating_sub(1));
            }
            Some(Entry {
                column: Shown::Path(_),
                ..
            }) => c.problem = Some("one column at least stays shown".into()),
            _ => c.problem = Some("the list's own columns are hidden with space".into()),
        },
        _ => {}
    }
    state.mode = Mode::Columns(c);
}

/// `J`/`K`: the selected column moves down or up, and stays selected.
fn move_entry(c: &mut ColumnChooser, delta: isize) {
    let to = c.selected as isize + delta;
    if (0..c.entries.len() as isize).contains(&to) {
        c.entries.swap(c.selected, to as usize);
        c.selected = to as usize;
    }
}

/// `Enter`: the shown columns, in order, for this profile and list, saved with the others.
fn keep(state: &mut State, c: &ColumnChooser, effects: &mut Vec<Effect>) {
    let columns: Vec<Shown> = c
        .entries
        .iter()
        .filter(|e| e.shown)
        .map(|e| e.column.clone())
        .collect();
    state.columns.set(&c.profile, &c.list, &columns);
    if let Some(why) = state.columns.unreadable() {
        let line = format!(
            "columns kept for this run only: columns.toml could not be read ({why}); fix or remove it to save"
        );
        state.error = Some(ErrorInfo::new(line.clone(), line));
        return;
    }
    effects.push(Effect::SaveColumns(state.columns.to_toml()));
    state.flash = Some(format!(
        "{} columns for {} on {} (saved in columns.toml)",
        columns.len(),
        c.list.title(),
        c.profile
    ));
}
