//! The dashboard's driver of the change lifecycle (`change::flow`): a change is sent once
//! `busy` finds its objects free, its answer and re-reads arrive as actions, each step's
//! reads leave as effects with tickets, and the changes not settled yet wait in
//! `State::changes`. What a settled change means for the screen (the editor it came from,
//! the status bar) is reported up to the caller (`Report`, shown by `settled`), which knows
//! the editors and confirmations; nothing here calls up into them.

use super::action::{Done, Effect, ObjectFor, PageFor};
use super::change::flow::{self, Reread, Settled, Step};
use super::change::verdict::{Verdict, judge_list, judge_object};
use super::change::{Change, Stage, expect_of, held_by};
use super::model::{ErrorInfo, PageCursor, PageData, Row};
use super::mutation::Mutation;
use super::state::{Owner, State};

/// Rows a re-read list asks for (the sessions of one identity, identities by identifier).
const REREAD_PAGE: usize = 250;

/// Why nothing may be sent to `object` on `profile` now, if a change to it is unsettled.
pub fn busy(state: &State, profile: &str, object: &str) -> Option<String> {
    state
        .changes
        .values()
        .find(|c| c.profile == profile && c.objects().iter().any(|o| o == object))
        .map(held_by)
}

/// Issue `change` and return its seq, unless an unsettled change holds one of its objects
/// (then say so in the status bar). The audit trail gets a `sent` line first.
pub fn send(state: &mut State, change: Change, effects: &mut Vec<Effect>) -> Option<u64> {
    for object in change.objects() {
        if let Some(why) = busy(state, &change.profile, &object) {
            state.flash = Some(why);
            return None;
        }
    }
    let seq = state.change_seq();
    effects.push(Effect::Audit(flow::sent_line(&change)));
    effects.push(Effect::Mutate {
        seq,
        profile: change.profile.clone(),
        mutation: change.mutation.clone(),
    });
    state.changes.insert(seq, change);
    Some(seq)
}

/// A change sent before the process stopped, with no answer recorded (a bulk run's
/// journal): it is settled by reading, as a lost answer is, before anything is sent again.
/// Its seq and what to report at once (a change no read can tell about), unless an
/// unsettled change holds one of its objects.
pub fn resume(
    state: &mut State,
    change: Change,
    effects: &mut Vec<Effect>,
) -> Option<(u64, Option<Report>)> {
    for object in change.objects() {
        if busy(state, &change.profile, &object).is_some() {
            return None;
        }
    }
    let seq = state.change_seq();
    // Nothing goes out: the read decides; `answered` is never called for it.
    state.answered(seq);
    let report = drive(state, seq, flow::recheck(change), effects);
    Some((seq, report))
}

/// The change a confirmation sends on tab `tab`: no editor, and what a re-read must show.
pub fn plain(state: &State, tab: usize, mutation: Mutation) -> Option<Change> {
    let t = state.tab_at(tab)?;
    Some(Change {
        tab,
        profile: t.profile.name.clone(),
        provider: t.profile.provider,
        subject: None,
        expect: expect_of(&mutation)?,
        mutation,
        audit_change: None,
        draft: None,
        batch: None,
        stage: Stage::Sending,
    })
}

/// What the screen must learn about a change.
#[derive(Debug)]
pub enum Report {
    /// It is over.
    Settled(Box<Settled>),
    /// Whether it landed is unknown for now (`why`); it waits for `r`.
    Unknown { change: Box<Change>, why: String },
}

/// The answer to the change sent as `seq` came back.
pub fn on_answer(
    state: &mut State,
    seq: u64,
    result: Result<Done, ErrorInfo>,
    effects: &mut Vec<Effect>,
) -> Option<Report> {
    state.answered(seq);
    let change = state.changes.remove(&seq)?;
    state.dirty = true;
    let failed = (result.as_ref().err()).map(|e| (e.line.clone(), change.mutation.describe()));
    let step = flow::answered(change, result);
    // The flow reads it again only when the answer was lost: say so while the reads are out.
    if let (Step::Open { reads, .. }, Some((line, what))) = (&step, failed)
        && !reads.is_empty()
    {
        state.flash = Some(format!(
            "the answer to “{what}” was lost ({line}): reading it again to learn whether it was applied…"
        ));
    }
    drive(state, seq, step, effects)
}

