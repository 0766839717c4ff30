//! `update` tests of the operator commands: WHO lookups (`:revoke`, `:goto`, picker), the
//! count in a revocation's question, `:find` across profiles, recovery links and codes,
//! address verification, `:extend`, the Coassemble user editor and MATTR's plain-text search.

use crossterm::event::KeyCode;
use serde_json::{Value, json};

use super::*;
use crate::app::action::{Done, Issued};
use crate::app::audit::AuditOutcome;
use crate::app::model::{ACTIVE_ONLY, Hit};
use crate::app::provider::kratos;
use crate::app::state::{Count, Mode};

fn typed(s: &mut State, line: &str) -> Vec<Effect> {
    let mut effects = update(s, ch(':'));
    for c in line.chars() {
        effects.extend(update(s, ch(c)));
    }
    effects.extend(update(s, key(KeyCode::Enter)));
    effects
}

fn find_seq(effects: &[Effect]) -> (Ticket<FindFor>, String, String) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Find {
                ticket,
                profile,
                text,
            } => Some((ticket.clone(), profile.clone(), text.clone())),
            _ => None,
        })
        .expect("a search was sent")
}

fn count_seq(effects: &[Effect], identity: &str) -> Ticket<PageFor> {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchPage {
                ticket,
                list: ListKind::Kratos(kratos::List::Sessions { identity: i }),
                search: Some(q),
                ..
            } if i == identity && q == ACTIVE_ONLY => Some(ticket.clone()),
            _ => None,
        })
        .expect("the active sessions were asked for")
}

fn hit(i: usize) -> Hit {
    Hit {
        kind: ObjectKind::Kratos(kratos::Object::Identity),
        row: identity(i),
    }
}

fn sessions(active: usize) -> PageData {
    PageData {
        rows: (0..active)
            .map(|k| {
                Row::new(
                    format!("s{k}"),
                    kratos::Session::default(),
                    json!({"id": format!("s{k}"), "active": true}),
                )
            })
            .collect(),
        next: None,
        total: Some(active as u64),
    }
}

fn ready() -> State {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(100, 30), 5);
    s
}

fn mutations(effects: &[Effect]) -> Vec<Mutation> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Mutate { mutation, .. } => Some(mutation.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn revoke_who_finds_the_person_counts_their_sessions_and_asks_once_naming_them() {
    let mut s = ready();
    let effects = typed(&mut s, "revoke user3@example.com");
    let (seq, profile, text) = find_seq(&effects);
    assert_eq!(
        (profile.as_str(), text.as_str()),
        ("kratos", "user3@example.com")
    );
    // A confirm key typed before the question is on screen answers nothing.
    let early = update(&mut s, ch('y'));
    assert!(mutations(&early).is_empty());
    assert!(matches!(s.mode, Mode::Lookup(_)));

    let effects = update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![hit(3)]),
        },
    );
    let count = count_seq(&effects, &identity(3).id);
    update(
        &mut s,
        Action::PageLoaded {
            ticket: count,
            result: Ok(sessions(2)),
        },
    );
    let Mode::Confirm(c) = &s.mode else {
        panic!("{:?}", s.mode)
    };
    assert_eq!(
        c.type_to_confirm, None,
        "the typed WHO was the deliberate part: y confirms"
    );
    assert_eq!(c.subject.as_deref(), Some("user3@example.com (00000003)"));
    assert_eq!(
        c.count,
        Some(Count::Known {
            active: 2,
            more: false
        })
    );
    let headline = crate::app::confirm::headline(c);
    assert!(
        headline.contains("2 active sessions of user3@example.com (00000003)"),
        "{headline}"
    );
    assert!(
        !headline.contains(&identity(3).id),
        "names the person, not the UUID"
    );

    let effects = update(&mut s, ch('y'));
    assert_eq!(
        mutations(&effects),
        vec![Mutation::Kratos(kratos::Change::RevokeAllSessions {
            identity: identity(3).id
        })]
    );
    let seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { seq, .. } => Some(*seq),
            _ => None,
        })
        .unwrap();
    update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Ok(format!(
                "done: {}",
                Mutation::Kratos(kratos::Change::RevokeAllSessions {
                    identity: identity(3).id
                })
                .describe()
            )
            .into()),
        },
    );
    assert_eq!(
        s.flash.as_deref(),
        Some("done: revoked all sessions of user3@example.com (00000003)")
    );
}

