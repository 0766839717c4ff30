//! Analytic events: every users call records `<NAME>_START` and then `<NAME>_SUCCESS` or
//! `<NAME>_FAIL`, queryable at `/analytics/events` with comma-separated filters.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD_INDIFFERENT as B64;
use rusqlite::{Connection, params, params_from_iter};
use serde_json::{Value, json};

use super::auth::CoreAuth;
use super::errors::CoreError;
use super::pagination::parse_limit_query;
use crate::{AppState, iso_millis, now_iso};

/// What a users operation answers when it succeeds.
pub enum Reply {
    Json(StatusCode, Value),
    NoContent,
}

impl Reply {
    fn status(&self) -> StatusCode {
        match self {
            Reply::Json(s, _) => *s,
            Reply::NoContent => StatusCode::NO_CONTENT,
        }
    }
}

fn record(
    conn: &Connection,
    kind: &str,
    request_id: &str,
    metadata: &Value,
    data: &Value,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO core_events (id, type, category, timestamp, request_id, metadata, data)
         VALUES (?1, ?2, 'user', ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        uuid::Uuid::new_v4().to_string(),
        kind,
        now_iso(),
        request_id,
        metadata.to_string(),
        data.to_string(),
    ])?;
    Ok(())
}

/// Run one users operation that writes on the writer, bracketed by its analytic events.
pub async fn run<F>(state: &AppState, name: &'static str, metadata: Value, op: F) -> Response
where
    F: FnOnce(&mut Connection) -> Result<Reply, CoreError> + Send + 'static,
{
    state
        .db
        .call(move |conn| {
            let request_id = uuid::Uuid::new_v4().to_string();
            if let Err(e) = start(conn, name, &request_id, &metadata) {
                return e.into_response();
            }
            let result = op(conn);
            answer(
                record_end(conn, name, &request_id, &metadata, &result),
                result,
            )
        })
        .await
}

/// Run one users operation that only reads on a reader, so a long search holds up nobody;
/// its events are still written by the writer, before and after.
pub async fn run_read<F>(state: &AppState, name: &'static str, metadata: Value, op: F) -> Response
where
    F: FnOnce(&Connection) -> Result<Reply, CoreError> + Send + 'static,
{
    let request_id = uuid::Uuid::new_v4().to_string();
    let (id, meta) = (request_id.clone(), metadata.clone());
    if let Err(e) = state
        .db
        .call(move |conn| start(conn, name, &id, &meta))
        .await
    {
        return e.into_response();
    }
    let result = state.db.read(op).await;
    // The answer is serialised after the writer is free again.
    let (ended, result) = state
        .db
        .call(move |conn| {
            let ended = record_end(conn, name, &request_id, &metadata, &result);
            (ended, result)
        })
        .await;
    answer(ended, result)
}

fn start(
    conn: &Connection,
    name: &str,
    request_id: &str,
    metadata: &Value,
) -> Result<(), CoreError> {
    Ok(record(
        conn,
        &format!("{name}_START"),
        request_id,
        metadata,
        &json!({}),
    )?)
}

/// The answer to an operation whose end was recorded (`ended`): its result, unless the
/// record could not be written.
fn answer(ended: rusqlite::Result<()>, result: Result<Reply, CoreError>) -> Response {
    match ended {
        Ok(()) => respond(result),
        Err(e) => CoreError::from(e).into_response(),
    }
}

fn record_end(
    conn: &Connection,
    name: &str,
    request_id: &str,
    metadata: &Value,
    result: &Result<Reply, CoreError>,
) -> rusqlite::Result<()> {
    let (kind, data) = match result {
        Ok(reply) => ("SUCCESS", json!({ "statusCode": reply.status().as_u16() })),
        Err(e) => (
            "FAIL",
            json!({ "statusCode": e.status.as_u16(), "error": e.body() }),
        ),
    };
    record(conn, &format!("{name}_{kind}"), request_id, metadata, &data)
}

fn respond(result: Result<Reply, CoreError>) -> Response {
    match result {
        Ok(Reply::Json(status, body)) => (status, Json(body)).into_response(),
        Ok(Reply::NoContent) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

fn list_filter(q: &HashMap<String, String>, key: &str) -> Vec<String> {
    q.get(key)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn date_filter(q: &HashMap<String, String>, key: &str) -> Result<Option<String>, CoreError> {
    match q.get(key) {
        None => Ok(None),
        Some(raw) => chrono::DateTime::parse_from_rfc3339(raw)
            .map(|d| Some(iso_millis(&d.with_timezone(&chrono::Utc))))
            .map_err(|_| CoreError::invalid(raw.as_str(), key, "query", "Invalid value")),
    }
}

/// Events are ordered by insertion; the cursor is base64 of `seq=<n>`.
fn events_cursor(raw: Option<&String>) -> Result<i64, CoreError> {
    let Some(raw) = raw else { return Ok(0) };
    let bad = || CoreError::invalid(raw.as_str(), "cursor", "query", "Invalid value");
    let text = B64
        .decode(raw.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    text.strip_prefix("seq=")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or_else(bad)
}

/// `GET /analytics/events`.
pub async fn list_events(
    _auth: CoreAuth,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, CoreError> {
    let limit = parse_limit_query(q.get("limit").map(String::as_str))?;
    let after = events_cursor(q.get("cursor"))?;
    let date_from = date_filter(&q, "dateFrom")?;
    let date_to = date_filter(&q, "dateTo")?;
    let mut sql = String::from(
        "SELECT seq, id, type, category, timestamp, request_id, metadata, data
         FROM core_events WHERE seq > ?1",
    );
    let mut args: Vec<String> = vec![after.to_string()];
    for (param, column) in [
        ("ids", "id"),
        ("types", "type"),
        ("categories", "category"),
        ("requestIds", "request_id"),
    ] {
        let values = list_filter(&q, param);
        if values.is_empty() {
            continue;
        }
        let first = args.len() + 1;
        let marks: Vec<String> = (first..first + values.len())
            .map(|i| format!("?{i}"))
            .collect();
        sql.push_str(&format!(" AND {column} IN ({})", marks.join(",")));
        args.extend(values);
    }
    if let Some(from) = date_from {
        args.push(from);
        sql.push_str(&format!(" AND timestamp >= ?{}", args.len()));
    }
    if let Some(to) = date_to {
        args.push(to);
        sql.push_str(&format!(" AND timestamp <= ?{}", args.len()));
    }
    args.push(limit.to_string());
    sql.push_str(&format!(" ORDER BY seq LIMIT ?{}", args.len()));
    let body = state
        .db
        .read(move |conn| -> rusqlite::Result<Value> {
            let mut stmt = conn.prepare(&sql)?;
            let mut last = None;
            let mut data = Vec::new();
            let mut rows = stmt.query(params_from_iter(args.iter()))?;
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                let metadata: String = r.get(6)?;
                let payload: String = r.get(7)?;
                last = Some(seq);
                data.push(json!({
                    "id": r.get::<_, String>(1)?,
                    "type": r.get::<_, String>(2)?,
                    "category": r.get::<_, String>(3)?,
                    "timestamp": r.get::<_, String>(4)?,
                    "requestId": r.get::<_, String>(5)?,
                    "metadata": serde_json::from_str::<Value>(&metadata).unwrap_or(Value::Null),
                    "data": serde_json::from_str::<Value>(&payload).unwrap_or(Value::Null),
                }));
            }
            let mut body = json!({ "data": data });
            if let Some(seq) = last {
                body["nextCursor"] = Value::String(B64.encode(format!("seq={seq}")));
            }
            Ok(body)
        })
        .await?;
    Ok(Json(body))
}
