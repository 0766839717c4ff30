//! Marks on every list and bulk changes, driven through `update` against a small in-memory
//! Kratos: what is marked, the plan, how many items are out at once, the journal's order
//! against the requests, a lost answer, a 429 and a resume from a journal.

use std::collections::BTreeMap;
use std::time::Duration;

use crossterm::event::KeyCode;
use serde_json::{Value, json};

use super::*;
use crate::app::action::{Done, ObjectFor, PageFor};
use crate::app::bulk::journal::{Line, Outcome, PlanLine, SentChange, replay};
use crate::app::bulk::op::{Op, Target};
use crate::app::bulk::run::{Status, Step};
use crate::app::change::Expect;
use crate::app::model::ObjectKind;
use crate::app::state::Mode;

/// What the fake server does with one change (by its id and how many changes it got before
/// for that id).
enum Fault {
    None,
    /// Applied, but the answer is lost.
    LostAnswer,
    /// Refused with 429 and `Retry-After`.
    TooMany(u64),
    /// 503 before anything was applied (a gateway's answer).
    Unavailable,
}

type FaultScript = dyn Fn(&str, usize) -> Fault;

struct Server {
    identities: BTreeMap<String, Value>,
    /// Changes received per identity (applied or not).
    changes: BTreeMap<String, usize>,
    fault: Box<FaultScript>,
    /// Every effect `update` asked for, in order.
    log: Vec<Effect>,
}

impl Server {
    fn new(total: usize) -> Server {
        let identities = (0..total)
            .map(|i| {
                let row = identity(i);
                let mut raw = (*row.raw.shared()).clone();
                raw["state"] = json!("active");
                raw["metadata_public"] = json!({"plan": format!("p{i}")});
                (row.id.clone(), raw)
            })
            .collect();
        Server {
            identities,
            changes: BTreeMap::new(),
            fault: Box::new(|_, _| Fault::None),
            log: Vec::new(),
        }
    }

    fn row(&self, id: &str) -> Option<Row> {
        let raw = self.identities.get(id)?;
        let i: usize = id[..8].parse().unwrap();
        let mut row = identity(i);
        row.raw = raw.clone().into();
        Some(row)
    }

    /// Answer one effect, if it asks the server something.
    fn answer(&mut self, effect: &Effect) -> Option<Action> {
        match effect {
            Effect::FetchPage { .. } => super::answer(effect, self.identities.len()),
            Effect::FetchObject { ticket, id, .. } => Some(Action::ObjectLoaded {
                ticket: ticket.clone(),
                result: self.row(id).ok_or_else(|| {
                    let mut e = ErrorInfo::new("404 not found", "");
                    e.status = Some(404);
                    e
                }),
            }),
            Effect::Mutate { seq, mutation, .. } => {
                let Mutation::Kratos(kratos::Change::PatchIdentity { identity, patch }) = mutation
                else {
                    panic!("unexpected change {mutation:?}");
                };
                let before = self.changes.get(identity).copied().unwrap_or(0);
                *self.changes.entry(identity.clone()).or_default() += 1;
                let result = match (self.fault)(identity, before) {
                    Fault::Unavailable => {
                        let mut e = ErrorInfo::new("503 upstream connect error", "");
                        e.status = Some(503);
                        Err(e)
                    }
                    Fault::TooMany(secs) => {
                        let mut e = ErrorInfo::new("429 too many requests", "");
                        e.status = Some(429);
                        e.retry_after = Some(Duration::from_secs(secs));
                        Err(e)
                    }
                    fault => {
                        let doc = self.identities.get_mut(identity).unwrap();
                        *doc = crate::editor::apply_patch(doc, patch).unwrap();
                        match fault {
                            Fault::LostAnswer => {
                                let mut e = ErrorInfo::new("connection reset", "");
                                e.lost = true;
                                Err(e)
                            }
                            _ => Ok(Done::from(format!("patched {identity}"))),
                        }
                    }
                };
                Some(Action::MutationDone { seq: *seq, result })
            }
            _ => None,
        }
    }

