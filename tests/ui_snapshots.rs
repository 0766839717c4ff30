//! Every pane rendered with `TestBackend` at 80x24 and 200x60, from demo-like fixtures built
//! here (including hostile server text), compared with reviewed snapshots.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use idtui::api::{CoreCredential, CoreUser, HeadlessClient, HeadlessUser, Identity, Session};
use idtui::app::provider::{core, kratos};
use idtui::app::{
    Action, Done, Effect, ErrorInfo, Hit, Issued, ListKind, ObjectKind, PageData, ProfileInfo,
    Provider, Row, State, update,
};
use idtui::keymap::Keymap;
use idtui::runtime::rows;
use idtui::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use serde_json::{Value, json};

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 60)];

fn identities() -> Vec<Row> {
    let mut rows = Vec::new();
    let people = [
        ("ada.lovelace@example.com", "active", "plan", "free"),
        ("grace.hopper@example.com", "active", "plan", "team"),
        ("linus.t@example.com", "inactive", "plan", "enterprise"),
        ("katherine.johnson@example.com", "active", "plan", "team"),
        ("José.Núñez@example.com", "active", "lang", "es"),
        ("陈伟@example.cn", "active", "plan", "free"),
    ];
    for (i, (email, state, k, v)) in people.iter().enumerate() {
        rows.push(rows::identity_row(Identity::from_json(json!({
            "id": format!("767e3cc1-d67e-51bc-ad2b-449c5eea97{i:02}"),
            "schema_id": "default",
            "state": state,
            "traits": {"email": email},
            "metadata_public": {k.to_string(): v},
            "created_at": format!("2025-0{}-01T12:00:00Z", i + 1),
        }))));
    }
    // Hostile text: escape sequences and bidi overrides must show as visible placeholders.
    rows.push(rows::identity_row(Identity::from_json(json!({
        "id": "0ba63862-3aa8-5307-a301-e8d3ec7e0001",
        "schema_id": "default",
        "state": "active",
        "traits": {"email": "mallory\u{1b}[2J@example.com"},
        "metadata_public": {"note": "\u{1b}]52;c;ZWNobw==\u{7}", "bidi": "\u{202e}evil"},
        "created_at": "2026-04-01T00:00:00Z",
    }))));
    rows
}

fn identity_detail_json() -> Value {
    json!({
        "id": "767e3cc1-d67e-51bc-ad2b-449c5eea9700",
        "schema_id": "default",
        "state": "active",
        "external_id": "crm-01000",
        "traits": {"email": "ada.lovelace@example.com", "name": {"first": "Ada", "last": "Lovelace"}},
        "metadata_public": {"plan": "free"},
        "metadata_admin": {"risk": {"score": 0, "reviewed": true}},
        "credentials": {
            "password": {"type": "password", "identifiers": ["ada.lovelace@example.com"],
                "config": {"hashed_password": "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p9"},
                "created_at": "2025-01-01T12:00:00Z", "version": 0},
            "totp": {"type": "totp", "identifiers": ["ada"], "config": {"totp_url": "otpauth://totp/x?secret=JBSWY3DP"}}
        },
        "verifiable_addresses": [{"value": "ada.lovelace@example.com", "via": "email", "verified": true, "status": "completed"}],
        "created_at": "2025-01-01T12:00:00Z",
        "updated_at": "2026-01-01T08:00:00Z"
    })
}

fn sessions() -> Vec<Row> {
    (0..4)
        .map(|i| {
            rows::session_row(Session::from_json(json!({
                "id": format!("5e551011-0000-4000-8000-00000000000{i}"),
                "active": i != 2,
                "authenticator_assurance_level": if i == 0 { "aal2" } else { "aal1" },
                "expires_at": "2026-12-01T00:00:00Z",
                "authenticated_at": "2026-11-01T09:00:00Z",
                "devices": [{"ip_address": format!("203.0.113.{}", 10 + i),
                    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}],
                "identity": {"id": "767e3cc1-d67e-51bc-ad2b-449c5eea9700"}
            })))
        })
        .collect()
}

