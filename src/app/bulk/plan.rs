//! The plan of a bulk change, before anything is read or sent: how many objects, the first
//! few by name, what happens to each and what is left out and why; confirmed by typing the
//! count. One object (nothing marked) goes without a plan, as a single change would.

use crossterm::event::{KeyCode, KeyEvent};

use super::op::{Op, Target};
pub use super::proposal::{FIRST_NAMES, Plan};
use super::run::{CONCURRENCY, Run};
use crate::app::action::Effect;
use crate::app::state::{Mode, Pane, State};

/// The list's target, `(id, name)` of each object, and whether they are marked rows.
type Chosen = (Target, Vec<(String, String)>, bool);

/// What a bulk key or command acts on: the marked rows of the list in front, or, with none
/// marked, its selected row (or the object open in front). `None` (with the status bar
/// saying why) when there is nothing to act on.
fn chosen(state: &mut State, what: &str) -> Option<Chosen> {
    let (target, items, marked) = match state.focused() {
        Some(Pane::Table(t)) => {
            let Some(target) = Target::of(t.kind()) else {
                state.flash = Some(format!(
                    "{what}: works on lists of identities, users and clients (not {})",
                    t.kind().title()
                ));
                return None;
            };
            if !t.marked().is_empty() {
                let items = t
                    .marked()
                    .iter()
                    .map(|m| (m.id.to_string(), m.name.to_string()))
                    .collect();
                (target, items, true)
            } else {
                let row = t.selected_row()?;
                let name = row.fields.name().unwrap_or("").to_string();
                (target, vec![(row.id.clone(), name)], false)
            }
        }
        Some(Pane::Detail(d)) => {
            let list = state.tab()?.stack.iter().rev().find_map(|s| {
                s.panes.iter().find_map(|p| match p {
                    Pane::Table(t) if t.kind().object() == d.kind => Some(t.kind().clone()),
                    _ => None,
                })
            });
            let Some(target) = list.as_ref().and_then(Target::of) else {
                state.flash = Some(format!("{what}: open an identity, a user or a client"));
                return None;
            };
            (target, vec![(d.id.clone(), d.title.clone())], false)
        }
        None => return None,
    };
    Some((target, items, marked))
}

/// Start `op` on what is chosen: a plan for marked rows, the change at once for one.
pub fn propose(state: &mut State, op: Op, effects: &mut Vec<Effect>) {
    let what = op.command();
    let Some((target, items, marked)) = chosen(state, &what) else {
        return;
    };
    if let Some(why) = op.unsupported(&target) {
        state.flash = Some(format!("{what}: {why}"));
        return;
    }
    let Some(tab) = state.tab() else { return };
    let concurrency = tab.profile.concurrency.unwrap_or(CONCURRENCY);
    let plan = Plan {
        tab: state.active(),
        profile: tab.profile.name.clone(),
        target,
        op,
        items,
        concurrency,
        typed: String::new(),
    };
    if marked {
        state.mode = Mode::BulkPlan(Box::new(plan));
    } else {
        start(state, plan, false, effects);
    }
}

/// Keys on the plan: the count, then Enter, starts it; Esc cancels.
pub fn on_key(state: &mut State, mut plan: Box<Plan>, key: KeyEvent, effects: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            state.flash = Some("nothing sent".into());
        }
        KeyCode::Enter if plan.typed.trim() == plan.count() => {
            state.mode = Mode::Normal;
            start(state, *plan, true, effects);
        }
        KeyCode::Enter => {
            state.flash = Some(format!("type {} to start, or Esc", plan.count()));
            state.mode = Mode::BulkPlan(plan);
        }
        KeyCode::Backspace => {
            plan.typed.pop();
            state.mode = Mode::BulkPlan(plan);
        }
        KeyCode::Char(c) if c.is_ascii_digit() => {
            plan.typed.push(c);
            state.mode = Mode::BulkPlan(plan);
        }
        _ => state.mode = Mode::BulkPlan(plan),
    }
}

