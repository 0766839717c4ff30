//! `/admin/identities` handlers (`api/kratos.md` §3.1, §3.2, §4.1–§4.4, §4.6, §4.7).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::auth::Admin;
use super::credentials::{self, KNOWN_TYPES};
use super::errors::{KResult, KratosError, MSG_409, REASON_PAGE_TOKEN};
use super::model::{CredView, Identity, RecoveryAddress, VerifiableAddress, now};
use super::pagination::{Query, json_response, link_header, page_size, set_header};
use super::schemas::{self, normalize_identifier};
use super::store::{self, ListFilter};
use crate::sandbox::AppState;

const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 250;

/// Identity endpoints treat a malformed UUID like a missing row: 404.
pub fn parse_identity_id(raw: &str) -> KResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| KratosError::not_found_db())
}

pub fn check_state(state: &str) -> KResult<()> {
    if state == "active" || state == "inactive" {
        Ok(())
    } else {
        Err(KratosError::bad_request(format!(
            "The supplied state ('{state}') was not valid. Valid states are ('active', 'inactive')."
        )))
    }
}

fn include_credential(q: &Query) -> KResult<Vec<String>> {
    let mut out = Vec::new();
    for v in q
        .all("include_credential")
        .into_iter()
        .chain(q.all("include_credential[]"))
    {
        if !KNOWN_TYPES.contains(&v) {
            return Err(KratosError::bad_request(format!(
                "Invalid value \"{v}\" for parameter include_credential: expected one of {KNOWN_TYPES:?}"
            )));
        }
        out.push(v.to_owned());
    }
    Ok(out)
}

