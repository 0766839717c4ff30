//! One page of any list the dashboard shows, from the API that serves it, as table rows.

use crate::api::{Api, ApiError, Cursor};
use crate::app::model::ACTIVE_ONLY;
use crate::app::{ListKind, PageData};

use super::people::kratos_search;
use super::rows::{
    all_session_records_page, client_records_page, core_credential_row, core_user_records_page,
    headless_user_records_page, page_data, session_records_page,
};

/// One page of `list`. `named` is told the cursor of the page after it as soon as that is
/// known, so a walk can ask for it early: the Kratos identity list names it from the
/// answer's headers, MATTR once its body is split (the cursor ends the body), every other
/// list once its page is read.
pub(super) async fn list(
    api: Api,
    list: ListKind,
    search: Option<String>,
    cursor: Cursor,
    size: u32,
    named: impl Fn(Cursor) + Send + Sync + 'static,
) -> Result<PageData, ApiError> {
    let data = match (&api, list) {
        (Api::Kratos(k), ListKind::KratosIdentities) => {
            return kratos_search(k, search.as_deref(), &cursor, size, named).await;
        }
        (Api::Kratos(k), ListKind::KratosSessions { identity }) => {
            let active = (search.as_deref() == Some(ACTIVE_ONLY)).then_some(true);
            let page = k
                .list_identity_session_records(&identity, active, &cursor, size)
                .await?;
            Ok(session_records_page(page))
        }
        (Api::Kratos(k), ListKind::AllSessions { active_only }) => {
            let page = k
                .list_session_records(active_only.then_some(true), &cursor, size)
                .await?;
            Ok(all_session_records_page(page))
        }
        (Api::Kratos(k), ListKind::KratosCredentials { identity }) => {
            // Credentials come with the identity (never their secrets: no include_credential).
            let i = k.get_identity(&identity, &[]).await?;
            Ok(PageData {
                rows: super::kratos_credentials::rows(&i),
                next: None,
                total: None,
            })
        }
        (Api::Core(c), ListKind::CoreUsers) => {
            let page = match search {
                Some(q) => {
                    let criteria = super::people::core_search(&q)?;
                    c.search_user_records(&criteria, &cursor, size).await?
                }
                None => c.list_user_records(&cursor, size).await?,
            };
            if let Some(next) = &page.next {
                named(next.clone());
            }
            return Ok(core_user_records_page(page));
        }
        (Api::Core(c), ListKind::CoreCredentials { user }) => {
            let page = c.list_credentials(&user, &cursor, size).await?;
            Ok(page_data(page, core_credential_row))
        }
        (Api::Headless(h), ListKind::HeadlessClients) => {
            let page = h.list_client_records(&cursor, size).await?;
            Ok(client_records_page(page))
        }
        (Api::Headless(h), ListKind::HeadlessUsers { client }) => {
            let client = search.or(client);
            let page = h
                .list_user_records(client.as_deref(), &cursor, size)
                .await?;
            Ok(headless_user_records_page(page))
        }
        (api, list) => Err(ApiError::config(
            api.provider(),
            format!("{} has no {} list", api.provider(), list.title()),
        )),
    }?;
    if let Some(next) = data.next.as_ref().and_then(|n| n.get::<Cursor>()) {
        named(next.clone());
    }
    Ok(data)
}
