//! The runtime's adapter over the real API clients against an in-process sandbox with demo
//! data: every list, search and lookup the dashboard makes, and mutations (allowed and
//! refused in read-only mode).

use std::sync::Arc;

use idtui::app::provider::{core, headless, kratos};
use idtui::app::{ErrorInfo, ListKind, Mutation, ObjectKind, PageCursor, PageData, Row};
use idtui::config::embedded_profiles;
use idtui::runtime::Backend;
use idtui::runtime::provider;
use idtui::sandbox::{self, SandboxOptions};

const GRACE: &str = "c24bf686-c7b8-59d3-8a1c-ce810931791e";

async fn backends(read_only: bool) -> (sandbox::RunningSandbox, Vec<Arc<dyn Backend>>) {
    // As the dashboard does: MATTR and Coassemble get the run's generated credential.
    let options = SandboxOptions::embedded();
    let credential = options.provider_credential().map(str::to_owned);
    let sb = sandbox::start(options).await.unwrap();
    let backends = embedded_profiles(&sb.base_url, credential.as_deref())
        .into_iter()
        .map(|(_, p)| provider::backend(idtui::connect::connect(&p, read_only).unwrap()))
        .collect();
    (sb, backends)
}

async fn list(b: &Arc<dyn Backend>, kind: ListKind, search: Option<&str>) -> PageData {
    b.list(kind, search.map(String::from), PageCursor::First, 100)
        .await
        .unwrap_or_else(|e: ErrorInfo| panic!("{}", e.details))
}

/// How each row names its object (an email, a name).
fn emails(page: &PageData) -> Vec<String> {
    page.rows.iter().map(|r| name(r).to_string()).collect()
}

fn name(row: &Row) -> &str {
    row.fields.name().unwrap_or_default()
}

/// What `list` shows of `row` under the column titled `title`.
fn cell(row: &Row, list: &ListKind, title: &str) -> String {
    let column = list.columns().iter().find(|c| c.title == title);
    column
        .unwrap_or_else(|| panic!("{list:?} has no column {title}"))
        .of(row)
        .to_string()
}

/// What `list` shows of `row`, column by column.
fn shown(row: &Row, list: &ListKind) -> Vec<(&'static str, String)> {
    let columns = list.columns().iter();
    columns.map(|c| (c.title, c.of(row).to_string())).collect()
}

fn grace_sessions() -> ListKind {
    ListKind::Kratos(kratos::List::Sessions {
        identity: GRACE.into(),
    })
}

