//! `/clients` and `/client/{identifier}`.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde_json::{Map, Value, json};

use super::auth::{HeadlessAuth, require_delete_plan};
use super::errors::HlError;
use super::paging::PageReq;
use super::store;
use crate::AppState;

type Reply = Result<Json<Value>, HlError>;

/// Parse a JSON object body; anything else is a 400.
pub fn object_body(bytes: &[u8]) -> Result<Map<String, Value>, HlError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(HlError::bad_request("Body must be a JSON object")),
        Err(e) => Err(HlError::bad_request(format!("Invalid JSON body: {e}"))),
    }
}

pub async fn list(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let req = PageReq::from_query(&q)?;
    let body = state
        .db
        .read(move |conn| -> Result<Value, HlError> {
            let clients = store::list_clients(conn, req)?;
            let items = clients
                .iter()
                .map(|c| store::client_json(conn, c))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Value::Array(items))
        })
        .await?;
    Ok(Json(body))
}

pub async fn get(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Path(identifier): Path<String>,
) -> Reply {
    let body = state
        .db
        .read(move |conn| -> Result<Value, HlError> {
            let client = store::get_client(conn, &identifier)?
                .ok_or_else(|| HlError::not_found("Client not found"))?;
            Ok(store::client_json(conn, &client)?)
        })
        .await?;
    Ok(Json(body))
}

/// The seed's intro (and older docs) say an update *replaces* metadata while its field table
/// says "merged"; `api/headless-and-core.md` recommends replace, so replace it is.
pub async fn update(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Path(identifier): Path<String>,
    body: Bytes,
) -> Reply {
    let body = object_body(&body)?;
    let metadata = match body.get("metadata") {
        Some(Value::Object(m)) => Some(m.clone()),
        None => None,
        Some(_) => return Err(HlError::bad_request("metadata must be an object")),
    };
    let body = state
        .db
        .call(move |conn| -> Result<Value, HlError> {
            store::get_client(conn, &identifier)?
                .ok_or_else(|| HlError::not_found("Client not found"))?;
            if let Some(m) = &metadata {
                store::replace_client_metadata(conn, &identifier, m)?;
            }
            let client = store::get_client(conn, &identifier)?
                .ok_or_else(|| HlError::not_found("Client not found"))?;
            Ok(store::client_json(conn, &client)?)
        })
        .await?;
    Ok(Json(body))
}

/// Removes the client and everything of it: its users and their courses.
pub async fn delete(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Path(identifier): Path<String>,
) -> Reply {
    require_delete_plan(&state)?;
    state
        .db
        .call(move |conn| -> Result<(), HlError> {
            let client = store::get_client(conn, &identifier)?
                .ok_or_else(|| HlError::not_found("Client not found"))?;
            Ok(store::delete_client(conn, &client)?)
        })
        .await?;
    Ok(Json(json!({})))
}
