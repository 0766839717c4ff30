//! The Coassemble headless client against the sandbox over loopback.

mod support;

use std::collections::HashSet;

use idtui_api::{Cursor, DeleteAction, ErrorKind, HeadlessApi, HeadlessUserUpdate};
use idtui_sandbox::HeadlessPlan;
use serde_json::json;
use support::*;

async fn all_clients(api: &HeadlessApi, length: u32) -> Vec<String> {
    let mut cursor = Cursor::first();
    let mut out = Vec::new();
    for _ in 0..1000 {
        let page = api.list_clients(&cursor, length).await.unwrap();
        assert!(page.items.len() <= length as usize);
        out.extend(page.items.into_iter().map(|c| c.identifier));
        match page.next {
            Some(n) => cursor = n,
            None => return out,
        }
    }
    panic!("client pagination does not end");
}

async fn all_users(
    api: &HeadlessApi,
    client: Option<&str>,
    length: u32,
) -> Vec<idtui_api::HeadlessUser> {
    let mut cursor = Cursor::first();
    let mut out = Vec::new();
    for _ in 0..1000 {
        let page = api.list_users(client, &cursor, length).await.unwrap();
        out.extend(page.items);
        match page.next {
            Some(n) => cursor = n,
            None => return out,
        }
    }
    panic!("user pagination does not end");
}

fn api_for(h: &Harness) -> HeadlessApi {
    headless(&format!("{}/api", h.base()))
}

#[tokio::test]
async fn walks_clients_and_users_by_page_and_length() {
    let h = Harness::start(|_| {}).await;
    let api = api_for(&h);
    let one_page = all_clients(&api, 1000).await;
    assert!(one_page.len() >= 2, "demo data has clients: {one_page:?}");
    // Any page size walks the same list: short last page or an empty one ends it.
    for length in [1, 2, 3] {
        assert_eq!(all_clients(&api, length).await, one_page, "length {length}");
    }
    assert_eq!(
        one_page.iter().collect::<HashSet<_>>().len(),
        one_page.len()
    );

    let users = all_users(&api, None, 1000).await;
    assert!(!users.is_empty());
    assert_eq!(all_users(&api, None, 2).await.len(), users.len());

    let client = &one_page[0];
    let theirs = all_users(&api, Some(client), 1).await;
    assert!(
        theirs
            .iter()
            .all(|u| u.client_identifier.as_deref() == Some(client.as_str()))
    );
}

#[tokio::test]
async fn get_update_and_errors() {
    let h = Harness::start(|_| {}).await;
    let api = api_for(&h);
    let clients = all_clients(&api, 100).await;
    let client = api.get_client(&clients[0]).await.unwrap();
    assert_eq!(client.identifier, clients[0]);

    let metadata = json!({"tier": "gold", "seats": 12});
    api.update_client(&client.identifier, &metadata)
        .await
        .unwrap();
    assert_eq!(
        api.get_client(&client.identifier).await.unwrap().metadata,
        metadata
    );

    let missing = api.get_client("no-such-client").await.unwrap_err();
    assert_eq!(missing.status, Some(404));
    assert_eq!(missing.code.as_deref(), Some("NOT_FOUND"));
    assert!(
        missing.to_string().starts_with("headless 404 NOT_FOUND: "),
        "{missing}"
    );
    let missing = api
        .update_client("no-such-client", &metadata)
        .await
        .unwrap_err();
    assert_eq!(missing.status, Some(404));

    let user = all_users(&api, Some(&clients[0]), 100).await.remove(0);
    let client_id = user.client_identifier.clone();
    let update = HeadlessUserUpdate {
        client_identifier: client_id.clone(),
        metadata: Some(json!({"role": "author"})),
        name: Some("Renamed Person".into()),
        ..Default::default()
    };
    api.update_user(&user.identifier, &update).await.unwrap();
    let got = api
        .get_user(&user.identifier, client_id.as_deref())
        .await
        .unwrap();
    assert_eq!(got.name.as_deref(), Some("Renamed Person"));
    assert_eq!(got.metadata["role"], "author");

    let err = api.get_user("no-such-user", None).await.unwrap_err();
    assert_eq!(err.status, Some(404));
}

#[tokio::test]
async fn delete_actions_go_in_the_query() {
    let h = Harness::start(|_| {}).await;
    let api = api_for(&h);
    let clients = all_clients(&api, 100).await;
    let users = all_users(&api, Some(&clients[0]), 100).await;
    assert!(users.len() >= 2, "need two users in one client");
    let client = users[0].client_identifier.clone();

    api.delete_user(
        &users[0].identifier,
        client.as_deref(),
        DeleteAction::Reallocate(users[1].identifier.clone()),
    )
    .await
    .unwrap();
    let gone = api
        .get_user(&users[0].identifier, client.as_deref())
        .await
        .unwrap_err();
    assert_eq!(gone.status, Some(404));
    let log = h.requests();
    let line = log
        .iter()
        .find(|(m, p, _)| m == "DELETE" && p.contains(&users[0].identifier))
        .unwrap();
    assert!(line.1.contains("action=reallocate"), "{line:?}");
    assert!(
        line.1
            .contains(&format!("reallocateTo={}", users[1].identifier)),
        "{line:?}"
    );

    let err = api
        .delete_user(
            &users[1].identifier,
            client.as_deref(),
            DeleteAction::Reallocate(" ".into()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config, "refused before sending");

    api.delete_user(
        &users[1].identifier,
        client.as_deref(),
        DeleteAction::Delete,
    )
    .await
    .unwrap();
    api.delete_client(&clients[0]).await.unwrap();
    assert_eq!(
        api.get_client(&clients[0]).await.unwrap_err().status,
        Some(404)
    );
}

#[tokio::test]
async fn plan_without_delete_is_forbidden() {
    let h = Harness::start(|o| o.headless_plan = HeadlessPlan::Core).await;
    let api = api_for(&h);
    let clients = all_clients(&api, 100).await;
    let err = api.delete_client(&clients[0]).await.unwrap_err();
    assert_eq!(err.status, Some(403));
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.code.as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn rate_limit_is_retried_after_the_servers_delay() {
    let h = Harness::start(|o| o.headless_rate_limit = 3).await;
    let api = api_for(&h);
    let mut statuses = Vec::new();
    // The fourth request in a minute is refused with 429 + Retry-After; the client waits only
    // when the wait fits its budget, otherwise it reports the delay.
    for _ in 0..4 {
        match api.list_clients(&Cursor::first(), 10).await {
            Ok(_) => statuses.push(200),
            Err(e) => {
                assert_eq!(e.status, Some(429));
                assert!(e.retry_after.is_some(), "{e}");
                assert!(e.to_string().contains("retry after"), "{e}");
                statuses.push(429);
            }
        }
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
}

#[tokio::test]
async fn bare_v1_base_without_api_works_too() {
    let h = Harness::start(|_| {}).await;
    let api = headless(h.base());
    assert!(!all_clients(&api, 100).await.is_empty());
}