/// Begin `plan` with no screen to show it on (the subcommands): it was confirmed where it
/// was asked.
pub fn begin(state: &mut State, plan: Plan, effects: &mut Vec<Effect>) {
    start(state, plan, false, effects)
}

/// Begin the run (its journal's first line), showing its screen when it is a set.
fn start(state: &mut State, plan: Plan, show: bool, effects: &mut Vec<Effect>) {
    if let Some(old) = state.bulk.as_ref().filter(|r| !r.is_over()) {
        state.flash = Some(format!(
            "a bulk change is still under way ({} on {}): :bulk shows it; stop it (s) first",
            old.op.command(),
            old.profile
        ));
        return;
    }
    let seq = state.change_seq();
    state.answered(seq);
    let key = uuid::Uuid::now_v7().to_string();
    let run = Run::new(
        seq,
        key.clone(),
        plan.tab,
        plan.profile.clone(),
        plan.target.clone(),
        plan.op.clone(),
        plan.items.clone(),
        plan.concurrency,
        state.now,
    );
    effects.push(Effect::Journal {
        key,
        line: Box::new(super::journal::Line::Plan(Box::new(
            super::journal::PlanLine {
                profile: plan.profile,
                target: plan.target,
                op: plan.op,
                items: plan.items,
                concurrency: plan.concurrency,
            },
        ))),
    });
    state.bulk = Some(Box::new(run));
    if show {
        state.mode = Mode::Bulk;
    } else {
        state.flash = Some("sending…".into());
    }
    super::pump(state, effects);
}

/// `:set KEY=JSON`, `:unset KEY`, `:state active|inactive` on the marked rows or the
/// selection.
pub fn command(
    state: &mut State,
    cmd: crate::app::command_table::Cmd,
    arg: &str,
    effects: &mut Vec<Effect>,
) {
    use crate::app::command_table::Cmd;
    let target = match state.focused() {
        Some(Pane::Table(t)) => Target::of(t.kind()),
        _ => state.tab().and_then(|t| {
            t.screen().panes.iter().find_map(|p| match p {
                Pane::Table(t) => Target::of(t.kind()),
                Pane::Detail(_) => None,
            })
        }),
    };
    let Some(target) = target else {
        state.flash = Some(format!(
            ":{}: works on lists of identities, users and clients: open one and mark rows",
            command_name(cmd)
        ));
        return;
    };
    if cmd == Cmd::State
        && let Some(why) = (Op::State { active: false }).unsupported(&target)
    {
        state.flash = Some(format!(":state: {why}"));
        return;
    }
    let op = match cmd {
        Cmd::Set => Op::set(&target, arg),
        Cmd::Unset => Op::unset(&target, arg),
        _ => Op::state(arg),
    };
    match op {
        Ok(op) => propose(state, op, effects),
        Err(why) => state.flash = Some(format!(":{} {arg}: {why}", command_name(cmd))),
    }
}

fn command_name(cmd: crate::app::command_table::Cmd) -> &'static str {
    crate::app::command_table::COMMANDS
        .iter()
        .find(|c| c.id == cmd)
        .map_or("", |c| c.name)
}

/// The list in front is Kratos identities with rows marked (`p` then patches them all).
pub fn marked_identities(state: &State) -> bool {
    matches!(state.focused(), Some(Pane::Table(t))
        if !t.marked().is_empty() && Target::of(t.kind()) == Some(Target::KratosIdentities))
}

/// `X` and `d` on a list with marked rows act on every marked row (through a plan);
/// whether the key was taken here.
pub fn intercepts(
    state: &mut State,
    action: crate::keymap::KeyAction,
    effects: &mut Vec<Effect>,
) -> bool {
    use crate::keymap::KeyAction;
    let marked_target = match state.focused() {
        Some(Pane::Table(t)) if !t.marked().is_empty() => Target::of(t.kind()),
        _ => None,
    };
    if marked_target.is_none() {
        return false;
    }
    match action {
        KeyAction::RevokeAll => propose(state, Op::RevokeAll, effects),
        KeyAction::Delete => propose(state, Op::Delete, effects),
        _ => return false,
    }
    true
}
