//! `update` tests of what the prompts say: `x` on a session already revoked (shown inactive,
//! or revoked from here a moment ago) sends nothing and says so, a question never sits over
//! an old refusal, and an identifier two Coassemble clients share opens the picker with each
//! client named.

use crossterm::event::KeyCode;
use serde_json::json;

use super::*;
use crate::app::model::Hit;
use crate::app::provider::{headless, kratos};

/// A Kratos server held in memory: the demo identities at the root, and under each the
/// sessions `sessions` (id, active). Its lists never change: a refresh read that raced ahead
/// of a revocation shows the session as it was.
struct Server {
    sessions: Vec<(&'static str, bool)>,
    sent: Vec<Mutation>,
    /// Answer the next mutation with a 400.
    refuse: bool,
}

impl Server {
    fn new(sessions: &[(&'static str, bool)]) -> Server {
        Server {
            sessions: sessions.to_vec(),
            sent: Vec::new(),
            refuse: false,
        }
    }

    fn pump(&mut self, s: &mut State, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let reply = match effect {
                Effect::FetchPage {
                    ticket,
                    list: ListKind::Kratos(kratos::List::Sessions { .. }),
                    ..
                } => Some(Action::PageLoaded {
                    ticket,
                    result: Ok(PageData {
                        rows: self
                            .sessions
                            .iter()
                            .map(|(id, active)| {
                                let shown = kratos::Session {
                                    active: *active,
                                    ..Default::default()
                                };
                                Row::new(*id, shown, json!({"id": id, "active": active}))
                            })
                            .collect(),
                        next: None,
                        total: None,
                    }),
                }),
                ref e @ Effect::FetchPage { .. } => answer(e, 5),
                Effect::Mutate { seq, mutation, .. } => {
                    self.sent.push(mutation);
                    let result = if std::mem::take(&mut self.refuse) {
                        let mut e = ErrorInfo::new("kratos 400: session cannot be revoked", "");
                        e.status = Some(400);
                        Err(e)
                    } else {
                        Ok("done".into())
                    };
                    Some(Action::MutationDone { seq, result })
                }
                _ => None,
            };
            if let Some(action) = reply {
                queue.extend(update(s, action));
            }
        }
    }

    fn press(&mut self, s: &mut State, action: Action) {
        let effects = update(s, action);
        self.pump(s, effects);
    }
}

/// The first identity opened and its Sessions pane focused.
fn on_sessions(server: &mut Server) -> State {
    let mut s = kratos_state();
    server.press(&mut s, Action::Resize(100, 30));
    server.press(&mut s, key(KeyCode::Enter));
    server.press(&mut s, key(KeyCode::Tab));
    assert!(matches!(
        table(&s).kind(),
        ListKind::Kratos(kratos::List::Sessions { .. })
    ));
    s
}

fn revokes(server: &Server) -> usize {
    server
        .sent
        .iter()
        .filter(|m| {
            matches!(
                m,
                Mutation::Kratos(kratos::Change::RevokeSession { .. })
                    | Mutation::Kratos(kratos::Change::RevokeSessions { .. })
            )
        })
        .count()
}

#[test]
fn x_on_an_inactive_session_says_so_and_sends_nothing() {
    let mut server = Server::new(&[("5e550000-aaaa", true), ("5e551111-bbbb", false)]);
    let mut s = on_sessions(&mut server);
    server.press(&mut s, ch('j'));
    assert_eq!(table(&s).selected_row().unwrap().id, "5e551111-bbbb");
    server.press(&mut s, ch('x'));
    assert_eq!(s.mode, Mode::Normal, "no question about a revoked session");
    let flash = s.flash.clone().unwrap_or_default();
    assert!(
        flash.starts_with("nothing sent: session 5e551111") && flash.contains("already inactive"),
        "{flash}"
    );
    // A y typed next answers nothing either.
    server.press(&mut s, ch('y'));
    assert_eq!(revokes(&server), 0);
}

#[test]
fn x_y_x_y_on_one_session_sends_one_revocation() {
    let mut server = Server::new(&[("5e550000-aaaa", true), ("5e551111-bbbb", true)]);
    let mut s = on_sessions(&mut server);
    for c in ['x', 'y', 'x', 'y'] {
        server.press(&mut s, ch(c));
    }
    assert_eq!(revokes(&server), 1, "{:?}", server.sent);
    // The list still shows it active (its refresh read raced ahead): the second x knew.
    let shown = table(&s).selected_row().unwrap();
    let active = ListKind::Kratos(kratos::List::Sessions {
        identity: String::new(),
    })
    .columns()[1];
    assert_eq!(
        (active.title, active.of(shown).to_string()),
        ("ACTIVE", "yes".into())
    );
    server.press(&mut s, ch('x'));
    assert_eq!(s.mode, Mode::Normal);
    let flash = s.flash.clone().unwrap_or_default();
    assert!(
        flash.contains("already revoked") && flash.contains("nothing sent"),
        "{flash}"
    );
    // Another session is still asked about.
    server.press(&mut s, ch('j'));
    server.press(&mut s, ch('x'));
    assert!(matches!(s.mode, Mode::Confirm(_)), "{:?}", s.flash);
}

#[test]
fn marked_sessions_already_inactive_are_left_out_of_the_count() {
    let mut server = Server::new(&[("5e550000-aaaa", true), ("5e551111-bbbb", false)]);
    let mut s = on_sessions(&mut server);
    server.press(&mut s, ch(' '));
    server.press(&mut s, ch(' '));
    assert_eq!(table(&s).marked().len(), 2);
    server.press(&mut s, ch('x'));
    let Mode::Confirm(c) = &s.mode else {
        panic!("{:?} {:?}", s.mode, s.flash)
    };
    assert_eq!(c.type_to_confirm.as_deref(), Some("1"));
    assert_eq!(
        c.mutation,
        Mutation::Kratos(kratos::Change::RevokeSessions {
            sessions: vec!["5e550000-aaaa".into()]
        })
    );
    assert!(
        c.note
            .as_deref()
            .unwrap()
            .contains("1 marked sessions already inactive")
    );
}

#[test]
fn a_question_does_not_open_over_an_old_refusal() {
    let mut server = Server::new(&[("5e550000-aaaa", true), ("5e551111-bbbb", true)]);
    let mut s = on_sessions(&mut server);
    server.refuse = true;
    server.press(&mut s, ch('x'));
    server.press(&mut s, ch('y'));
    let refusal = s.current_error().map(|e| e.line.clone());
    assert_eq!(
        refusal.as_deref(),
        Some("kratos 400: session cannot be revoked"),
        "the refusal is shown"
    );
    // Moving within the list leaves it up; the next question takes it down.
    server.press(&mut s, ch('j'));
    assert!(s.current_error().is_some());
    server.press(&mut s, ch('x'));
    assert!(matches!(s.mode, Mode::Confirm(_)));
    assert_eq!(s.current_error(), None, "nothing under the question but it");
}

#[test]
fn an_identifier_two_coassemble_clients_share_opens_the_picker_naming_each_client() {
    let mut s = state_with(vec![profile("headless", Provider::Headless)]);
    update(&mut s, Action::Resize(100, 30));
    let mut effects = update(&mut s, ch(':'));
    for c in "goto shared-42".chars() {
        effects.extend(update(&mut s, ch(c)));
    }
    effects.extend(update(&mut s, key(KeyCode::Enter)));
    let seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::Find { ticket, .. } => Some(ticket.clone()),
            _ => None,
        })
        .expect("looked up");
    let user = |name: &str, client: &str| Hit {
        kind: ObjectKind::Headless(headless::Object::User),
        row: Row::new(
            "shared-42",
            headless::User {
                name: name.into(),
                client: client.into(),
                ..Default::default()
            },
            json!({"identifier": "shared-42", "clientIdentifier": client,
                   "metadata": {"name": name}}),
        ),
    };
    update(
        &mut s,
        Action::Found {
            ticket: seq,
            result: Ok(vec![
                user("Sam Shared (Acme)", "acme-corp"),
                user("Sam Shared (Globex)", "globex"),
            ]),
        },
    );
    let Mode::Pick(p) = &s.mode else {
        panic!("no picker: {:?} {:?}", s.mode, s.error)
    };
    let listed: Vec<String> = p.hits.iter().map(Hit::what).collect();
    assert_eq!(
        listed,
        ["user of client acme-corp", "user of client globex"]
    );
    update(&mut s, ch('j'));
    update(&mut s, key(KeyCode::Enter));
    let Some(Pane::Detail(d)) = s.focused() else {
        panic!("nothing opened")
    };
    assert_eq!(d.raw["clientIdentifier"], "globex", "the one chosen");
}