#[test]
fn someone_without_an_active_session_is_not_asked_about() {
    let mut s = ready();
    let (seq, ..) = find_seq(&typed(&mut s, "revoke user3@example.com"));
    let effects = update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![hit(3)]),
        },
    );
    let count = count_seq(&effects, &identity(3).id);
    let effects = update(
        &mut s,
        Action::PageLoaded {
            ticket: count,
            result: Ok(sessions(0)),
        },
    );
    assert!(mutations(&effects).is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert!(
        s.flash
            .as_deref()
            .unwrap_or("")
            .contains("no active session"),
        "{:?}",
        s.flash
    );
}

#[test]
fn several_matches_open_a_picker_and_enter_takes_the_chosen_one() {
    let mut s = ready();
    let (seq, ..) = find_seq(&typed(&mut s, "goto user"));
    update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![hit(1), hit(2)]),
        },
    );
    let Mode::Pick(p) = &s.mode else {
        panic!("{:?}", s.mode)
    };
    assert_eq!(p.hits.len(), 2);
    update(&mut s, ch('j'));
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.focused(), Some(Pane::Detail(d)) if d.id == identity(2).id));
}

#[test]
fn no_match_says_so_and_esc_drops_a_late_answer() {
    let mut s = ready();
    let (seq, ..) = find_seq(&typed(&mut s, "revoke nobody@example.com"));
    update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![]),
        },
    );
    assert!(
        s.error
            .as_ref()
            .unwrap()
            .line
            .contains("no one matches “nobody@example.com”")
    );

    let (seq, ..) = find_seq(&typed(&mut s, "revoke user3@example.com"));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.mode, Mode::Normal);
    let effects = update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![hit(3)]),
        },
    );
    assert!(
        effects.is_empty() && s.mode == Mode::Normal,
        "cancelled: {effects:?}"
    );
}

#[test]
fn an_id_prefix_finds_a_loaded_row_the_server_cannot_search_for() {
    let mut s = ready();
    let (seq, ..) = find_seq(&typed(&mut s, "goto 00000004"));
    update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![]),
        },
    );
    assert!(matches!(s.focused(), Some(Pane::Detail(d)) if d.id == identity(4).id));
}

#[test]
fn who_completes_from_the_loaded_rows() {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(100, 30), 10);
    update(&mut s, ch(':'));
    for c in "rev".chars() {
        update(&mut s, ch(c));
    }
    update(&mut s, key(KeyCode::Tab));
    assert!(matches!(&s.mode, Mode::Command(i) if i.text == "revoke "));
    for c in "user7".chars() {
        update(&mut s, ch(c));
    }
    update(&mut s, key(KeyCode::Tab));
    assert!(matches!(&s.mode, Mode::Command(i) if i.text == "revoke user7@example.com"));
}

#[test]
fn every_command_in_the_table_is_understood() {
    for c in crate::app::command_table::COMMANDS {
        let mut s = ready();
        typed(&mut s, c.name);
        let error = s.error.as_ref().map(|e| e.line.clone()).unwrap_or_default();
        assert!(!error.contains("unknown command"), ":{} → {error}", c.name);
        assert!(!c.about.is_empty());
    }
}

#[test]
fn mattr_and_coassemble_say_why_they_cannot_revoke_without_asking_a_server() {
    for provider in [Provider::Core, Provider::Headless] {
        let mut s = state_with(vec![profile("p", provider)]);
        let effects = typed(&mut s, "revoke someone@example.com");
        assert!(!effects.iter().any(|e| matches!(e, Effect::Find { .. })));
        let flash = s.flash.clone().unwrap_or_default();
        assert!(flash.contains("has no sessions"), "{flash}");
        // Their people can still be marked, for a bulk change they do have.
        assert!(table(&s).kind().markable());
    }
}

#[test]
fn x_asks_at_once_and_fills_in_the_count_when_it_comes() {
    let mut s = ready();
    let effects = update(&mut s, ch('X'));
    let count = count_seq(&effects, &identity(0).id);
    let Mode::Confirm(c) = &s.mode else { panic!() };
    assert_eq!(c.count, Some(Count::Counting(count.seq)));
    assert_eq!(
        c.type_to_confirm.as_deref(),
        Some("00000000"),
        "X still types the id"
    );
    update(
        &mut s,
        Action::PageLoaded {
            ticket: count,
            result: Ok(sessions(3)),
        },
    );
    let Mode::Confirm(c) = &s.mode else { panic!() };
    assert!(
        crate::app::confirm::headline(c)
            .contains("ALL 3 active sessions of user0@example.com (00000000)"),
        "{}",
        crate::app::confirm::headline(c)
    );
}

