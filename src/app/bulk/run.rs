//! A bulk change under way: its items, where each stands, and the counts the progress bar
//! shows. Pure bookkeeping; `bulk::drive` turns it into reads, changes and journal lines.

use std::collections::VecDeque;
use std::time::Duration;

use super::journal::{Outcome, Replayed, SentChange};
use super::op::{Op, Target};
use crate::app::model::Provider;

/// Items changed at once on a profile unless its config says otherwise.
pub const CONCURRENCY: usize = 4;
/// Tries of one item whose change did not land for a passing reason (a lost answer that a
/// read showed unapplied, a 5xx) before it is reported failed.
pub const ATTEMPTS: u32 = 4;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Pending,
    /// Its fresh copy is being read.
    Reading,
    /// Its change is out (or being settled by the change lifecycle), as change `seq`.
    Changing {
        seq: u64,
    },
    /// To be tried again at `until` (a passing failure, or its object busy with another
    /// change).
    Waiting {
        until: Duration,
    },
    Done(Outcome),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub step: Step,
    pub attempts: u32,
    /// A change the journal says was sent before a crash, with no answer recorded: settled by
    /// reading before anything is sent again.
    pub unsettled: Option<SentChange>,
}

impl Item {
    /// How people know it: its name, or its id.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    /// `Esc`: nothing new starts; what is out settles.
    Paused,
    /// Found in a journal at start: waits for the user to resume or stop it.
    Interrupted,
    /// Over: every item has its outcome (or was left unsent by `s`).
    Finished {
        stopped: bool,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub applied: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub failed: usize,
    pub unknown: usize,
    pub not_sent: usize,
}

impl Counts {
    pub fn done(&self) -> usize {
        self.applied + self.unchanged
    }

    pub fn settled(&self) -> usize {
        self.applied + self.unchanged + self.skipped + self.failed + self.unknown + self.not_sent
    }

    fn add(&mut self, outcome: &Outcome, by: isize) {
        let n = match outcome {
            Outcome::Applied(_) => &mut self.applied,
            Outcome::Unchanged(_) => &mut self.unchanged,
            Outcome::Skipped(_) => &mut self.skipped,
            Outcome::Failed(_) => &mut self.failed,
            Outcome::Unknown(_) => &mut self.unknown,
            Outcome::NotSent(_) => &mut self.not_sent,
        };
        *n = n.saturating_add_signed(by);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Tells this run's reads and changes from another's.
    pub seq: u64,
    /// The journal's name (`bulk/KEY.jsonl`).
    pub key: String,
    pub tab: usize,
    pub profile: String,
    pub provider: Provider,
    pub target: Target,
    pub op: Op,
    pub items: Vec<Item>,
    pub concurrency: usize,
    pub status: Status,
    /// A 429 holds every item until then.
    pub paused_until: Option<Duration>,
    pub counts: Counts,
    /// Items to start, in order (retries go to the front when due).
    pub queue: VecDeque<usize>,
    /// Items waiting to be tried again, by when: the earliest first, without a scan.
    waits: std::collections::BTreeSet<(Duration, usize)>,
    pub in_flight: usize,
    /// When it (last) started or resumed, and how many items were settled then: the rate
    /// counts only this stretch.
    pub since: Duration,
    pub settled_since: usize,
    /// The report's first line on screen and its selected item.
    pub scroll: usize,
    pub selected: usize,
    /// A `:` command line was opened over the report: `:export` writes the report, and the
    /// report comes back when the line closes.
    pub command_over_report: bool,
    /// Stopped (`s`, Ctrl-C): an item whose change comes back to be tried again is not
    /// tried again, so the run ends once what is out has settled.
    pub stopping: bool,
}

impl Run {
    #[allow(
        clippy::too_many_arguments,
        reason = "a run is made from its plan's parts, each named"
    )]
    pub fn new(
        seq: u64,
        key: String,
        tab: usize,
        profile: String,
        target: Target,
        op: Op,
        items: Vec<(String, String)>,
        concurrency: usize,
        now: Duration,
    ) -> Run {
        let queue = (0..items.len()).collect();
        Run {
            seq,
            key,
            tab,
            profile,
            provider: target.provider(),
            target,
            op,
            items: items
                .into_iter()
                .map(|(id, name)| Item {
                    id,
                    name,
                    step: Step::Pending,
                    attempts: 0,
                    unsettled: None,
                })
                .collect(),
            concurrency: concurrency.max(1),
            status: Status::Running,
            paused_until: None,
            counts: Counts::default(),
            queue,
            waits: Default::default(),
            in_flight: 0,
            since: now,
            settled_since: 0,
            scroll: 0,
            selected: 0,
            command_over_report: false,
            stopping: false,
        }
    }