/// `:all-sessions` rows: sessions with their identity expanded (one with hostile text).
fn all_sessions() -> Vec<Row> {
    let people = [
        "ada.lovelace@example.com",
        "grace.hopper@example.com",
        "mallory\u{1b}[2J@example.com",
    ];
    people
        .iter()
        .enumerate()
        .map(|(i, email)| {
            rows::all_session_row(Session::from_json(json!({
                "id": format!("5e551011-0000-4000-8000-00000000001{i}"),
                "active": true,
                "authenticator_assurance_level": "aal1",
                "expires_at": "2026-12-01T00:00:00Z",
                "devices": [{"ip_address": format!("198.51.100.{}", 20 + i),
                    "user_agent": "Mozilla/5.0 (Macintosh) Safari/18.1"}],
                "identity": {"id": format!("767e3cc1-d67e-51bc-ad2b-449c5eea97{i:02}"),
                    "traits": {"email": email}}
            })))
        })
        .collect()
}

fn kratos_credentials() -> Vec<Row> {
    let i = Identity::from_json(identity_detail_json());
    i.credentials
        .into_iter()
        .map(rows::credential_row)
        .collect()
}

fn core_users() -> Vec<Row> {
    [
        json!({"id": "0c3fad74-a8df-4a2d-8e75-f2d356b41300", "createdAt": "2024-01-01T00:00:00.000Z",
            "claims": {"given_name": "Jamie", "family_name": "Smith", "email": "jamie@example.test",
                "address": {"street_name": "Queen Street", "locality": "Auckland"}},
            "authenticationProvider": {"url": "https://example-university.example.test",
                "subjectId": "example-university-oauth2|123456789"}}),
        json!({"id": "0c3fad74-a8df-4a2d-8e75-f2d356b41301", "createdAt": "2024-02-08T05:13:17.037Z",
            "claims": {"givenName": "Aroha", "familyName": "Ngata", "dob": "1961-02-02"},
            "authenticationProvider": {"subjectId": "google-oauth2|100001"}}),
    ]
    .into_iter()
    .map(|v| rows::core_user_row(CoreUser::from_json(v)))
    .collect()
}

fn core_credentials() -> Vec<Row> {
    vec![rows::core_credential_row(CoreCredential::from_json(
        json!({
            "id": "552b35fe-a3ed-4c33-8c3c-64810c712304", "type": "EmployeeCredential",
            "profile": "compact", "status": "valid", "issuedDate": "2025-01-02T10:00:00.000Z"
        }),
    ))]
}

fn clients() -> Vec<Row> {
    (1..=3)
        .map(|i| {
            rows::client_row(HeadlessClient::from_json(json!({
                "clientIdentifier": format!("acme-{i}"),
                "metadata": {"name": format!("Acme Corp {i}"), "region": "nz"},
                "userCount": i * 12,
            })))
        })
        .collect()
}

fn headless_users() -> Vec<Row> {
    (1..=3)
        .map(|i| {
            rows::headless_user_row(HeadlessUser::from_json(json!({
                "identifier": format!("u{i}"),
                "clientIdentifier": "acme-1",
                "name": format!("Learner {i}"),
                "email": format!("learner{i}@acme.test"),
                "metadata": {"cohort": "2026"},
                "created": format!("2026-01-0{i}T00:00:00Z"),
            })))
        })
        .collect()
}