#[test]
fn x_on_someone_with_no_active_session_withdraws_the_question_and_sends_nothing() {
    let mut s = ready();
    let effects = update(&mut s, ch('X'));
    let count = count_seq(&effects, &identity(0).id);
    assert!(matches!(s.mode, Mode::Confirm(_)));
    let effects = update(
        &mut s,
        Action::PageLoaded {
            ticket: count,
            result: Ok(sessions(0)),
        },
    );
    assert!(mutations(&effects).is_empty());
    assert!(matches!(s.mode, Mode::Normal), "{:?}", s.mode);
    let flash = s.flash.clone().unwrap_or_default();
    assert!(
        flash.contains("user0@example.com (00000000) has no active session; nothing sent"),
        "{flash}"
    );
    // A key typed after the question went answers nothing.
    assert!(mutations(&update(&mut s, ch('y'))).is_empty());
}

fn recovery_sent(s: &mut State) -> u64 {
    let (seq, ..) = find_seq(&typed(s, "recovery-link user3@example.com 30m"));
    update(
        s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![hit(3)]),
        },
    );
    let Mode::Confirm(c) = &s.mode else {
        panic!("{:?}", s.mode)
    };
    assert!(crate::app::confirm::headline(c).contains("valid for 30m"));
    let effects = update(s, ch('y'));
    assert_eq!(
        mutations(&effects),
        vec![Mutation::Kratos(kratos::Change::CreateRecoveryLink {
            identity: identity(3).id,
            expires_in: Some("30m".into())
        })]
    );
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { seq, .. } => Some(*seq),
            _ => None,
        })
        .unwrap()
}

#[test]
fn a_recovery_link_is_shown_once_copied_on_request_and_kept_out_of_the_trail() {
    let mut s = ready();
    let seq = recovery_sent(&mut s);
    let link = "https://kratos.example/self-service/recovery?flow=f&token=SECRET123";
    let effects = update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Ok(Done {
                message: "done: created a recovery link".into(),
                issued: Some(Issued {
                    link: link.into(),
                    code: None,
                    expires_at: Some("2026-01-01T00:30:00Z".into()),
                }),
            }),
        },
    );
    for e in &effects {
        if let Effect::Audit(entry) = e {
            let line = serde_json::to_string(entry).unwrap();
            assert!(!line.contains("SECRET123"), "{line}");
        }
    }
    assert!(
        !format!("{:?}", s.mode).contains("SECRET123"),
        "Debug hides it"
    );
    let Mode::Issued(v) = &s.mode else {
        panic!("{:?}", s.mode)
    };
    assert_eq!(v.subject, "user3@example.com (00000003)");
    let effects = update(&mut s, ch('y'));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Copy { text, .. } if text == link))
    );
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.mode, Mode::Normal);
    assert!(!format!("{s:?}").contains("SECRET123"), "gone once closed");
}

#[test]
fn a_lost_recovery_answer_is_unknown_at_once_and_never_resent() {
    let mut s = ready();
    let seq = recovery_sent(&mut s);
    let mut lost = ErrorInfo::new("kratos: timed out", "");
    lost.lost = true;
    let effects = update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Err(lost),
        },
    );
    assert!(mutations(&effects).is_empty(), "nothing resent");
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::FetchObject { .. } | Effect::FetchPage { .. })),
        "nothing can read it back: {effects:?}"
    );
    let outcomes: Vec<AuditOutcome> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(a) => Some(a.outcome),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes, vec![AuditOutcome::Unknown]);
    assert!(
        s.error
            .as_ref()
            .unwrap()
            .line
            .contains("outcome unknown, nothing resent")
    );
    assert!(
        s.changes.is_empty(),
        "the lock is released: another can be made"
    );
    recovery_sent(&mut s);
}

