//! `update` tests of the change lifecycle against a fake server held in memory: editors
//! start from a fresh read, saves check for concurrent changes, lost answers are settled by
//! a re-read, one change per object, drafts keep their base.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use super::*;
use crate::app::audit::AuditOutcome;
use crate::app::editing::Phase;
use crate::app::provider::kratos;
use crate::editor::Editor;

/// How the fake answers the next mutation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Ok,
    /// Applied on the server, but the answer is lost on the way back.
    AppliedButLost,
    /// Lost before it reached the server.
    LostBeforeServer,
    /// Not answered at all (still in flight).
    Hold,
    /// Refused by the server with a 400.
    Refuse,
}

struct Fake {
    objects: HashMap<String, Value>,
    drafts: HashMap<String, String>,
    sent: Vec<Mutation>,
    audit: Vec<AuditOutcome>,
    answer: Answer,
    held: Vec<(u64, Mutation)>,
    /// Effects the fake does not answer (kept for assertions).
    other: Vec<Effect>,
    created: usize,
}

impl Fake {
    fn new() -> Fake {
        let mut objects = HashMap::new();
        for i in 0..5 {
            let row = identity(i);
            let mut raw = (*row.raw).clone();
            raw["schema_id"] = json!("default");
            raw["state"] = json!("active");
            raw["metadata_public"] = json!({"plan": "free"});
            objects.insert(row.id.clone(), raw);
        }
        objects.insert("s1".into(), json!({"id": "s1", "active": true}));
        Fake {
            objects,
            drafts: HashMap::new(),
            sent: Vec::new(),
            audit: Vec::new(),
            answer: Answer::Ok,
            held: Vec::new(),
            other: Vec::new(),
            created: 0,
        }
    }

    fn apply(&mut self, m: &Mutation) -> String {
        match m {
            Mutation::Kratos(kratos::Change::UpdateIdentity { identity, body }) => {
                let obj = self.objects.get_mut(identity).unwrap();
                for (k, v) in body.as_object().unwrap() {
                    obj[k] = v.clone();
                }
            }
            Mutation::Kratos(kratos::Change::PatchIdentity { identity, patch }) => {
                let obj = self.objects.get_mut(identity).unwrap();
                let p: json_patch::Patch = serde_json::from_value(patch.clone()).unwrap();
                json_patch::patch(obj, &p).unwrap();
            }
            Mutation::Kratos(kratos::Change::CreateIdentity { body }) => {
                self.created += 1;
                let id = format!("new-{}", self.created);
                let mut raw = body.clone();
                raw["id"] = json!(id);
                self.objects.insert(id.clone(), raw);
                return format!("{}{id}", crate::app::change::CREATED);
            }
            Mutation::Kratos(kratos::Change::RevokeSession { session }) => {
                self.objects.get_mut(session).unwrap()["active"] = json!(false);
            }
            _ => {}
        }
        "done".into()
    }

    fn lost() -> ErrorInfo {
        let mut e = ErrorInfo::new("kratos: connection lost while reading the answer", "");
        e.lost = true;
        e
    }

