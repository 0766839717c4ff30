//! `POST /embed/course`, minimal: real Coassemble creates clients and users implicitly the
//! first time an embed URL is minted for them, and this is the only way to create them.
//! Also `GET /courses` so tests can observe what deleting a user did to its courses.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde_json::{Map, Value, json};

use super::auth::HeadlessAuth;
use super::clients::object_body;
use super::courses;
use super::errors::HlError;
use super::store::{self, User};
use crate::{AppState, now_iso};

fn required_string(body: &Map<String, Value>, key: &str) -> Result<String, HlError> {
    match body.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(HlError::bad_request(format!(
            "{key} is required and must be a non-empty string"
        ))),
    }
}

pub async fn course(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<Value>, HlError> {
    let body = object_body(&body)?;
    let action = required_string(&body, "action")?;
    let identifier = required_string(&body, "identifier")?;
    let client = match body.get("clientIdentifier") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => {
            return Err(HlError::bad_request(
                "clientIdentifier must be a non-empty string or null",
            ));
        }
    };
    let course_id = match body.get("courseId") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64().is_some_and(|id| id > 0) => n.as_i64(),
        Some(Value::String(s)) if s.parse::<i64>().is_ok_and(|id| id > 0) => s.parse().ok(),
        Some(_) => return Err(HlError::bad_request("courseId must be a positive integer")),
    };
    if course_id.is_none() && action != "edit" {
        return Err(HlError::bad_request(
            "courseId is required unless action is edit",
        ));
    }
    let (who, cid) = (identifier.clone(), client.clone());
    let course_id = state
        .db
        .call(move |conn| -> Result<i64, HlError> {
            let tx = conn.transaction()?;
            let now = now_iso();
            if let Some(c) = &cid {
                store::ensure_client(&tx, c, &Map::new(), &now)?;
            }
            if store::find_users(&tx, &who, Some(cid.as_deref().unwrap_or("")))?.is_empty() {
                store::insert_user(
                    &tx,
                    &User {
                        ord: 0,
                        identifier: who.clone(),
                        client: cid.clone(),
                        metadata: Map::new(),
                        test_mode: false,
                        created: now.clone(),
                        updated: now,
                    },
                )?;
            }
            // Authoring without a course starts a new one owned by this user.
            let id = match course_id {
                Some(id) => id,
                None => {
                    let id = courses::next_course_id(&tx)?;
                    courses::insert_course(&tx, id, "Untitled course", &who, cid.as_deref())?;
                    id
                }
            };
            tx.commit()?;
            Ok(id)
        })
        .await?;
    let mut params = vec![
        ("action", action),
        ("identifier", identifier),
        ("token", uuid::Uuid::new_v4().simple().to_string()),
    ];
    if let Some(c) = client {
        params.push(("clientIdentifier", c));
    }
    let url = url::Url::parse_with_params(
        &format!("{}/embed/course/{course_id}", state.base_url),
        &params,
    )
    .map_err(HlError::internal)?;
    Ok(Json(json!({ "url": url.to_string() })))
}

pub async fn courses(
    _auth: HeadlessAuth,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, HlError> {
    let identifier = q.get("identifier").cloned();
    let client = q.get("clientIdentifier").cloned();
    let list = state
        .db
        .read(move |conn| courses::list_courses(conn, identifier.as_deref(), client.as_deref()))
        .await?;
    Ok(Json(Value::Array(list)))
}