#[test]
fn find_lists_every_profile_as_it_answers_and_enter_opens_on_that_profile() {
    let mut s = state_with(vec![
        profile("kratos", Provider::Kratos),
        profile("core", Provider::Core),
        profile("down", Provider::Kratos),
    ]);
    run(&mut s, Action::Resize(100, 30), 5);
    let effects = typed(&mut s, "find user3@example.com");
    let tickets: Vec<(Ticket<FindFor>, String)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Find {
                ticket, profile, ..
            } => Some((ticket.clone(), profile.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(tickets.len(), 3, "every profile is asked at once");
    let ticket_of = |p: &str| tickets.iter().find(|(_, n)| n == p).unwrap().0.clone();
    update(
        &mut s,
        Action::Found {
            ticket: ticket_of("core"),
            result: Ok(vec![]),
        },
    );
    let cells = |s: &State| -> Vec<Vec<String>> {
        let t = table(s);
        t.loaded_rows()
            .map(|(_, r)| r.cells(t.kind().columns()).map(|c| c.to_string()).collect())
            .collect()
    };
    // Grouped by profile, in the order of the profiles.
    assert_eq!(
        cells(&s)[0][..3],
        ["kratos", "", "searching…"],
        "not answered yet"
    );
    assert_eq!(cells(&s)[1][..3], ["core", "", "no match"]);
    update(
        &mut s,
        Action::Found {
            ticket: ticket_of("down"),
            result: Err(ErrorInfo::new("kratos: cannot connect", "")),
        },
    );
    assert!(cells(&s)[2][2].starts_with("✗ kratos: cannot connect"));
    update(
        &mut s,
        Action::Found {
            ticket: ticket_of("kratos"),
            result: Ok(vec![hit(3)]),
        },
    );
    assert_eq!(
        cells(&s)[0][..3],
        ["kratos", &identity(3).id, "user3@example.com"]
    );
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.tab().unwrap().profile.name, "kratos");
    assert!(matches!(s.focused(), Some(Pane::Detail(d)) if d.id == identity(3).id));
}

#[test]
fn verify_marks_the_named_address_and_a_reread_settles_a_lost_answer() {
    let mut s = ready();
    let mut person = hit(3);
    person.row.raw = crate::app::raw::RawJson::from(json!({
        "id": identity(3).id,
        "traits": {"email": "user3@example.com"},
        "verifiable_addresses": [
            {"value": "user3@example.com", "verified": false},
            {"value": "+15550100", "verified": false}
        ]
    }));
    let (seq, ..) = find_seq(&typed(&mut s, "verify user3@example.com"));
    update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![person]),
        },
    );
    let effects = update(&mut s, ch('y'));
    let want = Mutation::Kratos(kratos::Change::SetAddressVerified {
        identity: identity(3).id,
        address: "user3@example.com".into(),
        verified: true,
    });
    assert_eq!(mutations(&effects), vec![want]);
    let seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { seq, .. } => Some(*seq),
            _ => None,
        })
        .unwrap();
    let mut lost = ErrorInfo::new("reset", "");
    lost.lost = true;
    let effects = update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Err(lost),
        },
    );
    let read = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchObject {
                ticket,
                kind: ObjectKind::Kratos(kratos::Object::Identity),
                ..
            } => Some(ticket.clone()),
            _ => None,
        })
        .expect("read again");
    let now: Value =
        json!({"verifiable_addresses": [{"value": "user3@example.com", "verified": true}]});
    update(
        &mut s,
        Action::ObjectLoaded {
            ticket: read,
            result: Ok(Row::new("x", kratos::Identity::default(), now)),
        },
    );
    assert!(s.changes.is_empty());
    assert!(
        s.flash
            .as_deref()
            .unwrap_or("")
            .contains("checked by reading it again"),
        "{:?}",
        s.flash
    );
}

#[test]
fn extend_sends_the_selected_session_and_a_new_expiry_settles_a_lost_answer() {
    let mut s = ready();
    let effects = typed(&mut s, "all-sessions");
    let page = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchPage {
                ticket,
                list: ListKind::Kratos(kratos::List::AllSessions { active_only: true }),
                ..
            } => Some(ticket.clone()),
            _ => None,
        })
        .expect("the global sessions list is fetched");
    let session = json!({"id": "s1", "active": true, "expires_at": "2026-01-01T00:00:00Z",
        "identity": {"id": identity(3).id, "traits": {"email": "user3@example.com"}}});
    update(
        &mut s,
        Action::PageLoaded {
            ticket: page,
            result: Ok(PageData {
                rows: vec![Row::new("s1", kratos::Session::default(), session)],
                next: None,
                total: None,
            }),
        },
    );
    let effects = typed(&mut s, "extend");
    assert_eq!(
        mutations(&effects),
        vec![Mutation::Kratos(kratos::Change::ExtendSession {
            session: "s1".into()
        })]
    );
    let seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { seq, .. } => Some(*seq),
            _ => None,
        })
        .unwrap();
    let mut lost = ErrorInfo::new("reset", "");
    lost.lost = true;
    let effects = update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Err(lost),
        },
    );
    let read = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchObject {
                ticket,
                kind: ObjectKind::Kratos(kratos::Object::Session),
                ..
            } => Some(ticket.clone()),
            _ => None,
        })
        .expect("the session is read again");
    let later = json!({"id": "s1", "expires_at": "2026-01-02T00:00:00Z"});
    update(
        &mut s,
        Action::ObjectLoaded {
            ticket: read,
            result: Ok(Row::new("s1", kratos::Session::default(), later)),
        },
    );
    assert!(s.changes.is_empty());
    assert!(
        s.flash
            .as_deref()
            .unwrap_or("")
            .starts_with("done: extend session s1"),
        "{:?}",
        s.flash
    );
}

