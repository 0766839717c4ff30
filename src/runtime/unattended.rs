//! A bulk run with no screen, for the subcommands: the same `State`, `update` and effects as
//! the dashboard's event loop, so each item goes through the same lifecycle (fresh read,
//! `settle`, audit lines, the journal written before anything leaves), without a terminal
//! to draw on or read keys from. Only the effects a run makes are carried out; a list
//! refresh asked for when it ends has no screen to go to and is dropped.

use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::bulk::run::Run;
use crate::app::change::Stage;
use crate::app::{Action, Effect, PageFor, State, update};
use crate::audit_log::AuditLog;
use crate::bulk_journal::BulkJournals;
use crate::drafts::DraftStore;

use super::backend::Backends;

/// How long a run with nothing out and nothing to wait for is given before it is left.
const STUCK: Duration = Duration::from_secs(1);

/// Where a run's effects go.
pub struct Env<'a> {
    pub backends: &'a Backends,
    pub audit: &'a AuditLog,
    pub journals: &'a BulkJournals,
    pub read_only: bool,
}

/// How an unattended run ended, besides its items' outcomes (in `state.bulk`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ended {
    /// Ctrl-C stopped it: what was not sent was left unsent.
    pub interrupted: bool,
    /// A second Ctrl-C left without waiting for what was out: its journal lets the dashboard
    /// settle those by reading them at its next start.
    pub abandoned: bool,
    /// The journal could not be written (the run was stopped at once).
    pub journal_error: Option<String>,
}

/// Carry out `effects` (a run just begun with `bulk::plan::begin`) and every effect their
/// answers lead to, until the run is over and no change of it is still being settled.
/// `progress` is called after each batch of answers. The first Ctrl-C stops the run (the
/// changes out are settled, the rest is not sent); a second one leaves at once.
pub async fn drive(
    state: &mut State,
    mut effects: Vec<Effect>,
    env: &Env<'_>,
    mut progress: impl FnMut(&Run),
) -> Ended {
    let clock = Instant::now() - state.now;
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let mut ended = Ended::default();
    let drafts = DraftStore::new(DraftStore::default_dir());
    let mut interrupts = interrupts();
    loop {
        let mut stop = false;
        for effect in effects.drain(..) {
            match effect {
                Effect::Journal { key, line } => {
                    if let Err(e) = env.journals.append(&key, &line) {
                        // The journal is what keeps a set exactly-once across a crash:
                        // without it nothing more is sent.
                        if ended.journal_error.is_none() {
                            ended.journal_error = Some(format!("bulk journal not written: {e}"));
                            stop = true;
                        }
                    }
                }
                Effect::FetchPage { ref ticket, .. }
                    if matches!(
                        ticket.purpose,
                        PageFor::Table { .. } | PageFor::MarkAll { .. }
                    ) => {}
                Effect::FetchObject { .. }
                | Effect::FetchPage { .. }
                | Effect::Find { .. }
                | Effect::Mutate { .. }
                | Effect::Audit(_) => {
                    super::effects::spawn(
                        effect,
                        env.backends,
                        &drafts,
                        env.audit,
                        env.read_only,
                        &tx,
                    );
                }
                // What needs a screen, a terminal or the dashboard's files (the version is for
                // the title bar and the editors; the client goes by it by itself).
                Effect::ReadVersion { .. }
                | Effect::Copy { .. }
                | Effect::WriteDraft { .. }
                | Effect::LoadDraft { .. }
                | Effect::DiscardDraft { .. }
                | Effect::FlushDrafts
                | Effect::ExternalEdit { .. }
                | Effect::RememberCommand(_)
                | Effect::SaveColumns(_)
                | Effect::Suspend
                | Effect::Quit
                | Effect::Export(_) => {}
            }
        }
        if stop {
            crate::app::bulk::stop(state, &mut effects);
            continue;
        }
        let Some(run) = state.bulk.as_deref() else {
            return ended;
        };
        progress(run);
        let settling = state
            .changes
            .values()
            .any(|c| !matches!(c.stage, Stage::Unknown { .. }));
        if run.is_over() && !settling {
            return ended;
        }
        let wake = state.next_wake().map(|at| clock + at);
        let action = tokio::select! {
            Some(action) = rx.recv() => action,
            () = tokio::time::sleep_until(wake.unwrap_or_else(Instant::now)), if wake.is_some() => Action::Tick,
            Some(()) = interrupts.next() => {
                if ended.interrupted {
                    ended.abandoned = true;
                    return ended;
                }
                ended.interrupted = true;
                crate::app::bulk::stop(state, &mut effects);
                continue;
            }
            // Nothing is awaited and nothing will wake the run: it cannot move on, and what
            // it holds is reported as it stands rather than waited on for ever.
            () = tokio::time::sleep(STUCK), if wake.is_none() && state.changes.is_empty() && run.in_flight == 0 => {
                return ended;
            }
        };
        state.now = clock.elapsed();
        effects = update(state, action);
    }
}

/// Each Ctrl-C (SIGINT) as it comes.
fn interrupts() -> BoxStream<'static, ()> {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
        Ok(s) => {
            futures::stream::unfold(s, |mut s| async move { s.recv().await.map(|()| ((), s)) })
                .boxed()
        }
        Err(_) => futures::stream::pending().boxed(),
    }
}