/// Lines of a local audit trail as the runtime reads them, newest first: a revoke sent then
/// applied over SSH, an edit whose answer was lost made locally, a refused delete from
/// before lines named anyone, a line cut short by a crash, and hostile text in a path and
/// in a key's name.
fn audit_rows() -> Vec<Row> {
    use idtui::app::audit_pane::{AuditLine, row};
    let lines = [
        r#"{"profile":"kratos","provider":"kratos","method":"DELETE","path":"/admin/sessions/9b2cee18-9dd4-4c4b-8a51-5c950e651d60","object":"9b2cee18-9dd4-4c4b-8a51-5c950e651d60","outcome":"applied","request_id":"req-7f3a","time":"2026-05-01T12:00:04.120Z","via":"ssh","actor":{"fingerprint":"SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s","name":"alice"}}"#,
        r#"{"profile":"kratos","provider":"kratos","method":"DELETE","path":"/admin/sessions/9b2cee18-9dd4-4c4b-8a51-5c950e651d60","object":"9b2cee18-9dd4-4c4b-8a51-5c950e651d60","outcome":"sent","time":"2026-05-01T12:00:03.981Z","via":"ssh","actor":{"fingerprint":"SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s","name":"alice"}}"#,
        r#"{"profile":"core","provider":"core","method":"PUT","path":"/users/0c3fad74-a8df-4a2d-8e75-f2d356b41300","object":"0c3fad74-a8df-4a2d-8e75-f2d356b41300","change":[{"op":"replace","path":"/claims/given_name","value":"Jamie"}],"outcome":"unknown","message":"timed out","time":"2026-05-01T11:58:10.000Z","actor":{"user":"jamie"}}"#,
        r#"{"profile":"headless","provider":"headless","method":"DELETE","path":"/v1/headless/client/acme-1","object":"acme-1","outcome":"failed","request_id":"cf-8e2b1","message":"403 forbidden","time":"2026-04-30T09:15:00.000Z"}"#,
        r#"{"profile":"kratos","provider":"kratos","method":"PATCH","path":"/admin/ident"#,
        "{\"profile\":\"kratos\",\"provider\":\"kratos\",\"method\":\"DELETE\",\"path\":\"/admin/identities/\\u001b[2Jx\",\"object\":\"x\",\"outcome\":\"applied\",\"time\":\"2026-04-29T08:00:00.000Z\",\"via\":\"ssh\",\"actor\":{\"fingerprint\":\"SHA256:x\",\"name\":\"ev\\u001b[2Je\\u0007\"}}",
    ];
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| row(9000 - 300 * i as u64, &AuditLine::Text(l.to_string())))
        .collect()
}

fn profile(name: &str, provider: Provider) -> ProfileInfo {
    ProfileInfo {
        name: name.into(),
        provider,
        host: "127.0.0.1:4455".into(),
        read_only: false,
        page_size: None,
        concurrency: None,
    }
}

fn all_profiles() -> Vec<ProfileInfo> {
    vec![
        profile("kratos", Provider::Kratos),
        profile("core", Provider::Core),
        profile("headless", Provider::Headless),
    ]
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Run `action`; answer each page request with `rows_for(list title)` (one final page).
fn drive(state: &mut State, action: Action) {
    let mut queue = update(state, action);
    while let Some(effect) = queue.pop() {
        if let Effect::LoadDraft { key } = &effect {
            // No draft saved: the editor opens on the server's copy.
            queue.extend(update(
                state,
                Action::DraftLoaded {
                    key: key.clone(),
                    text: None,
                },
            ));
        }
        if let Effect::FetchObject { ticket, id, .. } = &effect {
            // The full identity behind an opened row.
            let mut full = identity_detail_json();
            full["id"] = json!(id);
            let row = rows::identity_row(Identity::from_json(full));
            queue.extend(update(
                state,
                Action::ObjectLoaded {
                    ticket: ticket.clone(),
                    result: Ok(row),
                },
            ));
        }
        if let Effect::FetchPage { ticket, list, .. } = effect {
            let rows = match list.title() {
                "Identities" => identities(),
                "Sessions" => sessions(),
                "Credentials"
                    if matches!(
                        list,
                        idtui::app::ListKind::Kratos(kratos::List::Credentials { .. })
                    ) =>
                {
                    kratos_credentials()
                }
                "Credentials" => core_credentials(),
                "Clients" => clients(),
                "Audit trail" => audit_rows(),
                "Active sessions" | "All sessions" => all_sessions(),
                "Users" if matches!(list, idtui::app::ListKind::Core(core::List::Users)) => {
                    core_users()
                }
                _ => headless_users(),
            };
            queue.extend(update(
                state,
                Action::PageLoaded {
                    ticket,
                    result: Ok(PageData {
                        rows,
                        next: None,
                        total: None,
                    }),
                },
            ));
        }
    }
}

fn screen(state: &State, w: u16, h: u16, theme: Theme) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::draw(f, state, &theme)).unwrap();
    terminal
}