    /// Run `effects` and everything they lead to.
    fn pump(&mut self, s: &mut State, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let reply = match effect {
                Effect::FetchObject { ticket, id, .. } => Some(Action::ObjectLoaded {
                    ticket,
                    result: match self.objects.get(&id) {
                        Some(raw) => Ok(Row::new(id, kratos::Identity::default(), raw.clone())),
                        None => {
                            let mut e = ErrorInfo::new("404 not found", "");
                            e.status = Some(404);
                            Err(e)
                        }
                    },
                }),
                Effect::FetchPage {
                    ticket, ref search, ..
                } if search.is_some() => {
                    let q = search.clone().unwrap();
                    let rows = self
                        .objects
                        .iter()
                        .filter(|(_, v)| v["traits"]["email"] == json!(q))
                        .map(|(id, v)| Row::new(id.clone(), kratos::Identity::default(), v.clone()))
                        .collect();
                    Some(Action::PageLoaded {
                        ticket,
                        result: Ok(PageData {
                            rows,
                            next: None,
                            total: None,
                        }),
                    })
                }
                ref e @ Effect::FetchPage { .. } => answer(e, 5),
                Effect::LoadDraft { key } => Some(Action::DraftLoaded {
                    text: self.drafts.get(&key).cloned(),
                    key,
                }),
                Effect::WriteDraft { key, text } => {
                    self.drafts.insert(key, text);
                    None
                }
                Effect::DiscardDraft { key } => {
                    self.drafts.remove(&key);
                    None
                }
                Effect::Audit(entry) => {
                    self.audit.push(entry.outcome);
                    None
                }
                Effect::Mutate { seq, mutation, .. } => {
                    self.sent.push(mutation.clone());
                    match self.answer {
                        Answer::Ok => Some(Action::MutationDone {
                            seq,
                            result: Ok(self.apply(&mutation).into()),
                        }),
                        Answer::AppliedButLost => {
                            self.apply(&mutation);
                            Some(Action::MutationDone {
                                seq,
                                result: Err(Fake::lost()),
                            })
                        }
                        Answer::LostBeforeServer => Some(Action::MutationDone {
                            seq,
                            result: Err(Fake::lost()),
                        }),
                        Answer::Refuse => {
                            let mut e = ErrorInfo::new("kratos 400: traits are invalid", "");
                            e.status = Some(400);
                            Some(Action::MutationDone {
                                seq,
                                result: Err(e),
                            })
                        }
                        Answer::Hold => {
                            self.held.push((seq, mutation));
                            None
                        }
                    }
                }
                other => {
                    self.other.push(other);
                    None
                }
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

    fn release_held(&mut self, s: &mut State) {
        for (seq, m) in std::mem::take(&mut self.held) {
            let result = Ok(self.apply(&m).into());
            self.press(s, Action::MutationDone { seq, result });
        }
    }

    fn plan(&self, i: usize) -> Value {
        self.objects[&identity(i).id]["metadata_public"]["plan"].clone()
    }
}

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn ready() -> (State, Fake) {
    let mut s = kratos_state();
    let mut fake = Fake::new();
    fake.press(&mut s, Action::Resize(100, 30));
    (s, fake)
}

fn editor_text(s: &State) -> String {
    s.editor
        .as_ref()
        .expect("editor open")
        .editor
        .buffer()
        .text()
}

fn phase(s: &State) -> &Phase {
    &s.editor.as_ref().expect("editor open").phase
}

/// Replace the editor's whole text (select all is not a key here: clear line by line).
fn set_text(fake: &mut Fake, s: &mut State, text: &str) {
    let session = s.editor.as_mut().unwrap();
    if let crate::app::editing::EditorBox::Json(e) = &mut session.editor {
        e.restore_draft(text);
    } else if let crate::app::editing::EditorBox::Patch(e) = &mut session.editor {
        e.restore_draft(text);
    }
    let _ = fake;
}

#[test]
fn the_editor_starts_from_a_fresh_read_so_a_patch_is_not_reverted_by_the_next_edit() {
    let (mut s, mut fake) = ready();
    // p: replace the plan, save.
    fake.press(&mut s, ch('p'));
    assert!(matches!(phase(&s), Phase::Editing));
    set_text(
        &mut fake,
        &mut s,
        r#"[{"op": "replace", "path": "/metadata_public/plan", "value": "team"}]"#,
    );
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.plan(0), "team");
    assert!(s.editor.is_none(), "saved and closed");
    // e then Ctrl-s without editing: the editor shows the server's plan and sends nothing.
    fake.press(&mut s, ch('e'));
    assert!(editor_text(&s).contains("\"team\""), "{}", editor_text(&s));
    let before = fake.sent.len();
    fake.press(&mut s, ctrl('s'));
    assert_eq!(
        fake.sent.len(),
        before,
        "an unchanged document sends nothing"
    );
    assert_eq!(fake.plan(0), "team");
    assert!(
        s.editor
            .as_ref()
            .unwrap()
            .editor
            .buffer()
            .hint()
            .contains("nothing sent")
    );
}

#[test]
fn a_concurrent_change_is_caught_before_writing_and_can_be_merged() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    // Someone else deactivates the identity meanwhile.
    fake.objects.get_mut(&identity(0).id).unwrap()["state"] = json!("inactive");
    fake.press(&mut s, ctrl('s'));
    assert!(
        fake.sent.is_empty(),
        "nothing sent while the conflict is shown"
    );
    match phase(&s) {
        Phase::Conflict(c) => {
            let theirs: Vec<String> = c.theirs_diff.iter().map(|l| l.marked()).collect();
            assert!(theirs.iter().any(|l| l.contains("inactive")), "{theirs:?}");
            assert!(c.overlaps.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // m merges mine onto theirs; Ctrl-s sends a body that keeps their change.
    fake.press(&mut s, ch('m'));
    assert!(
        fake.sent.is_empty(),
        "merge puts the result in the editor for review"
    );
    fake.press(&mut s, ctrl('s'));
    match &fake.sent[..] {
        [Mutation::Kratos(kratos::Change::UpdateIdentity { body, .. })] => {
            assert_eq!(body["state"], "inactive");
            assert_eq!(body["metadata_public"]["plan"], "pro");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn take_theirs_drops_mine_and_keep_mine_overwrites_after_a_second_check() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.objects.get_mut(&identity(0).id).unwrap()["metadata_public"]["plan"] = json!("team");
    fake.press(&mut s, ctrl('s'));
    match phase(&s) {
        Phase::Conflict(c) => assert_eq!(c.overlaps.len(), 1, "{:?}", c.overlaps),
        other => panic!("{other:?}"),
    }
    fake.press(&mut s, ch('t'));
    assert!(editor_text(&s).contains("\"team\""));
    assert!(!s.editor.as_ref().unwrap().editor.buffer().is_dirty());
    assert!(fake.sent.is_empty());
    // Again, and keep mine this time.
    let mine = editor_text(&s).replace("\"team\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.objects.get_mut(&identity(0).id).unwrap()["metadata_public"]["plan"] = json!("enterprise");
    fake.press(&mut s, ctrl('s'));
    assert!(matches!(phase(&s), Phase::Conflict(_)));
    fake.press(&mut s, ch('k'));
    assert_eq!(fake.sent.len(), 1);
    assert_eq!(fake.plan(0), "pro");
}

#[test]
fn a_restored_draft_keeps_its_base_and_warns_when_the_server_moved_on() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.press(&mut s, ch(' ')); // a keystroke writes the draft
    fake.press(&mut s, key(KeyCode::Esc));
    assert!(s.editor.is_none());
    // Changed with curl meanwhile.
    let obj = fake.objects.get_mut(&identity(0).id).unwrap();
    obj["state"] = json!("inactive");
    obj["metadata_public"]["seats"] = json!(9);
    fake.press(&mut s, ch('r'));
    fake.press(&mut s, ch('e'));
    let session = s.editor.as_ref().unwrap();
    assert!(session.editor.buffer().text().contains("\"pro\""));
    assert!(
        session
            .editor
            .buffer()
            .error()
            .unwrap()
            .contains("changed since this draft was made")
    );
    fake.press(&mut s, ctrl('s'));
    assert!(fake.sent.is_empty());
    assert!(matches!(phase(&s), Phase::Conflict(_)));
}

#[test]
fn a_lost_answer_is_settled_by_reading_again_and_never_resent() {
    let (mut s, mut fake) = ready();
    fake.answer = Answer::AppliedButLost;
    fake.press(&mut s, ch('p'));
    set_text(
        &mut fake,
        &mut s,
        r#"[{"op": "add", "path": "/metadata_public/tags", "value": ["x"]}]"#,
    );
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.sent.len(), 1);
    assert!(s.editor.is_none(), "the re-read showed it applied: closed");
    assert!(
        !fake
            .drafts
            .contains_key("kratos-patch-00000000-0000-4000-8000-000000000000")
    );
    assert_eq!(
        fake.audit,
        vec![AuditOutcome::Sent, AuditOutcome::Applied],
        "audit: sent, then applied"
    );
    assert!(s.changes.is_empty());

    // Lost before the server: the re-read shows no change, the text stays, and only an
    // explicit Ctrl-s sends it again.
    fake.answer = Answer::LostBeforeServer;
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.sent.len(), 2);
    let session = s.editor.as_ref().expect("kept open");
    assert!(
        session
            .editor
            .buffer()
            .error()
            .unwrap()
            .contains("not applied")
    );
    fake.answer = Answer::Ok;
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.sent.len(), 3);
    assert_eq!(fake.plan(0), "pro");
}

#[test]
fn an_unreadable_outcome_locks_the_object_until_r_finds_out() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.answer = Answer::Hold;
    fake.press(&mut s, ctrl('s'));
    let (seq, _) = fake.held.pop().unwrap();
    // The answer is lost and the server cannot be read either.
    let server = std::mem::take(&mut fake.objects);
    let mut down = ErrorInfo::new("cannot connect", "");
    down.lost = true;
    let effects = update(
        &mut s,
        Action::MutationDone {
            seq,
            result: Err(Fake::lost()),
        },
    );
    // While the re-read is out, the status line says why it is being read again.
    let said = s.flash.clone().unwrap_or_default();
    assert!(
        said.contains("was lost") && said.contains("reading it again"),
        "{said}"
    );
    for e in effects {
        if let Effect::FetchObject { ticket, .. } = e {
            fake.press(
                &mut s,
                Action::ObjectLoaded {
                    ticket,
                    result: Err(down.clone()),
                },
            );
        }
    }
    assert!(
        s.editor
            .as_ref()
            .unwrap()
            .editor
            .buffer()
            .error()
            .unwrap()
            .contains("unknown")
    );
    let sent = fake.sent.len();
    fake.press(&mut s, ctrl('s'));
    assert_eq!(
        fake.sent.len(),
        sent,
        "nothing resent while the outcome is unknown"
    );
    // The server is back: r reads again and settles it.
    fake.objects = server;
    fake.objects.get_mut(&identity(0).id).unwrap()["metadata_public"]["plan"] = json!("pro");
    fake.press(&mut s, key(KeyCode::Esc));
    fake.press(&mut s, ch('r'));
    assert!(s.changes.is_empty(), "settled");
    assert_eq!(fake.audit.last(), Some(&AuditOutcome::Applied));
}

#[test]
fn a_second_revoke_of_the_same_session_is_refused_while_the_first_is_out() {
    let (mut s, mut fake) = ready();
    fake.answer = Answer::Hold;
    let m = Mutation::Kratos(kratos::Change::RevokeSession {
        session: "s1".into(),
    });
    crate::app::confirm::send(&mut s, 0, m.clone(), &mut Vec::new());
    // The first one's effects were not pumped: do it by hand as the runtime would.
    let mut effects = Vec::new();
    crate::app::confirm::send(&mut s, 0, m, &mut effects);
    assert!(effects.is_empty(), "refused: {effects:?}");
    assert!(s.flash.as_ref().unwrap().contains("still waiting"));
}

#[test]
fn closing_the_editor_during_a_save_still_drops_the_draft_and_a_create_goes_once() {
    let (mut s, mut fake) = ready();
    fake.answer = Answer::Hold;
    fake.press(&mut s, ch('n'));
    let text = editor_text(&s).replace("\"email\": \"\"", "\"email\": \"new@example.com\"");
    set_text(&mut fake, &mut s, &text);
    fake.press(&mut s, ch(' '));
    fake.press(&mut s, ctrl('s'));
    fake.press(&mut s, ctrl('s'));
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.sent.len(), 1, "one create while it is out");
    // Close, reopen: the draft comes back, and Ctrl-s is refused while the create is out.
    fake.press(&mut s, key(KeyCode::Esc));
    assert!(s.editor.is_none());
    fake.press(&mut s, ch('n'));
    assert!(editor_text(&s).contains("new@example.com"));
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.sent.len(), 1);
    fake.press(&mut s, key(KeyCode::Esc));
    fake.release_held(&mut s);
    assert!(
        fake.drafts.is_empty(),
        "saved: the draft is gone though the editor was closed"
    );
    assert_eq!(fake.created, 1);
}

