//! `/users` and `/user/{identifier}`. Users are keyed by (clientIdentifier, identifier); an
//! empty `clientIdentifier` addresses the workspace-level user (null client).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use rusqlite::Connection;
use serde_json::{Value, json};

use super::auth::{HeadlessAuth, require_delete_plan};
use super::clients::object_body;
use super::errors::HlError;
use super::paging::PageReq;
use super::store::{self, CourseAction, User};
use crate::{AppState, now_iso};

type Reply = Result<Json<Value>, HlError>;
type Params = HashMap<String, String>;

/// The one user named by `identifier` (within `client` when given); several matches without
/// a client are ambiguous.
fn find_one(conn: &Connection, identifier: &str, client: Option<&str>) -> Result<User, HlError> {
    let mut found = store::find_users(conn, identifier, client)?;
    match found.len() {
        0 => Err(HlError::not_found("User not found")),
        1 => Ok(found.remove(0)),
        n => Err(HlError::bad_request(format!(
            "User identifier is ambiguous ({n} clients have it): pass clientIdentifier"
        ))),
    }
}

pub async fn list(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Query(q): Query<Params>,
) -> Reply {
    let req = PageReq::from_query(&q)?;
    let client = q.get("clientIdentifier").cloned();
    let body = state
        .db
        .read(move |conn| -> Result<Value, HlError> {
            let users = store::list_users(conn, client.as_deref(), req)?;
            Ok(Value::Array(users.iter().map(User::to_json).collect()))
        })
        .await?;
    Ok(Json(body))
}

pub async fn get(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Path(identifier): Path<String>,
    Query(q): Query<Params>,
) -> Reply {
    let client = q.get("clientIdentifier").cloned();
    let user = state
        .db
        .read(move |conn| find_one(conn, &identifier, client.as_deref()))
        .await?;
    Ok(Json(user.to_json()))
}

/// A nullable string field: `None` absent, `Some(None)` null.
fn nullable_string(
    body: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<Option<String>>, HlError> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(HlError::bad_request(format!(
            "{key} must be a string or null"
        ))),
    }
}

/// Body fields are all optional: `clientIdentifier` (moves the user), `metadata` (replaces
/// it, see `clients::update`), then `name`/`avatar` (shorthands stored in metadata).
pub async fn update(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Path(identifier): Path<String>,
    Query(q): Query<Params>,
    body: Bytes,
) -> Reply {
    let body = object_body(&body)?;
    let new_client = nullable_string(&body, "clientIdentifier")?;
    let metadata = match body.get("metadata") {
        None => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => return Err(HlError::bad_request("metadata must be an object")),
    };
    let name = nullable_string(&body, "name")?;
    let avatar = nullable_string(&body, "avatar")?;
    let query_client = q.get("clientIdentifier").cloned();
    let user = state
        .db
        .call(move |conn| -> Result<User, HlError> {
            // Older docs used the body's clientIdentifier as a filter: fall back to it when
            // the bare identifier is ambiguous.
            let mut user = match &query_client {
                Some(c) => find_one(conn, &identifier, Some(c))?,
                None => match find_one(conn, &identifier, None) {
                    Ok(u) => u,
                    Err(e) => match &new_client {
                        Some(c) if e.status.as_u16() == 400 => {
                            find_one(conn, &identifier, Some(c.as_deref().unwrap_or("")))?
                        }
                        _ => return Err(e),
                    },
                },
            };
            let old_client = user.client.clone();
            if let Some(target) = new_client
                && target.as_deref().filter(|s| !s.is_empty()) != old_client.as_deref()
            {
                let target = target.filter(|s| !s.is_empty());
                if let Some(t) = &target
                    && store::get_client(conn, t)?.is_none()
                {
                    return Err(HlError::not_found("Client not found"));
                }
                if !store::find_users(conn, &identifier, Some(target.as_deref().unwrap_or("")))?
                    .is_empty()
                {
                    return Err(HlError::bad_request(
                        "A user with this identifier already exists in that client",
                    ));
                }
                user.client = target;
            }
            if let Some(m) = metadata {
                user.metadata = m;
            }
            for (key, value) in [("name", name), ("avatar", avatar)] {
                match value {
                    None => {}
                    Some(None) => {
                        user.metadata.remove(key);
                    }
                    Some(Some(v)) => {
                        user.metadata.insert(key.into(), Value::String(v));
                    }
                }
            }
            user.updated = now_iso();
            store::save_user(conn, &user, old_client.as_deref())?;
            Ok(user)
        })
        .await?;
    Ok(Json(user.to_json()))
}

/// `action` and `reallocateTo` come from the query (current docs) or the JSON body (older
/// docs); the query wins when both are given. An absent action means `ignore`.
pub async fn delete(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Path(identifier): Path<String>,
    Query(q): Query<Params>,
    body: Bytes,
) -> Reply {
    require_delete_plan(&state)?;
    let body = object_body(&body)?;
    let param = |key: &str| -> Result<Option<String>, HlError> {
        if let Some(v) = q.get(key) {
            return Ok(Some(v.clone()));
        }
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(HlError::bad_request(format!("{key} must be a string"))),
        }
    };
    let client = param("clientIdentifier")?;
    let reallocate_to = param("reallocateTo")?.filter(|s| !s.is_empty());
    let action = match param("action")?.as_deref() {
        None | Some("ignore") => CourseAction::Ignore,
        Some("delete") => CourseAction::Delete,
        Some("reallocate") => match reallocate_to {
            Some(to) => CourseAction::Reallocate(to),
            None => {
                return Err(HlError::bad_request(
                    "reallocateTo is required when action is reallocate",
                ));
            }
        },
        Some(other) => {
            return Err(HlError::bad_request(format!(
                "action must be reallocate, delete or ignore (got {other:?})"
            )));
        }
    };
    state
        .db
        .call(move |conn| -> Result<(), HlError> {
            let user = find_one(conn, &identifier, client.as_deref())?;
            if let CourseAction::Reallocate(to) = &action {
                if *to == user.identifier {
                    return Err(HlError::bad_request(
                        "reallocateTo must name a different user",
                    ));
                }
                let in_client = user.client.as_deref().unwrap_or("");
                if store::find_users(conn, to, Some(in_client))?.is_empty() {
                    return Err(HlError::not_found("User to reallocate to not found"));
                }
            }
            Ok(store::delete_user(conn, &user, &action)?)
        })
        .await?;
    Ok(Json(json!({})))
}
