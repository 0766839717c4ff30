//! A change comes back: its answer, or when the answer was lost, the re-reads that tell
//! whether it landed. Either way it is settled (applied, failed or unknown), written to the
//! audit trail, and handed to `confirm::finished`.

use super::types::{Change, Expect, Outcome, Stage};
use super::verdict::{Verdict, judge_list, judge_object};
use crate::app::action::{Done, Effect, Mutation};
use crate::app::action::{ObjectFor, PageFor};
use crate::app::audit::AuditOutcome;
use crate::app::model::{ErrorInfo, ListKind, ObjectKind, PageCursor, PageData, Row};
use crate::app::state::{IssuedView, Owner, State};

/// The answer to a change came back.
pub fn on_answer(
    state: &mut State,
    seq: u64,
    result: Result<Done, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    state.answered(seq);
    let Some(change) = state.changes.remove(&seq) else {
        return;
    };
    state.dirty = true;
    match result {
        Ok(done) => {
            let issued = done.issued.map(|issued| IssuedView {
                subject: change
                    .subject
                    .clone()
                    .unwrap_or_else(|| change.mutation.describe()),
                what: issued_kind(&change.mutation),
                issued,
            });
            settle(state, change, Outcome::Applied(done.message), None, effects);
            if let Some(view) = issued {
                crate::app::issued::show(state, view);
            }
        }
        Err(err) if err.outcome_unknown() && change.expect == Expect::NotRereadable => {
            // The status line leads with what matters; the audit trail and `:error` keep
            // the whole story.
            let what = match &change.subject {
                Some(who) => format!("{} for {who}", issued_kind(&change.mutation)),
                None => change.mutation.describe(),
            };
            let why = format!(
                "{what}: outcome unknown, nothing resent (its answer was lost: {}); one may \
                 have been made, but it cannot be read back or shown: make another if needed \
                 (an earlier one stays valid until it expires)",
                err.line
            );
            settle(state, change, Outcome::Unknown(why), None, effects);
        }
        Err(err) if err.outcome_unknown() => {
            state.flash = Some(format!(
                "the answer to “{}” was lost ({}): reading it again to learn whether it was applied…",
                change.mutation.describe(),
                err.line
            ));
            start_verifying(state, seq, change, effects);
        }
        Err(err) => settle(state, change, Outcome::Failed(err), None, effects),
    }
}

/// What a recovery mutation makes, for messages.
fn issued_kind(m: &Mutation) -> &'static str {
    match m {
        Mutation::CreateRecoveryCode { .. } => "recovery code",
        _ => "recovery link",
    }
}

/// `r`: check again every change whose outcome is still unknown.
pub fn recheck_unknown(state: &mut State, effects: &mut Vec<Effect>) {
    let unknown: Vec<u64> = state
        .changes
        .iter()
        .filter(|(_, c)| matches!(c.stage, Stage::Unknown { .. }))
        .map(|(seq, _)| *seq)
        .collect();
    for seq in unknown {
        if let Some(change) = state.changes.remove(&seq) {
            start_verifying(state, seq, change, effects);
        }
    }
}

/// Read again what tells whether `change` landed; a change no read can tell about is
/// unknown at once.
fn start_verifying(state: &mut State, seq: u64, mut change: Change, effects: &mut Vec<Effect>) {
    if let Expect::Unverifiable { why } = &change.expect {
        let why = format!("outcome unknown: “{}” ({why})", change.mutation.describe());
        return settle(
            state,
            change,
            Outcome::Unknown(why),
            Some("re-read"),
            effects,
        );
    }
    let waiting = probe(state, seq, &change, effects);
    change.stage = Stage::Verifying {
        waiting,
        settled: 0,
    };
    state.changes.insert(seq, change);
    if waiting == 0 {
        on_verify(
            state,
            seq,
            Verdict::CannotTell("there is no identifier to look it up by".into()),
            effects,
        );
    }
}

/// Ask for the reads that tell whether `change` landed; returns how many answers to expect.
fn probe(state: &mut State, change_seq: u64, change: &Change, effects: &mut Vec<Effect>) -> usize {
    let profile = change.profile.clone();
    let mut get = |state: &mut State, kind: ObjectKind, id: &str| {
        let ticket = state.ask(Owner::Nobody, ObjectFor::Verify { change: change_seq });
        effects.push(Effect::FetchObject {
            ticket,
            profile: profile.clone(),
            kind,
            id: id.to_string(),
        });
    };
    match &change.expect {
        Expect::Value { kind, id, .. } | Expect::Gone { kind, id } => {
            get(state, *kind, id);
            1
        }
        Expect::CredentialGone { id } => {
            get(state, ObjectKind::Credential, id);
            1
        }
        Expect::Unverifiable { .. } => 0,
        Expect::SessionsRevoked { sessions } => {
            for s in sessions {
                get(state, ObjectKind::Session, s);
            }
            sessions.len()
        }
        Expect::NoActiveSession { identity } => {
            list(
                state,
                change_seq,
                change,
                effects,
                ListKind::KratosSessions {
                    identity: identity.clone(),
                },
                None,
            );
            1
        }
        Expect::AddressVerified { identity, .. } => {
            get(state, ObjectKind::Identity, identity);
            1
        }
        Expect::Extended { session, .. } => {
            get(state, ObjectKind::Session, session);
            1
        }
        Expect::NotRereadable => 0,
        Expect::Created { identifier, .. } => match identifier {
            Some(id) => {
                list(
                    state,
                    change_seq,
                    change,
                    effects,
                    ListKind::KratosIdentities,
                    Some(id.clone()),
                );
                1
            }
            None => 0,
        },
    }
}

