//! Sorting the list in view by a column: `:sort COLUMN [desc]` (a header as shown, in any
//! case; `:sort` or `:sort none` back to the server's order), `o` to the next column and
//! `O` to reverse. What a sort holds and shows is the table's (`table::sort`).

use super::column::Shown;
use super::model::ErrorInfo;
use super::state::State;
use super::table::{SortKey, Table};

/// What a flash says after a sort changed: how to go on.
const KEYS: &str = "o next column · O reverses · :sort none";

/// The columns the focused list shows (chosen with `:columns`, or its own).
fn shown(state: &State) -> Vec<Shown> {
    state
        .focused_table()
        .map(|t| state.shown_columns(t))
        .unwrap_or_default()
}

/// `:sort ARG`.
pub fn command(state: &mut State, arg: &str) {
    let rows = state.table_rows();
    let columns = shown(state);
    let Some(t) = state.focused_table_mut() else {
        state.flash = Some("nothing to sort here: :sort sorts a list".into());
        return;
    };
    let arg = arg.trim();
    if arg.is_empty() || arg.eq_ignore_ascii_case("none") {
        t.sort(None, rows);
        state.flash = Some("back to the server's order".into());
        return;
    }
    let (name, desc) = match arg.rsplit_once(' ') {
        Some((name, dir)) if dir.eq_ignore_ascii_case("desc") => (name.trim(), true),
        Some((name, dir)) if dir.eq_ignore_ascii_case("asc") => (name.trim(), false),
        _ => (arg, false),
    };
    match column_named(&columns, name) {
        Some(column) => {
            t.sort(Some(SortKey { column, desc }), rows);
            state.flash = Some(said(t));
        }
        None => {
            let titles: Vec<&str> = columns.iter().map(Shown::title).collect();
            let line = format!("no column `{name}` here; columns: {}", titles.join(", "));
            state.error = Some(ErrorInfo::new(line.clone(), line));
        }
    }
}

/// `o`: sort by the next column shown (after the last, back to the server's order).
pub fn next_column(state: &mut State) {
    let rows = state.table_rows();
    let columns = shown(state);
    let Some(t) = state.focused_table_mut() else {
        return;
    };
    let next = match t.sorted().map(|s| s.key()) {
        None => columns.first().map(|c| SortKey {
            column: c.clone(),
            desc: false,
        }),
        Some(k) => columns
            .iter()
            .position(|c| c.title() == k.column.title())
            .and_then(|at| columns.get(at + 1))
            .map(|c| SortKey {
                column: c.clone(),
                desc: k.desc,
            }),
    };
    let sorted = next.is_some();
    t.sort(next, rows);
    state.flash = Some(match sorted {
        true => said(t),
        false => format!("back to the server's order ({KEYS})"),
    });
}

/// `O`: the other way round (unsorted: by the first column, last first).
pub fn reverse(state: &mut State) {
    let rows = state.table_rows();
    let columns = shown(state);
    let Some(t) = state.focused_table_mut() else {
        return;
    };
    let key = match t.sorted().map(|s| s.key()) {
        Some(k) => Some(SortKey {
            column: k.column.clone(),
            desc: !k.desc,
        }),
        None => columns.first().map(|c| SortKey {
            column: c.clone(),
            desc: true,
        }),
    };
    t.sort(key, rows);
    state.flash = Some(said(t));
}

/// The column shown whose header is `name` (in any case), or the only one it begins.
fn column_named(columns: &[Shown], name: &str) -> Option<Shown> {
    let name = name.to_lowercase();
    let titles: Vec<String> = columns.iter().map(|c| c.title().to_lowercase()).collect();
    if let Some(at) = titles.iter().position(|c| *c == name) {
        return columns.get(at).cloned();
    }
    let mut starting = titles
        .iter()
        .enumerate()
        .filter(|(_, c)| c.starts_with(&name));
    match (starting.next(), starting.next()) {
        (Some((at, _)), None) => columns.get(at).cloned(),
        _ => None,
    }
}

/// `sorted by CREATED desc (o next column · …)`.
fn said(t: &Table) -> String {
    let Some(key) = t.sorted().map(|s| s.key()) else {
        return String::new();
    };
    let dir = if key.desc { " desc" } else { "" };
    format!("sorted by {}{dir} ({KEYS})", key.column.title())
}

/// What Tab completes `:sort PREFIX` to: the focused list's headers (in any case) and `none`.
pub fn candidates(state: &State, prefix: &str) -> Vec<String> {
    let lower = prefix.to_lowercase();
    shown(state)
        .iter()
        .map(|c| c.title().to_string())
        .chain(["none".to_string()])
        .filter(|c| c.to_lowercase().starts_with(&lower))
        .collect()
}
