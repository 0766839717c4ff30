//! Bulk changes: one change (`X`, `d`, `p`, `:state`, `:set`, `:unset`) applied to each
//! marked row. A plan comes first (`plan`), confirmed by typing the count; then each item
//! goes through the same lifecycle as a single change: its fresh copy is read, the change
//! is made from that copy (`op`), sent through `settle` (one change per object at a time, a
//! lost answer settled by reading, an audit line per step), and its outcome is written to
//! the run's journal (`journal`) as soon as it is known. A few items run at once (the
//! profile's `concurrency`, 4 by default); a 429 holds the whole run for the server's
//! `Retry-After`; `Esc` pauses. After a crash the journal brings the run back at start:
//! items done are not sent again, items sent without an answer are settled by reading, the
//! rest go on. The run's screen (`ui::bulk_view`) shows the progress and, item by item,
//! the report.

pub mod journal;
pub mod op;
pub mod plan;
pub mod proposal;
pub mod run;

use std::time::Duration;

use self::journal::{Line, Outcome};
use self::run::{ATTEMPTS, Run, Status, Step};
use super::action::{Effect, ObjectFor};
use super::change::flow::Settled;
use super::change::{BatchItem, Change, Stage};
use super::model::{ErrorInfo, Row};
use super::retry;
use super::settle::Report;
use super::state::{Mode, Owner, State};

/// Why an item whose object was deleted meanwhile is skipped.
pub const GONE: &str = "no longer on the server";

/// How long an item whose object is busy with another change waits before trying again.
const BUSY_WAIT: Duration = Duration::from_secs(1);

/// Write `line` to the journal of `run`.
fn journal(run: &Run, line: Line, effects: &mut Vec<Effect>) {
    effects.push(Effect::Journal {
        key: run.key.clone(),
        line: Box::new(line),
    });
}

/// Start every item the run may start now (and end the run when all are settled).
pub fn pump(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.now;
    loop {
        let Some(run) = state.bulk.as_mut() else {
            return;
        };
        let Some(n) = run.next_item(now) else {
            break;
        };
        let item = &mut run.items[n];
        item.step = Step::Reading;
        let batch = BatchItem {
            run: run.seq,
            item: n,
        };
        match item.unsettled.clone() {
            // Sent before a crash, answer lost: read it to learn whether it landed.
            Some(sent) => {
                let change = Change {
                    tab: run.tab,
                    profile: run.profile.clone(),
                    provider: run.provider,
                    mutation: sent.mutation,
                    subject: Some(item.label().to_string()),
                    expect: sent.expect,
                    audit_change: sent.audit_change,
                    draft: None,
                    batch: Some(batch),
                    stage: Stage::Sending,
                };
                match super::settle::resume(state, change, effects) {
                    Some((seq, report)) => {
                        if let Some(run) = state.bulk.as_mut() {
                            run.items[n].step = Step::Changing { seq };
                        }
                        if let Some(report) = report {
                            reported(state, report, effects);
                        }
                    }
                    None => {
                        if let Some(run) = state.bulk.as_mut() {
                            run.retry(n, Some(now + BUSY_WAIT));
                        }
                    }
                }
            }
            None => {
                let (profile, kind, id) =
                    (run.profile.clone(), run.target.object(), item.id.clone());
                let ticket = state.ask(Owner::Nobody, ObjectFor::Bulk { batch });
                effects.push(Effect::FetchObject {
                    ticket,
                    profile,
                    kind,
                    id,
                });
            }
        }
    }
    finish_if_done(state, effects);
}

/// Stop the run: what was not sent is left unsent; what is out settles, then it ends.
pub fn stop(state: &mut State, effects: &mut Vec<Effect>) {
    if let Some(run) = state.bulk.as_mut() {
        run.stop();
    }
    finish_if_done(state, effects);
}

