//! `update` tests of Kratos credentials: `d` reads the identity and asks (or refuses with the
//! server's reason, sending nothing), a lost answer is settled by re-reading the credential,
//! a credential's config is read only when its detail opens, and the identity editors check
//! imported credentials before sending.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use super::*;
use crate::app::credentials::{ALL, CredentialRef, config_types};
use crate::app::provider::kratos::version::NEWEST;
use crate::app::provider::{credentials::Credential, kratos};
use crate::editor::Editor;

const ID: &str = "00000000-0000-4000-8000-000000000000";

/// One identity on a fake Kratos, its credentials with their configs as the server stores
/// them.
struct Server {
    identity: Value,
    sent: Vec<Mutation>,
    fetched: Vec<String>,
    audit: Vec<crate::app::audit::AuditOutcome>,
    lose_answers: bool,
    /// What `GET /version` answers (`None`: the read is left unanswered).
    version: Option<Result<&'static str, &'static str>>,
    /// How many times the version was asked.
    version_reads: usize,
}

impl Server {
    fn new(credentials: Value) -> Server {
        Server {
            identity: json!({"id": ID, "schema_id": "default", "state": "active",
                "traits": {"email": "user0@example.com"}, "metadata_public": null,
                "credentials": credentials}),
            sent: Vec::new(),
            fetched: Vec::new(),
            audit: Vec::new(),
            lose_answers: false,
            version: None,
            version_reads: 0,
        }
    }

    /// The identity as a read without `include_credential` shows it.
    fn without_configs(&self) -> Value {
        let mut v = self.identity.clone();
        for c in v["credentials"].as_object_mut().unwrap().values_mut() {
            c.as_object_mut().unwrap().remove("config");
        }
        v
    }

    fn credential(&self, id: &str) -> Result<Row, ErrorInfo> {
        let target = CredentialRef::parse(id).unwrap();
        let not_found = || {
            let mut e = ErrorInfo::new("kratos 404", "");
            e.status = Some(404);
            Err(e)
        };
        if target.kind == ALL {
            // As Kratos answers: configs only of the types the read asked for.
            let asked = config_types(target.identifier.as_deref().unwrap_or_default());
            let mut identity = self.identity.clone();
            for (kind, c) in identity["credentials"].as_object_mut().unwrap() {
                if !asked.contains(&kind.as_str()) {
                    c.as_object_mut().unwrap().remove("config");
                }
            }
            let raw = crate::app::detail::redact(&identity);
            return Ok(Row::new(id, Credential::default(), raw));
        }
        let Some(c) = self.identity["credentials"].get(&target.kind) else {
            return not_found();
        };
        if let Some(i) = &target.identifier
            && !c["identifiers"].as_array().unwrap().contains(&json!(i))
        {
            return not_found();
        }
        Ok(Row::new(
            id,
            Credential::default(),
            crate::app::detail::redact(c),
        ))
    }

    fn apply(&mut self, m: &Mutation) {
        if let Mutation::Kratos(kratos::Change::DeleteCredential {
            kind, identifier, ..
        }) = m
        {
            let creds = self.identity["credentials"].as_object_mut().unwrap();
            match (kind.as_str(), identifier) {
                ("password", _) => creds["password"]["config"] = json!({}),
                (_, Some(i)) => {
                    let c = &mut creds[kind.as_str()];
                    c["identifiers"]
                        .as_array_mut()
                        .unwrap()
                        .retain(|x| x != &json!(i));
                }
                (k, None) => {
                    creds.remove(k);
                }
            }
        }
    }

