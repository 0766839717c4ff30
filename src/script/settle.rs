//! The subcommands' driver of one change's lifecycle (`change::flow`), as `app::settle` is
//! the dashboard's: the `sent` line, the request (issued as an `Effect::Mutate`, through
//! the one read-only gate), its answer, and after a lost answer the re-reads that tell
//! whether it landed, each step audited. A re-read that cannot tell is tried again after a
//! backoff (as a bulk item is) before the outcome is left unknown.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::change::flow::{self, Reread, Settled, Step};
use crate::app::change::verdict::{Verdict, judge_list, judge_object};
use crate::app::change::{Change, Expect};
use crate::app::{Action, Effect, ErrorInfo, PageCursor};
use crate::drafts::DraftStore;
use crate::runtime::effects;

use super::Ctx;

/// Rows a re-read list asks for, as the dashboard's.
const REREAD_PAGE: usize = 250;
/// Re-reads of an unknown outcome before it is left unknown, and the first wait between.
const RECHECKS: u32 = 3;
const FIRST_WAIT: Duration = Duration::from_secs(1);

/// How a change ended.
#[derive(Debug)]
pub enum Ended {
    Settled(Box<Settled>),
    /// No read could tell whether it landed.
    Unknown(String),
}

/// Send `change` and follow it until it is settled (or left unknown).
pub async fn send(ctx: &Ctx, change: Change) -> Ended {
    audit(ctx, flow::sent_line(&change));
    let result = mutate(ctx, &change).await;
    let mut step = flow::answered(change, result);
    let mut rechecks = 0;
    loop {
        match step {
            Step::Settled(settled) => {
                audit(ctx, settled.audit.clone());
                return Ended::Settled(Box::new(settled));
            }
            Step::Open {
                change,
                reads,
                unknown: Some((why, line)),
            } => {
                debug_assert!(reads.is_empty());
                audit(ctx, line);
                if rechecks >= RECHECKS {
                    return Ended::Unknown(why);
                }
                tokio::time::sleep(FIRST_WAIT * 2u32.pow(rechecks)).await;
                rechecks += 1;
                step = flow::recheck(change);
            }
            Step::Open {
                change,
                reads,
                unknown: None,
            } => {
                if reads.is_empty() {
                    // Waiting on nothing: only a late answer could leave it so.
                    let why = format!("outcome unknown: “{}”", change.mutation.describe());
                    return Ended::Unknown(why);
                }
                step = judge_each(ctx, change, reads).await;
            }
        }
    }
}

/// Read each of `reads` and judge `change` by it, until one settles it or all are read.
async fn judge_each(ctx: &Ctx, mut change: Change, reads: Vec<Reread>) -> Step {
    let count = reads.len();
    for (i, read) in reads.into_iter().enumerate() {
        let verdict = reread(ctx, &change.profile, &change.expect, read).await;
        match flow::judged(change, verdict) {
            Step::Open {
                change: c,
                reads,
                unknown: None,
            } if reads.is_empty() && i + 1 < count => change = c,
            other => return other,
        }
    }
    unreachable!("the last read returns")
}

/// The change's request, issued as the dashboard issues it.
async fn mutate(ctx: &Ctx, change: &Change) -> Result<crate::app::Done, ErrorInfo> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let drafts = DraftStore::new(DraftStore::default_dir());
    effects::spawn(
        Effect::Mutate {
            seq: 0,
            profile: change.profile.clone(),
            mutation: change.mutation.clone(),
        },
        &ctx.backends,
        &drafts,
        &ctx.audit,
        ctx.read_only,
        &tx,
    );
    drop(tx);
    match rx.recv().await {
        Some(Action::MutationDone { result, .. }) => result,
        _ => {
            let mut lost = ErrorInfo::new("the request ended without an answer", "");
            lost.lost = true;
            Err(lost)
        }
    }
}

/// One re-read, judged against what the change expects.
async fn reread(ctx: &Ctx, profile: &str, expect: &Expect, read: Reread) -> Verdict {
    let backend = match ctx.backends.get(profile) {
        Ok(b) => b,
        Err(e) => return Verdict::CannotTell(e.line),
    };
    match read {
        Reread::Object { kind, id } => match backend.get(kind, id).await {
            Ok(row) => judge_object(expect, Ok(Some(&row.raw))),
            Err(e) if e.status == Some(404) => judge_object(expect, Ok(None)),
            Err(e) => judge_object(expect, Err(&e)),
        },
        Reread::List { list, search } => {
            match backend
                .list(list, search, PageCursor::First, REREAD_PAGE)
                .await
            {
                Ok(page) => judge_list(expect, &page.rows),
                Err(e) => Verdict::CannotTell(e.line),
            }
        }
    }
}

fn audit(ctx: &Ctx, entry: crate::app::audit::AuditEntry) {
    if let Err(e) = effects::write_audit(&ctx.backends, &ctx.audit, entry) {
        super::say(&format!("audit trail not written: {e}"));
    }
}