fn list(
    state: &mut State,
    change_seq: u64,
    change: &Change,
    effects: &mut Vec<Effect>,
    list: ListKind,
    search: Option<String>,
) {
    let ticket = state.ask(Owner::Nobody, PageFor::Verify { change: change_seq });
    effects.push(Effect::FetchPage {
        ticket,
        profile: change.profile.clone(),
        list,
        search,
        cursor: PageCursor::First,
        size: 250,
    });
}

/// A re-read came back for the change sent as `change_seq`.
pub fn on_verify(state: &mut State, change_seq: u64, verdict: Verdict, effects: &mut Vec<Effect>) {
    let Some(mut change) = state.changes.remove(&change_seq) else {
        return;
    };
    state.dirty = true;
    let Stage::Verifying { waiting, settled } = change.stage.clone() else {
        state.changes.insert(change_seq, change);
        return;
    };
    match verdict {
        Verdict::Applied if waiting > 1 => {
            change.stage = Stage::Verifying {
                waiting: waiting - 1,
                settled: settled + 1,
            };
            state.changes.insert(change_seq, change);
        }
        Verdict::Applied => {
            let message = format!(
                "done: {} (checked by reading it again)",
                change.mutation.describe()
            );
            settle(
                state,
                change,
                Outcome::Applied(message),
                Some("re-read"),
                effects,
            );
        }
        Verdict::NotApplied if settled > 0 || waiting > 1 => {
            // Some of several sessions were revoked: say how far it got, nothing is unknown.
            let total = settled + waiting;
            let mut err = ErrorInfo::new(
                format!(
                    "{}: not all applied (checked by reading again; some of {total} still active)",
                    change.mutation.describe()
                ),
                "re-read after a lost answer",
            );
            err.status = None;
            settle(
                state,
                change,
                Outcome::Failed(err),
                Some("re-read"),
                effects,
            );
        }
        Verdict::NotApplied => {
            let line = format!(
                "not applied: {} (the answer was lost; reading it again shows no change)",
                change.mutation.describe()
            );
            let err = ErrorInfo::new(line.clone(), line);
            settle(
                state,
                change,
                Outcome::Failed(err),
                Some("re-read"),
                effects,
            );
        }
        Verdict::Neither(theirs) => {
            // Someone else changed it too: it cannot be told, but the server copy is known
            // now, so the editor shows it against the user's version instead of resending.
            let why = format!(
                "whether “{}” was applied cannot be told: the server now holds another version",
                change.mutation.describe()
            );
            crate::app::editing::show_server_version(state, &change, theirs);
            settle(
                state,
                change,
                Outcome::Unknown(why),
                Some("re-read"),
                effects,
            );
        }
        Verdict::CannotTell(why) => {
            let why = format!(
                "outcome unknown: “{}” ({why}); r checks again, nothing is resent until then",
                change.mutation.describe()
            );
            effects.push(Effect::Audit(change.audit(AuditOutcome::Unknown)));
            state.flash = Some(why.clone());
            crate::app::editing::outcome_unknown(state, &change, &why);
            change.stage = Stage::Unknown { why };
            state.changes.insert(change_seq, change);
        }
    }
}

/// The page answer to a verification list read.
pub fn on_verify_page(
    state: &mut State,
    change_seq: u64,
    result: Result<PageData, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    let verdict = match (&result, state.changes.get(&change_seq)) {
        (Ok(page), Some(c)) => judge_list(&c.expect, &page.rows),
        (Err(e), _) => Verdict::CannotTell(e.line.clone()),
        (_, None) => return,
    };
    on_verify(state, change_seq, verdict, effects);
}

/// The object answer to a verification read (a 404 means it is gone).
pub fn on_verify_object(
    state: &mut State,
    change_seq: u64,
    result: Result<Row, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    let Some(c) = state.changes.get(&change_seq) else {
        return;
    };
    let verdict = match &result {
        Ok(row) => judge_object(&c.expect, Ok(Some(&row.raw))),
        Err(e) if e.status == Some(404) => judge_object(&c.expect, Ok(None)),
        Err(e) => judge_object(&c.expect, Err(e)),
    };
    on_verify(state, change_seq, verdict, effects);
}

/// The change is over: record it, tell the editor it came from (or drop its draft when the
/// editor is gone), and show the result.
fn settle(
    state: &mut State,
    change: Change,
    outcome: Outcome,
    via: Option<&'static str>,
    effects: &mut Vec<Effect>,
) {
    let (audit, message) = match &outcome {
        Outcome::Applied(m) => (AuditOutcome::Applied, Some(m.clone())),
        // A redirect was not followed: the configured server did not do it, and nothing
        // went anywhere else.
        Outcome::Failed(e) if e.status.is_some_and(|s| (300..400).contains(&s)) => (
            AuditOutcome::Failed,
            Some(format!("not applied: {}", e.line)),
        ),
        Outcome::Failed(e) => (AuditOutcome::Failed, Some(e.line.clone())),
        Outcome::Unknown(why) => (AuditOutcome::Unknown, Some(why.clone())),
    };
    let mut entry = change.audit(audit);
    entry.via = via;
    entry.message = message;
    if let Outcome::Failed(e) = &outcome {
        entry.request_id = e.request_id.clone();
    }
    effects.push(Effect::Audit(entry));
    crate::app::confirm::finished(state, &change, &outcome, effects);
}