    fn pump(&mut self, s: &mut State, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let reply = match effect {
                Effect::FetchPage { ticket, list, .. } => {
                    let rows = match list {
                        ListKind::Kratos(kratos::List::Identities) => vec![identity(0)],
                        ListKind::Kratos(kratos::List::Credentials { .. }) => {
                            let i = crate::api::Identity::from_json(self.without_configs());
                            crate::runtime::provider::kratos::credentials::rows(&i)
                        }
                        _ => vec![],
                    };
                    Some(Action::PageLoaded {
                        ticket,
                        result: Ok(PageData {
                            rows,
                            next: None,
                            total: None,
                        }),
                    })
                }
                Effect::FetchObject {
                    ticket, kind, id, ..
                } => {
                    self.fetched.push(id.clone());
                    let result = match kind {
                        ObjectKind::Kratos(kratos::Object::Credential) => self.credential(&id),
                        _ => Ok(Row::new(
                            id,
                            kratos::Identity::default(),
                            self.without_configs(),
                        )),
                    };
                    Some(Action::ObjectLoaded { ticket, result })
                }
                Effect::Mutate { seq, mutation, .. } => {
                    self.sent.push(mutation.clone());
                    self.apply(&mutation);
                    let result = if self.lose_answers {
                        let mut e = ErrorInfo::new("kratos: connection reset", "");
                        e.lost = true;
                        Err(e)
                    } else {
                        Ok("done".into())
                    };
                    Some(Action::MutationDone { seq, result })
                }
                Effect::LoadDraft { key } => Some(Action::DraftLoaded { key, text: None }),
                Effect::ReadVersion { profile } => {
                    self.version_reads += 1;
                    self.version.map(|answer| Action::VersionRead {
                        profile,
                        result: answer
                            .map(|text| kratos::version::Version {
                                text: text.into(),
                                release: crate::api::KratosVersion::from_json(
                                    &json!({ "version": text }),
                                )
                                .and_then(|v| v.release),
                            })
                            .map_err(|e| ErrorInfo::new(e, e)),
                    })
                }
                Effect::Audit(entry) => {
                    self.audit.push(entry.outcome);
                    None
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

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// The identity opened and its Credentials pane focused, on the row of `kind` (and link).
fn on_credential(credentials: Value, row: &str) -> (State, Server) {
    on_credential_of(None, credentials, row)
}

/// As [`on_credential`], on a server answering `version` to `GET /version`.
fn on_credential_of(
    version: Option<&'static str>,
    credentials: Value,
    row: &str,
) -> (State, Server) {
    let mut s = kratos_state();
    let mut server = Server::new(credentials);
    server.version = version.map(Ok);
    server.press(&mut s, Action::Resize(100, 30));
    server.press(&mut s, key(KeyCode::Enter));
    server.press(&mut s, key(KeyCode::Tab));
    server.press(&mut s, key(KeyCode::Tab));
    let t = table(&s);
    assert!(matches!(
        t.kind(),
        ListKind::Kratos(kratos::List::Credentials { .. })
    ));
    let rows: Vec<String> = t.loaded_rows().map(|(_, r)| r.id.clone()).collect();
    let at = rows
        .iter()
        .position(|r| r == &format!("{ID}/{row}"))
        .unwrap_or_else(|| panic!("no row {row} in {rows:?}"));
    for _ in 0..at {
        server.press(&mut s, ch('j'));
    }
    server.fetched.clear();
    (s, server)
}

fn password() -> Value {
    json!({"type": "password", "identifiers": ["user0@example.com"],
        "config": {"hashed_password": "$2a$10$abcdefghijklmnopqrstuv"}})
}

fn oidc(links: &[&str]) -> Value {
    let providers: Vec<Value> = links
        .iter()
        .map(|l| {
            let (p, sub) = l.split_once(':').unwrap();
            json!({"provider": p, "subject": sub, "initial_access_token": "ya29.secret"})
        })
        .collect();
    json!({"type": "oidc", "identifiers": links, "config": {"providers": providers}})
}

#[test]
fn d_on_totp_reads_the_identity_asks_with_what_the_server_does_and_refreshes_after() {
    let (mut s, mut server) = on_credential(
        json!({"password": password(),
               "totp": {"type": "totp", "identifiers": [ID], "config": {"totp_url": "otpauth://x"}}}),
        "totp",
    );
    server.press(&mut s, ch('d'));
    assert_eq!(
        server.fetched,
        vec![format!("{ID}/{ALL}/totp")],
        "one read first"
    );
    let Mode::Confirm(c) = &s.mode else {
        panic!("no confirmation: {:?} {:?}", s.flash, s.error)
    };
    assert!(c.note.as_deref().unwrap().contains("whole TOTP credential"));
    assert!(server.sent.is_empty(), "nothing sent before y");
    server.fetched.clear();
    server.press(&mut s, ch('y'));
    assert_eq!(
        server.sent,
        vec![Mutation::Kratos(kratos::Change::DeleteCredential {
            identity: ID.into(),
            kind: "totp".into(),
            identifier: None
        })]
    );
    use crate::app::audit::AuditOutcome::*;
    assert_eq!(server.audit, vec![Sent, Applied]);
    assert!(server.identity["credentials"].get("totp").is_none());
    assert!(
        server.fetched.contains(&ID.to_string()),
        "the identity's detail is read again: {:?}",
        server.fetched
    );
    let rows: Vec<String> = table(&s).loaded_rows().map(|(_, r)| r.id.clone()).collect();
    assert_eq!(
        rows,
        vec![format!("{ID}/password")],
        "the pane shows it gone"
    );
}

#[test]
fn d_on_recovery_codes_counts_the_codes_the_server_holds() {
    let codes: Vec<Value> = (0..5)
        .map(|i| match i {
            0 => json!({"code": "aaaa-0000", "used_at": "2026-01-02T03:04:05Z"}),
            _ => json!({"code": format!("bbbb-000{i}")}),
        })
        .collect();
    let (mut s, mut server) = on_credential(
        json!({"password": password(),
               "lookup_secret": {"type": "lookup_secret", "identifiers": [ID],
                   "config": {"recovery_codes": codes}}}),
        "lookup_secret",
    );
    server.press(&mut s, ch('d'));
    assert_eq!(server.fetched, vec![format!("{ID}/{ALL}/lookup_secret")]);
    let Mode::Confirm(c) = &s.mode else {
        panic!("no confirmation: {:?} {:?}", s.flash, s.error)
    };
    assert_eq!(
        c.note.as_deref(),
        Some("Kratos deletes all 5 recovery codes (1 used).")
    );
    assert!(server.sent.is_empty(), "nothing sent before y");
}

#[test]
fn the_last_first_factor_is_refused_with_the_servers_reason_and_nothing_is_sent() {
    let (mut s, mut server) = on_credential(json!({"password": password()}), "password");
    server.press(&mut s, ch('d'));
    assert!(matches!(s.mode, Mode::Normal), "no confirmation");
    let err = s.error.as_ref().expect("the refusal is shown");
    assert!(
        err.line
            .contains("You cannot remove the last first factor credential."),
        "{}",
        err.line
    );
    assert!(server.sent.is_empty());
    assert!(server.audit.is_empty(), "nothing sent, nothing audited");
}

#[test]
fn passkeys_are_refused_without_even_a_read() {
    let (mut s, mut server) = on_credential(
        json!({"password": password(),
               "passkey": {"type": "passkey", "identifiers": ["h"], "config": {"credentials": [{}]}}}),
        "passkey",
    );
    server.press(&mut s, ch('d'));
    assert!(server.fetched.is_empty() && server.sent.is_empty());
    assert!(
        s.error
            .as_ref()
            .unwrap()
            .line
            .contains("Credentials type passkey cannot be deleted.")
    );
}

#[test]
fn one_oidc_link_goes_and_a_lost_answer_is_settled_by_reading_that_link_again() {
    let (mut s, mut server) = on_credential(
        json!({"oidc": oidc(&["google:1", "github:2"])}),
        "oidc/github:2",
    );
    server.lose_answers = true;
    server.press(&mut s, ch('d'));
    let Mode::Confirm(c) = &s.mode else {
        panic!("{:?}", s.error)
    };
    assert!(
        c.note.as_deref().unwrap().contains("oidc google:1"),
        "{c:?}"
    );
    server.fetched.clear();
    server.press(&mut s, ch('y'));
    assert_eq!(
        server.sent,
        vec![Mutation::Kratos(kratos::Change::DeleteCredential {
            identity: ID.into(),
            kind: "oidc".into(),
            identifier: Some("github:2".into())
        })]
    );
    assert!(
        server.fetched.contains(&format!("{ID}/oidc/github:2")),
        "{:?}",
        server.fetched
    );
    assert!(s.changes.is_empty(), "settled");
    assert!(
        s.flash
            .as_deref()
            .unwrap()
            .contains("checked by reading it again")
    );
    let rows: Vec<String> = table(&s).loaded_rows().map(|(_, r)| r.id.clone()).collect();
    assert_eq!(rows, vec![format!("{ID}/oidc/google:1")]);
    // With one link left, it is the last first factor.
    server.press(&mut s, ch('d'));
    assert!(s.error.as_ref().unwrap().line.contains("last first factor"));
    assert_eq!(server.sent.len(), 1);
}

#[test]
fn a_second_d_while_a_delete_is_unsettled_is_refused_up_front() {
    let (mut s, mut server) = on_credential(
        json!({"password": password(), "oidc": oidc(&["google:1"])}),
        "oidc/google:1",
    );
    server.press(&mut s, ch('d'));
    let effects = update(&mut s, ch('y'));
    assert!(effects.iter().any(Effect::is_mutating));
    server.fetched.clear();
    server.press(&mut s, ch('k'));
    server.press(&mut s, ch('d'));
    assert!(
        s.flash.as_deref().unwrap().starts_with("busy"),
        "{:?}",
        s.flash
    );
    assert!(server.fetched.is_empty(), "not even read");
}

#[test]
fn a_credentials_detail_reads_its_config_only_when_opened_and_masks_tokens() {
    let (mut s, mut server) = on_credential(
        json!({"password": password(), "oidc": oidc(&["google:1", "github:2"])}),
        "oidc/google:1",
    );
    assert!(server.fetched.is_empty());
    let listed = table(&s).selected_row().unwrap().raw.clone();
    assert!(listed.get("config").is_none(), "the list holds no config");
    server.press(&mut s, key(KeyCode::Enter));
    assert_eq!(server.fetched, vec![format!("{ID}/oidc/google:1")]);
    let Some(Pane::Detail(d)) = s.focused() else {
        panic!("no detail")
    };
    let text: String = d
        .lines
        .iter()
        .flat_map(|l| l.iter().map(|(_, t)| t.as_str()))
        .collect();
    assert!(
        text.contains("providers[0].provider") && text.contains("google"),
        "{text}"
    );
    assert!(!text.contains("ya29"), "tokens masked: {text}");
    assert!(!s.busy(), "the full read was answered: {:?}", s.in_flight());
}

#[test]
fn webauthn_keeps_passwordless_keys_and_refuses_when_only_those_remain() {
    let creds = |keys: Value| {
        json!({"password": password(), "webauthn": {"type": "webauthn", "identifiers": ["h"],
            "config": {"credentials": keys}}})
    };
    let target = CredentialRef::new(ID, "webauthn", None);
    let plan = |keys: Value| crate::app::credentials::plan(&creds(keys), &target, &NEWEST);
    let mixed = plan(json!([{"is_passwordless": false}, {"is_passwordless": true}])).unwrap();
    assert!(mixed.contains("passwordless key(s) stay"), "{mixed}");
    let only = plan(json!([{"is_passwordless": true}])).unwrap_err();
    assert!(only.contains("passkeys"), "{only}");
    // Deleting the password is allowed when a passwordless key also signs in.
    let pw = CredentialRef::new(ID, "password", None);
    let with_key = creds(json!([{"is_passwordless": true}]));
    assert!(crate::app::credentials::plan(&with_key, &pw, &NEWEST).is_ok());
    assert!(crate::app::credentials::deleted(
        &target,
        Some(&json!({"config": {"credentials": [{"is_passwordless": true}]}}))
    ));
    assert!(!crate::app::credentials::deleted(
        &pw,
        Some(&json!({"config": {"hashed_password": "x"}}))
    ));
}

fn set_editor_text(s: &mut State, text: &str) {
    match &mut s.editor.as_mut().unwrap().editor {
        crate::app::editing::EditorBox::Json(e) => e.restore_draft(text),
        crate::app::editing::EditorBox::Patch(e) => e.restore_draft(text),
    }
}

#[test]
fn an_import_is_checked_before_sending_and_an_added_import_counts_as_a_change() {
    let mut s = kratos_state();
    let mut server = Server::new(json!({"password": password()}));
    server.press(&mut s, Action::Resize(100, 30));
    server.press(&mut s, ch('n'));
    let help = s.editor.as_ref().unwrap().editor.buffer().help().join("\n");
    assert!(help.contains("hashed_password"), "{help}");
    set_editor_text(
        &mut s,
        r#"{"schema_id": "default", "traits": {"email": "new@example.com"},
            "credentials": {"password": {"config": {"hashed_password": "md5:abc"}}}}"#,
    );
    server.press(&mut s, ctrl('s'));
    let error = s
        .editor
        .as_ref()
        .unwrap()
        .editor
        .buffer()
        .error()
        .unwrap_or("")
        .to_string();
    assert!(
        error.contains("not a hash format Kratos accepts"),
        "{error}"
    );
    assert!(server.sent.is_empty());
    set_editor_text(
        &mut s,
        r#"{"schema_id": "default", "traits": {"email": "new@example.com"},
            "credentials": {"password": {"config": {"hashed_password": "$2b$12$abc"}}}}"#,
    );
    server.press(&mut s, ctrl('s'));
    match &server.sent[..] {
        [Mutation::Kratos(kratos::Change::CreateIdentity { body })] => {
            assert_eq!(
                body["credentials"]["password"]["config"]["hashed_password"],
                "$2b$12$abc"
            )
        }
        other => panic!("{other:?}"),
    }

    // e: an empty credentials object is no change; a link imported is one.
    let mut s = kratos_state();
    let mut server = Server::new(json!({"password": password()}));
    server.press(&mut s, Action::Resize(100, 30));
    server.press(&mut s, ch('e'));
    let mut body = crate::app::change::identity_body(&server.identity);
    body["credentials"] = json!({});
    set_editor_text(&mut s, &body.to_string());
    server.press(&mut s, ctrl('s'));
    assert!(server.sent.is_empty(), "{{}} imports nothing");
    body["credentials"] =
        json!({"oidc": {"config": {"providers": [{"provider": "google", "subject": "9"}]}}});
    set_editor_text(&mut s, &body.to_string());
    server.press(&mut s, ctrl('s'));
    match &server.sent[..] {
        [Mutation::Kratos(kratos::Change::UpdateIdentity { body, .. })] => {
            assert_eq!(
                body["credentials"]["oidc"]["config"]["providers"][0]["subject"],
                "9"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn saml_links_count_as_first_factors_without_their_config() {
    // Kratos v1.3.1 refuses include_credential=saml, so the read has no SAML config.
    let creds = json!({"password": password(),
        "saml": {"type": "saml", "identifiers": ["acme:jo"]}});
    let pw = CredentialRef::new(ID, "password", None);
    assert!(crate::app::credentials::plan(&creds, &pw, &NEWEST).is_ok());
    let only = json!({"saml": {"type": "saml", "identifiers": ["acme:jo"]}});
    let link = CredentialRef::new(ID, "saml", Some("acme:jo"));
    let why = crate::app::credentials::plan(&only, &link, &NEWEST).unwrap_err();
    assert!(
        why.contains("last first factor") && why.contains("saml acme:jo"),
        "{why}"
    );
}

#[test]
fn a_row_that_appears_above_the_selection_of_a_short_list_is_shown_after_r() {
    let (mut s, mut server) = on_credential(json!({"password": password()}), "password");
    // An OIDC link is imported meanwhile; `oidc` sorts before `password`.
    server.identity["credentials"]["oidc"] = oidc(&["google:1"]);
    server.press(&mut s, ch('r'));
    let t = table(&s);
    let rows: Vec<String> = t.loaded_rows().map(|(_, r)| r.id.clone()).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(t.selected_row().unwrap().id, format!("{ID}/password"));
    assert_eq!(t.offset(), 0, "both rows on screen");
}

/// The editor's error line, if any.
fn editor_error(s: &State) -> String {
    s.editor
        .as_ref()
        .and_then(|e| e.editor.buffer().error())
        .unwrap_or("")
        .to_string()
}

#[test]
fn the_version_is_asked_once_with_the_first_list_read_and_kept_on_the_tab() {
    let mut s = kratos_state();
    let effects = update(&mut s, Action::Resize(100, 30));
    let asks = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::ReadVersion { profile } if profile == "kratos"))
            .count()
    };
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPage { .. }))
    );
    assert_eq!(asks(&effects), 1, "{effects:?}");
    assert_eq!(s.tab().unwrap().version, kratos::version::Known::Asked);
    // Later requests of the profile do not ask again.
    let effects = update(&mut s, ch('r'));
    assert_eq!(asks(&effects), 0, "{effects:?}");
    update(
        &mut s,
        Action::VersionRead {
            profile: "kratos".into(),
            result: Ok(kratos::version::Version {
                text: "v1.3.1".into(),
                release: Some([1, 3, 1]),
            }),
        },
    );
    assert_eq!(crate::app::versions::text(&s), Some("v1.3.1"));
    assert_eq!(
        crate::app::versions::rules(&s).line,
        kratos::version::Line::V1
    );
    assert_eq!(s.flash, None, "a known version says nothing");
}