    /// Run `action` and answer everything it leads to, in order, until nothing is asked.
    fn drive(&mut self, state: &mut State, action: Action) {
        let mut queue: std::collections::VecDeque<Effect> = update(state, action).into();
        while let Some(effect) = queue.pop_front() {
            let reply = self.answer(&effect);
            self.log.push(effect);
            if let Some(reply) = reply {
                queue.extend(update(state, reply));
            }
        }
    }

    fn command(&mut self, state: &mut State, line: &str) {
        self.drive(state, ch(':'));
        for c in line.chars() {
            self.drive(state, ch(c));
        }
        self.drive(state, key(KeyCode::Enter));
    }

    fn mutations(&self) -> usize {
        self.log
            .iter()
            .filter(|e| matches!(e, Effect::Mutate { .. }))
            .count()
    }
}

fn started(total: usize) -> (State, Server) {
    let mut s = kratos_state();
    let mut server = Server::new(total);
    server.drive(&mut s, Action::Resize(100, 30));
    (s, server)
}

#[test]
fn space_marks_and_moves_down_and_mark_all_walks_the_whole_list_without_moving() {
    let (mut s, mut server) = started(120);
    server.drive(&mut s, ch(' '));
    server.drive(&mut s, ch(' '));
    assert_eq!(table(&s).selected(), 2);
    assert_eq!(table(&s).marked().len(), 2);
    server.drive(&mut s, ch(' ')); // a third, then unmark the second
    server.drive(&mut s, key(KeyCode::Up));
    server.drive(&mut s, ch(' '));
    assert_eq!(table(&s).marked().ids().count(), 2);
    let selected = table(&s).selected();
    let loaded = table(&s).known();
    assert!(loaded < 120, "only some pages are loaded: {loaded}");
    server.command(&mut s, "mark all");
    // Every row of the server's list, read page by page for the marks alone.
    assert_eq!(table(&s).marked().len(), 120);
    assert_eq!(
        table(&s).selected(),
        selected,
        "the selection stays where it was"
    );
    let mark_pages = server
        .log
        .iter()
        .filter(|e| {
            matches!(e, Effect::FetchPage { ticket, .. } if matches!(ticket.purpose, PageFor::MarkAll { .. }))
        })
        .count();
    assert_eq!(mark_pages, 1, "one walk-sized page holds 120 identities");
    assert!(s.flash.as_deref().unwrap().contains("120 marked"));
    server.command(&mut s, "mark invert");
    assert_eq!(
        table(&s).marked().len(),
        120 - table(&s).loaded_rows().count()
    );
    server.command(&mut s, "mark none");
    assert!(table(&s).marked().is_empty());
}

#[test]
fn esc_stops_mark_all_keeping_what_it_marked() {
    let (mut s, mut server) = started(35);
    // The walk's page is asked for but not answered yet.
    let effects = {
        server.drive(&mut s, ch(':'));
        for c in "mark all".chars() {
            server.drive(&mut s, ch(c));
        }
        update(&mut s, key(KeyCode::Enter))
    };
    assert!(effects.iter().any(|e| matches!(e, Effect::FetchPage { ticket, .. } if matches!(ticket.purpose, PageFor::MarkAll { .. }))));
    assert!(crate::ui::table::footer(table(&s), s.now).contains("marking all: 0 rows read"));
    server.drive(&mut s, key(KeyCode::Esc));
    assert!(s.flash.as_deref().unwrap().starts_with("stopped marking"));
    assert_eq!(table(&s).mark_walk_read(), None);
}

