//! The audit trail names the request the profile's client really sends: a MATTR profile's
//! line carries its path prefix (`/v1` or `/core/v1`), Kratos and Coassemble lines their
//! fixed paths, and each is the very path the sandbox logged. Both lines of a change are
//! checked: the `sent` one, written before the profile is connected, and the outcome.

#[path = "../crates/idtui-api/tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use idtui::app::audit::{AuditEntry, AuditOutcome};
use idtui::app::provider::{core, headless, kratos};
use idtui::app::{Action, Effect, ListKind, Mutation, PageCursor, Provider as Shown};
use idtui::audit_log::AuditLog;
use idtui::config::{Profile, Provider};
use idtui::drafts::DraftStore;
use idtui::runtime::lazy::Lazy;
use idtui::runtime::{Backend, Backends, effects, provider};
use serde_json::Value;
use support::Harness;

fn profile(provider: Provider, url: &str) -> Profile {
    let mut p = Profile::new("test", provider, url);
    if provider == Provider::Headless {
        p.workspace_id = Some("1".into());
    }
    p
}

fn connect(p: &Profile) -> idtui::api::Api {
    idtui::connect::connect(p, false).unwrap()
}

/// The id of the first row of `list` on `profile`.
async fn first_id(profile: &Profile, list: ListKind) -> String {
    let b = provider::backend(connect(profile));
    let page = b.list(list, None, PageCursor::First, 10).await.unwrap();
    page.rows[0].id.clone()
}

/// Sends `mutation` through `profile` as the dashboard does (audit line, change, audit line)
/// and answers the paths of both lines.
async fn audited(profile: Profile, shown: Shown, mutation: Mutation) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path().join("audit.jsonl"));
    let drafts = DraftStore::new(dir.path().join("drafts"));
    let lazy = Arc::new(Lazy::new(profile, false));
    let mut backends = Backends::default();
    backends.insert("test", Arc::clone(&lazy) as Arc<dyn Backend>);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let line = |outcome| Effect::Audit(AuditEntry::new("test", shown, &mutation, None, outcome));
    effects::spawn(
        line(AuditOutcome::Sent),
        &backends,
        &drafts,
        &audit,
        false,
        &tx,
    );
    lazy.mutate(mutation.clone())
        .await
        .unwrap_or_else(|e| panic!("{}", e.details));
    effects::spawn(
        line(AuditOutcome::Applied),
        &backends,
        &drafts,
        &audit,
        false,
        &tx,
    );
    assert!(rx.try_recv().is_err(), "both lines written");
    std::fs::read_to_string(audit.path())
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("method"), s("path"))
        })
        .collect()
}

/// The (method, path) of every change the sandbox received.
fn changes_sent(h: &Harness) -> Vec<(String, String)> {
    h.requests()
        .into_iter()
        .filter(|(m, _, _)| m != "GET")
        .map(|(m, p, _)| (m, p))
        .collect()
}

#[tokio::test]
async fn a_mattr_line_carries_the_prefix_its_client_sends() {
    for (prefix, root) in [(None, "/v1"), (Some("/core/v1"), "/core/v1")] {
        let h = Harness::start(|_| {}).await;
        let mut p = profile(Provider::Core, h.base());
        p.prefix = prefix.map(str::to_string);
        let user = first_id(&p, ListKind::Core(core::List::Users)).await;
        let lines = audited(
            p,
            Shown::Core,
            Mutation::Core(core::Change::DeleteUser { user: user.clone() }),
        )
        .await;
        let want = ("DELETE".to_string(), format!("{root}/users/{user}"));
        assert_eq!(lines, vec![want.clone(), want.clone()]);
        assert_eq!(changes_sent(&h), vec![want], "the path the client sent");
    }
}

#[tokio::test]
async fn kratos_and_coassemble_lines_are_the_paths_sent() {
    let h = Harness::start(|_| {}).await;
    let p = profile(Provider::Kratos, h.base());
    let identity = first_id(&p, ListKind::Kratos(kratos::List::Identities)).await;
    let lines = audited(
        p,
        Shown::Kratos,
        Mutation::Kratos(kratos::Change::DeleteIdentity {
            identity: identity.clone(),
        }),
    )
    .await;
    let want = (
        "DELETE".to_string(),
        format!("/admin/identities/{identity}"),
    );
    assert_eq!(lines, vec![want.clone(), want.clone()]);
    assert_eq!(changes_sent(&h), vec![want]);

    let h = Harness::start(|_| {}).await;
    let p = profile(Provider::Headless, h.base());
    let client = first_id(&p, ListKind::Headless(headless::List::Clients)).await;
    let lines = audited(
        p,
        Shown::Headless,
        Mutation::Headless(headless::Change::DeleteClient {
            client: client.clone(),
        }),
    )
    .await;
    let want = (
        "DELETE".to_string(),
        format!("/v1/headless/client/{client}"),
    );
    assert_eq!(lines, vec![want.clone(), want.clone()]);
    assert_eq!(changes_sent(&h), vec![want]);
}