#[test]
fn on_kratos_v1_d_on_a_password_is_refused_before_anything_is_sent() {
    let (mut s, mut server) = on_credential_of(
        Some("v1.3.1"),
        json!({"password": password(), "oidc": oidc(&["google:1"])}),
        "password",
    );
    assert_eq!(server.version_reads, 1);
    server.press(&mut s, ch('d'));
    assert!(server.fetched.is_empty(), "not even the read");
    assert!(matches!(s.mode, Mode::Normal), "{:?}", s.mode);
    let e = s.error.as_ref().expect("refused");
    assert_eq!(
        e.line,
        "refused, nothing sent: You cannot remove first factor credentials."
    );
    assert!(
        e.details.contains("Kratos v1.3.1 would refuse"),
        "{}",
        e.details
    );
    assert!(server.sent.is_empty());

    // A newer Kratos clears the hash while another first factor is left.
    let (mut s, mut server) = on_credential_of(
        Some("v26.2.0"),
        json!({"password": password(), "oidc": oidc(&["google:1"])}),
        "password",
    );
    server.press(&mut s, ch('d'));
    let Mode::Confirm(c) = &s.mode else {
        panic!("no confirmation: {:?}", s.error)
    };
    assert!(
        c.note
            .as_deref()
            .unwrap()
            .contains("clears the password hash")
    );
}