#[test]
fn marks_are_refused_with_a_reason_where_they_make_no_sense() {
    let kinds = [
        ListKind::Kratos(kratos::List::Credentials {
            identity: "i".into(),
        }),
        ListKind::Core(crate::app::provider::core::List::Credentials { user: "u".into() }),
        ListKind::Audit,
    ];
    for kind in kinds {
        let why = crate::app::marking::not_markable(&kind).expect("not markable");
        assert!(!why.is_empty());
    }
    assert!(
        crate::app::marking::not_markable(&ListKind::Kratos(kratos::List::Identities)).is_none()
    );
    let (mut s, mut server) = started(3);
    server.command(&mut s, "audit");
    server.drive(&mut s, ch(' '));
    assert!(
        s.flash.as_deref().unwrap().contains("marks do not apply"),
        "{:?}",
        s.flash
    );
}

fn mark_all_and_set(s: &mut State, server: &mut Server, total: usize) {
    server.command(s, "mark all");
    server.command(s, "set tier=\"gold\"");
    let Mode::BulkPlan(plan) = &s.mode else {
        panic!("a plan first, got {:?}", s.mode);
    };
    assert_eq!(plan.items.len(), total);
    assert_eq!(
        server.mutations(),
        0,
        "nothing is sent before the count is typed"
    );
}

#[test]
fn a_bulk_set_starts_only_once_the_count_is_typed_and_runs_four_at_a_time() {
    let (mut s, mut server) = started(12);
    mark_all_and_set(&mut s, &mut server, 12);
    server.drive(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(s.mode, Mode::BulkPlan(_)),
        "Enter without the count starts nothing"
    );
    server.drive(&mut s, ch('1'));
    server.drive(&mut s, ch('2'));
    // Hold the answers: see what the run asks for first.
    let first = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.mode, Mode::Bulk));
    let Some(Effect::Journal { line, .. }) = first.first() else {
        panic!("the plan is journaled before anything is read: {first:?}");
    };
    assert!(matches!(**line, Line::Plan(_)));
    let reads = first
        .iter()
        .filter(|e| matches!(e, Effect::FetchObject { ticket, .. } if matches!(ticket.purpose, ObjectFor::Bulk { .. })))
        .count();
    assert_eq!(reads, 4, "the default concurrency");
    let mut queue: std::collections::VecDeque<Effect> = first.into();
    while let Some(effect) = queue.pop_front() {
        let reply = server.answer(&effect);
        server.log.push(effect);
        if let Some(reply) = reply {
            queue.extend(update(&mut s, reply));
        }
    }
    for doc in server.identities.values() {
        assert_eq!(doc["metadata_public"]["tier"], "gold");
        assert!(
            doc["metadata_public"]["plan"].is_string(),
            "other keys stay"
        );
    }
    assert!(
        server.changes.values().all(|&n| n == 1),
        "each changed once"
    );
    // Each change's journal line comes before the change leaves.
    let mut journaled = 0;
    for e in &server.log {
        match e {
            Effect::Journal { line, .. } if matches!(**line, Line::Sent { .. }) => journaled += 1,
            Effect::Mutate { .. } => {
                assert!(journaled > 0, "a change left before its journal line");
                journaled -= 1;
            }
            _ => {}
        }
    }
    let run = s.bulk.as_ref().unwrap();
    assert_eq!(run.status, Status::Finished { stopped: false });
    assert_eq!(run.counts.applied, 12);
    assert!(matches!(
        server.log.iter().rev().find(|e| matches!(e, Effect::Journal { .. })),
        Some(Effect::Journal { line, .. }) if matches!(**line, Line::End { stopped: false })
    ));
    let audit_lines = server
        .log
        .iter()
        .filter(|e| matches!(e, Effect::Audit(_)))
        .count();
    assert_eq!(audit_lines, 24, "a sent and an applied line per item");
}

