//! The lifecycle of one change, apart from any screen: the line it is audited with when sent,
//! its answer, and after a lost answer the re-reads that tell whether it landed, until it is
//! settled (applied, failed or unknown). Every step is a plain function from the change and
//! what came back to the next step, so the dashboard (`settle`, through effects) and any
//! other front end (a command line, a session over SSH) drive it the same way:
//!
//! ```text
//! sent_line → send → answered ─┬─ Settled
//!                              └─ Open { reads } → read each → judged … → Settled
//!                                   (or Open { unknown } until `recheck`)
//! ```
//!
//! The checks before sending (a fresh read, the server copy compared with it) are
//! `before_send`.

use serde_json::Value;

use super::types::{Change, Expect, Field, Outcome, Stage};
use super::verdict::Verdict;
use crate::app::audit::{AuditEntry, AuditOutcome};
use crate::app::model::{ErrorInfo, ListKind, ObjectKind};
use crate::app::mutation::{Done, Issued};
use crate::app::provider::kratos;

/// A read that tells whether a change landed.
#[derive(Debug, Clone, PartialEq)]
pub enum Reread {
    Object {
        kind: ObjectKind,
        id: String,
    },
    /// The first page of `list` (narrowed by `search`).
    List {
        list: ListKind,
        search: Option<String>,
    },
}

/// Where a change stands after a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Not settled: keep `change` (its `stage` says how), send `reads`, and when `unknown`
    /// is given, write `unknown.1` to the audit trail and say `unknown.0`: nothing is sent
    /// to its objects until `recheck` finds out.
    Open {
        change: Change,
        reads: Vec<Reread>,
        unknown: Option<(String, AuditEntry)>,
    },
    Settled(Settled),
}

/// A change that is over.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    pub change: Change,
    pub outcome: Outcome,
    /// Its last audit line.
    pub audit: AuditEntry,
    /// What it issued (a recovery link or code), to show once.
    pub issued: Option<Issued>,
    /// The server copy a re-read found holding neither the change nor the state before it.
    pub server_version: Option<Value>,
}

/// What the server copy read just before sending says about an edit of `field` made from
/// `base`, when it would store `mine` (`None` for a patch, which applies to any copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeforeSend {
    /// The server still holds the base: send.
    Unchanged,
    /// The server already holds exactly the edit: nothing to send.
    AlreadyThere,
    /// Someone else changed it: show both changes before anything is sent.
    Conflict,
}

pub fn before_send(field: Field, base: &Value, theirs: &Value, mine: Option<&Value>) -> BeforeSend {
    let now = field.of(theirs);
    if now == field.of(base) {
        BeforeSend::Unchanged
    } else if mine.is_some_and(|m| now == *m) {
        BeforeSend::AlreadyThere
    } else {
        BeforeSend::Conflict
    }
}

/// The audit line written just before the change leaves.
pub fn sent_line(change: &Change) -> AuditEntry {
    change.audit(AuditOutcome::Sent)
}

/// The answer to the change came back (or was lost).
pub fn answered(change: Change, result: Result<Done, ErrorInfo>) -> Step {
    match result {
        Ok(done) => settled(change, Outcome::Applied(done.message), None, done.issued),
        Err(err) if err.outcome_unknown() && change.expect == Expect::NotRereadable => {
            // The status line leads with what matters; the audit trail and `:error` keep
            // the whole story.
            let what = match &change.subject {
                Some(who) => format!("{} for {who}", issued_kind(&change)),
                None => change.mutation.describe(),
            };
            let why = format!(
                "{what}: outcome unknown, nothing resent (its answer was lost: {}); one may \
                 have been made, but it cannot be read back or shown: make another if needed \
                 (an earlier one stays valid until it expires)",
                err.line
            );
            settled(change, Outcome::Unknown(why), None, None)
        }
        Err(err) if err.outcome_unknown() => recheck(change),
        Err(err) => settled(change, Outcome::Failed(err), None, None),
    }
}

/// What a recovery change makes, for messages.
pub fn issued_kind(change: &Change) -> &'static str {
    match change.mutation {
        crate::app::mutation::Mutation::Kratos(kratos::Change::CreateRecoveryCode { .. }) => {
            "recovery code"
        }
        _ => "recovery link",
    }
}

/// How the failure of a change whose answer was lost, and which a read showed unapplied,
/// begins.
const NOT_APPLIED: &str = "not applied: ";

/// The change failed only because its answer was lost and a read showed it had not landed:
/// sending it again does it once, not twice.
pub fn not_applied_after_loss(err: &ErrorInfo) -> bool {
    err.status.is_none() && !err.lost && err.line.starts_with(NOT_APPLIED)
}