fn finish_if_done(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(run) = state.bulk.as_mut() else {
        return;
    };
    if run.is_over() || !run.all_settled() || run.in_flight > 0 {
        return;
    }
    if matches!(run.status, Status::Interrupted) {
        return;
    }
    let stopped = run.counts.not_sent > 0;
    run.status = Status::Finished { stopped };
    let c = &run.counts;
    let tab = run.tab;
    state.flash = Some(if let [item] = run.items.as_slice() {
        // One object: said as a single change would be.
        let outcome = match &item.step {
            Step::Done(o) => format!("{}: {}", o.label(), o.why()),
            _ => String::new(),
        };
        format!("{} on {}: {outcome}", run.op.command(), item.label())
    } else {
        format!(
            "{} {}: {} done, {} failed, {} skipped{}{} · :bulk shows the report",
            if stopped { "stopped" } else { "finished" },
            run.op.command(),
            c.done(),
            c.failed,
            c.skipped,
            if c.unknown > 0 {
                format!(", {} unknown (r checks again)", c.unknown)
            } else {
                String::new()
            },
            if c.not_sent > 0 {
                format!(", {} not sent", c.not_sent)
            } else {
                String::new()
            },
        )
    });
    let run = state.bulk.as_deref().expect("checked above");
    journal(run, Line::End { stopped }, effects);
    state.dirty = true;
    // The lists show what the run left, not what was there before it.
    if state.active() == tab {
        super::navigate::refresh_screen(state);
    }
}

/// The fresh copy of item `batch.item` arrived: make its change and send it, or settle it.
pub fn on_read(
    state: &mut State,
    batch: BatchItem,
    result: Result<Row, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    let now = state.now;
    let n = batch.item;
    if state.bulk.as_ref().is_none_or(|r| r.seq != batch.run) {
        return;
    }
    state.dirty = true;
    let row = match result {
        Ok(row) => row,
        Err(e) if e.status == Some(404) => {
            let gone = Outcome::Skipped(GONE.into());
            return settle_item(state, n, gone, effects);
        }
        Err(e) => return failed_attempt(state, n, &e, now, effects),
    };
    let run = state.bulk.as_ref().expect("checked above");
    let item = &run.items[n];
    let change = match run.op.prepare(&run.target, &item.id, &row.raw) {
        op::Prepared::Send(out) => Change {
            tab: run.tab,
            profile: run.profile.clone(),
            provider: run.provider,
            subject: Some(item.label().to_string()),
            mutation: out.mutation,
            expect: out.expect,
            audit_change: (!out.audit_change.is_null()).then_some(out.audit_change),
            draft: None,
            batch: Some(batch),
            stage: Stage::Sending,
        },
        op::Prepared::AlreadyThere(why) => {
            return settle_item(state, n, Outcome::Unchanged(why), effects);
        }
        op::Prepared::Skip(why) => return settle_item(state, n, Outcome::Skipped(why), effects),
    };
    // Another change to this object is unsettled (sent from elsewhere in the dashboard):
    // this one waits its turn.
    let busy = change
        .objects()
        .iter()
        .find_map(|o| super::settle::busy(state, &change.profile, o));
    let run = state.bulk.as_mut().expect("checked above");
    if busy.is_some() {
        run.retry(n, Some(now + BUSY_WAIT));
        return;
    }
    let line = Line::Sent {
        item: n,
        change: Box::new(journal::SentChange {
            mutation: change.mutation.clone(),
            expect: change.expect.clone(),
            audit_change: change.audit_change.clone(),
        }),
    };
    journal(run, line, effects);
    let seq = super::settle::send(state, change, effects);
    if let (Some(seq), Some(run)) = (seq, state.bulk.as_mut()) {
        run.items[n].step = Step::Changing { seq };
    }
}

/// Item `n` has its outcome: journal it, count it, start the next ones.
fn settle_item(state: &mut State, n: usize, outcome: Outcome, effects: &mut Vec<Effect>) {
    let Some(run) = state.bulk.as_mut() else {
        return;
    };
    journal(
        run,
        Line::Outcome {
            item: n,
            outcome: outcome.clone(),
        },
        effects,
    );
    run.finish_item(n, outcome);
    state.dirty = true;
    pump(state, effects);
}