#[tokio::test]
async fn kratos_lists_searches_and_lookups() {
    let (_sb, b) = backends(false).await;
    let kratos = &b[0];
    let all = list(kratos, ListKind::Kratos(kratos::List::Identities), None).await;
    assert_eq!(all.rows.len(), 35);
    // Read by the identities list's own columns.
    assert_eq!(
        titles(all.rows[0].fields.columns()),
        titles(ListKind::Kratos(kratos::List::Identities).columns())
    );

    // Credential identifier, id and external id all find Grace.
    for query in [
        "grace.hopper@example.com",
        GRACE,
        "ext:crm-0037",
        "crm-0037",
    ] {
        let found = list(
            kratos,
            ListKind::Kratos(kratos::List::Identities),
            Some(query),
        )
        .await;
        assert_eq!(
            emails(&found),
            vec!["grace.hopper@example.com"],
            "query {query}"
        );
    }
    let none = list(
        kratos,
        ListKind::Kratos(kratos::List::Identities),
        Some("nobody@example.com"),
    )
    .await;
    assert!(none.rows.is_empty() && none.next.is_none());

    // The start of an email finds every identity it begins, as Kratos' prefix match does.
    let prefix = list(
        kratos,
        ListKind::Kratos(kratos::List::Identities),
        Some("grace"),
    )
    .await;
    assert_eq!(emails(&prefix), vec!["grace.hopper@example.com"]);
    let prefix = list(
        kratos,
        ListKind::Kratos(kratos::List::Identities),
        Some("ADA."),
    )
    .await;
    assert_eq!(
        emails(&prefix),
        vec!["ada.lovelace@example.com"],
        "case-folded"
    );

    let sessions = list(
        kratos,
        ListKind::Kratos(kratos::List::Sessions {
            identity: GRACE.into(),
        }),
        None,
    )
    .await;
    assert!(!sessions.rows.is_empty());
    assert!(
        sessions
            .rows
            .iter()
            .all(|r| cell(r, &grace_sessions(), "IP").starts_with("203.0.113.")),
        "IP column"
    );

    let creds = list(
        kratos,
        ListKind::Kratos(kratos::List::Credentials {
            identity: GRACE.into(),
        }),
        None,
    )
    .await;
    let credentials = ListKind::Kratos(kratos::List::Credentials {
        identity: GRACE.into(),
    });
    let types: Vec<String> = creds
        .rows
        .iter()
        .map(|r| cell(r, &credentials, "TYPE"))
        .collect();
    assert!(types.iter().any(|t| t == "password"), "{types:?}");
    let raw =
        serde_json::to_string(&creds.rows.iter().map(|r| &*r.raw).collect::<Vec<_>>()).unwrap();
    assert!(
        !raw.contains("$argon2id$") && !raw.contains("$2a$"),
        "no hashes fetched"
    );

    let full = kratos
        .get(ObjectKind::Kratos(kratos::Object::Identity), GRACE.into())
        .await
        .unwrap();
    assert!(
        full.raw.get("credentials").is_some(),
        "the full identity has credentials"
    );
    let err = kratos
        .get(
            ObjectKind::Kratos(kratos::Object::Identity),
            "00000000-0000-0000-0000-000000000000".into(),
        )
        .await
        .unwrap_err();
    assert!(err.line.contains("404"), "{}", err.line);
}