/// Read again what tells whether `change` landed (after a lost answer, or `r` on an unknown
/// outcome); a change no read can tell about is unknown at once.
pub fn recheck(mut change: Change) -> Step {
    if let Expect::Unverifiable { why } = &change.expect {
        let why = format!("outcome unknown: “{}” ({why})", change.mutation.describe());
        return settled(change, Outcome::Unknown(why), Some("re-read"), None);
    }
    let reads = rereads(&change.expect);
    change.stage = Stage::Verifying {
        waiting: reads.len(),
        settled: 0,
    };
    if reads.is_empty() {
        let why = "there is no identifier to look it up by".to_string();
        return judged(change, Verdict::CannotTell(why));
    }
    Step::Open {
        change,
        reads,
        unknown: None,
    }
}

/// The reads that tell whether a change with `expect` landed.
fn rereads(expect: &Expect) -> Vec<Reread> {
    let object = |kind, id: &String| Reread::Object {
        kind,
        id: id.clone(),
    };
    match expect {
        Expect::Value { kind, id, .. } | Expect::Gone { kind, id } => vec![object(*kind, id)],
        Expect::CredentialGone { id } => {
            vec![object(ObjectKind::Kratos(kratos::Object::Credential), id)]
        }
        Expect::SessionsRevoked { sessions } => sessions
            .iter()
            .map(|s| object(ObjectKind::Kratos(kratos::Object::Session), s))
            .collect(),
        Expect::NoActiveSession { identity } => vec![Reread::List {
            list: ListKind::Kratos(kratos::List::Sessions {
                identity: identity.clone(),
            }),
            search: None,
        }],
        Expect::AddressVerified { identity, .. } => vec![object(
            ObjectKind::Kratos(kratos::Object::Identity),
            identity,
        )],
        Expect::Extended { session, .. } => {
            vec![object(ObjectKind::Kratos(kratos::Object::Session), session)]
        }
        Expect::Created {
            identifier: Some(id),
            ..
        } => vec![Reread::List {
            list: ListKind::Kratos(kratos::List::Identities),
            search: Some(id.clone()),
        }],
        Expect::Created {
            identifier: None, ..
        }
        | Expect::Unverifiable { .. }
        | Expect::NotRereadable => Vec::new(),
    }
}

/// One re-read of a change being verified came back, judged.
pub fn judged(mut change: Change, verdict: Verdict) -> Step {
    let Stage::Verifying {
        waiting,
        settled: done,
    } = change.stage.clone()
    else {
        // Not verifying (a late answer after it was settled otherwise): nothing changes.
        return Step::Open {
            change,
            reads: Vec::new(),
            unknown: None,
        };
    };
    let describe = change.mutation.describe();
    let reread = Some("re-read");
    match verdict {
        Verdict::Applied if waiting > 1 => {
            change.stage = Stage::Verifying {
                waiting: waiting - 1,
                settled: done + 1,
            };
            Step::Open {
                change,
                reads: Vec::new(),
                unknown: None,
            }
        }
        Verdict::Applied => {
            let message = format!("done: {describe} (checked by reading it again)");
            settled(change, Outcome::Applied(message), reread, None)
        }
        Verdict::NotApplied if done > 0 || waiting > 1 => {
            // Some of several sessions were revoked: say how far it got, nothing is unknown.
            let total = done + waiting;
            let err = ErrorInfo::new(
                format!(
                    "{describe}: not all applied (checked by reading again; some of {total} still active)"
                ),
                "re-read after a lost answer",
            );
            settled(change, Outcome::Failed(err), reread, None)
        }
        Verdict::NotApplied => {
            let line = format!(
                "{NOT_APPLIED}{describe} (the answer was lost; reading it again shows no change)"
            );
            let err = ErrorInfo::new(line.clone(), line);
            settled(change, Outcome::Failed(err), reread, None)
        }
        Verdict::Neither(theirs) => {
            // Someone else changed it too: it cannot be told, but the server copy is known
            // now, so an editor can show it against the user's version instead of resending.
            let why = format!(
                "whether “{describe}” was applied cannot be told: the server now holds another version"
            );
            let mut step = settled(change, Outcome::Unknown(why), reread, None);
            if let Step::Settled(s) = &mut step {
                s.server_version = Some(theirs);
            }
            step
        }
        Verdict::CannotTell(why) => {
            let why = format!(
                "outcome unknown: “{describe}” ({why}); r checks again, nothing is resent until then"
            );
            let audit = change.audit(AuditOutcome::Unknown);
            change.stage = Stage::Unknown { why: why.clone() };
            Step::Open {
                change,
                reads: Vec::new(),
                unknown: Some((why, audit)),
            }
        }
    }
}

