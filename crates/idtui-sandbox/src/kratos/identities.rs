//! `/admin/identities/{id}` and create handlers (`api/kratos.md` §4.2–§4.4, §4.6, §4.7).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::auth::Admin;
use super::credentials::{self, KNOWN_TYPES};
use super::errors::{KResult, KratosError, MSG_409, go_json_error};
use super::go_shape;
use super::model::{CredView, Identity, RecoveryAddress, VerifiableAddress, now};
use super::pagination::{Query, json_response, set_header};
use super::schemas;
use super::store;
use crate::{AppState, KratosVersion};

/// Identity endpoints treat a malformed UUID like a missing row: 404.
pub fn parse_identity_id(raw: &str) -> KResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| KratosError::not_found_db())
}

/// A state given to create, PUT or the batch: v1.3.1 and the current API word a bad one
/// differently.
pub fn check_state(state: &str, version: KratosVersion) -> KResult<()> {
    if state == "active" || state == "inactive" {
        Ok(())
    } else if version.is_v1_3_1() {
        Err(KratosError::bad_request(REASON_BAD_STATE_V1_3_1))
    } else {
        Err(KratosError::bad_request(format!(
            "The supplied state ('{state}') was not valid. Valid states are ('active', 'inactive')."
        )))
    }
}

/// v1.3.1's reason for an invalid state (its `State.IsValid` error).
pub const REASON_BAD_STATE_V1_3_1: &str = "identity state is not valid";

pub(super) fn include_credential(q: &Query) -> KResult<Vec<String>> {
    let mut out = Vec::new();
    for v in q
        .all("include_credential")
        .into_iter()
        .chain(q.all("include_credential[]"))
    {
        if !KNOWN_TYPES.contains(&v) {
            // Kratos' reason echoes an empty list, whatever the value was (a server bug).
            return Err(KratosError::bad_request(
                "Invalid value `[]` for parameter `include_credential`.",
            ));
        }
        out.push(v.to_owned());
    }
    Ok(out)
}