#[test]
fn an_object_already_so_is_left_unchanged_and_a_gone_one_skipped() {
    let (mut s, mut server) = started(3);
    let (first, second) = {
        let mut ids = server.identities.keys().cloned();
        (ids.next().unwrap(), ids.next().unwrap())
    };
    server.identities.get_mut(&first).unwrap()["metadata_public"]["tier"] = json!("gold");
    mark_all_and_set(&mut s, &mut server, 3);
    server.identities.remove(&second);
    server.drive(&mut s, ch('3'));
    server.drive(&mut s, key(KeyCode::Enter));
    let run = s.bulk.as_ref().unwrap();
    assert_eq!(
        (run.counts.applied, run.counts.unchanged, run.counts.skipped),
        (1, 1, 1)
    );
    assert!(
        matches!(&run.items[1].step, Step::Done(Outcome::Skipped(w)) if w.contains("no longer on the server"))
    );
    assert_eq!(server.mutations(), 1);
}

#[test]
fn a_lost_answer_is_settled_by_reading_and_a_429_holds_the_run_for_its_retry_after() {
    let (mut s, mut server) = started(6);
    let ids: Vec<String> = server.identities.keys().cloned().collect();
    let (lost, limited) = (ids[0].clone(), ids[1].clone());
    server.fault = Box::new(move |id, before| {
        if id == lost && before == 0 {
            Fault::LostAnswer
        } else if id == limited && before == 0 {
            Fault::TooMany(30)
        } else {
            Fault::None
        }
    });
    mark_all_and_set(&mut s, &mut server, 6);
    server.drive(&mut s, ch('6'));
    server.drive(&mut s, key(KeyCode::Enter));
    let run = s.bulk.as_ref().unwrap();
    assert!(run.paused_until.is_some(), "a 429 holds the run");
    assert!(!run.is_over());
    // Time passes to the server's Retry-After: the run goes on by itself.
    assert_eq!(crate::app::bulk::wake(&s), run.paused_until);
    assert_eq!(s.next_wake(), run.paused_until, "the runtime wakes for it");
    s.now += Duration::from_secs(31);
    server.drive(&mut s, Action::Tick);
    let run = s.bulk.as_ref().unwrap();
    assert_eq!(run.counts.applied, 6, "{:?}", run.items);
    assert_eq!(
        server.changes[&ids[0]], 1,
        "the lost answer was read, not resent"
    );
    assert_eq!(
        server.changes[&ids[1]], 2,
        "refused once by the 429, then applied"
    );
    assert!(matches!(&run.items[0].step, Step::Done(Outcome::Applied(w)) if w.contains("reading")));
}

#[test]
fn esc_pauses_and_s_stops_leaving_the_rest_unsent_and_said_so() {
    let (mut s, mut server) = started(12);
    mark_all_and_set(&mut s, &mut server, 12);
    server.drive(&mut s, ch('1'));
    server.drive(&mut s, ch('2'));
    // Start, and pause before any answer arrives.
    let first = update(&mut s, key(KeyCode::Enter));
    server.drive(&mut s, key(KeyCode::Esc));
    assert_eq!(s.bulk.as_ref().unwrap().status, Status::Paused);
    for effect in first {
        if let Some(reply) = server.answer(&effect) {
            server.drive(&mut s, reply);
        }
    }
    // Only the four already out went ahead.
    assert_eq!(server.mutations(), 4);
    server.drive(&mut s, ch('s'));
    let run = s.bulk.as_ref().unwrap();
    assert_eq!(run.status, Status::Finished { stopped: true });
    assert_eq!((run.counts.applied, run.counts.not_sent), (4, 8));
}