/// A read or a change of item `n` failed with `e` without landing: a 429 holds the run for
/// the server's `Retry-After`; a passing error is tried again after a backoff, up to
/// `ATTEMPTS` times; a refusal is the item's outcome.
fn failed_attempt(
    state: &mut State,
    n: usize,
    e: &ErrorInfo,
    now: Duration,
    effects: &mut Vec<Effect>,
) {
    let Some(run) = state.bulk.as_mut() else {
        return;
    };
    if e.status == Some(429) {
        let wait = retry::wait(1, e.retry_after.or(Some(retry::FIRST_WAIT)));
        run.paused_until = Some(now + wait);
        run.retry(n, None);
        state.flash = Some(format!(
            "rate limited by the server: the bulk change waits {}s",
            wait.as_secs().max(1)
        ));
        return pump(state, effects);
    }
    let item = &mut run.items[n];
    item.attempts += 1;
    let passing = e.transient() || (e.status.is_none() && !e.over_limit);
    if passing && item.attempts < ATTEMPTS {
        let attempts = item.attempts;
        run.retry(n, Some(now + retry::wait(attempts, e.retry_after)));
        return pump(state, effects);
    }
    settle_item(state, n, Outcome::Failed(e.line.clone()), effects);
}

/// The change lifecycle reports on a change a bulk run sent. Whether it was one is said by
/// the change itself (`Change::batch`); the caller shows other reports as usual.
pub fn reported(state: &mut State, report: Report, effects: &mut Vec<Effect>) -> Option<Report> {
    let batch = match &report {
        Report::Settled(s) => s.change.batch,
        Report::Unknown { change, .. } => change.batch,
    };
    let Some(batch) = batch else {
        return Some(report);
    };
    if state.bulk.as_ref().is_none_or(|r| r.seq != batch.run) {
        return None;
    }
    match report {
        Report::Settled(settled) => on_settled(state, batch.item, *settled, effects),
        Report::Unknown { change, why } => on_unknown(state, batch.item, *change, why, effects),
    }
    None
}

/// No read could tell whether item `n`'s change landed (the reads failed too): it is read
/// again after a backoff, as `r` would, up to `ATTEMPTS` times; after that it is left
/// unknown for `r`, and nothing is resent.
fn on_unknown(state: &mut State, n: usize, change: Change, why: String, effects: &mut Vec<Effect>) {
    let now = state.now;
    let Some(run) = state.bulk.as_mut() else {
        return;
    };
    let item = &mut run.items[n];
    item.attempts += 1;
    if item.attempts >= ATTEMPTS {
        return settle_item(state, n, Outcome::Unknown(why), effects);
    }
    if let Step::Changing { seq } = item.step {
        state.changes.remove(&seq);
    }
    item.unsettled = Some(journal::SentChange {
        mutation: change.mutation,
        expect: change.expect,
        audit_change: change.audit_change,
    });
    let attempts = item.attempts;
    run.retry(n, Some(now + retry::wait(attempts, None)));
    pump(state, effects);
}

fn on_settled(state: &mut State, n: usize, settled: Settled, effects: &mut Vec<Effect>) {
    let now = state.now;
    match settled.outcome {
        super::change::Outcome::Applied(message) => {
            settle_item(state, n, Outcome::Applied(message), effects)
        }
        super::change::Outcome::Unknown(why) => {
            settle_item(state, n, Outcome::Unknown(why), effects)
        }
        super::change::Outcome::Failed(e) => {
            // A lost answer that a read showed unapplied, or a 429: it did not land, so it
            // may go again (from a fresh read). A refusal is final.
            // The journal keeps its `sent` line with no outcome: should the process stop
            // before the change goes again, the next start reads it before resending.
            let revoking = state
                .bulk
                .as_ref()
                .is_some_and(|r| r.op == op::Op::RevokeAll);
            if revoking && e.status == Some(404) {
                // Kratos answers 404 to revoking the sessions of an identity that has none.
                let why = "no session to revoke (the server has none for it)".to_string();
                settle_item(state, n, Outcome::Unchanged(why), effects);
            } else if e.status == Some(429) || super::change::flow::not_applied_after_loss(&e) {
                if let Some(run) = state.bulk.as_mut() {
                    run.items[n].unsettled = None;
                }
                failed_attempt(state, n, &e, now, effects);
            } else {
                settle_item(state, n, Outcome::Failed(e.line), effects);
            }
        }
    }
}

/// Open the run's screen (`:bulk`).
pub fn show(state: &mut State) {
    if state.bulk.is_some() {
        state.mode = Mode::Bulk;
    } else {
        state.flash = Some(":bulk: no bulk change in this session (mark rows, then X, d, p, :set, :unset or :state)".into());
    }
}

