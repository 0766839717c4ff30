//! The journal of a bulk change, `$XDG_STATE_HOME/idtui/bulk/RUN.jsonl`: the plan first,
//! then, for each item, the change just before it is sent and its outcome once known, and
//! a last line when the run is over. Each line is written in the event loop before the
//! request it announces leaves, so after a `kill -9` or a dropped SSH connection the file
//! says which items were done (not sent again), which were sent without an answer (settled
//! by reading them), and which never left (sent now).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::op::{Op, Target};
use crate::app::change::Expect;
use crate::app::mutation::Mutation;

/// One line of a journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    Plan(Box<PlanLine>),
    /// Item `item`'s change is about to leave.
    Sent {
        item: usize,
        change: Box<SentChange>,
    },
    Outcome {
        item: usize,
        outcome: Outcome,
    },
    /// The run is over (finished, or stopped by the user): nothing to resume.
    End {
        stopped: bool,
    },
}

/// The journal's first line: everything needed to run it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanLine {
    pub profile: String,
    pub target: Target,
    pub op: Op,
    /// `[id, name]` of each item, in the order they are changed.
    pub items: Vec<(String, String)>,
    pub concurrency: usize,
}

/// How one item ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "why")]
pub enum Outcome {
    Applied(String),
    /// Nothing was sent: it already read as the change would leave it.
    Unchanged(String),
    Skipped(String),
    Failed(String),
    /// The answer was lost and no read could tell; `r` checks again.
    Unknown(String),
    /// The user stopped the run before it was sent.
    NotSent(String),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Applied(_) => "applied",
            Outcome::Unchanged(_) => "unchanged",
            Outcome::Skipped(_) => "skipped",
            Outcome::Failed(_) => "failed",
            Outcome::Unknown(_) => "unknown",
            Outcome::NotSent(_) => "not sent",
        }
    }

    pub fn why(&self) -> &str {
        match self {
            Outcome::Applied(w)
            | Outcome::Unchanged(w)
            | Outcome::Skipped(w)
            | Outcome::Failed(w)
            | Outcome::Unknown(w)
            | Outcome::NotSent(w) => w,
        }
    }
}

/// A journal read back: the plan, what each item got to, and whether the run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    pub profile: String,
    pub target: Target,
    pub op: Op,
    pub concurrency: usize,
    pub items: Vec<ReplayedItem>,
    pub ended: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplayedItem {
    pub id: String,
    pub name: String,
    /// The last outcome written for it.
    pub outcome: Option<Outcome>,
    /// Its change, when one was sent after its last outcome (or with none): the answer
    /// was lost with the process, so a read settles it.
    pub sent: Option<SentChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentChange {
    pub mutation: Mutation,
    pub expect: Expect,
    pub audit_change: Option<Value>,
}

/// Read a journal's lines back; `None` without a plan line first. A line that does not
/// parse (one cut by a crash mid-write) is passed over: it was written before what it
/// announces, so what it announced never happened.
pub fn replay(text: &str) -> Option<Replayed> {
    let mut lines = text.lines().map(serde_json::from_str::<Line>);
    let Some(Ok(Line::Plan(plan))) = lines.next() else {
        return None;
    };
    let PlanLine {
        profile,
        target,
        op,
        items,
        concurrency,
    } = *plan;
    let mut replayed = Replayed {
        profile,
        target,
        op,
        concurrency,
        items: items
            .into_iter()
            .map(|(id, name)| ReplayedItem {
                id,
                name,
                outcome: None,
                sent: None,
            })
            .collect(),
        ended: false,
    };
    for line in lines {
        let Ok(line) = line else { continue };
        match line {
            Line::Plan(_) => break,
            Line::Sent { item, change } => {
                if let Some(i) = replayed.items.get_mut(item) {
                    i.sent = Some(*change);
                }
            }
            Line::Outcome { item, outcome } => {
                if let Some(i) = replayed.items.get_mut(item) {
                    // An unknown outcome keeps the change: it is what a later read judges.
                    if !matches!(outcome, Outcome::Unknown(_)) {
                        i.sent = None;
                    }
                    i.outcome = Some(outcome);
                }
            }
            Line::End { .. } => replayed.ended = true,
        }
    }
    Some(replayed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::provider::kratos;

    fn line(l: &Line) -> String {
        serde_json::to_string(l).unwrap()
    }

    #[test]
    fn a_replay_knows_what_was_done_what_was_sent_unanswered_and_what_never_left() {
        let plan = Line::Plan(Box::new(PlanLine {
            profile: "prod".into(),
            target: Target::KratosIdentities,
            op: Op::Delete,
            items: vec![
                ("a".into(), "ada@example.com".into()),
                ("b".into(), "bob@example.com".into()),
                ("c".into(), "cy@example.com".into()),
            ],
            concurrency: 4,
        }));
        let sent = |item: usize, id: &str| Line::Sent {
            item,
            change: Box::new(SentChange {
                mutation: Mutation::Kratos(kratos::Change::DeleteIdentity {
                    identity: id.into(),
                }),
                expect: Expect::Gone {
                    kind: crate::app::model::ObjectKind::Kratos(kratos::Object::Identity),
                    id: id.into(),
                },
                audit_change: None,
            }),
        };
        let text = [
            line(&plan),
            line(&sent(0, "a")),
            line(&Line::Outcome {
                item: 0,
                outcome: Outcome::Applied("deleted".into()),
            }),
            line(&sent(1, "b")),
            // The crash cut the last line in the middle.
            r#"{"outcome":{"item":1,"outc"#.to_string(),
        ]
        .join("\n");
        let r = replay(&text).unwrap();
        assert!(!r.ended);
        assert_eq!(r.items[0].outcome, Some(Outcome::Applied("deleted".into())));
        assert!(r.items[0].sent.is_none());
        assert!(r.items[1].outcome.is_none() && r.items[1].sent.is_some());
        assert!(r.items[2].outcome.is_none() && r.items[2].sent.is_none());
        assert_eq!(replay("not json"), None);
        // A resumed run writes on after the cut line.
        let resumed = format!(
            "{text}\n{}\n{}",
            line(&Line::Outcome {
                item: 1,
                outcome: Outcome::Applied("deleted (checked by reading it again)".into()),
            }),
            line(&Line::End { stopped: false })
        );
        let r = replay(&resumed).unwrap();
        assert!(r.ended && r.items[1].sent.is_none());
    }
}
