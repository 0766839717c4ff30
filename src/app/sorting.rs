//! Sorting the list in view by a column: `:sort COLUMN [desc]` (a header as shown, in any
//! case; `:sort` or `:sort none` back to the server's order), `o` to the next column and
//! `O` to reverse. What a sort holds and shows is the table's (`table::sort`).

use super::model::ErrorInfo;
use super::state::State;
use super::table::{SortKey, Table};

/// What a flash says after a sort changed: how to go on.
const KEYS: &str = "o next column · O reverses · :sort none";

/// `:sort ARG`.
pub fn command(state: &mut State, arg: &str) {
    let rows = state.table_rows();
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
    match column_named(t, name) {
        Some(column) => {
            t.sort(Some(SortKey { column, desc }), rows);
            state.flash = Some(said(t));
        }
        None => {
            let line = format!(
                "no column `{name}` here; columns: {}",
                titles(t).collect::<Vec<_>>().join(", ")
            );
            state.error = Some(ErrorInfo::new(line.clone(), line));
        }
    }
}

/// `o`: sort by the next column (after the last, back to the server's order).
pub fn next_column(state: &mut State) {
    let rows = state.table_rows();
    let Some(t) = state.focused_table_mut() else {
        return;
    };
    let columns = t.kind().columns().len();
    let next = match t.sorted().map(|s| s.key()) {
        None => Some(SortKey {
            column: 0,
            desc: false,
        }),
        Some(k) if k.column + 1 < columns => Some(SortKey {
            column: k.column + 1,
            desc: k.desc,
        }),
        Some(_) => None,
    };
    t.sort(next, rows);
    state.flash = Some(match next {
        Some(_) => said(t),
        None => format!("back to the server's order ({KEYS})"),
    });
}

/// `O`: the other way round (unsorted: by the first column, last first).
pub fn reverse(state: &mut State) {
    let rows = state.table_rows();
    let Some(t) = state.focused_table_mut() else {
        return;
    };
    let key = match t.sorted().map(|s| s.key()) {
        Some(k) => SortKey { desc: !k.desc, ..k },
        None => SortKey {
            column: 0,
            desc: true,
        },
    };
    t.sort(Some(key), rows);
    state.flash = Some(said(t));
}

/// The column of the focused list whose header is `name` (in any case), or the only one
/// it begins.
fn column_named(t: &Table, name: &str) -> Option<usize> {
    let name = name.to_lowercase();
    let titles: Vec<String> = titles(t).map(str::to_lowercase).collect();
    if let Some(at) = titles.iter().position(|c| *c == name) {
        return Some(at);
    }
    let mut starting = titles
        .iter()
        .enumerate()
        .filter(|(_, c)| c.starts_with(&name));
    match (starting.next(), starting.next()) {
        (Some((at, _)), None) => Some(at),
        _ => None,
    }
}

fn titles(t: &Table) -> impl Iterator<Item = &'static str> {
    t.kind().columns().iter().map(|c| c.title)
}

/// `sorted by CREATED desc (o next column · …)`.
fn said(t: &Table) -> String {
    let Some(key) = t.sorted().map(|s| s.key()) else {
        return String::new();
    };
    let title = t.kind().columns().get(key.column).map_or("?", |c| c.title);
    let dir = if key.desc { " desc" } else { "" };
    format!("sorted by {title}{dir} ({KEYS})")
}

/// What Tab completes `:sort PREFIX` to: the focused list's headers (in any case) and `none`.
pub fn candidates(state: &State, prefix: &str) -> Vec<String> {
    let lower = prefix.to_lowercase();
    let titles = state.focused_table().into_iter().flat_map(titles);
    titles
        .chain(["none"])
        .filter(|c| c.to_lowercase().starts_with(&lower))
        .map(str::to_string)
        .collect()
}