#[test]
fn mattr_plain_text_keeps_the_filter_and_hints_at_the_search_forms() {
    let mut s = state_with(vec![profile("core", Provider::Core)]);
    run(&mut s, Action::Resize(100, 30), 5);
    let mut effects = update(&mut s, ch('/'));
    for c in "Jamie".chars() {
        effects.extend(update(&mut s, ch(c)));
    }
    effects.extend(update(&mut s, key(KeyCode::Enter)));
    assert!(table(&s).search().is_none(), "nothing is sent");
    assert!(
        table(&s).filter().is_some(),
        "the filter of the loaded rows stays"
    );
    assert!(
        s.flash.as_deref().unwrap_or("").contains("key=value"),
        "{:?}",
        s.flash
    );
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('/'));
    for c in "jamie@example.test".chars() {
        update(&mut s, ch(c));
    }
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(table(&s).search(), Some("jamie@example.test"));
}

#[test]
fn read_only_refuses_changing_commands_before_looking_anyone_up() {
    let mut s = State::new(
        vec![profile("kratos", Provider::Kratos)],
        crate::keymap::Keymap::defaults(),
        true,
    );
    for line in [
        "revoke user3@example.com",
        "recovery-link user3@example.com",
        "verify user3@example.com",
        "extend",
    ] {
        let effects = typed(&mut s, line);
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Find { .. })),
            ":{line} looked someone up"
        );
        let flash = s.flash.clone().unwrap_or_default();
        assert!(flash.starts_with("read-only:"), ":{line} → {flash}");
    }
    // Looking is still allowed.
    let effects = typed(&mut s, "goto user3@example.com");
    assert!(effects.iter().any(|e| matches!(e, Effect::Find { .. })));
}

#[test]
fn esc_from_a_hit_opened_on_another_profile_goes_back_to_the_results() {
    let mut s = state_with(vec![
        profile("kratos", Provider::Kratos),
        profile("core", Provider::Core),
    ]);
    run(&mut s, Action::Resize(100, 30), 5);
    s.select_tab(1);
    let effects = typed(&mut s, "find user3@example.com");
    for e in &effects {
        if let Effect::Find {
            ticket, profile, ..
        } = e
        {
            let result = if profile == "kratos" {
                Ok(vec![hit(3)])
            } else {
                Ok(vec![])
            };
            update(
                &mut s,
                Action::Found {
                    ticket: ticket.clone(),
                    result,
                },
            );
        }
    }
    assert_eq!(s.tab().unwrap().profile.name, "core");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.tab().unwrap().profile.name,
        "kratos",
        "opened on its profile"
    );
    assert!(matches!(s.focused(), Some(Pane::Detail(d)) if d.id == identity(3).id));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(
        s.tab().unwrap().profile.name,
        "core",
        "back where the search was"
    );
    assert!(
        matches!(table(&s).kind(), ListKind::Found { .. }),
        "{:?}",
        table(&s).kind()
    );
    // The profile it opened on is as it was before.
    s.select_tab(0);
    assert_eq!(s.tab().unwrap().stack.len(), 1);
}

#[test]
fn credentials_who_from_inside_someone_else_jumps_instead_of_stacking() {
    let mut s = ready();
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.tab().unwrap().stack.len(),
        2,
        "inside the second identity"
    );
    let effects = typed(&mut s, "credentials user3@example.com");
    let (ticket, ..) = find_seq(&effects);
    update(
        &mut s,
        Action::Found {
            ticket,
            result: Ok(vec![hit(3)]),
        },
    );
    let stack = &s.tab().unwrap().stack;
    assert_eq!(stack.len(), 2, "the profile's lists, then user3 alone");
    assert_eq!(stack[1].title, "user3@example.com");
    assert!(matches!(
        table(&s).kind(),
        ListKind::Kratos(kratos::List::Credentials { identity: of }) if *of == identity(3).id
    ));
}