/// `keys` typed after start-up, at each size; one snapshot per size.
fn snap(name: &str, keys: &[Action], read_only: bool) {
    for (w, h) in SIZES {
        let mut state = State::new(all_profiles(), Keymap::defaults(), read_only);
        drive(&mut state, Action::Resize(w, h));
        for k in keys {
            drive(&mut state, k.clone());
        }
        let terminal = screen(&state, w, h, Theme::plain());
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn kratos_identities() {
    snap("identities", &[key(KeyCode::Down)], false);
}

#[test]
fn kratos_identity_detail() {
    // Open the identity whose detail has credentials with secrets (fixtures differ: the
    // list rows have no credentials, so open via the detail JSON directly).
    for (w, h) in SIZES {
        let mut state = State::new(all_profiles(), Keymap::defaults(), false);
        drive(&mut state, Action::Resize(w, h));
        let row = rows::identity_row(Identity::from_json(identity_detail_json()));
        idtui::app::navigate::open_object(
            &mut state,
            idtui::app::ObjectKind::Kratos(kratos::Object::Identity),
            &row,
        );
        drive(&mut state, Action::Tick);
        let terminal = screen(&state, w, h, Theme::plain());
        let text = format!("{:?}", terminal.backend());
        assert!(
            !text.contains("N9qo8uLO") && !text.contains("JBSWY3DP"),
            "secret on screen"
        );
        insta::assert_snapshot!(format!("identity_detail_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn kratos_sessions_and_credentials() {
    snap("sessions", &[key(KeyCode::Enter), key(KeyCode::Tab)], false);
    snap(
        "credentials",
        &[key(KeyCode::Enter), key(KeyCode::Tab), key(KeyCode::Tab)],
        false,
    );
}

#[test]
fn core_users_and_credentials() {
    snap("core_users", &[key(KeyCode::Tab)], false);
    snap(
        "core_credentials",
        &[key(KeyCode::Tab), key(KeyCode::Enter), key(KeyCode::Tab)],
        false,
    );
}

#[test]
fn headless_clients_and_users() {
    snap("clients", &[key(KeyCode::Tab), key(KeyCode::Tab)], false);
    snap(
        "client_users",
        &[
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Enter),
            key(KeyCode::Tab),
        ],
        false,
    );
}

/// A profile's answer to a search, or `None` for one that does not answer.
type Answer = Option<Result<Vec<Hit>, ErrorInfo>>;

/// Type `line` on the command line, then answer each search (`Effect::Find`) with
/// `answer(profile)` and every other request as `drive` does.
fn command_answered(state: &mut State, line: &str, answer: &dyn Fn(&str) -> Answer) {
    drive(state, key(KeyCode::Char(':')));
    for c in line.chars() {
        drive(state, key(KeyCode::Char(c)));
    }
    let mut queue = update(state, key(KeyCode::Enter));
    while let Some(effect) = queue.pop() {
        match effect {
            Effect::Find {
                ticket, profile, ..
            } => {
                if let Some(result) = answer(&profile) {
                    queue.extend(update(state, Action::Found { ticket, result }));
                }
            }
            Effect::FetchPage { ticket, list, .. } => {
                let (rows, total) = match list {
                    ListKind::Kratos(kratos::List::AllSessions { .. }) => (all_sessions(), None),
                    // A count of someone's active sessions: two.
                    _ => (sessions()[..2].to_vec(), Some(2)),
                };
                queue.extend(update(
                    state,
                    Action::PageLoaded {
                        ticket,
                        result: Ok(PageData {
                            rows,
                            next: None,
                            total,
                        }),
                    },
                ));
            }
            _ => {}
        }
    }
}

fn person(i: usize) -> Hit {
    Hit {
        kind: ObjectKind::Kratos(kratos::Object::Identity),
        row: identities()[i].clone(),
    }
}

/// The operator's boxes and panes: a lookup under way, the picker, the question of
/// `:revoke` naming the person and the count, `:find` grouped by profile (one failed, one
/// still searching), a new recovery link, and `:all-sessions`.
#[test]
fn operator_views() {
    for (w, h) in SIZES {
        let fresh = || {
            let mut state = State::new(all_profiles(), Keymap::defaults(), false);
            drive(&mut state, Action::Resize(w, h));
            state
        };
        let shot = |state: &State, name: &str| {
            let terminal = screen(state, w, h, Theme::plain());
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
        };

        let mut state = fresh();
        command_answered(&mut state, "revoke ada", &|_| None);
        shot(&state, "lookup");

        let mut state = fresh();
        command_answered(&mut state, "revoke a", &|_| {
            Some(Ok(vec![person(0), person(3), person(6)]))
        });
        drive(&mut state, key(KeyCode::Char('j')));
        shot(&state, "picker");

        let mut state = fresh();
        command_answered(&mut state, "revoke grace.hopper@example.com", &|_| {
            Some(Ok(vec![person(1)]))
        });
        shot(&state, "confirm_revoke_who");

        let mut state = fresh();
        command_answered(&mut state, "find a", &|profile| match profile {
            "kratos" => Some(Ok(vec![person(0), person(6)])),
            "core" => Some(Err(ErrorInfo::new("core: 503 Service Unavailable", "503"))),
            _ => None,
        });
        shot(&state, "found");

        let mut state = fresh();
        command_answered(
            &mut state,
            "recovery-link ada.lovelace@example.com 30m",
            &|_| Some(Ok(vec![person(0)])),
        );
        let effects = update(&mut state, key(KeyCode::Char('y')));
        let seq = effects
            .iter()
            .find_map(|e| match e {
                Effect::Mutate { seq, .. } => Some(*seq),
                _ => None,
            })
            .expect("sent after y");
        update(
            &mut state,
            Action::MutationDone {
                seq,
                result: Ok(Done {
                    message: "done: created a recovery link".into(),
                    issued: Some(Issued {
                        link: "https://auth.example.test/self-service/recovery?flow=3f1c9a2e-5b7d-4e0a-9c1b-2d3e4f5a6b7c&token=k3JxVqP9sLm2Tn8WzYb4Rc6Hd1Fg5Ae7".into(),
                        code: None,
                        expires_at: Some("2026-05-01T12:30:00.123456Z".into()),
                    }),
                }),
            },
        );
        shot(&state, "recovery_link");

        let mut state = fresh();
        command_answered(&mut state, "all-sessions", &|_| None);
        drive(&mut state, Action::Tick);
        shot(&state, "all_sessions");
    }
}

#[test]
fn overlays() {
    snap("help", &[key(KeyCode::Char('?'))], false);
    snap(
        "find",
        &[
            key(KeyCode::Char('/')),
            key(KeyCode::Char('g')),
            key(KeyCode::Char('r')),
        ],
        false,
    );
    snap("editor_patch", &[key(KeyCode::Char('p'))], false);
    snap(
        "confirm_revoke_all",
        &[key(KeyCode::Char('X')), key(KeyCode::Char('7'))],
        false,
    );
}

#[test]
fn audit_trail_pane() {
    let keys: Vec<Action> = ":audit"
        .chars()
        .map(|c| key(KeyCode::Char(c)))
        .chain([key(KeyCode::Enter)])
        .collect();
    snap("audit", &keys, false);
    // Who made each change, a key's name drawn like any other untrusted text.
    let mut state = State::new(all_profiles(), Keymap::defaults(), false);
    drive(&mut state, Action::Resize(200, 60));
    for k in &keys {
        drive(&mut state, k.clone());
    }
    let terminal = screen(&state, 200, 60, Theme::plain());
    for cell in terminal.backend().buffer().content() {
        let s = cell.symbol();
        assert!(
            !s.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "control character {s:?} in the buffer"
        );
    }
    let text = format!("{:?}", terminal.backend());
    for want in [" BY ", "alice", "jamie", "ev␛[2Je␇"] {
        assert!(text.contains(want), "{want} in {text}");
    }
    // Enter on the edit whose answer was lost: the whole line, with the change.
    let mut open = keys.clone();
    open.push(key(KeyCode::Down));
    open.push(key(KeyCode::Down));
    open.push(key(KeyCode::Enter));
    snap("audit_entry", &open, false);
}

#[test]
fn hostile_text_never_reaches_the_terminal_buffer() {
    let mut state = State::new(all_profiles(), Keymap::defaults(), false);
    drive(&mut state, Action::Resize(200, 60));
    let terminal = screen(&state, 200, 60, Theme::from_env());
    for cell in terminal.backend().buffer().content() {
        let s = cell.symbol();
        assert!(
            !s.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "control character {s:?} in the buffer"
        );
    }
    let text = format!("{:?}", terminal.backend());
    assert!(text.contains('␛'), "escape shown as a visible placeholder");
}

#[test]
fn no_color_means_no_colour_and_colour_means_only_named_ansi() {
    let mut state = State::new(all_profiles(), Keymap::defaults(), true);
    drive(&mut state, Action::Resize(80, 24));
    let plain = screen(&state, 80, 24, Theme { color: false });
    for cell in plain.backend().buffer().content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    // The selection is still visible without colour.
    let selected_row = 3u16;
    let cell = &plain.backend().buffer()[(0, selected_row)];
    assert!(cell.modifier.contains(ratatui::style::Modifier::REVERSED));
    let colored = screen(&state, 80, 24, Theme { color: true });
    for cell in colored.backend().buffer().content() {
        for c in [cell.fg, cell.bg] {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "only the 16 named colours: {c:?}"
            );
        }
    }
}

#[test]
fn every_view_draws_at_any_size_without_panicking() {
    let views: Vec<Vec<Action>> = vec![
        vec![],
        vec![key(KeyCode::Enter)],
        vec![key(KeyCode::Char('?'))],
        vec![key(KeyCode::Char('/')), key(KeyCode::Char('a'))],
        vec![key(KeyCode::Char(':')), key(KeyCode::Char('g'))],
        vec![key(KeyCode::Char('X'))],
        vec![key(KeyCode::Char('e'))],
    ];
    for keys in &views {
        let mut state = State::new(all_profiles(), Keymap::defaults(), true);
        drive(&mut state, Action::Resize(80, 24));
        for k in keys {
            drive(&mut state, k.clone());
        }
        for w in (1..=45).chain([79, 80, 81, 200]) {
            for h in (1..=12).chain([24, 60]) {
                drive(&mut state, Action::Resize(w, h));
                screen(&state, w, h, Theme::from_env());
            }
        }
    }
}

#[test]
fn a_column_empty_in_every_row_gives_its_width_away() {
    let mut state = State::new(all_profiles(), Keymap::defaults(), false);
    drive(&mut state, Action::Resize(120, 24));
    // MATTR does not document a creation time: users without `createdAt` leave CREATED empty.
    let undated: Vec<Row> = [
        json!({"id": "0c3fad74-a8df-4a2d-8e75-f2d356b41300",
            "claims": {"given_name": "Jamie", "email": "jamie@example.test"}}),
        json!({"id": "0c3fad74-a8df-4a2d-8e75-f2d356b41301",
            "claims": {"givenName": "Aroha", "dob": "1961-02-02"}}),
    ]
    .into_iter()
    .map(|v| rows::core_user_row(CoreUser::from_json(v)))
    .collect();
    let mut queue = update(&mut state, key(KeyCode::Tab));
    while let Some(effect) = queue.pop() {
        if let Effect::FetchPage { ticket, .. } = effect {
            queue.extend(update(
                &mut state,
                Action::PageLoaded {
                    ticket,
                    result: Ok(PageData {
                        rows: undated.clone(),
                        next: None,
                        total: None,
                    }),
                },
            ));
        }
    }
    let text = format!("{:?}", screen(&state, 120, 24, Theme::plain()).backend());
    assert!(
        text.contains("EMAIL / NAME") && text.contains("jamie@example.test"),
        "{text}"
    );
    assert!(!text.contains("CREATED"), "empty column hidden:\n{text}");
    assert!(text.contains("CLAIMS"), "{text}");

    // The dated fixture keeps the column.
    snap("core_users", &[key(KeyCode::Tab)], false);
}

fn screen_text(state: &State, w: u16, h: u16) -> Vec<String> {
    let terminal = screen(state, w, h, Theme::plain());
    let buffer = terminal.backend().buffer();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn the_title_bar_says_which_setting_makes_a_profile_read_only() {
    for (flag, profile_ro, badge) in [
        (false, true, "READ-ONLY (profile)"),
        (true, false, "READ-ONLY (--read-only)"),
        (true, true, "READ-ONLY (--read-only, profile)"),
    ] {
        let mut profiles = all_profiles();
        profiles[0].read_only = profile_ro;
        let mut state = State::new(profiles, Keymap::defaults(), flag);
        drive(&mut state, Action::Resize(100, 24));
        let rows = screen_text(&state, 100, 24);
        assert!(rows[0].trim_end().ends_with(badge), "{}", rows[0]);
        // A profile-level setting belongs to that profile only.
        drive(&mut state, key(KeyCode::Tab));
        let rows = screen_text(&state, 100, 24);
        assert_eq!(rows[0].contains("READ-ONLY"), flag, "{}", rows[0]);
    }
    // Narrow: the badge shortens before it disappears.
    let mut profiles = all_profiles();
    profiles[0].read_only = true;
    let mut state = State::new(profiles, Keymap::defaults(), false);
    drive(&mut state, Action::Resize(50, 24));
    assert!(screen_text(&state, 50, 24)[0].contains(" READ-ONLY "));
}

#[test]
fn the_editor_footer_says_what_esc_does_and_the_quit_question_shows_over_the_editor() {
    let mut state = State::new(all_profiles(), Keymap::defaults(), false);
    drive(&mut state, Action::Resize(100, 30));
    drive(&mut state, key(KeyCode::Char('e')));
    let rows = screen_text(&state, 100, 30);
    assert_eq!(rows[28].trim_end(), "editing · Ctrl-s saves · Esc closes");
    drive(&mut state, key(KeyCode::Char('x')));
    let rows = screen_text(&state, 100, 30);
    assert_eq!(
        rows[28].trim_end(),
        "editing · Ctrl-s saves · Esc closes, keeping your draft (e reopens it)"
    );
    drive(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    let text = screen_text(&state, 100, 30).join("\n");
    for line in [
        "Quit? Not saved to the server yet:",
        // Named for people, and wrapped rather than cut.
        "open editor, unsaved changes: identity ada.lovelace@example.com",
        "(767e3cc1)",
        "k  keep the drafts and quit",
        "d  discard the drafts and quit",
        "Esc  cancel, stay here",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
}

/// The keys of `:line` and Enter.
fn command_keys(line: &str) -> Vec<Action> {
    std::iter::once(':')
        .chain(line.chars())
        .map(|c| key(KeyCode::Char(c)))
        .chain([key(KeyCode::Enter)])
        .collect()
}

#[test]
fn a_sorted_list_shows_its_column_arrow_and_says_so_in_the_footer() {
    // Newest first: the hostile row (2026) on top, then the fixture's months backwards.
    snap(
        "identities_sorted_created_desc",
        &command_keys("sort created desc"),
        false,
    );
    let mut state = State::new(all_profiles(), Keymap::defaults(), false);
    drive(&mut state, Action::Resize(80, 24));
    for k in command_keys("sort email") {
        drive(&mut state, k);
    }
    let rows = screen_text(&state, 80, 24);
    assert!(rows[2].contains("EMAIL / USERNAME ↑"), "{rows:#?}");
    assert!(rows[3].contains("ada.lovelace"), "{rows:#?}");
    assert!(
        rows[22].contains("sorted by EMAIL / USERNAME: 1 of 7"),
        "{rows:#?}"
    );
    // A column too narrow for its title and the arrow keeps the arrow.
    for k in command_keys("sort metadata") {
        drive(&mut state, k);
    }
    let rows = screen_text(&state, 80, 24);
    assert!(rows[2].trim_end().ends_with("METADAT↑"), "{rows:#?}");
}

#[test]
fn a_watched_list_says_how_often_in_the_footer() {
    snap("identities_watched", &command_keys("watch 10"), false);
}

#[test]
fn a_status_message_longer_than_the_screen_wraps_onto_the_footer_line() {
    let mut state = State::new(all_profiles(), Keymap::defaults(), false);
    drive(&mut state, Action::Resize(80, 24));
    let line = "refused: identity 767e3cc1-d67e-51bc-ad2b-449c5eea9700 \
                has a pending recovery flow; finish or cancel it first (see the end)";
    state.error = Some(ErrorInfo::new(line, line));
    let rows = screen_text(&state, 80, 24);
    let both = format!("{} {}", rows[22].trim(), rows[23].trim());
    assert!(both.contains("(see the end)"), "{rows:#?}");
    assert!(both.contains("(:error)"), "{rows:#?}");
}

#[test]
fn chosen_columns_show_a_path_column_and_the_chooser_lists_them() {
    // ID hidden, a path column added after the email (the fixture's people have no name
    // traits: `traits.email` reads what they have); the wide screen gives it room.
    let mut keys = command_keys("columns");
    keys.extend(" jatraits.email".chars().map(|c| key(KeyCode::Char(c))));
    keys.push(key(KeyCode::Enter));
    snap("column_chooser", &keys, false);
    keys.push(key(KeyCode::Enter));
    snap("identities_chosen_columns", &keys, false);
}

/// The server of the `kratos` profile says `answer` to `GET /version`.
fn version_read(state: &mut State, answer: Result<&str, &str>) {
    let result = answer
        .map(|text| kratos::version::Version {
            text: text.into(),
            release: idtui::api::KratosVersion::from_json(&json!({ "version": text }))
                .and_then(|v| v.release),
        })
        .map_err(|e| idtui::app::ErrorInfo::new(e, e));
    drive(
        state,
        Action::VersionRead {
            profile: "kratos".into(),
            result,
        },
    );
}

#[test]
fn the_title_bar_names_the_kratos_version_its_server_said() {
    for (w, h) in SIZES {
        let mut state = State::new(all_profiles(), Keymap::defaults(), false);
        drive(&mut state, Action::Resize(w, h));
        version_read(&mut state, Ok("v1.3.1"));
        let terminal = screen(&state, w, h, Theme::plain());
        insta::assert_snapshot!(format!("identities_kratos_v1_{w}x{h}"), terminal.backend());
    }
    // At 80 columns beside the read-only badge, the host gives way first.
    let mut state = State::new(all_profiles(), Keymap::defaults(), true);
    drive(&mut state, Action::Resize(80, 24));
    version_read(&mut state, Ok("v1.3.1"));
    let top = &screen_text(&state, 80, 24)[0];
    assert!(top.contains("Ory Kratos v1.3.1 ·…"), "{top}");
    assert!(top.trim_end().ends_with("READ-ONLY (--read-only)"), "{top}");
    // Another profile's tab names its own system only.
    drive(&mut state, key(KeyCode::Tab));
    assert!(!screen_text(&state, 80, 24)[0].contains("v1.3.1"));

    // A server that cannot tell: `v?`, and the status line says the newest rules apply.
    let mut state = State::new(all_profiles(), Keymap::defaults(), false);
    drive(&mut state, Action::Resize(80, 24));
    version_read(&mut state, Err("kratos 404 Not Found: page not found"));
    let rows = screen_text(&state, 80, 24);
    assert!(
        rows[0].contains("Ory Kratos v? · 127.0.0.1:4455"),
        "{}",
        rows[0]
    );
    let bottom = rows[22..].join("\n");
    assert!(bottom.contains("Kratos version unknown"), "{bottom}");
    // A version far too long for the bar is cut, and never pushes out the tabs.
    let mut state = State::new(all_profiles(), Keymap::defaults(), false);
    drive(&mut state, Action::Resize(80, 24));
    version_read(&mut state, Ok("v1.3.1-this-is-a-very-long-build-name\u{7}"));
    let top = &screen_text(&state, 80, 24)[0];
    assert!(top.starts_with(" idtui  kratos │ core │ headless"), "{top}");
    assert!(
        !top.contains('\u{7}') && !top.contains("build-name"),
        "{top}"
    );
}