#[test]
fn on_kratos_v1_an_oidc_link_goes_without_a_first_factor_count_and_the_prompt_says_so() {
    let creds = json!({"oidc": oidc(&["google:1"])});
    let (mut s, mut server) = on_credential_of(Some("v1.3.1"), creds.clone(), "oidc/google:1");
    server.press(&mut s, ch('d'));
    let Mode::Confirm(c) = &s.mode else {
        panic!("no confirmation: {:?}", s.error)
    };
    let note = c.note.as_deref().unwrap();
    assert!(note.contains("does not check what is left"), "{note}");
    server.press(&mut s, ch('y'));
    assert_eq!(server.sent.len(), 1);

    let (mut s, mut server) = on_credential_of(Some("v26.2.0"), creds, "oidc/google:1");
    server.press(&mut s, ch('d'));
    let why = &s.error.as_ref().expect("refused").line;
    assert!(why.contains("last first factor"), "{why}");
    assert!(server.sent.is_empty());
}

#[test]
fn on_kratos_v1_the_identity_editor_offers_and_takes_no_totp_or_saml_import() {
    let totp = r#"{"schema_id": "default", "traits": {"email": "new@example.com"},
        "credentials": {"totp": {"config": {"totp_url": "otpauth://totp/x"}}}}"#;
    let mut s = kratos_state();
    let mut server = Server::new(json!({"password": password()}));
    server.version = Some(Ok("v1.3.1"));
    server.press(&mut s, Action::Resize(100, 30));
    server.press(&mut s, ch('n'));
    let help = s.editor.as_ref().unwrap().editor.buffer().help().join("\n");
    assert!(
        help.contains("oidc") && help.contains("hashed_password"),
        "{help}"
    );
    assert!(!help.contains("saml") && !help.contains("totp"), "{help}");
    set_editor_text(&mut s, totp);
    server.press(&mut s, ctrl('s'));
    assert_eq!(
        editor_error(&s),
        "credentials.totp: Kratos v1.x imports password, oidc"
    );
    assert!(server.sent.is_empty());

    // A newer one is shown SAML and sent a TOTP import.
    let mut s = kratos_state();
    let mut server = Server::new(json!({"password": password()}));
    server.version = Some(Ok("v26.2.0"));
    server.press(&mut s, Action::Resize(100, 30));
    server.press(&mut s, ch('n'));
    let help = s.editor.as_ref().unwrap().editor.buffer().help().join("\n");
    assert!(help.contains("saml"), "{help}");
    set_editor_text(&mut s, totp);
    server.press(&mut s, ctrl('s'));
    assert_eq!(editor_error(&s), "");
    assert_eq!(server.sent.len(), 1);
}

