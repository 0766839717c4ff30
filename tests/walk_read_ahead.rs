//! A walk reads each page ahead while the one before it is taken in (the Kratos identity
//! list from its `Link` header, MATTR users once the cursor in the page before is read):
//! every record arrives once, in order, each page is asked for about once, and a change sent
//! during the walk is never hidden by a page read ahead before it.

#[path = "../crates/idtui-api/tests/support/mod.rs"]
mod support;

use std::collections::HashSet;

use idtui::api::Api;
use idtui::app::provider::{core, kratos};
use idtui::app::{ListKind, Mutation, PageCursor, PageData};
use idtui::runtime::Backend;
use idtui::runtime::provider;
use support::{Harness, core, count, kratos};

/// Walk-sized pages: the backend reads ahead from this size on.
const WALK: usize = 500;

async fn page(b: &dyn Backend, kind: &ListKind, cursor: PageCursor) -> PageData {
    b.list(kind.clone(), None, cursor, WALK)
        .await
        .unwrap_or_else(|e| panic!("{}", e.details))
}

/// The ids of `first` and of every page after it, taken from the backend one by one as the
/// dashboard takes them, and how many pages that was.
async fn walk_on(b: &dyn Backend, kind: &ListKind, first: PageData) -> (Vec<String>, usize) {
    let mut ids: Vec<String> = first.rows.iter().map(|r| r.id.clone()).collect();
    let (mut next, mut pages) = (first.next, 1);
    while let Some(cursor) = next {
        let data = page(b, kind, cursor).await;
        ids.extend(data.rows.iter().map(|r| r.id.clone()));
        next = data.next;
        pages += 1;
        assert!(pages < 50, "the walk ends");
    }
    (ids, pages)
}

fn list_requests(h: &Harness) -> usize {
    count(&h.requests(), "GET", "/admin/identities")
}

#[tokio::test]
async fn a_walk_reads_ahead_without_gaps_or_repeats_and_a_change_drops_what_was_read_ahead() {
    let h = Harness::start(|o| o.generate = Some(1_800)).await;
    let b = provider::backend(Api::Kratos(kratos(h.base())));

    let identities = ListKind::Kratos(kratos::List::Identities);
    let first = page(&*b, &identities, PageCursor::First).await;
    let (ids, pages) = walk_on(&*b, &identities, first).await;
    // Each page once, give or take a page read ahead that went stale on a slow machine.
    let asked = list_requests(&h);
    assert!(
        (pages..=pages + 2).contains(&asked),
        "{asked} list requests for {pages} pages"
    );
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no identity twice");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "in the server's order (by id)");
    // Demo identities and generated ones: all of them, one walk.
    let everyone = kratos(h.base());
    let mut total = 0;
    let mut c = idtui::api::Cursor::first();
    loop {
        let p = everyone
            .list_identities(&Default::default(), &c, 1000)
            .await
            .unwrap();
        total += p.items.len();
        match p.next {
            Some(n) => c = n,
            None => break,
        }
    }
    assert_eq!(ids.len(), total);

    // A change sent while the second page is being read ahead: that page is read again.
    let first = page(&*b, &identities, PageCursor::First).await;
    let doomed = ids[WALK + 1].clone();
    b.mutate(Mutation::Kratos(kratos::Change::DeleteIdentity {
        identity: doomed.clone(),
    }))
    .await
    .unwrap();
    let second = page(&*b, &identities, first.next.clone().unwrap()).await;
    assert!(
        second.rows.iter().all(|r| r.id != doomed),
        "a page read before the delete still showed it"
    );
    assert_eq!(second.rows[0].id, ids[WALK]);
    assert_eq!(second.rows[1].id, ids[WALK + 2]);
}

/// Every MATTR user's id, in the server's order, read with the API client alone.
async fn all_core_user_ids(h: &Harness) -> Vec<String> {
    let api = core(h.base());
    let (mut ids, mut c) = (Vec::new(), idtui::api::Cursor::first());
    loop {
        let p = api.list_users(&c, 1000).await.unwrap();
        ids.extend(p.items.into_iter().map(|u| u.id));
        match p.next {
            Some(n) => c = n,
            None => return ids,
        }
    }
}

#[tokio::test]
async fn a_mattr_walk_reads_each_page_ahead_once_its_cursor_is_read() {
    let h = Harness::start(|o| o.generate = Some(1_800)).await;
    let b = provider::backend(Api::Core(core(h.base())));
    let users = |h: &Harness| count(&h.requests(), "GET", "/v1/users");
    let users_list = ListKind::Core(core::List::Users);

    // Taking the first page starts the second, unasked.
    let first = page(&*b, &users_list, PageCursor::First).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while users(&h) < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(users(&h), 2, "the second page is read ahead");

    let (ids, pages) = walk_on(&*b, &users_list, first).await;
    let asked = users(&h);
    assert!(
        (pages..=pages + 2).contains(&asked),
        "{asked} list requests for {pages} pages"
    );
    assert_eq!(ids, all_core_user_ids(&h).await, "each user once, in order");

    // A user deleted while the second page is read ahead is not shown by that page.
    let first = page(&*b, &users_list, PageCursor::First).await;
    let doomed = ids[WALK + 1].clone();
    b.mutate(Mutation::Core(core::Change::DeleteUser {
        user: doomed.clone(),
    }))
    .await
    .unwrap();
    let second = page(&*b, &users_list, first.next.clone().unwrap()).await;
    assert!(second.rows.iter().all(|r| r.id != doomed));
    assert_eq!(second.rows[0].id, ids[WALK]);
    assert_eq!(second.rows[1].id, ids[WALK + 2]);
}