#[test]
fn a_run_replayed_from_its_journal_sends_nothing_twice() {
    let (mut s, mut server) = started(3);
    let ids: Vec<String> = server.identities.keys().cloned().collect();
    // Item 0 was done; item 1 was sent and landed, but the process died before its answer;
    // item 2 never left.
    let landed = &mut server.identities.get_mut(&ids[1]).unwrap()["metadata_public"];
    landed["tier"] = json!("gold");
    let after = crate::app::change::Field::IdentityBody.of(&server.identities[&ids[1]]);
    let mut before = after.clone();
    before["metadata_public"]
        .as_object_mut()
        .unwrap()
        .remove("tier");
    let op = Op::Set {
        metadata: crate::app::bulk::op::Metadata::KratosPublic,
        key: "tier".into(),
        value: json!("gold"),
    };
    let lines = [
        Line::Plan(Box::new(PlanLine {
            profile: "kratos".into(),
            target: Target::KratosIdentities,
            op,
            items: ids.iter().map(|id| (id.clone(), String::new())).collect(),
            concurrency: 4,
        })),
        Line::Outcome {
            item: 0,
            outcome: Outcome::Applied("patched".into()),
        },
        Line::Sent {
            item: 1,
            change: Box::new(SentChange {
                mutation: Mutation::Kratos(kratos::Change::PatchIdentity {
                    identity: ids[1].clone(),
                    patch: json!([{"op": "add", "path": "/metadata_public/tier", "value": "gold"}]),
                }),
                expect: Expect::Value {
                    kind: ObjectKind::Kratos(kratos::Object::Identity),
                    id: ids[1].clone(),
                    field: crate::app::change::Field::IdentityBody,
                    before,
                    after,
                },
                audit_change: None,
            }),
        },
    ];
    let text: Vec<String> = lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap())
        .collect();
    let replayed = replay(&text.join("\n")).unwrap();
    crate::app::bulk::offer_resume(&mut s, vec![("k".into(), replayed)]);
    assert!(matches!(s.mode, Mode::Bulk));
    assert_eq!(s.bulk.as_ref().unwrap().status, Status::Interrupted);
    assert_eq!(
        server.mutations(),
        0,
        "nothing goes before the user resumes"
    );
    server.drive(&mut s, key(KeyCode::Enter));
    let run = s.bulk.as_ref().unwrap();
    assert_eq!(run.counts.applied, 3, "{:?}", run.items);
    assert_eq!(
        server.mutations(),
        1,
        "only the item that never left is sent"
    );
    assert_eq!(server.changes.get(&ids[2]), Some(&1));
    assert!(matches!(&run.items[1].step, Step::Done(Outcome::Applied(w)) if w.contains("reading")));
    assert_eq!(
        server.identities[&ids[2]]["metadata_public"]["tier"],
        "gold"
    );
}

#[test]
fn one_object_without_marks_is_changed_at_once_and_said_so() {
    let (mut s, mut server) = started(3);
    server.command(&mut s, "state inactive");
    assert!(matches!(s.mode, Mode::Normal), "no plan for one");
    let first = server.identities.values().next().unwrap();
    assert_eq!(first["state"], "inactive");
    assert!(
        s.flash.as_deref().unwrap().contains("applied"),
        "{:?}",
        s.flash
    );
    server.command(&mut s, "state inactive");
    assert!(
        s.flash.as_deref().unwrap().contains("already inactive"),
        "{:?}",
        s.flash
    );
    assert_eq!(server.mutations(), 1);
}

#[test]
fn a_patch_for_marked_identities_keeps_its_tests_as_preconditions() {
    let op = Op::Patch {
        tests: vec![json!({"op": "test", "path": "/metadata_public/plan", "value": "p1"})],
        patch: json!([{"op": "replace", "path": "/state", "value": "inactive"}]),
    };
    let (_s, server) = started(3);
    let ids: Vec<String> = server.identities.keys().cloned().collect();
    let target = Target::KratosIdentities;
    let held = op.prepare(&target, &ids[1], &server.identities[&ids[1]]);
    assert!(matches!(held, crate::app::bulk::op::Prepared::Send(_)));
    let not = op.prepare(&target, &ids[0], &server.identities[&ids[0]]);
    assert!(
        matches!(&not, crate::app::bulk::op::Prepared::Skip(w) if w.contains("precondition")),
        "{not:?}"
    );
    let (tests, sent) = crate::editor::split_preconditions(&json!([
        {"op": "test", "path": "/state", "value": "active"},
        {"op": "remove", "path": "/metadata_admin/note"}
    ]))
    .unwrap();
    assert_eq!(tests.len(), 1);
    assert_eq!(sent.as_array().unwrap().len(), 1, "Kratos gets no test op");
}