#[test]
fn text_typed_during_a_save_is_kept_after_it_succeeds() {
    let (mut s, mut fake) = ready();
    fake.answer = Answer::Hold;
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.press(&mut s, ctrl('s'));
    assert!(matches!(phase(&s), Phase::Sending { .. }));
    let again = editor_text(&s).replace("\"pro\"", "\"max\"");
    set_text(&mut fake, &mut s, &again);
    fake.press(&mut s, ch(' ')); // typed while the save is out
    fake.release_held(&mut s);
    let session = s.editor.as_ref().expect("kept open with the newer text");
    assert!(session.editor.buffer().text().contains("\"max\""));
    assert!(matches!(session.phase, Phase::Editing));
    assert_eq!(fake.plan(0), "pro");
    // The next save goes from what was saved: no conflict, sends max.
    fake.answer = Answer::Ok;
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.plan(0), "max");
}

#[test]
fn bidi_and_c1_characters_do_not_make_an_unchanged_object_modified() {
    let (mut s, mut fake) = ready();
    fake.objects.get_mut(&identity(0).id).unwrap()["traits"]["name"] =
        json!("evil\u{202e}txt\u{85}end\u{1b}[2J");
    fake.press(&mut s, ch('e'));
    let session = s.editor.as_ref().unwrap();
    assert!(
        !session.editor.buffer().is_dirty(),
        "{}",
        session.editor.buffer().text()
    );
    fake.press(&mut s, ctrl('s'));
    assert!(fake.sent.is_empty());
}