/// Keys on the run's screen: `Esc` pauses a running run and closes a paused or finished
/// one's screen; `Enter` resumes; `s` stops (what was not sent stays unsent); arrows
/// scroll the report.
pub fn on_key(state: &mut State, key: &crossterm::event::KeyEvent, effects: &mut Vec<Effect>) {
    use crate::keymap::KeyAction;
    use crossterm::event::KeyCode;
    let now = state.now;
    let action = state.keymap.action_for(key);
    let Some(run) = state.bulk.as_mut() else {
        state.mode = Mode::Normal;
        return;
    };
    let rows = run.len();
    match (key.code, action) {
        (KeyCode::Esc, _) if run.status == Status::Running => {
            run.status = Status::Paused;
            state.flash = Some("paused: what is out settles; Enter resumes, s stops".into());
        }
        (KeyCode::Esc, _) => state.mode = Mode::Normal,
        (_, Some(KeyAction::Command)) => {
            run.command_over_report = true;
            state.mode = Mode::Command(Default::default());
        }
        (KeyCode::Enter, _) if matches!(run.status, Status::Paused | Status::Interrupted) => {
            run.resume(now);
            state.flash = None;
            pump(state, effects);
        }
        (KeyCode::Char('s'), _) if matches!(run.status, Status::Paused | Status::Interrupted) => {
            run.stop();
            finish_if_done(state, effects);
        }
        (_, Some(KeyAction::MoveDown)) => {
            run.selected = (run.selected + 1).min(rows.saturating_sub(1))
        }
        (_, Some(KeyAction::MoveUp)) => run.selected = run.selected.saturating_sub(1),
        (_, Some(KeyAction::PageDown)) => {
            run.selected = (run.selected + 20).min(rows.saturating_sub(1))
        }
        (_, Some(KeyAction::PageUp)) => run.selected = run.selected.saturating_sub(20),
        (_, Some(KeyAction::First)) => run.selected = 0,
        (_, Some(KeyAction::Last)) => run.selected = rows.saturating_sub(1),
        _ => {}
    }
    state.dirty = true;
}

/// A command line opened over the run's screen closed: the screen comes back (unless the
/// command opened something else).
pub fn command_closed(state: &mut State) {
    let Some(run) = state.bulk.as_mut() else {
        return;
    };
    if std::mem::take(&mut run.command_over_report) && matches!(state.mode, Mode::Normal) {
        state.mode = Mode::Bulk;
    }
}

/// The run's report, when `:export` was typed over its screen: records and their columns.
pub fn report_in_view(state: &State) -> Option<(Vec<Row>, Vec<super::column::Shown>)> {
    let run = state.bulk.as_ref().filter(|r| r.command_over_report)?;
    let rows = run
        .report()
        .into_iter()
        .map(|record| {
            let id = record["id"].as_str().unwrap_or_default().to_string();
            let fields = super::row::Unreadable::default();
            Row::new(id, fields, record)
        })
        .collect();
    let columns = ["id", "name", "outcome", "why"]
        .iter()
        .filter_map(|p| super::column::JsonPath::parse(p).ok())
        .map(|p| super::column::Shown::Path(Box::new(p)))
        .collect();
    Some((rows, columns))
}

/// When the run must wake by itself, if ever.
pub fn wake(state: &State) -> Option<Duration> {
    state.bulk.as_ref()?.wake(state.now)
}

/// At start: a bulk change a crash interrupted (its journal did not end) is shown, paused,
/// for the user to resume (`Enter`) or stop (`s`). The oldest goes first; the others wait
/// for the next start.
pub fn offer_resume(state: &mut State, unfinished: Vec<(String, journal::Replayed)>) {
    for (key, replayed) in unfinished {
        let Some(tab) = state
            .tabs()
            .iter()
            .position(|t| t.profile.name == replayed.profile)
        else {
            continue;
        };
        let seq = state.change_seq();
        state.answered(seq);
        let run = Run::replayed(seq, key, tab, replayed, state.now);
        state.bulk = Some(Box::new(run));
        state.mode = Mode::Bulk;
        return;
    }
}