/// The journal lines a run wrote so far, as the file holds them.
fn journal_text(server: &Server) -> String {
    server
        .log
        .iter()
        .filter_map(|e| match e {
            Effect::Journal { line, .. } => Some(serde_json::to_string(line).unwrap()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn killed_mid_run_under_5xx_and_429_then_resumed_every_item_lands_once() {
    let (mut s, mut server) = started(40);
    server.fault = Box::new(|id, before| match (id.as_bytes()[7] % 3, before) {
        (0, 0) => Fault::Unavailable,
        (1, 0) => Fault::TooMany(2),
        (2, 0) if id.as_bytes()[6] % 2 == 0 => Fault::LostAnswer,
        _ => Fault::None,
    });
    mark_all_and_set(&mut s, &mut server, 40);
    server.drive(&mut s, ch('4'));
    server.drive(&mut s, ch('0'));
    // Start, answer a few rounds, then the process dies with requests out.
    let mut queue: std::collections::VecDeque<Effect> = update(&mut s, key(KeyCode::Enter)).into();
    let mut answered = 0;
    while let Some(effect) = queue.pop_front() {
        let reply = server.answer(&effect);
        server.log.push(effect);
        if let Some(reply) = reply {
            answered += 1;
            if answered > 30 {
                break;
            }
            queue.extend(update(&mut s, reply));
        }
    }
    let text = journal_text(&server);
    let mut s = kratos_state();
    server.drive(&mut s, Action::Resize(100, 30));
    crate::app::bulk::offer_resume(&mut s, vec![("k".into(), replay(&text).unwrap())]);
    server.drive(&mut s, key(KeyCode::Enter));
    for _ in 0..20 {
        if s.bulk.as_ref().unwrap().is_over() {
            break;
        }
        s.now += Duration::from_secs(5);
        server.drive(&mut s, Action::Tick);
    }
    let run = s.bulk.as_ref().unwrap();
    assert_eq!(run.counts.applied, 40, "{:#?}", run.items);
    for doc in server.identities.values() {
        assert_eq!(doc["metadata_public"]["tier"], "gold");
    }
}

#[test]
fn the_report_is_exported_from_the_runs_screen_and_the_screen_comes_back() {
    let (mut s, mut server) = started(3);
    mark_all_and_set(&mut s, &mut server, 3);
    server.drive(&mut s, ch('3'));
    server.drive(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.mode, Mode::Bulk));
    server.drive(&mut s, ch(':'));
    for c in "export /tmp/idtui-report-test.csv".chars() {
        server.drive(&mut s, ch(c));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    let job = effects
        .iter()
        .find_map(|e| match e {
            Effect::Export(job) => Some(job),
            _ => None,
        })
        .expect("an export");
    let crate::app::export::job::Source::Rows(rows) = &job.source else {
        panic!("the report's rows, not {:?}", job.source);
    };
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].raw.shared()["outcome"], "applied");
    let titles: Vec<&str> = job.columns.iter().flatten().map(|c| c.title()).collect();
    assert_eq!(titles, ["id", "name", "outcome", "why"]);
    assert!(matches!(s.mode, Mode::Bulk), "the report comes back");
}

#[test]
fn p_on_marked_identities_opens_one_patch_previewed_on_a_marked_one() {
    let (mut s, mut server) = started(3);
    server.drive(&mut s, key(KeyCode::Down));
    server.drive(&mut s, ch(' ')); // marks row 1, moves to row 2
    let marked = table(&s).marked().ids().next().unwrap().to_string();
    server.drive(&mut s, ch('p'));
    let session = s.editor.as_ref().expect("the patch editor");
    assert!(session.bulk);
    assert!(
        session.title.contains("1 marked identities"),
        "{}",
        session.title
    );
    assert_eq!(
        session.target,
        crate::app::editing::session::EditTarget::IdentityPatch { id: marked }
    );
}