/// The change is over: its last audit line says how, and why when it did not apply.
fn settled(
    change: Change,
    outcome: Outcome,
    via: Option<&'static str>,
    issued: Option<Issued>,
) -> Step {
    let (result, message) = match &outcome {
        Outcome::Applied(m) => (AuditOutcome::Applied, m.clone()),
        // A redirect was not followed: the configured server did not do it, and nothing
        // went anywhere else.
        Outcome::Failed(e) if e.status.is_some_and(|s| (300..400).contains(&s)) => {
            (AuditOutcome::Failed, format!("not applied: {}", e.line))
        }
        Outcome::Failed(e) => (AuditOutcome::Failed, e.line.clone()),
        Outcome::Unknown(why) => (AuditOutcome::Unknown, why.clone()),
    };
    let mut audit = change.audit(result);
    audit.via = via;
    audit.message = Some(message);
    if let Outcome::Failed(e) = &outcome {
        audit.request_id = e.request_id.clone();
    }
    Step::Settled(Settled {
        change,
        outcome,
        audit,
        issued,
        server_version: None,
    })
}

#[cfg(test)]
mod tests {
    //! The lifecycle driven by hand, as a front end without the dashboard would drive it.

    use serde_json::json;

    use super::*;
    use crate::app::model::Provider;
    use crate::app::mutation::Mutation;

    fn revoke(sessions: &[&str]) -> Change {
        let sessions: Vec<String> = sessions.iter().map(|s| s.to_string()).collect();
        Change {
            tab: 0,
            profile: "prod".into(),
            provider: Provider::Kratos,
            mutation: Mutation::Kratos(kratos::Change::RevokeSessions {
                sessions: sessions.clone(),
            }),
            subject: None,
            expect: Expect::SessionsRevoked { sessions },
            audit_change: None,
            draft: None,
            batch: None,
            stage: Stage::Sending,
        }
    }

    fn lost() -> ErrorInfo {
        let mut e = ErrorInfo::new("timed out", "");
        e.lost = true;
        e
    }

    #[test]
    fn a_lost_answer_is_settled_by_rereading_every_object_it_touched() {
        let change = revoke(&["s1", "s2"]);
        assert_eq!(sent_line(&change).outcome, AuditOutcome::Sent);
        let Step::Open { change, reads, .. } = answered(change, Err(lost())) else {
            panic!("a lost answer is not the end")
        };
        assert_eq!(
            reads,
            ["s1", "s2"].map(|id| Reread::Object {
                kind: ObjectKind::Kratos(kratos::Object::Session),
                id: id.into()
            })
        );
        let Step::Open { change, reads, .. } = judged(change, Verdict::Applied) else {
            panic!("one of two re-reads does not settle it")
        };
        assert!(reads.is_empty());
        let Step::Settled(s) = judged(change, Verdict::Applied) else {
            panic!("both re-reads settle it")
        };
        assert_eq!(
            s.outcome,
            Outcome::Applied("done: revoke 2 marked sessions (checked by reading it again)".into())
        );
        assert_eq!(
            (s.audit.outcome, s.audit.via),
            (AuditOutcome::Applied, Some("re-read"))
        );
    }

    #[test]
    fn a_reread_that_cannot_tell_leaves_it_unknown_until_a_recheck() {
        let Step::Open { change, .. } = answered(revoke(&["s1"]), Err(lost())) else {
            panic!()
        };
        let Step::Open {
            change, unknown, ..
        } = judged(change, Verdict::CannotTell("503".into()))
        else {
            panic!("unknown is not settled")
        };
        let (why, audit) = unknown.expect("said and audited");
        assert!(why.contains("r checks again"), "{why}");
        assert_eq!(audit.outcome, AuditOutcome::Unknown);
        assert!(matches!(change.stage, Stage::Unknown { .. }));
        let Step::Open { reads, .. } = recheck(change) else {
            panic!()
        };
        assert_eq!(reads.len(), 1, "a recheck reads again");
    }

    #[test]
    fn a_refusal_and_a_redirect_settle_at_once_as_not_applied() {
        let mut refused = ErrorInfo::new("kratos: 307 to elsewhere", "");
        refused.status = Some(307);
        let Step::Settled(s) = answered(revoke(&["s1"]), Err(refused)) else {
            panic!("a refusal is an answer")
        };
        assert_eq!(s.audit.outcome, AuditOutcome::Failed);
        assert_eq!(
            s.audit.message.as_deref(),
            Some("not applied: kratos: 307 to elsewhere")
        );
    }

    #[test]
    fn the_server_copy_before_a_save_tells_send_from_done_from_conflict() {
        let base = json!({"claims": {"plan": "free"}});
        let mine = json!({"plan": "pro"});
        let check = |theirs: Value, mine: Option<&Value>| {
            before_send(Field::CoreClaims, &base, &theirs, mine)
        };
        assert_eq!(check(base.clone(), Some(&mine)), BeforeSend::Unchanged);
        assert_eq!(
            check(json!({"claims": {"plan": "pro"}}), Some(&mine)),
            BeforeSend::AlreadyThere
        );
        assert_eq!(
            check(json!({"claims": {"plan": "team"}}), Some(&mine)),
            BeforeSend::Conflict
        );
        assert_eq!(
            check(json!({"claims": {"plan": "pro"}}), None),
            BeforeSend::Conflict,
            "a patch is never already there"
        );
    }
}