#[test]
fn typing_keeps_a_draft_with_its_base_and_a_refused_save_keeps_the_text() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('e'));
    let key = s.editor.as_ref().unwrap().draft_key.clone();
    // Typing goes to the editor (`q` does not quit) and is kept as a draft with its base.
    fake.press(&mut s, ch('q'));
    assert!(!s.quit);
    let (text, base) = crate::app::editing::parse_draft(&fake.drafts[&key]);
    assert!(text.starts_with('q'), "{text}");
    assert_eq!(base.unwrap()["metadata_public"]["plan"], "free");
    // Not JSON any more: Ctrl-s refuses locally with the parse error.
    fake.press(&mut s, ctrl('s'));
    assert!(fake.sent.is_empty());
    assert!(s.editor.as_ref().unwrap().editor.buffer().error().is_some());
    fake.press(&mut s, key_code(KeyCode::Delete)); // the cursor sits on the error
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    // The server refuses: the editor stays, with the error and the text, and the draft.
    fake.answer = Answer::Refuse;
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.sent.len(), 1);
    let session = s.editor.as_ref().expect("editor kept open");
    assert_eq!(
        session.editor.buffer().error(),
        Some("kratos 400: traits are invalid")
    );
    assert_eq!(session.editor.buffer().text(), mine);
    assert!(fake.drafts.contains_key(&key));
    assert_eq!(fake.audit, vec![AuditOutcome::Sent, AuditOutcome::Failed]);
    // Saved: closed and the draft discarded.
    fake.answer = Answer::Ok;
    fake.press(&mut s, ctrl('s'));
    assert!(s.editor.is_none());
    assert!(!fake.drafts.contains_key(&key));
    assert_eq!(fake.plan(0), "pro");
}

