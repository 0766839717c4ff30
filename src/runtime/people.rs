//! Searching for people (`Backend::find`, behind a WHO argument and `:find`), with each
//! provider's own search: Kratos by id, credential identifier (exact, then prefix) or
//! external id; MATTR by id, email claim, claims or subject; Coassemble by user and client
//! identifier.

use futures::StreamExt;
use serde_json::json;

use crate::api::{
    Api, ApiError, CoreApi, CoreSearch, Cursor, HeadlessApi, HeadlessUser, Identity,
    IdentityFilter, KratosApi,
};
use crate::app::find::{KratosQuery, looks_like_email};
use crate::app::{Hit, ObjectKind, PageData, Row};

use super::rows::{
    client_row, core_user_row, headless_user_row, identity_records_page, identity_row,
    is_not_found, one_row, page_data,
};

/// Most matches one profile returns (a picker lists no more; typing more narrows it).
const FIND_MAX: u32 = 50;

pub async fn find(api: Api, text: String) -> Result<Vec<Hit>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    match &api {
        Api::Kratos(k) => kratos(k, text).await,
        Api::Core(c) => core(c, text).await,
        Api::Headless(h) => headless(h, text).await,
    }
}

fn hits(kind: ObjectKind, rows: Vec<Row>) -> Vec<Hit> {
    rows.into_iter().map(|row| Hit { kind, row }).collect()
}

/// `None` for a 404: nobody by that key.
fn optional<T>(r: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(e) if e.status == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn kratos(k: &KratosApi, text: &str) -> Result<Vec<Hit>, ApiError> {
    let page = kratos_search(k, Some(text), &Cursor::first(), FIND_MAX, |_| {}).await?;
    Ok(hits(ObjectKind::Identity, page.rows))
}

/// MATTR matches claims exactly: an email searches the `email` claim, `key=value` the
/// claims, a UUID is a user id, anything else the IdP subject (an external id).
async fn core(c: &CoreApi, text: &str) -> Result<Vec<Hit>, ApiError> {
    if uuid::Uuid::parse_str(text).is_ok() {
        let user = optional(c.get_user(text).await)?;
        return Ok(hits(
            ObjectKind::CoreUser,
            user.into_iter().map(core_user_row).collect(),
        ));
    }
    let search = if text.contains('=') || looks_like_email(text) {
        core_search(text)?
    } else {
        CoreSearch {
            subject_id: Some(text.to_string()),
            ..Default::default()
        }
    };
    let page = c.search_users(&search, &Cursor::first(), FIND_MAX).await?;
    Ok(hits(
        ObjectKind::CoreUser,
        page.items.into_iter().map(core_user_row).collect(),
    ))
}

/// What MATTR's search is asked for `text`: `key=value` claims, or a whole email as the
/// `email` claim.
pub fn core_search(text: &str) -> Result<CoreSearch, ApiError> {
    if !text.contains('=') && looks_like_email(text) {
        return Ok(CoreSearch {
            claims: Some(json!({ "email": text.trim() })),
            ..Default::default()
        });
    }
    CoreSearch::parse(text).map_err(|e| ApiError::config(crate::api::Provider::Core, e.to_string()))
}

/// A Coassemble user and a client may share an identifier: both are found. An identifier
/// several clients use for a user is ambiguous without its client (the server answers 400):
/// then each client is asked for it, so every match is found with its client.
async fn headless(h: &HeadlessApi, text: &str) -> Result<Vec<Hit>, ApiError> {
    let mut out = Vec::new();
    let users = match h.get_user(text, None).await {
        Ok(u) => vec![u],
        Err(e) if e.status == Some(404) => Vec::new(),
        Err(e) if e.status == Some(400) => headless_users_by_client(h, text, e).await?,
        Err(e) => return Err(e),
    };
    out.extend(users.into_iter().map(|u| Hit {
        kind: ObjectKind::HeadlessUser,
        row: headless_user_row(u),
    }));
    if let Some(c) = optional(h.get_client(text).await)? {
        out.push(Hit {
            kind: ObjectKind::HeadlessClient,
            row: client_row(c),
        });
    }
    Ok(out)
}

/// Clients asked at once while looking for one identifier under each.
const PROBES_AT_ONCE: usize = 8;

/// The users named `identifier` under each client, and the workspace user of that name (no
/// client). Clients are walked page by page until the end or [`FIND_MAX`] users. Finding
/// none leaves the server's own answer (`ambiguous`) standing.
async fn headless_users_by_client(
    h: &HeadlessApi,
    identifier: &str,
    ambiguous: ApiError,
) -> Result<Vec<HeadlessUser>, ApiError> {
    // An empty client names the workspace. A server that reads it as no client at all
    // answers the same 400 again, which means nothing more than that.
    let mut found: Vec<HeadlessUser> = match h.get_user(identifier, Some("")).await {
        Ok(u) => vec![u],
        Err(e) if matches!(e.status, Some(400 | 404)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut cursor = Cursor::first();
    while found.len() < FIND_MAX as usize {
        let page = h.list_clients(&cursor, 100).await?;
        let clients: Vec<String> = page
            .items
            .into_iter()
            .filter(|c| c.user_count != Some(0))
            .map(|c| c.identifier)
            .collect();
        // Each probe owns what it uses: futures borrowing the closure's argument fail the
        // higher-ranked lifetime check of the boxed task this runs in.
        let probes = clients.into_iter().map(|client| {
            let (h, identifier) = (h.clone(), identifier.to_string());
            async move { h.get_user(&identifier, Some(&client)).await }
        });
        let answers: Vec<_> = futures::stream::iter(probes)
            .buffered(PROBES_AT_ONCE)
            .collect()
            .await;
        for answer in answers {
            found.extend(optional(answer)?);
        }
        match page.next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    if found.is_empty() {
        return Err(ambiguous);
    }
    found.truncate(FIND_MAX as usize);
    Ok(found)
}

/// The identity list, narrowed by `query` when there is one.
/// Without a query, `named` is told the next page's cursor from the answer's headers (see
/// `lists::list`).
pub(super) async fn kratos_search(
    k: &KratosApi,
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
    match query.and_then(KratosQuery::parse) {
        None => {
            let page = k
                .list_identity_records_early(&IdentityFilter::default(), cursor, size, named)
                .await?;
            Ok(identity_records_page(page))
        }
        Some(KratosQuery::Id(id)) => optional(k.get_identity(&id, &[]).await).map(one_row),
        Some(KratosQuery::ExternalId(ext)) => {
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
            if let Some(found) = optional(k.identity_by_external_id(&ident).await)? {
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