#[tokio::test]
async fn core_search_by_claims_and_credentials() {
    let (_sb, b) = backends(false).await;
    let core = &b[1];
    let all = list(core, ListKind::Core(core::List::Users), None).await;
    assert!(all.rows.len() >= 10);
    let found = list(
        core,
        ListKind::Core(core::List::Users),
        Some(r#"given_name=Jamie address.street_name="Queen Street""#),
    )
    .await;
    assert_eq!(emails(&found), vec!["jamie@example.test"]);
    let bad = core
        .list(
            ListKind::Core(core::List::Users),
            Some("given_name".into()),
            PageCursor::First,
            10,
        )
        .await;
    assert!(
        bad.is_err(),
        "an unparseable search is an error, not a full list"
    );

    let aroha = all
        .rows
        .iter()
        .find(|r| name(r) == "1@example.test")
        .expect("Aroha");
    let creds = list(
        core,
        ListKind::Core(core::List::Credentials {
            user: aroha.id.clone(),
        }),
        None,
    )
    .await;
    let credentials = ListKind::Core(core::List::Credentials {
        user: aroha.id.clone(),
    });
    assert_eq!(
        cell(&creds.rows[0], &credentials, "TYPE"),
        "EmployeeCredential"
    );
}

#[tokio::test]
async fn headless_clients_and_users_by_client() {
    let (_sb, b) = backends(false).await;
    let headless = &b[2];
    let clients = list(headless, ListKind::Headless(headless::List::Clients), None).await;
    let acme = clients
        .rows
        .iter()
        .find(|r| r.id == "acme-corp")
        .expect("acme-corp");
    assert_eq!(name(acme), "Acme Corporation");
    let users = list(
        headless,
        ListKind::Headless(headless::List::Users {
            client: Some("acme-corp".into()),
        }),
        None,
    )
    .await;
    assert!(!users.rows.is_empty());
    let users_of = ListKind::Headless(headless::List::Users { client: None });
    assert!(
        users
            .rows
            .iter()
            .all(|r| cell(r, &users_of, "CLIENT") == "acme-corp")
    );
    // The find prompt on the Users pane searches by client identifier.
    let searched = list(
        headless,
        ListKind::Headless(headless::List::Users { client: None }),
        Some("globex"),
    )
    .await;
    assert!(
        !searched.rows.is_empty()
            && searched
                .rows
                .iter()
                .all(|r| cell(r, &users_of, "CLIENT") == "globex")
    );
}

#[tokio::test]
async fn pages_chain_by_cursor_and_refetch_the_same_rows() {
    let (_sb, b) = backends(false).await;
    let kratos = &b[0];
    let first = kratos
        .list(
            ListKind::Kratos(kratos::List::Identities),
            None,
            PageCursor::First,
            10,
        )
        .await
        .unwrap();
    let next = first.next.clone().expect("more than one page");
    let second = kratos
        .list(
            ListKind::Kratos(kratos::List::Identities),
            None,
            next.clone(),
            10,
        )
        .await
        .unwrap();
    let again = kratos
        .list(ListKind::Kratos(kratos::List::Identities), None, next, 10)
        .await
        .unwrap();
    assert_eq!(second.rows, again.rows);
    assert_ne!(first.rows[0].id, second.rows[0].id);
}

#[tokio::test]
async fn mutations_run_and_read_only_clients_refuse_them() {
    let (_sb, b) = backends(false).await;
    let kratos = &b[0];
    let sessions = list(
        kratos,
        ListKind::Kratos(kratos::List::Sessions {
            identity: GRACE.into(),
        }),
        None,
    )
    .await;
    let active = sessions
        .rows
        .iter()
        .find(|r| cell(r, &grace_sessions(), "ACTIVE") == "yes")
        .expect("an active session");
    let done = kratos
        .mutate(Mutation::Kratos(kratos::Change::RevokeSession {
            session: active.id.clone(),
        }))
        .await
        .unwrap();
    assert!(done.message.contains(&active.id));
    let after = list(
        kratos,
        ListKind::Kratos(kratos::List::Sessions {
            identity: GRACE.into(),
        }),
        None,
    )
    .await;
    let row = after.rows.iter().find(|r| r.id == active.id).unwrap();
    assert_eq!(cell(row, &grace_sessions(), "ACTIVE"), "no");

    let (_sb2, ro) = backends(true).await;
    let err = ro[0]
        .mutate(Mutation::Kratos(kratos::Change::RevokeAllSessions {
            identity: GRACE.into(),
        }))
        .await
        .unwrap_err();
    assert!(
        err.line.to_lowercase().contains("read-only"),
        "{}",
        err.line
    );
}

#[tokio::test]
async fn deletes_reach_each_provider() {
    let (_sb, b) = backends(false).await;
    let (core, headless) = (&b[1], &b[2]);

    let users = list(core, ListKind::Core(core::List::Users), None).await;
    let victim = users.rows.last().unwrap().id.clone();
    core.mutate(Mutation::Core(core::Change::DeleteUser {
        user: victim.clone(),
    }))
    .await
    .unwrap();
    let err = core
        .get(ObjectKind::Core(core::Object::User), victim)
        .await
        .unwrap_err();
    assert!(err.line.contains("404"), "{}", err.line);

    let globex = list(
        headless,
        ListKind::Headless(headless::List::Users {
            client: Some("globex".into()),
        }),
        None,
    )
    .await;
    let (gone, heir) = (&globex.rows[0], &globex.rows[1]);
    headless
        .mutate(Mutation::Headless(headless::Change::DeleteUser {
            user: gone.id.clone(),
            client: Some("globex".into()),
            courses: idtui::app::Courses::Reallocate(heir.id.clone()),
        }))
        .await
        .unwrap_or_else(|e| panic!("{}", e.details));
    let after = list(
        headless,
        ListKind::Headless(headless::List::Users {
            client: Some("globex".into()),
        }),
        None,
    )
    .await;
    assert!(after.rows.iter().all(|r| r.id != gone.id));
    assert!(after.rows.iter().any(|r| r.id == heir.id));

    headless
        .mutate(Mutation::Headless(headless::Change::DeleteClient {
            client: "initech".into(),
        }))
        .await
        .unwrap_or_else(|e| panic!("{}", e.details));
    let clients = list(headless, ListKind::Headless(headless::List::Clients), None).await;
    assert!(clients.rows.iter().all(|r| r.id != "initech"));
}

#[tokio::test]
async fn an_identity_is_created_from_the_new_identity_template_shape() {
    let (_sb, b) = backends(false).await;
    let kratos = &b[0];
    let body = serde_json::json!({
        "schema_id": "default", "state": "active",
        "traits": {"email": "new.person@example.com"}, "metadata_public": {}
    });
    let done = kratos
        .mutate(Mutation::Kratos(kratos::Change::CreateIdentity { body }))
        .await
        .unwrap_or_else(|e| panic!("{}", e.details));
    assert!(done.message.starts_with("created identity "), "{done:?}");
    let found = list(
        kratos,
        ListKind::Kratos(kratos::List::Identities),
        Some("new.person@example.com"),
    )
    .await;
    assert_eq!(found.rows.len(), 1);
}

#[tokio::test]
async fn marked_sessions_are_revoked_one_by_one() {
    let (_sb, b) = backends(false).await;
    let kratos = &b[0];
    let sessions = list(
        kratos,
        ListKind::Kratos(kratos::List::Sessions {
            identity: GRACE.into(),
        }),
        None,
    )
    .await;
    let active: Vec<String> = sessions
        .rows
        .iter()
        .filter(|r| cell(r, &grace_sessions(), "ACTIVE") == "yes")
        .map(|r| r.id.clone())
        .collect();
    assert!(!active.is_empty());
    kratos
        .mutate(Mutation::Kratos(kratos::Change::RevokeSessions {
            sessions: active.clone(),
        }))
        .await
        .unwrap_or_else(|e| panic!("{}", e.details));
    let after = list(
        kratos,
        ListKind::Kratos(kratos::List::Sessions {
            identity: GRACE.into(),
        }),
        None,
    )
    .await;
    assert!(
        after
            .rows
            .iter()
            .filter(|r| active.contains(&r.id))
            .all(|r| cell(r, &grace_sessions(), "ACTIVE") == "no")
    );
}

#[tokio::test]
async fn every_session_names_its_person_between_active_and_aal() {
    let (_sb, b) = backends(false).await;
    let kratos = &b[0];
    let all = list(
        kratos,
        ListKind::Kratos(kratos::List::AllSessions { active_only: true }),
        None,
    )
    .await;
    assert!(!all.rows.is_empty());
    let every = ListKind::Kratos(kratos::List::AllSessions { active_only: true });
    assert_eq!(
        titles(every.columns())[..4],
        ["ID", "ACTIVE", "IDENTITY", "AAL"]
    );
    for row in &all.rows {
        assert_eq!(titles(row.fields.columns()), titles(every.columns()));
        let cells = shown(row, &every);
        assert_eq!(cell(row, &every, "ID"), row.id);
        let active = cell(row, &every, "ACTIVE");
        assert!(matches!(active.as_str(), "yes" | "no"), "{cells:?}");
        assert!(
            !cell(row, &every, "IDENTITY").is_empty(),
            "the person: {cells:?}"
        );
        let aal = cell(row, &every, "AAL");
        assert!(
            matches!(aal.as_str(), "aal1" | "aal2" | "aal3" | ""),
            "{cells:?}"
        );
    }
    let grace = list(
        kratos,
        ListKind::Kratos(kratos::List::Sessions {
            identity: GRACE.into(),
        }),
        None,
    )
    .await;
    let one = &grace.rows[0];
    let same = all
        .rows
        .iter()
        .find(|r| r.id == one.id)
        .expect("in both lists");
    assert_eq!(cell(same, &every, "IDENTITY"), "grace.hopper@example.com");
    let mut without_person = shown(same, &every);
    without_person.retain(|(title, _)| *title != "IDENTITY");
    let own = shown(one, &grace_sessions());
    // The same columns (the devices come only with an identity's own sessions).
    assert_eq!(without_person[..3], own[..3]);
    assert_eq!(without_person.last(), own.last());
}

/// A table's headers, in order: which table a row is read by.
fn titles(columns: &[idtui::app::Column]) -> Vec<&'static str> {
    columns.iter().map(|c| c.title).collect()
}
