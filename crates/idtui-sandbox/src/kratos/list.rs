//! `GET /admin/identities`: keyset and legacy paging and the list filters
//! (`api/kratos.md` §3.1, §3.2, §4.1).

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use uuid::Uuid;

use super::auth::Admin;
use super::errors::{KResult, KratosError, REASON_PAGE_TOKEN};
use super::identities::include_credential;
use super::model::{CredView, Identity};
use super::pagination::{Query, json_response, link_header, page_links, page_size, set_header};
use super::schemas::normalize_identifier;
use super::store::{self, ListFilter};
use crate::AppState;

const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 250;
/// v1.3.1 has no maximum; the sandbox keeps one so a page stays bounded in memory.
const MAX_PAGE_V1_3_1: usize = 10_000;

/// The list filters v1.3.1 reads: `ids` and one of the identifier filters, combined (both must
/// match); no `organization_id` (ignored) and no limit on combining.
fn parse_filter_v1_3_1(q: &Query) -> KResult<(Option<Vec<String>>, ListFilter)> {
    let mut ids = Vec::new();
    for id in q.all("ids").into_iter().chain(q.all("ids[]")) {
        let u = Uuid::parse_str(id).map_err(|_| {
            KratosError::bad_request(format!("Invalid UUID value `{id}` for parameter `ids`."))
        })?;
        ids.push(u.to_string());
    }
    ids.sort();
    ids.dedup();
    let exact = q.get("credentials_identifier").filter(|v| !v.is_empty());
    let similar = q
        .get("preview_credentials_identifier_similar")
        .filter(|v| !v.is_empty());
    let filter = match (exact, similar) {
        (Some(_), Some(_)) => {
            return Err(KratosError::bad_request(
                "Cannot pass both credentials_identifier and preview_credentials_identifier_similar.",
            ));
        }
        (Some(v), None) => ListFilter::Identifier(normalize_identifier(v), v.to_owned()),
        (None, Some(v)) => ListFilter::IdentifierPrefix(normalize_identifier(v), v.to_owned()),
        (None, None) if !ids.is_empty() => return Ok((None, ListFilter::Ids(ids))),
        (None, None) => ListFilter::All,
    };
    Ok(((!ids.is_empty()).then_some(ids), filter))
}

/// Up to `limit` rows after `after` that pass `filter` and, when given, are among `ids`.
fn list_rows(
    c: &rusqlite::Connection,
    ids: Option<&[String]>,
    filter: &ListFilter,
    after: &Uuid,
    limit: usize,
) -> KResult<Vec<Identity>> {
    let Some(ids) = ids else {
        return store::list(c, filter, after, limit);
    };
    // An identifier filter matches few rows: read them in chunks and keep the listed ids.
    let mut out = Vec::new();
    let mut cursor = *after;
    loop {
        let chunk = store::list(c, filter, &cursor, 500)?;
        let done = chunk.len() < 500;
        if let Some(last) = chunk.last() {
            cursor = last.id;
        }
        out.extend(
            chunk
                .into_iter()
                .filter(|i| ids.binary_search(&i.id.to_string()).is_ok()),
        );
        if out.len() >= limit || done {
            out.truncate(limit);
            return Ok(out);
        }
    }
}

fn parse_filter(q: &Query) -> KResult<ListFilter> {
    let present = |k: &str| q.all(k).iter().any(|v| !v.is_empty());
    let ids: Vec<&str> = q
        .all("ids")
        .into_iter()
        .chain(q.all("ids[]"))
        .filter(|v| !v.is_empty())
        .collect();
    let used = [
        !ids.is_empty(),
        present("organization_id"),
        present("credentials_identifier"),
        present("preview_credentials_identifier_similar"),
    ];
    if used.iter().filter(|u| **u).count() > 1 {
        return Err(KratosError::bad_request(
            "You cannot combine multiple filters in this API",
        ));
    }
    if !ids.is_empty() {
        if ids.len() > 500 {
            return Err(KratosError::bad_request(
                "The number of ids to filter must not exceed 500.",
            ));
        }
        let mut parsed = Vec::with_capacity(ids.len());
        for id in ids {
            let u = Uuid::parse_str(id).map_err(|_| {
                KratosError::bad_request(format!("Invalid UUID value `{id}` for parameter `ids`."))
            })?;
            parsed.push(u.to_string());
        }
        parsed.sort();
        parsed.dedup();
        return Ok(ListFilter::Ids(parsed));
    }
    if let Some(org) = q.get("organization_id").filter(|v| !v.is_empty()) {
        let u = Uuid::parse_str(org).map_err(|_| {
            KratosError::bad_request(format!(
                "Invalid UUID value `{org}` for parameter `organization_id`."
            ))
        })?;
        return Ok(ListFilter::Organization(u.to_string()));
    }
    if let Some(v) = q.get("credentials_identifier").filter(|v| !v.is_empty()) {
        return Ok(ListFilter::Identifier(
            normalize_identifier(v),
            v.to_owned(),
        ));
    }
    if let Some(v) = q
        .get("preview_credentials_identifier_similar")
        .filter(|v| !v.is_empty())
    {
        return Ok(ListFilter::IdentifierPrefix(
            normalize_identifier(v),
            v.to_owned(),
        ));
    }
    Ok(ListFilter::All)
}

