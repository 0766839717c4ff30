//! `:watch [SECONDS]`: the list in view refreshed in place every N seconds (default 5, at
//! least 1) until `Esc` or leaving it. The beats come from the runtime's wake-up
//! (`State::next_wake` names the next one) as `Action::Tick`; the table does the rest
//! (`table::watch`).

use std::time::Duration;

use super::model::ErrorInfo;
use super::state::{Pane, State};
use super::table::Beat;

pub const DEFAULT_SECONDS: u64 = 5;

/// `:watch ARG`.
pub fn command(state: &mut State, arg: &str) {
    let seconds = match arg.trim() {
        "" => DEFAULT_SECONDS,
        s => match s.trim_end_matches('s').parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => {
                let line =
                    format!("usage: :watch [SECONDS] (a whole number, at least 1; not `{s}`)");
                state.error = Some(ErrorInfo::new(line.clone(), line));
                return;
            }
        },
    };
    let now = state.now;
    let Some(t) = state.focused_table_mut() else {
        state.flash = Some("nothing to watch here: :watch refreshes a list".into());
        return;
    };
    state.flash = Some(if t.watch(Duration::from_secs(seconds), now) {
        format!("watching every {seconds}s: new rows marked +, changed ~ (Esc stops)")
    } else {
        "nothing to watch here: this list is not read from a server".into()
    });
}

/// A tick: the focused table's watch refreshes it when due (or skips the beat).
pub fn on_tick(state: &mut State) {
    let due = state
        .focused_table()
        .and_then(|t| t.watch_due())
        .is_some_and(|at| at <= state.now);
    if !due {
        return;
    }
    let uid = state.fresh_uid();
    let rows = state.table_rows();
    let now = state.now;
    if let Some(t) = state.focused_table_mut()
        && t.watch_beat(now, uid, rows) != Beat::Waiting
    {
        state.dirty = true;
    }
}

/// The view changed (another pane, a drill-down, back, another profile): only the list in
/// view is watched.
pub fn left(state: &mut State) {
    let focused = state.focused_table().map(|t| t.uid());
    let panes = state
        .tabs_mut()
        .iter_mut()
        .flat_map(|t| t.stack.iter_mut().flat_map(|s| s.panes.iter_mut()));
    for pane in panes {
        if let Pane::Table(t) = pane
            && Some(t.uid()) != focused
        {
            t.stop_watch();
        }
    }
}