/// PUT's body: Kratos's lenient decoder, its words in the reason.
fn decode_update_body(body: &Bytes) -> KResult<UpdateBody> {
    if body.is_empty() {
        return Err(KratosError::bad_request(
            "Unable to decode HTTP Request Body because its HTTP Header \"Content-Length\" is zero.",
        ));
    }
    let failed =
        |text: String| KratosError::bad_request(format!("Unable to decode JSON payload: {text}"));
    let raw: Value =
        super::go_json::decode(body).map_err(|e| failed(go_json_error(body, &e).message))?;
    if let Some(text) = go_shape::first_error(&raw, &go_shape::UPDATE, false) {
        return Err(failed(text));
    }
    serde_json::from_value(raw).map_err(|e| failed(e.to_string()))
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
    let identity = state.db.read(move |c| store::load(c, &id)).await?;
    let body = identity.render(&state.base_url, &CredView::Include(include));
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

/// `GET /admin/identities/by/external/{externalID}` (v1.3.1 has no such route).
pub async fn get_by_external(
    _: Admin,
    State(state): State<AppState>,
    Path(external_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> KResult<Response> {
    if state.options.kratos_version.is_v1_3_1() {
        return Ok(super::plain_not_found());
    }
    let include = include_credential(&Query::parse(raw.as_deref()))?;
    let identity = state
        .db
        .read(move |c| store::load_by_external(c, &external_id))
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
    /// Missing or empty: the default schema.
    #[serde(default)]
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
    #[allow(
        dead_code,
        reason = "declared so that strict decoding accepts it; the sandbox has one region"
    )]
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
pub fn build_identity(body: CreateBody, id: Uuid, version: KratosVersion) -> KResult<Identity> {
    let now = now();
    let state = body
        .state
        .filter(|s| !s.is_empty())
        .unwrap_or("active".into());
    check_state(&state, version)?;
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

/// The create body is decoded strictly by Go's decoder, whose error text Kratos passes on;
/// v1.3.1's body has fewer fields (no `external_id`, `organization_id`, and only password and
/// OIDC credentials to import).
pub fn parse_create_body(body: &Bytes, version: KratosVersion) -> KResult<CreateBody> {
    let raw: Value = super::go_json::decode(body).map_err(|e| go_json_error(body, &e))?;
    let shape = if version.is_v1_3_1() {
        &go_shape::CREATE_V1_3_1
    } else {
        &go_shape::CREATE_LATEST
    };
    if let Some(text) = go_shape::first_error(&raw, shape, true) {
        return Err(KratosError::bad_request_message(text));
    }
    serde_json::from_value(raw).map_err(|e| {
        let msg = e.to_string();
        let text = match msg.strip_prefix("unknown field `") {
            Some(rest) => format!(
                "json: unknown field \"{}\"",
                rest.split('`').next().unwrap_or_default()
            ),
            None => msg,
        };
        KratosError::bad_request_message(text)
    })
}

/// POST and PUT answers leave out `metadata_admin` when it is null (Go's `omitempty` on
/// the write path); reads always show it.
fn without_null_admin_metadata(mut body: Value) -> Value {
    if let Some(m) = body.as_object_mut()
        && m.get("metadata_admin").is_some_and(Value::is_null)
    {
        m.shift_remove("metadata_admin");
    }
    body
}

/// `POST /admin/identities`: 201 with `Location: <base>/identities/<id>` (no `/admin`).
pub async fn create(_: Admin, State(state): State<AppState>, body: Bytes) -> KResult<Response> {
    let version = state.options.kratos_version;
    let body = parse_create_body(&body, version)?;
    let note = credentials::import_note(body.credentials.as_ref());
    let identity = build_identity(body, Uuid::new_v4(), version)?;
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
    let body = without_null_admin_metadata(
        identity.render(&state.base_url, &CredView::Include(Vec::new())),
    );
    Ok(noted(
        json_response(StatusCode::CREATED, &body, headers),
        note,
    ))
}

/// `resp` with `note` for the request log.
fn noted(mut resp: Response, note: Option<String>) -> Response {
    if let Some(note) = note {
        resp.extensions_mut().insert(crate::edge::LogNote(note));
    }
    resp
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

/// Load, change, validate, re-derive and store an identity in one database call, so two
/// concurrent updates cannot interleave between the read and the write. The current API
/// bumps `updated_at`; v1.3.1 leaves it as it was.
pub async fn modify<F>(
    state: &AppState,
    id: Uuid,
    version: KratosVersion,
    change: F,
) -> KResult<Identity>
where
    F: FnOnce(Identity) -> KResult<Identity> + Send + 'static,
{
    state
        .db
        .call(move |c| -> KResult<Identity> {
            let mut identity = change(store::load(c, &id)?)?;
            let now = now();
            let schema = schemas::find(&identity.schema_id)?;
            if identity.traits.is_null() {
                identity.traits = Value::Object(Map::new());
            }
            schema.validate(&identity.traits)?;
            schema.derive(&mut identity, now);
            if !version.is_v1_3_1() {
                identity.updated_at = now;
            }
            store::update(c, &identity)?;
            Ok(identity)
        })
        .await
}

/// `PUT /admin/identities/{id}`: replaces traits and both metadata fields and the external id.
pub async fn update(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> KResult<Response> {
    let id = parse_identity_id(&id)?;
    let body = decode_update_body(&body)?;
    let version = state.options.kratos_version;
    let note = credentials::import_note(body.credentials.as_ref());
    let identity = modify(&state, id, version, move |mut identity| {
        let now = now();
        if let Some(s) = body.schema_id.filter(|s| !s.is_empty()) {
            identity.schema_id = s;
        }
        if let Some(s) = body.state.filter(|s| !s.is_empty())
            && s != identity.state
        {
            check_state(&s, version)?;
            identity.state = s;
            identity.state_changed_at = Some(now);
        }
        identity.traits = body.traits.unwrap_or(Value::Null);
        identity.metadata_public = body.metadata_public.unwrap_or(Value::Null);
        identity.metadata_admin = body.metadata_admin.unwrap_or(Value::Null);
        // v1.3.1 has no external id: its decoder drops the field.
        identity.external_id = body
            .external_id
            .filter(|e| !e.is_empty() && !version.is_v1_3_1());
        if let Some(creds) = &body.credentials {
            credentials::import_update(&mut identity, creds, now, version)?;
        }
        Ok(identity)
    })
    .await?;
    let body = without_null_admin_metadata(
        identity.render(&state.base_url, &CredView::Include(Vec::new())),
    );
    Ok(noted(
        json_response(StatusCode::OK, &body, HeaderMap::new()),
        note,
    ))
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
    let version = state.options.kratos_version;
    state
        .db
        .call(move |c| -> KResult<()> {
            let mut identity = store::load(c, &id)?;
            credentials::delete(&mut identity, &kind, identifier.as_deref(), now(), version)?;
            store::update(c, &identity)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