/// `GET /admin/identities`.
pub async fn list(
    _: Admin,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> KResult<Response> {
    let mut q = Query::parse(raw.as_deref());
    let legacy = q.has("page") && !q.has("page_token") && !q.has("page_size");
    if !legacy && q.has("per_page") && !q.has("page_size") {
        let v = q.get("per_page").unwrap_or("").to_owned();
        q = q.without("per_page").with("page_size", &v);
    }
    let v1_3_1 = state.options.kratos_version.is_v1_3_1();
    let (also_ids, filter) = if v1_3_1 {
        parse_filter_v1_3_1(&q)?
    } else {
        (None, parse_filter(&q)?)
    };
    let include = include_credential(&q)?;
    let view = if !include.is_empty()
        || matches!(
            filter,
            ListFilter::Identifier(..) | ListFilter::IdentifierPrefix(..)
        ) {
        CredView::Include(include)
    } else {
        CredView::Omit
    };
    if legacy {
        return list_legacy(state, q, also_ids, filter, view).await;
    }

    // v1.3.1 does not clamp; the sandbox still bounds a page (and reads a negative size,
    // on which v1.3.1 panics, as the default).
    let max = if v1_3_1 { MAX_PAGE_V1_3_1 } else { MAX_PAGE };
    let size = page_size(&q, DEFAULT_PAGE, max)?;
    let after = match q.get("page_token").filter(|t| !t.is_empty()) {
        Some(t) => Uuid::parse_str(t).map_err(|_| KratosError::bad_request(REASON_PAGE_TOKEN))?,
        None => Uuid::nil(),
    };
    let mut rows = state
        .db
        .read(move |c| list_rows(c, also_ids.as_deref(), &filter, &after, size + 1))
        .await?;
    let more = rows.len() > size;
    rows.truncate(size);

    let base = q.with("page_size", &size.to_string());
    let mut links = vec![("first", base.with("page_token", &Uuid::nil().to_string()))];
    if more && let Some(last) = rows.last() {
        links.push(("next", base.with("page_token", &last.id.to_string())));
    }
    let mut headers = HeaderMap::new();
    set_header(
        &mut headers,
        "link",
        &link_header("/admin/identities", &links),
    );
    let body: Vec<Value> = rows
        .iter()
        .map(|i| i.render(&state.base_url, &view))
        .collect();
    Ok(json_response(StatusCode::OK, &Value::Array(body), headers))
}

/// The legacy `page`/`per_page` mode: 0-based pages, no further than 1000 rows deep.
/// `page` and `per_page` are read as Kratos reads them: what does not parse, or is negative,
/// is the first page and the default size.
async fn list_legacy(
    state: AppState,
    q: Query,
    also_ids: Option<Vec<String>>,
    filter: ListFilter,
    view: CredView,
) -> KResult<Response> {
    let page: usize = q
        .get("page")
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p > 0)
        .map_or(0, |p| p as usize);
    let per_page = match q.get("per_page").map(str::parse::<i64>) {
        Some(Ok(n)) if n > 0 => (n as usize).min(MAX_PAGE),
        _ => DEFAULT_PAGE,
    };
    if page.saturating_mul(per_page) > 1000 {
        return Err(KratosError::bad_request(
            "Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size.",
        ));
    }
    let offset = page * per_page;
    let counts_all = matches!(filter, ListFilter::All) && also_ids.is_none();
    let (rows, total) = state
        .db
        .read(move |c| -> KResult<(Vec<Identity>, usize)> {
            let rows = list_rows(
                c,
                also_ids.as_deref(),
                &filter,
                &Uuid::nil(),
                offset + per_page,
            )?;
            let total = if counts_all {
                c.query_row("SELECT count(*) FROM kratos_identities", [], |r| {
                    r.get::<_, i64>(0)
                })? as usize
            } else {
                rows.len()
            };
            Ok((rows.into_iter().skip(offset).collect(), total))
        })
        .await?;
    let links: Vec<(&str, Query)> = page_links(total as i64, page as i64, per_page as i64)
        .into_iter()
        .map(|(rel, limit, offset)| {
            let p = offset.checked_div(limit).unwrap_or(0);
            (
                rel,
                q.with("page", &p.to_string())
                    .with("per_page", &limit.to_string()),
            )
        })
        .collect();
    let mut headers = HeaderMap::new();
    set_header(&mut headers, "x-total-count", &total.to_string());
    set_header(
        &mut headers,
        "link",
        &link_header("/admin/identities", &links),
    );
    let body: Vec<Value> = rows
        .iter()
        .map(|i| i.render(&state.base_url, &view))
        .collect();
    Ok(json_response(StatusCode::OK, &Value::Array(body), headers))
}
