//! Finding people on Kratos: by id, credential identifier (exact, then prefix) or external
//! id, the same search the identity list runs for a typed query.

use super::KratosClient;
use crate::api::{ApiError, Cursor, Identity, IdentityFilter, Provider};
use crate::app::find::KratosQuery;
use crate::app::provider::kratos;
use crate::app::{Hit, ObjectKind, PageData};
use crate::runtime::rows::{identity_records_page, identity_row, is_not_found, one_row, page_data};

/// Most matches one profile returns (a picker lists no more; typing more narrows it).
const FIND_MAX: u32 = 50;

pub(super) async fn find(k: KratosClient, text: String) -> Result<Vec<Hit>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let page = kratos_search(&k, Some(text), &Cursor::first(), FIND_MAX, |_| {}).await?;
    Ok(page
        .rows
        .into_iter()
        .map(|row| Hit {
            kind: ObjectKind::Kratos(kratos::Object::Identity),
            row,
        })
        .collect())
}

/// The identity list, narrowed by `query` when there is one. External ids are looked up
/// only on a Kratos that has them (v25.4 and newer): an `ext:` query to an older one is
/// refused unsent, and an identifier is not tried as one.
/// Without a query, `named` is told the next page's cursor from the answer's headers (see
/// `read_ahead::Pages`).
pub async fn kratos_search(
    client: &KratosClient,
    query: Option<&str>,
    cursor: &Cursor,
    size: u32,
    named: impl Fn(Cursor) + Send + Sync + 'static,
) -> Result<PageData, ApiError> {
    let optional = |r: Result<Identity, ApiError>| match r {
        Ok(i) => Ok(Some(identity_row(i))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    };
    let k = &client.api;
    match query.and_then(KratosQuery::parse) {
        None => {
            let page = k
                .list_identity_records_early(&IdentityFilter::default(), cursor, size, named)
                .await?;
            Ok(identity_records_page(page))
        }
        Some(KratosQuery::Id(id)) => optional(k.get_identity(&id, &[]).await).map(one_row),
        Some(KratosQuery::ExternalId(ext)) => {
            let (rules, version) = client.rules().await;
            if let Some(why) = rules.external_id_refused(&version) {
                return Err(ApiError::config(Provider::Kratos, why));
            }
            optional(k.identity_by_external_id(&ext).await).map(one_row)
        }
        Some(KratosQuery::Identifier(ident)) => {
            let filter = IdentityFilter {
                credentials_identifier: Some(ident.clone()),
                ..Default::default()
            };
            // Later pages replay the server's `next` link, filter included, whichever
            // filter found the first page.
            let page = k.list_identities(&filter, cursor, size).await?;
            if !page.items.is_empty() || !cursor.is_first() {
                return Ok(page_data(page, identity_row));
            }
            // No credential has exactly that identifier: it may be an external id, or the
            // start of an email or username (Kratos offers only a prefix match).
            if client.rules().await.0.external_ids
                && let Some(found) = optional(k.identity_by_external_id(&ident).await)?
            {
                return Ok(one_row(Some(found)));
            }
            let prefix = IdentityFilter {
                preview_credentials_identifier_similar: Some(ident.clone()),
                ..Default::default()
            };
            let page = k.list_identities(&prefix, cursor, size).await?;
            Ok(page_data(page, identity_row))
        }
    }
}