fn decode_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> KResult<T> {
    if body.is_empty() {
        return Err(KratosError::bad_request(
            "Unable to decode HTTP Request Body because its HTTP Header \"Content-Length\" is zero",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| KratosError::bad_request(format!("Unable to decode JSON payload: {e}")))
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
    let filter = parse_filter(&q)?;
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
        return list_legacy(state, q, filter, view).await;
    }

    let size = page_size(&q, DEFAULT_PAGE, MAX_PAGE)?;
    let after = match q.get("page_token").filter(|t| !t.is_empty()) {
        Some(t) => Uuid::parse_str(t).map_err(|_| KratosError::bad_request(REASON_PAGE_TOKEN))?,
        None => Uuid::nil(),
    };
    let mut rows = state
        .db
        .call(move |c| store::list(c, &filter, &after, size + 1))
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
async fn list_legacy(
    state: AppState,
    q: Query,
    filter: ListFilter,
    view: CredView,
) -> KResult<Response> {
    let page: usize = q
        .get("page")
        .unwrap_or("0")
        .parse()
        .map_err(|_| KratosError::bad_request("could not parse parameter page"))?;
    let per_page = match q.get("per_page").map(str::parse::<i64>) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if n > 0 => (n as usize).min(MAX_PAGE),
        Some(Ok(_)) => DEFAULT_PAGE,
        Some(Err(_)) => {
            return Err(KratosError::bad_request(
                "could not parse parameter per_page",
            ));
        }
    };
    if page.saturating_mul(per_page) > 1000 {
        return Err(KratosError::bad_request(
            "Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size.",
        ));
    }
    let offset = page * per_page;
    let counts_all = matches!(filter, ListFilter::All);
    let (rows, total) = state
        .db
        .call(move |c| -> KResult<(Vec<Identity>, usize)> {
            let rows = store::list(c, &filter, &Uuid::nil(), offset + per_page)?;
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
    let at = |p: usize, size: usize| {
        q.with("page", &p.to_string())
            .with("per_page", &size.to_string())
    };
    let last_page = total.saturating_sub(1) / per_page;
    let links: Vec<(&str, Query)> = if total == 0 {
        vec![
            ("first", at(0, per_page)),
            ("next", at(1, per_page)),
            ("prev", at(0, per_page)),
        ]
    } else if total <= per_page {
        vec![("first", at(0, total))]
    } else if page == 0 {
        vec![("next", at(1, per_page)), ("last", at(last_page, per_page))]
    } else {
        let mut l = vec![("first", at(0, per_page))];
        if page < last_page {
            l.push(("next", at(page + 1, per_page)));
        }
        l.push(("prev", at(page - 1, per_page)));
        l.push(("last", at(last_page, per_page)));
        l
    };
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

/// `GET /admin/identities/{id}`: all credentials, configs only for `include_credential`.
pub async fn get(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> KResult<Response> {
    let include = include_credential(&Query::parse(raw.as_deref()))?;
    let id = parse_identity_id(&id)?;
    let identity = state.db.call(move |c| store::load(c, &id)).await?;
    let body = identity.render(&state.base_url, &CredView::Include(include));
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

/// `GET /admin/identities/by/external/{externalID}`.
pub async fn get_by_external(
    _: Admin,
    State(state): State<AppState>,
    Path(external_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> KResult<Response> {
    let include = include_credential(&Query::parse(raw.as_deref()))?;
    let identity = state
        .db
        .call(move |c| store::load_by_external(c, &external_id))
        .await?;
    let body = identity.render(&state.base_url, &CredView::Include(include));
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportVerifiable {
    value: String,
    #[serde(default)]
    verified: bool,
    via: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    verified_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    id: Option<Uuid>,
    #[serde(default)]
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportRecovery {
    value: String,
    via: String,
    #[serde(default)]
    id: Option<Uuid>,
    #[serde(default)]
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `createIdentityBody`, decoded strictly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    schema_id: String,
    traits: Value,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    metadata_public: Option<Value>,
    #[serde(default)]
    metadata_admin: Option<Value>,
    #[serde(default)]
    organization_id: Option<Uuid>,
    #[serde(default)]
    verifiable_addresses: Option<Vec<ImportVerifiable>>,
    #[serde(default)]
    recovery_addresses: Option<Vec<ImportRecovery>>,
    #[serde(default)]
    credentials: Option<Map<String, Value>>,
    #[serde(default)]
    #[allow(dead_code)]
    region: Option<String>,
}

impl CreateBody {
    pub fn has_plaintext_password(&self) -> bool {
        self.credentials
            .as_ref()
            .and_then(|c| c.get("password"))
            .and_then(|p| p.pointer("/config/password"))
            .is_some_and(|p| p.as_str().is_some_and(|s| !s.is_empty()))
    }
}

/// Build (validate, derive) a new identity from a create body. Shared with the demo loader.
pub fn build_identity(body: CreateBody, id: Uuid) -> KResult<Identity> {
    let now = now();
    let state = body
        .state
        .filter(|s| !s.is_empty())
        .unwrap_or("active".into());
    check_state(&state)?;
    let schema = schemas::find(&body.schema_id)?;
    let traits = if body.traits.is_null() {
        Value::Object(Map::new())
    } else {
        body.traits
    };
    let mut identity = Identity {
        id,
        external_id: body.external_id.filter(|e| !e.is_empty()),
        credentials: Default::default(),
        schema_id: schema.id.to_owned(),
        state,
        state_changed_at: Some(now),
        traits,
        verifiable_addresses: body
            .verifiable_addresses
            .unwrap_or_default()
            .into_iter()
            .map(|a| VerifiableAddress {
                id: a.id.unwrap_or_else(Uuid::new_v4),
                value: a.value.trim().to_lowercase(),
                verified: a.verified,
                via: a.via,
                status: a.status.unwrap_or_else(|| "pending".into()),
                verified_at: a.verified_at,
                created_at: a.created_at.unwrap_or(now),
                updated_at: a.updated_at.unwrap_or(now),
            })
            .collect(),
        recovery_addresses: body
            .recovery_addresses
            .unwrap_or_default()
            .into_iter()
            .map(|a| RecoveryAddress {
                id: a.id.unwrap_or_else(Uuid::new_v4),
                value: a.value.trim().to_lowercase(),
                via: a.via,
                created_at: a.created_at.unwrap_or(now),
                updated_at: a.updated_at.unwrap_or(now),
            })
            .collect(),
        metadata_public: body.metadata_public.unwrap_or(Value::Null),
        metadata_admin: body.metadata_admin.unwrap_or(Value::Null),
        created_at: now,
        updated_at: now,
        organization_id: body.organization_id,
    };
    schema.validate(&identity.traits)?;
    if let Some(creds) = &body.credentials {
        credentials::import(&mut identity, creds, now)?;
    }
    schema.derive(&mut identity, now);
    Ok(identity)
}

/// A create that hits a unique key answers with POST's own 409 reason.
pub fn create_conflict(e: KratosError) -> KratosError {
    if e.code == StatusCode::CONFLICT {
        KratosError::new(StatusCode::CONFLICT, MSG_409)
            .with_reason("This identity conflicts with another identity that already exists.")
    } else {
        e
    }
}

pub fn parse_create_body(body: &Bytes) -> KResult<CreateBody> {
    decode_body(body)
}

/// `POST /admin/identities`: 201 with `Location: <base>/identities/<id>` (no `/admin`).
pub async fn create(_: Admin, State(state): State<AppState>, body: Bytes) -> KResult<Response> {
    let body = parse_create_body(&body)?;
    let identity = build_identity(body, Uuid::new_v4())?;
    let stored = identity.clone();
    state
        .db
        .call(move |c| store::insert(c, &stored))
        .await
        .map_err(create_conflict)?;
    let mut headers = HeaderMap::new();
    set_header(
        &mut headers,
        "location",
        &format!("{}/identities/{}", state.base_url, identity.id),
    );
    let body = identity.render(&state.base_url, &CredView::Include(Vec::new()));
    Ok(json_response(StatusCode::CREATED, &body, headers))
}

#[derive(Deserialize)]
struct UpdateBody {
    #[serde(default)]
    schema_id: Option<String>,
    #[serde(default)]
    traits: Option<Value>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    metadata_public: Option<Value>,
    #[serde(default)]
    metadata_admin: Option<Value>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    credentials: Option<Map<String, Value>>,
}

/// Validate, derive and store an already-modified identity (PUT and PATCH).
pub async fn save(state: &AppState, mut identity: Identity) -> KResult<Identity> {
    let now = now();
    let schema = schemas::find(&identity.schema_id)?;
    if identity.traits.is_null() {
        identity.traits = Value::Object(Map::new());
    }
    schema.validate(&identity.traits)?;
    schema.derive(&mut identity, now);
    identity.updated_at = now;
    let stored = identity.clone();
    state.db.call(move |c| store::update(c, &stored)).await?;
    Ok(identity)
}

/// `PUT /admin/identities/{id}`: replaces traits and both metadata fields and the external id.
pub async fn update(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> KResult<Response> {
    let id = parse_identity_id(&id)?;
    let body: UpdateBody = decode_body(&body)?;
    let mut identity = state.db.call(move |c| store::load(c, &id)).await?;
    let now = now();
    if let Some(s) = body.schema_id.filter(|s| !s.is_empty()) {
        identity.schema_id = s;
    }
    if let Some(s) = body.state.filter(|s| !s.is_empty())
        && s != identity.state
    {
        check_state(&s)?;
        identity.state = s;
        identity.state_changed_at = Some(now);
    }
    identity.traits = body.traits.unwrap_or(Value::Null);
    identity.metadata_public = body.metadata_public.unwrap_or(Value::Null);
    identity.metadata_admin = body.metadata_admin.unwrap_or(Value::Null);
    identity.external_id = body.external_id.filter(|e| !e.is_empty());
    if let Some(creds) = &body.credentials {
        credentials::import(&mut identity, creds, now)?;
    }
    let identity = save(&state, identity).await?;
    let body = identity.render(&state.base_url, &CredView::Include(Vec::new()));
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

/// `DELETE /admin/identities/{id}`.
pub async fn delete(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> KResult<Response> {
    let id = parse_identity_id(&id)?;
    if state.db.call(move |c| store::delete(c, &id)).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(KratosError::not_found_db())
    }
}

/// `DELETE /admin/identities/{id}/credentials/{type}[?identifier=]`.
pub async fn delete_credential(
    _: Admin,
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> KResult<Response> {
    let id = parse_identity_id(&id)?;
    let q = Query::parse(raw.as_deref());
    let identifier = q.get("identifier").map(str::to_owned);
    state
        .db
        .call(move |c| -> KResult<()> {
            let mut identity = store::load(c, &id)?;
            credentials::delete(&mut identity, &kind, identifier.as_deref(), now())?;
            store::update(c, &identity)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