fn key_code(code: KeyCode) -> Action {
    key(code)
}

#[test]
fn drafts_from_older_versions_and_patch_drafts_come_back() {
    let (mut s, mut fake) = ready();
    let key = format!("kratos-patch-{}", identity(0).id);
    let patch = r#"[{"op": "replace", "path": "/metadata_public/plan", "value": "pro"}]"#;
    // A plain-text draft, as older versions wrote them.
    fake.drafts.insert(key.clone(), patch.into());
    fake.press(&mut s, ch('p'));
    assert_eq!(editor_text(&s), patch);
    assert!(
        s.editor
            .as_ref()
            .unwrap()
            .editor
            .buffer()
            .hint()
            .contains("older idtui")
    );
    fake.press(&mut s, ctrl('s'));
    match &fake.sent[..] {
        [Mutation::Kratos(kratos::Change::PatchIdentity { patch, .. })] => {
            assert_eq!(patch[0]["path"], "/metadata_public/plan")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.plan(0), "pro");
    assert!(!fake.drafts.contains_key(&key));
}

#[test]
fn n_creates_from_a_template_and_only_on_kratos() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('n'));
    let text = editor_text(&s).replace("\"email\": \"\"", "\"email\": \"n@example.com\"");
    set_text(&mut fake, &mut s, &text);
    fake.press(&mut s, ctrl('s'));
    match &fake.sent[..] {
        [Mutation::Kratos(kratos::Change::CreateIdentity { body })] => {
            assert_eq!(body["schema_id"], "default")
        }
        other => panic!("{other:?}"),
    }
    assert!(s.editor.is_none());
    assert!(
        fake.other.is_empty()
            || !fake
                .other
                .iter()
                .any(|e| matches!(e, Effect::Mutate { .. }))
    );
    // A create whose answer is lost is found again by its identifier, not sent twice.
    fake.answer = Answer::AppliedButLost;
    fake.press(&mut s, ch('n'));
    let text = editor_text(&s).replace("\"email\": \"\"", "\"email\": \"m@example.com\"");
    set_text(&mut fake, &mut s, &text);
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.created, 2);
    assert!(s.editor.is_none(), "found by its email: applied");
    assert_eq!(fake.audit.last(), Some(&AuditOutcome::Applied));
    // Not on other providers.
    let mut s = state_with(vec![profile("core", Provider::Core)]);
    update(&mut s, ch('n'));
    assert!(s.editor.is_none());
}