    /// A run read back from its journal, waiting for the user: done items keep their
    /// outcome, unanswered ones are settled by reading first, the rest are queued.
    pub fn replayed(seq: u64, key: String, tab: usize, r: Replayed, now: Duration) -> Run {
        let items = r
            .items
            .iter()
            .map(|i| (i.id.clone(), i.name.clone()))
            .collect();
        let mut run = Run::new(
            seq,
            key,
            tab,
            r.profile,
            r.target,
            r.op,
            items,
            r.concurrency,
            now,
        );
        run.queue.clear();
        for (n, replayed) in r.items.into_iter().enumerate() {
            let item = &mut run.items[n];
            match (replayed.outcome, replayed.sent) {
                (_, Some(sent)) => {
                    item.unsettled = Some(sent);
                    run.queue.push_back(n);
                }
                (Some(outcome), None) => {
                    run.counts.add(&outcome, 1);
                    item.step = Step::Done(outcome);
                }
                (None, None) => run.queue.push_back(n),
            }
        }
        run.status = Status::Interrupted;
        run
    }

    /// The report as records, one per item in the run's order: `id`, `name`, `outcome`
    /// (applied, unchanged, skipped, failed, unknown, not sent, or where it stands) and
    /// `why`: what `:export` writes from the run's screen.
    pub fn report(&self) -> Vec<serde_json::Value> {
        self.items
            .iter()
            .map(|i| {
                let (outcome, why) = match &i.step {
                    Step::Done(o) => (o.label(), o.why()),
                    Step::Pending if i.unsettled.is_some() => ("to check", ""),
                    Step::Pending | Step::Waiting { .. } => ("pending", ""),
                    Step::Reading | Step::Changing { .. } => ("in flight", ""),
                };
                serde_json::json!({"id": i.id, "name": i.name, "outcome": outcome, "why": why})
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Items answered with a lost answer before a crash, still to be settled by reading.
    pub fn unsettled(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.unsettled.is_some() && !matches!(i.step, Step::Done(_)))
            .count()
    }

    pub fn is_over(&self) -> bool {
        matches!(self.status, Status::Finished { .. })
    }

    /// Record `outcome` for item `n` (replacing one it had: an unknown outcome settled later).
    pub fn finish_item(&mut self, n: usize, outcome: Outcome) {
        let Some(item) = self.items.get_mut(n) else {
            return;
        };
        match &item.step {
            Step::Reading | Step::Changing { .. } => {
                self.in_flight = self.in_flight.saturating_sub(1)
            }
            Step::Waiting { until } => {
                self.waits.remove(&(*until, n));
            }
            Step::Done(old) => self.counts.add(old, -1),
            Step::Pending => {}
        }
        self.counts.add(&outcome, 1);
        item.unsettled = None;
        item.step = Step::Done(outcome);
    }

    /// Item `n` goes back to the queue, to start again at `until` (now when `None`).
    pub fn retry(&mut self, n: usize, until: Option<Duration>) {
        let Some(item) = self.items.get_mut(n) else {
            return;
        };
        if self.stopping {
            let outcome = match item.unsettled {
                None => Outcome::NotSent("the run was stopped before it was tried again".into()),
                Some(_) => Outcome::Unknown(
                    "sent; the run was stopped before a read could tell whether it landed".into(),
                ),
            };
            self.finish_item(n, outcome);
            return;
        }
        if matches!(item.step, Step::Reading | Step::Changing { .. }) {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        item.step = match until {
            Some(until) => {
                self.waits.insert((until, n));
                Step::Waiting { until }
            }
            None => {
                self.queue.push_front(n);
                Step::Pending
            }
        };
    }

    /// The next item to start now, if the run may start one: running, under its concurrency,
    /// not held by a 429. Items whose wait is over go first.
    pub fn next_item(&mut self, now: Duration) -> Option<usize> {
        if self.status != Status::Running
            || self.in_flight >= self.concurrency
            || self.paused_until.is_some_and(|t| now < t)
        {
            return None;
        }
        self.paused_until = None;
        let due = self
            .waits
            .first()
            .filter(|(until, _)| *until <= now)
            .copied();
        let n = match due {
            Some(wait) => {
                self.waits.remove(&wait);
                wait.1
            }
            None => loop {
                let n = self.queue.pop_front()?;
                if matches!(self.items[n].step, Step::Pending) {
                    break n;
                }
            },
        };
        self.in_flight += 1;
        Some(n)
    }

    /// When, after `now`, the run must wake by itself (a wait or a 429 pause ending), if
    /// ever. While a 429 holds it, only the pause's end: the waits that fell due meanwhile
    /// start then. (A wait already due waits for a free place, which an answer brings.)
    pub fn wake(&self, now: Duration) -> Option<Duration> {
        if self.status != Status::Running {
            return None;
        }
        if let Some(until) = self.paused_until.filter(|&t| t > now) {
            return Some(until);
        }
        self.waits
            .iter()
            .map(|(until, _)| *until)
            .find(|&until| until > now)
    }

    /// Every item has its outcome.
    pub fn all_settled(&self) -> bool {
        self.counts.settled() == self.items.len()
    }

    /// Items settled per second since it (last) started, once there is something to say.
    pub fn rate(&self, now: Duration) -> Option<f64> {
        let secs = now.saturating_sub(self.since).as_secs_f64();
        let n = self.counts.settled().saturating_sub(self.settled_since);
        (secs >= 0.5 && n > 0).then(|| n as f64 / secs)
    }

    /// Start (again) after a pause or at resume: the rate is measured from now.
    pub fn resume(&mut self, now: Duration) {
        self.status = Status::Running;
        self.stopping = false;
        self.since = now;
        self.settled_since = self.counts.settled();
    }

    /// `s`: what was not sent is left unsent (and said so); what is out settles.
    pub fn stop(&mut self) {
        for n in 0..self.items.len() {
            let item = &self.items[n];
            let waiting = matches!(item.step, Step::Pending | Step::Waiting { .. });
            if !waiting {
                continue;
            }
            let outcome = match item.unsettled {
                None => Outcome::NotSent("stopped before it was sent".into()),
                Some(_) => Outcome::Unknown(
                    "sent before idtui stopped; the run was stopped before a read checked it"
                        .into(),
                ),
            };
            self.finish_item(n, outcome);
        }
        self.queue.clear();
        self.status = Status::Paused;
        self.stopping = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run deleting two MATTR users, four at a time, begun at 0 s.
    fn two_deletes() -> Run {
        let items = vec![("a".into(), String::new()), ("b".into(), String::new())];
        let s = Duration::from_secs;
        Run::new(
            1,
            "k".into(),
            0,
            "p".into(),
            Target::CoreUsers,
            Op::Delete,
            items,
            4,
            s(0),
        )
    }

    #[test]
    fn after_a_stop_an_item_that_comes_back_to_be_tried_again_is_left_unsent_and_the_run_can_end() {
        let s = Duration::from_secs;
        let mut run = two_deletes();
        for n in 0..2 {
            assert_eq!(run.next_item(s(0)), Some(n));
            run.items[n].step = Step::Changing { seq: 10 + n as u64 };
        }
        run.stop();
        assert!(!run.all_settled(), "what is out settles first");
        // Item 0's answer was a 5xx that a read showed unapplied; item 1's was lost for good.
        run.retry(0, Some(s(2)));
        run.items[1].unsettled = Some(SentChange {
            mutation: crate::app::Mutation::Core(crate::app::provider::core::Change::DeleteUser {
                user: "b".into(),
            }),
            expect: crate::app::change::Expect::NotRereadable,
            audit_change: None,
        });
        run.retry(1, Some(s(2)));
        assert_eq!(run.in_flight, 0);
        assert!(run.all_settled(), "{:?}", run.items);
        assert_eq!((run.counts.not_sent, run.counts.unknown), (1, 1));
        assert_eq!(run.wake(s(1)), None, "nothing waits to be tried again");
    }

    #[test]
    fn a_429_pause_is_woken_for_even_when_a_wait_fell_due_meanwhile() {
        let s = Duration::from_secs;
        let mut run = two_deletes();
        run.retry(0, Some(s(1)));
        run.paused_until = Some(s(5));
        assert_eq!(run.wake(s(2)), Some(s(5)));
        assert_eq!(run.next_item(s(2)), None, "held by the 429");
        assert_eq!(run.next_item(s(5)), Some(0), "the due wait goes first");
        assert_eq!(run.wake(s(5)), None);
    }
}