#[test]
fn a_version_that_cannot_be_read_gets_the_newest_rules_and_is_said_once() {
    for answer in [Err("kratos 404 Not Found: page not found"), Ok("master")] {
        let mut s = kratos_state();
        let mut server = Server::new(json!({"password": password(), "oidc": oidc(&["g:1"])}));
        server.version = Some(answer);
        server.press(&mut s, Action::Resize(100, 30));
        let note = s.flash.clone().unwrap_or_default();
        assert!(
            note.contains("Kratos version unknown") && note.contains("newest Kratos rules"),
            "{note}"
        );
        server.press(&mut s, ch('j'));
        server.press(&mut s, ch('r'));
        assert_eq!(server.version_reads, 1);
        assert!(
            !s.flash.as_deref().unwrap_or("").contains("version unknown"),
            "said once"
        );
        assert_eq!(
            crate::app::versions::rules(&s).line,
            kratos::version::Line::Newest
        );
    }
}

#[test]
fn on_kratos_v1_an_ext_search_is_refused_unsent() {
    let mut s = kratos_state();
    let mut server = Server::new(json!({"password": password()}));
    server.version = Some(Ok("v1.3.1"));
    server.press(&mut s, Action::Resize(100, 30));
    server.press(&mut s, ch('/'));
    for c in "ext:crm-42".chars() {
        server.press(&mut s, ch(c));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        !effects.iter().any(|e| matches!(
            e,
            Effect::FetchPage {
                search: Some(_),
                ..
            }
        )),
        "{effects:?}"
    );
    let said = s.flash.clone().unwrap_or_default();
    assert!(
        said.contains("Kratos v1.3.1 has no external ids") && said.contains("nothing sent"),
        "{said}"
    );
    assert_eq!(table(&s).search(), None);
}