#[test]
fn the_editor_gets_real_values_from_the_server_not_redacted_ones_from_the_view() {
    let (mut s, mut fake) = ready();
    fake.objects.get_mut(&identity(0).id).unwrap()["metadata_admin"] =
        json!({"api_token": "tok-123"});
    fake.press(&mut s, key(KeyCode::Enter));
    fake.press(&mut s, ch('e'));
    assert!(editor_text(&s).contains("tok-123"));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.press(&mut s, ctrl('s'));
    match &fake.sent[..] {
        [Mutation::Kratos(kratos::Change::UpdateIdentity { body, .. })] => {
            assert_eq!(body["metadata_admin"]["api_token"], "tok-123")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn external_editor_text_comes_back_for_review_and_is_never_saved_directly() {
    let (mut s, mut fake) = ready();
    // E opens the same editor as e and hands its text to $EDITOR once it is read.
    fake.press(&mut s, ch('E'));
    let (key, text) = fake
        .other
        .iter()
        .find_map(|e| match e {
            Effect::ExternalEdit { key, text, .. } => Some((key.clone(), text.clone())),
            _ => None,
        })
        .expect("asks for $EDITOR");
    assert!(text.contains("user0@example.com"), "{text}");
    let edited = text.replace("user0@example.com", "edited@example.com");
    fake.press(
        &mut s,
        Action::ExternalEdited {
            key: key.clone(),
            result: Ok(edited.clone()),
        },
    );
    assert!(fake.sent.is_empty(), "never saved without Ctrl-s");
    assert!(
        crate::app::editing::parse_draft(&fake.drafts[&key])
            .0
            .contains("edited@")
    );
    assert!(s.editor.as_ref().unwrap().editor.buffer().is_dirty());
    // A failed $EDITOR keeps the text and says why; an answer for another editor is ignored.
    fake.press(
        &mut s,
        Action::ExternalEdited {
            key: key.clone(),
            result: Err("`nano` exited with exit status: 1".into()),
        },
    );
    assert!(editor_text(&s).contains("edited@example.com"));
    assert!(
        s.editor
            .as_ref()
            .unwrap()
            .editor
            .buffer()
            .error()
            .unwrap()
            .contains("nano")
    );
    fake.press(
        &mut s,
        Action::ExternalEdited {
            key: "another-editor".into(),
            result: Ok("{}".into()),
        },
    );
    assert!(editor_text(&s).contains("edited@example.com"));
    fake.press(&mut s, ctrl('s'));
    match &fake.sent[..] {
        [Mutation::Kratos(kratos::Change::UpdateIdentity { body, .. })] => {
            assert_eq!(body["traits"]["email"], "edited@example.com")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn text_typed_during_a_create_edits_the_new_identity_instead_of_creating_another() {
    let (mut s, mut fake) = ready();
    fake.answer = Answer::Hold;
    fake.press(&mut s, ch('n'));
    let text = editor_text(&s).replace("\"email\": \"\"", "\"email\": \"t@example.com\"");
    set_text(&mut fake, &mut s, &text);
    fake.press(&mut s, ctrl('s'));
    let more = editor_text(&s).replace("\"active\"", "\"inactive\"");
    set_text(&mut fake, &mut s, &more);
    fake.press(&mut s, ch(' '));
    fake.release_held(&mut s);
    assert_eq!(fake.created, 1);
    let session = s.editor.as_ref().expect("kept open");
    assert!(
        matches!(&session.target, crate::app::editing::EditTarget::Identity { id } if id == "new-1")
    );
    fake.answer = Answer::Ok;
    fake.press(&mut s, ctrl('s'));
    assert_eq!(fake.created, 1, "no second create");
    assert_eq!(fake.objects["new-1"]["state"], "inactive");
    assert!(matches!(
        fake.sent.last(),
        Some(Mutation::Kratos(kratos::Change::UpdateIdentity { .. }))
    ));
}

#[test]
fn reopening_while_the_save_is_out_shows_the_saved_server_copy_not_the_old_draft() {
    let (mut s, mut fake) = ready();
    fake.answer = Answer::Hold;
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.press(&mut s, ch(' '));
    fake.press(&mut s, ctrl('s'));
    fake.press(&mut s, key(KeyCode::Esc));
    // Reopened; the save's answer arrives before the editor has read anything.
    let opening = update(&mut s, ch('e'));
    assert!(matches!(phase(&s), Phase::Loading));
    fake.release_held(&mut s);
    fake.pump(&mut s, opening);
    assert!(matches!(phase(&s), Phase::Editing));
    let text = editor_text(&s);
    assert!(text.contains("\"pro\"") && !text.ends_with(' '), "{text}");
    assert!(!s.editor.as_ref().unwrap().editor.buffer().is_dirty());
    assert!(fake.drafts.is_empty());
}

#[test]
fn a_saved_draft_no_longer_holds_up_quitting() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    fake.press(&mut s, ch(' ')); // a keystroke writes the draft
    assert_eq!(s.unsaved_drafts.len(), 1);
    fake.press(&mut s, ctrl('s'));
    assert!(s.editor.is_none(), "saved and closed");
    assert!(s.unsaved_drafts.is_empty(), "{:?}", s.unsaved_drafts);
    let effects = update(&mut s, ch('q'));
    assert!(s.quit && effects.iter().any(|e| matches!(e, Effect::Quit)));
}

#[test]
fn a_patch_removing_a_password_says_so_and_sends_only_after_y() {
    let (mut s, mut fake) = ready();
    fake.objects.get_mut(&identity(0).id).unwrap()["credentials"] =
        json!({"password": {"type": "password", "identifiers": ["user0@example.com"]}});
    fake.press(&mut s, ch('p'));
    let patch = r#"[{"op": "remove", "path": "/credentials/password"}]"#;
    set_text(&mut fake, &mut s, patch);
    fake.press(&mut s, ctrl('s'));
    assert!(fake.sent.is_empty(), "asked first");
    let said = s
        .editor
        .as_ref()
        .unwrap()
        .editor
        .buffer()
        .error()
        .unwrap()
        .to_string();
    assert!(
        said.contains("password") && said.contains("y sends"),
        "{said}"
    );
    // Any other key goes back with the text intact.
    fake.press(&mut s, ch('n'));
    assert!(fake.sent.is_empty());
    assert_eq!(editor_text(&s), patch);
    assert!(matches!(phase(&s), Phase::Editing));
    fake.press(&mut s, ctrl('s'));
    fake.press(&mut s, ch('y'));
    assert!(matches!(
        &fake.sent[..],
        [Mutation::Kratos(kratos::Change::PatchIdentity { .. })]
    ));
}

#[test]
fn quitting_while_a_change_is_out_or_unknown_asks() {
    let (mut s, mut fake) = ready();
    fake.answer = Answer::Hold;
    crate::app::confirm::send(
        &mut s,
        0,
        Mutation::Kratos(kratos::Change::RevokeSession {
            session: "s1".into(),
        }),
        &mut Vec::new(),
    );
    let blockers = crate::app::leaving::quit_blockers(&s);
    assert!(
        blockers.iter().any(|b| b.contains("revoke session s1")),
        "{blockers:?}"
    );
    fake.press(&mut s, ch('q'));
    assert!(!s.quit, "asked instead of quitting");
    assert!(matches!(s.mode, Mode::Quitting { .. }));
}

#[test]
fn a_paste_while_the_editor_loads_is_kept() {
    let (mut s, mut fake) = ready();
    let opening = update(&mut s, ch('p'));
    assert!(matches!(phase(&s), Phase::Loading));
    fake.press(
        &mut s,
        Action::Paste(r#"{"op": "remove", "path": "/metadata_public/plan"}"#.into()),
    );
    fake.pump(&mut s, opening);
    assert!(
        editor_text(&s).contains("/metadata_public/plan"),
        "{}",
        editor_text(&s)
    );
}

#[test]
fn text_typed_while_the_save_checks_the_server_is_kept_after_it_succeeds() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    // Ctrl-s: the pre-save read is out; the user types on before it answers.
    let checking = update(&mut s, ctrl('s'));
    assert!(matches!(phase(&s), Phase::Checking { .. }));
    fake.press(&mut s, key(KeyCode::End));
    fake.press(&mut s, ch('x'));
    fake.pump(&mut s, checking);
    assert_eq!(fake.plan(0), "pro", "what was there at Ctrl-s is saved");
    let session = s.editor.as_ref().expect("kept open: there is unsaved text");
    assert!(session.editor.buffer().text().contains('x'));
    assert!(fake.drafts.contains_key(&session.draft_key));
}

#[test]
fn esc_while_the_save_checks_the_server_cancels_it_and_sends_nothing() {
    let (mut s, mut fake) = ready();
    fake.press(&mut s, ch('e'));
    let mine = editor_text(&s).replace("\"free\"", "\"pro\"");
    set_text(&mut fake, &mut s, &mine);
    let checking = update(&mut s, ctrl('s'));
    assert!(matches!(phase(&s), Phase::Checking { .. }));
    fake.press(&mut s, key(KeyCode::Esc));
    assert!(s.editor.is_none());
    let flash = s.flash.clone().unwrap_or_default();
    assert!(
        flash.contains("save cancelled") && flash.contains("nothing was sent"),
        "{flash}"
    );
    assert!(flash.contains("draft kept"), "{flash}");
    assert!(!s.busy(), "the read's answer is no longer waited for");
    // It comes anyway: nothing follows it.
    fake.pump(&mut s, checking);
    assert!(fake.sent.is_empty(), "{:?}", fake.sent);
    assert!(fake.audit.is_empty());
    assert_eq!(fake.plan(0), "free");
    assert!(s.flash.unwrap_or_default().contains("save cancelled"));
}
