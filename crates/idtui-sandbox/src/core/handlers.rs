//! Handlers of the MATTR VII users API. Each runs inside [`events::run`] (on the writer) or
//! [`events::run_read`] (on a reader), so validation failures, 404s and successes all leave
//! their analytic events behind.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::CoreAuth;
use super::errors::CoreError;
use super::events::{self, Reply};
use super::pagination::{self, page_body};
use super::search::Criteria;
use super::store::{self, StoredUser};
use crate::AppState;

type Params = HashMap<String, String>;

fn parse_uuid(raw: &str, param: &str) -> Result<String, CoreError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| CoreError::invalid(raw, param, "params", "Invalid value"))
}

fn parse_body(bytes: &[u8]) -> Result<Map<String, Value>, CoreError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(CoreError::invalid(
            other,
            "body",
            "body",
            "Body must be a JSON object",
        )),
        Err(e) => Err(CoreError::invalid(
            String::from_utf8_lossy(bytes)
                .chars()
                .take(200)
                .collect::<String>(),
            "body",
            "body",
            &format!("Invalid JSON: {e}"),
        )),
    }
}

fn claims_field(body: &Map<String, Value>) -> Result<Option<Value>, CoreError> {
    match body.get("claims") {
        None => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(other) => Err(CoreError::invalid(
            other.clone(),
            "claims",
            "body",
            "claims must be an object",
        )),
    }
}

/// `Some(None)` means "present and null": the provider link is removed.
fn provider_field(body: &Map<String, Value>) -> Result<Option<Option<Value>>, CoreError> {
    let bad = |v: &Value, param: &str, msg: &str| CoreError::invalid(v.clone(), param, "body", msg);
    match body.get("authenticationProvider") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Object(p)) => {
            let mut clean = Map::new();
            match p.get("providerId") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if uuid::Uuid::parse_str(s).is_ok() => {
                    clean.insert("providerId".into(), Value::String(s.clone()));
                }
                Some(v) => {
                    return Err(bad(
                        v,
                        "authenticationProvider.providerId",
                        "providerId must be a UUID",
                    ));
                }
            }
            match p.get("url") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => {
                    clean.insert("url".into(), Value::String(s.clone()));
                }
                Some(v) => {
                    return Err(bad(v, "authenticationProvider.url", "url must be a string"));
                }
            }
            match p.get("subjectId") {
                Some(Value::String(s)) if !s.is_empty() => {
                    clean.insert("subjectId".into(), Value::String(s.clone()));
                }
                other => {
                    return Err(bad(
                        other.unwrap_or(&Value::Null),
                        "authenticationProvider.subjectId",
                        "subjectId is required and must be a non-empty string",
                    ));
                }
            }
            Ok(Some(Some(Value::Object(clean))))
        }
        Some(other) => Err(bad(
            other,
            "authenticationProvider",
            "authenticationProvider must be an object",
        )),
    }
}

fn users_page(users: Vec<StoredUser>) -> Value {
    let last = users.last().map(StoredUser::after);
    page_body(users.iter().map(StoredUser::to_json).collect(), last)
}

pub async fn list_users(
    _auth: CoreAuth,
    State(state): State<AppState>,
    Query(q): Query<Params>,
) -> Response {
    events::run_read(&state, "USER_RETRIEVE_LIST", json!({}), move |conn| {
        let limit = pagination::parse_limit_query(q.get("limit").map(String::as_str))?;
        let after = pagination::cursor_query(q.get("cursor").map(String::as_str))?;
        let users = store::list_users(conn, after.as_ref(), limit)?;
        Ok(Reply::Json(StatusCode::OK, users_page(users)))
    })
    .await
}

pub async fn search_users(_auth: CoreAuth, State(state): State<AppState>, body: Bytes) -> Response {
    events::run_read(&state, "USER_SEARCH", json!({}), move |conn| {
        let body = parse_body(&body)?;
        let criteria = Criteria::from_body(&body)?;
        let limit = pagination::parse_limit_body(body.get("limit"))?;
        let after = pagination::cursor_body(body.get("cursor"))?;
        let users = store::search_users(conn, &criteria, after.as_ref(), limit)
            .map_err(CoreError::from_search)?;
        Ok(Reply::Json(StatusCode::OK, users_page(users)))
    })
    .await
}

pub async fn create_user(_auth: CoreAuth, State(state): State<AppState>, body: Bytes) -> Response {
    events::run(&state, "USER_CREATE", json!({}), move |conn| {
        let body = parse_body(&body)?;
        let user = StoredUser {
            id: uuid::Uuid::new_v4().to_string(),
            created_at: store::next_created_at(conn)?,
            claims: claims_field(&body)?.unwrap_or_else(|| json!({})),
            auth_provider: provider_field(&body)?.flatten(),
        };
        store::insert_user(conn, &user)?;
        Ok(Reply::Json(StatusCode::CREATED, user.to_json()))
    })
    .await
}

pub async fn get_user(
    _auth: CoreAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    let meta = json!({ "userId": id });
    events::run_read(&state, "USER_RETRIEVE", meta, move |conn| {
        let id = parse_uuid(&id, "id")?;
        let user = store::get_user(conn, &id)?.ok_or_else(CoreError::user_not_found)?;
        Ok(Reply::Json(StatusCode::OK, user.to_json()))
    })
    .await
}

/// A present top-level field replaces the stored value wholesale; an omitted one is kept.
pub async fn update_user(
    _auth: CoreAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let meta = json!({ "userId": id });
    events::run(&state, "USER_UPDATE", meta, move |conn| {
        let id = parse_uuid(&id, "id")?;
        let body = parse_body(&body)?;
        let claims = claims_field(&body)?;
        let provider = provider_field(&body)?;
        let mut user = store::get_user(conn, &id)?.ok_or_else(CoreError::user_not_found)?;
        if let Some(claims) = claims {
            user.claims = claims;
        }
        if let Some(provider) = provider {
            user.auth_provider = provider;
        }
        store::update_user(conn, &user)?;
        Ok(Reply::Json(StatusCode::OK, user.to_json()))
    })
    .await
}

pub async fn delete_user(
    _auth: CoreAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    let meta = json!({ "userId": id });
    events::run(&state, "USER_DELETE", meta, move |conn| {
        let id = parse_uuid(&id, "id")?;
        if store::delete_user(conn, &id)? {
            Ok(Reply::NoContent)
        } else {
            Err(CoreError::user_not_found())
        }
    })
    .await
}

pub async fn list_credentials(
    _auth: CoreAuth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    let meta = json!({ "userId": user_id });
    events::run_read(&state, "USER_CREDENTIAL_RETRIEVE_LIST", meta, move |conn| {
        let user_id = parse_uuid(&user_id, "userId")?;
        let limit = pagination::parse_limit_query(q.get("limit").map(String::as_str))?;
        let after = pagination::cursor_query(q.get("cursor").map(String::as_str))?;
        if store::get_user(conn, &user_id)?.is_none() {
            return Err(CoreError::user_not_found());
        }
        let creds = store::list_credentials(conn, &user_id, after.as_ref(), limit)?;
        let last = creds.last().map(|c| pagination::After {
            created_at: c.created_at.clone(),
            id: c.id.clone(),
        });
        let data = creds.into_iter().map(|c| c.body).collect();
        Ok(Reply::Json(StatusCode::OK, page_body(data, last)))
    })
    .await
}