/// `r`: check again every change whose outcome is still unknown.
pub fn recheck_unknown(state: &mut State, effects: &mut Vec<Effect>) -> Vec<Report> {
    let unknown: Vec<u64> = state
        .changes
        .iter()
        .filter(|(_, c)| matches!(c.stage, Stage::Unknown { .. }))
        .map(|(seq, _)| *seq)
        .collect();
    unknown
        .into_iter()
        .filter_map(|seq| {
            let change = state.changes.remove(&seq)?;
            drive(state, seq, flow::recheck(change), effects)
        })
        .collect()
}

/// The page answer to a verification list read of the change sent as `change_seq`.
pub fn on_verify_page(
    state: &mut State,
    change_seq: u64,
    result: Result<PageData, ErrorInfo>,
    effects: &mut Vec<Effect>,
) -> Option<Report> {
    let verdict = match (&result, state.changes.get(&change_seq)) {
        (Ok(page), Some(c)) => judge_list(&c.expect, &page.rows),
        (Err(e), _) => Verdict::CannotTell(e.line.clone()),
        (_, None) => return None,
    };
    on_verdict(state, change_seq, verdict, effects)
}

/// The object answer to a verification read (a 404 means it is gone).
pub fn on_verify_object(
    state: &mut State,
    change_seq: u64,
    result: Result<Row, ErrorInfo>,
    effects: &mut Vec<Effect>,
) -> Option<Report> {
    let c = state.changes.get(&change_seq)?;
    let verdict = match &result {
        Ok(row) => judge_object(&c.expect, Ok(Some(&row.raw))),
        Err(e) if e.status == Some(404) => judge_object(&c.expect, Ok(None)),
        Err(e) => judge_object(&c.expect, Err(e)),
    };
    on_verdict(state, change_seq, verdict, effects)
}

fn on_verdict(
    state: &mut State,
    change_seq: u64,
    verdict: Verdict,
    effects: &mut Vec<Effect>,
) -> Option<Report> {
    let change = state.changes.remove(&change_seq)?;
    state.dirty = true;
    drive(state, change_seq, flow::judged(change, verdict), effects)
}

/// Carry out one step of the change sent as `seq`: keep it and send its reads, or report it.
fn drive(state: &mut State, seq: u64, step: Step, effects: &mut Vec<Effect>) -> Option<Report> {
    match step {
        Step::Settled(settled) => {
            effects.push(Effect::Audit(settled.audit.clone()));
            Some(Report::Settled(Box::new(settled)))
        }
        Step::Open {
            change,
            reads,
            unknown,
        } => {
            for read in reads {
                effects.push(reread(state, seq, &change.profile, read));
            }
            let report = unknown.map(|(why, audit)| {
                effects.push(Effect::Audit(audit));
                state.flash = Some(why.clone());
                Report::Unknown {
                    change: Box::new(change.clone()),
                    why,
                }
            });
            state.changes.insert(seq, change);
            report
        }
    }
}

/// The effect asking for one re-read of the change sent as `change_seq`.
fn reread(state: &mut State, change_seq: u64, profile: &str, read: Reread) -> Effect {
    let profile = profile.to_string();
    match read {
        Reread::Object { kind, id } => Effect::FetchObject {
            ticket: state.ask(Owner::Nobody, ObjectFor::Verify { change: change_seq }),
            profile,
            kind,
            id,
        },
        Reread::List { list, search } => Effect::FetchPage {
            ticket: state.ask(Owner::Nobody, PageFor::Verify { change: change_seq }),
            profile,
            list,
            search,
            cursor: PageCursor::First,
            size: REREAD_PAGE,
        },
    }
}
