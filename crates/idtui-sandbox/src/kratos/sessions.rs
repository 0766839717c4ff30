//! Sessions: storage, the admin view and the session endpoints (`api/kratos.md` §2.3, §3.3,
//! §4.8).

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};
use uuid::Uuid;

use super::auth::Admin;
use super::errors::{KResult, KratosError, REASON_PAGE_TOKEN, go_uuid_error};
use super::model::{Expand, Identity, Session, now};
use super::pagination::{
    OffsetPage, Query, SessionTokenError, decode_session_token, first_session_token, json_response,
    link_header, page_size, session_token, set_header,
};
use super::store;
use super::synthetic;
use crate::AppState;

/// `session.lifespan` default.
pub const LIFESPAN_HOURS: i64 = 24;

fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn insert(conn: &Connection, s: &Session) -> rusqlite::Result<()> {
    let doc = serde_json::to_string(s)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached(
        "INSERT INTO kratos_sessions (id, identity_id, created_at, active, expires_at, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        s.id.to_string(),
        s.identity_id.to_string(),
        micros(&s.created_at),
        s.active,
        micros(&s.expires_at),
        doc
    ])?;
    Ok(())
}

fn save(conn: &Connection, s: &Session) -> rusqlite::Result<()> {
    let doc = serde_json::to_string(s)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "UPDATE kratos_sessions SET active = ?2, expires_at = ?3, doc = ?4 WHERE id = ?1",
        params![s.id.to_string(), s.active, micros(&s.expires_at), doc],
    )?;
    Ok(())
}

/// Columns every session query selects, in the order [`from_row`] reads them.
const COLUMNS: &str = "doc, gen, active, expires_at, created_at";

/// Rebuild a session from a row. `active` and `expires_at` come from their columns, which
/// are authoritative (disable and extend update them); a NULL `doc` means a generated session
/// that is rebuilt from its counter.
fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Session> {
    let doc: Option<String> = r.get(0)?;
    let gen_n: Option<i64> = r.get(1)?;
    let active: bool = r.get(2)?;
    let expires: i64 = r.get(3)?;
    let expires_at = DateTime::from_timestamp_micros(expires).unwrap_or_default();
    let created: i64 = r.get(4)?;
    let created_at = DateTime::from_timestamp_micros(created).unwrap_or_default();
    let mut s = match (doc, gen_n) {
        (Some(d), _) => serde_json::from_str(&d).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        (None, Some(n)) => synthetic::stored_session(n as u64, active, expires_at, created_at),
        (None, None) => {
            return Err(rusqlite::Error::InvalidColumnType(
                0,
                "doc".into(),
                rusqlite::types::Type::Null,
            ));
        }
    };
    s.active = active;
    s.expires_at = expires_at;
    Ok(s)
}

fn load(conn: &Connection, id: &Uuid) -> KResult<Session> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM kratos_sessions WHERE id = ?1"),
        params![id.to_string()],
        from_row,
    )
    .optional()?
    .ok_or_else(KratosError::not_found_db)
}

/// SQL for the `active` filter: stored flag and expiry, identity state ignored. `now` is the
/// `?{now}` parameter, bound in every variant so the statement's parameter count is fixed.
fn active_clause(active: Option<bool>, now: usize) -> String {
    match active {
        None => format!("?{now} IS NOT NULL"),
        Some(true) => format!("(active = 1 AND expires_at > ?{now})"),
        Some(false) => format!("(active = 0 OR expires_at <= ?{now})"),
    }
}

fn parse_active(q: &Query) -> KResult<Option<bool>> {
    match q.get("active") {
        None | Some("") => Ok(None),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "t" => Ok(Some(true)),
            "false" | "0" | "f" => Ok(Some(false)),
            _ => Err(KratosError::bad_request_message(
                "could not parse parameter active",
            )),
        },
    }
}

fn parse_expand(q: &Query) -> KResult<Expand> {
    let mut e = Expand::default();
    for v in q.all("expand") {
        match v.to_ascii_lowercase().as_str() {
            "identity" => e.identity = true,
            "devices" => e.devices = true,
            _ => {
                return Err(KratosError::bad_request(format!(
                    "Could not parse expand option: {v}"
                )));
            }
        }
    }
    Ok(e)
}

/// How v1.3.1 shows a session's expanded identity: without `metadata_admin`; in an identity's
/// session list (`partial`) also without addresses and with an empty `schema_url`.
fn identity_as_v1_3_1(session: &mut Value, partial: bool) {
    let Some(i) = session.get_mut("identity").and_then(Value::as_object_mut) else {
        return;
    };
    i.shift_remove("metadata_admin");
    if partial {
        i.shift_remove("verifiable_addresses");
        i.shift_remove("recovery_addresses");
        i.insert("schema_url".into(), json!(""));
    }
}

/// Session endpoints answer 400, not 404, for a malformed UUID.
fn parse_uuid_400(raw: &str) -> KResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| go_uuid_error(raw))
}

/// Load the identities behind `sessions` (one query per distinct identity).
fn identities_for(conn: &Connection, sessions: &[Session]) -> KResult<HashMap<Uuid, Identity>> {
    let mut out = HashMap::new();
    for s in sessions {
        if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(s.identity_id) {
            slot.insert(store::load(conn, &s.identity_id)?);
        }
    }
    Ok(out)
}

/// One page of sessions, the identities behind them, and (v1.3.1) the count of all matches.
type SessionPage = (Vec<Session>, HashMap<Uuid, Identity>, Option<i64>);

/// `GET /admin/sessions`: keyset over `(created_at DESC, id ASC)`.
pub async fn list(
    _: Admin,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> KResult<Response> {
    let q = Query::parse(raw.as_deref());
    let size = page_size(&q, 250, 1000)
        .map_err(|_| KratosError::bad_request_message("could not parse parameter page_size"))?;
    let active = parse_active(&q)?;
    let expand = parse_expand(&q)?;
    let cursor = match q.get("page_token").filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => match decode_session_token(t) {
            Ok(c) => Some(c),
            Err(SessionTokenError::Undecodable) => {
                return Err(KratosError::bad_request_message(
                    "could not parse parameter page_size",
                ));
            }
            Err(SessionTokenError::BadId) => {
                return Err(KratosError::bad_request(REASON_PAGE_TOKEN));
            }
        },
    };
    let v1_3_1 = state.options.kratos_version.is_v1_3_1();
    let (rows, identities, total) = state
        .db
        .read(move |c| -> KResult<SessionPage> {
            let (cid, cat) = match cursor {
                Some((id, at)) => (id.to_string(), micros(&at)),
                None => (Uuid::nil().to_string(), i64::MAX),
            };
            let sql = format!(
                "SELECT {COLUMNS} FROM kratos_sessions
                 WHERE created_at <= ?1 AND (created_at < ?1 OR id > ?2) AND {}
                 ORDER BY created_at DESC, id ASC LIMIT ?3",
                active_clause(active, 4)
            );
            let mut st = c.prepare_cached(&sql)?;
            let now_us = micros(&Utc::now());
            let mut rows = Vec::new();
            for r in st.query_map(params![cat, cid, size as i64 + 1, now_us], from_row)? {
                rows.push(r?);
            }
            let identities = if expand.identity {
                identities_for(c, &rows)?
            } else {
                HashMap::new()
            };
            // v1.3.1 counts the sessions the filter matches for `X-Total-Count`.
            let total = if v1_3_1 {
                Some(c.query_row(
                    &format!(
                        "SELECT count(*) FROM kratos_sessions WHERE {}",
                        active_clause(active, 1)
                    ),
                    params![now_us],
                    |r| r.get(0),
                )?)
            } else {
                None
            };
            Ok((rows, identities, total))
        })
        .await?;
    let mut rows = rows;
    let more = rows.len() > size;
    rows.truncate(size);
    let base = q.with("page_size", &size.to_string());
    let mut links = vec![("first", base.with("page_token", &first_session_token()))];
    if more && let Some(last) = rows.last() {
        links.push((
            "next",
            base.with("page_token", &session_token(&last.id, &last.created_at)),
        ));
    }
    let mut headers = HeaderMap::new();
    set_header(
        &mut headers,
        "link",
        &link_header("/admin/sessions", &links),
    );
    if let Some(total) = total {
        set_header(&mut headers, "x-total-count", &total.to_string());
    }
    let body: Vec<Value> = rows
        .iter()
        .map(|s| {
            let mut v = s.render(
                &state.base_url,
                identities.get(&s.identity_id),
                expand,
                Value::Null,
            );
            if v1_3_1 {
                identity_as_v1_3_1(&mut v, false);
            }
            v
        })
        .collect();
    Ok(json_response(StatusCode::OK, &Value::Array(body), headers))
}

/// `GET /admin/sessions/{id}`.
pub async fn get(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> KResult<Response> {
    let id = parse_uuid_400(&id)?;
    let expand = parse_expand(&Query::parse(raw.as_deref()))?;
    let (s, identity) = state
        .db
        .read(move |c| -> KResult<(Session, Option<Identity>)> {
            let s = load(c, &id)?;
            let i = if expand.identity {
                Some(store::load(c, &s.identity_id)?)
            } else {
                None
            };
            Ok((s, i))
        })
        .await?;
    let mut body = s.render(&state.base_url, identity.as_ref(), expand, json!([]));
    if state.options.kratos_version.is_v1_3_1() {
        identity_as_v1_3_1(&mut body, false);
    }
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

/// `DELETE /admin/sessions/{id}`: deactivates, keeps the row.
pub async fn disable(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> KResult<Response> {
    let id = parse_uuid_400(&id)?;
    let mut resp = change_or_404(
        &state,
        "UPDATE kratos_sessions SET active = 0 WHERE id = ?1",
        id,
    )
    .await?;
    // Kratos labels this empty 204 as JSON.
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    Ok(resp)
}

/// Run one statement keyed by `id`: 204 when it changed a row, Kratos' database 404 when not.
async fn change_or_404(state: &AppState, sql: &'static str, id: Uuid) -> KResult<Response> {
    let n = state
        .db
        .call(move |c| c.execute(sql, params![id.to_string()]))
        .await?;
    if n == 0 {
        return Err(KratosError::not_found_db());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PATCH /admin/sessions/{id}/extend`: 200 with the session. Kratos extends only a session
/// within `session.earliest_possible_extend` of its expiry; that setting defaults to the whole
/// lifespan, so a session expiring later than now + lifespan is left as it is (a silent no-op),
/// never shortened.
pub async fn extend(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> KResult<Response> {
    let id = parse_uuid_400(&id)?;
    let (s, identity) = state
        .db
        .call(move |c| -> KResult<(Session, Identity)> {
            let mut s = load(c, &id)?;
            let extended = now() + Duration::hours(LIFESPAN_HOURS);
            if s.expires_at <= extended {
                s.expires_at = extended;
                save(c, &s)?;
            }
            let identity = store::load(c, &s.identity_id)?;
            Ok((s, identity))
        })
        .await?;
    // The answer shows the session with its identity, as Kratos reloads it to extend it.
    let expand = Expand {
        identity: true,
        devices: false,
    };
    let mut body = s.render(&state.base_url, Some(&identity), expand, json!([]));
    if state.options.kratos_version.is_v1_3_1() {
        identity_as_v1_3_1(&mut body, false);
    }
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

/// `GET /admin/identities/{id}/sessions`: offset token, `X-Total-Count`, always expanded.
pub async fn list_for_identity(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> KResult<Response> {
    let id = parse_uuid_400(&id)?;
    let q = Query::parse(raw.as_deref());
    let active = parse_active(&q)?;
    let page = OffsetPage::parse(raw.as_deref())?;
    let (size, offset) = (page.size, page.offset);
    let (rows, total, identity) = state
        .db
        .read(
            move |c| -> KResult<(Vec<Session>, usize, Option<Identity>)> {
                let clause = active_clause(active, 2);
                let now_us = micros(&Utc::now());
                let total: i64 = c.query_row(
                    &format!(
                        "SELECT count(*) FROM kratos_sessions WHERE identity_id = ?1 AND {clause}"
                    ),
                    params![id.to_string(), now_us],
                    |r| r.get(0),
                )?;
                let sql = format!(
                    "SELECT {COLUMNS} FROM kratos_sessions WHERE identity_id = ?1 AND {clause}
                 ORDER BY created_at DESC, id ASC LIMIT ?3 OFFSET ?4"
                );
                let mut st = c.prepare_cached(&sql)?;
                let mut rows = Vec::new();
                for r in st.query_map(
                    params![
                        id.to_string(),
                        now_us,
                        size as i64,
                        // A token may name an offset beyond i64; SQLite reads a negative OFFSET as 0.
                        i64::try_from(offset).unwrap_or(i64::MAX)
                    ],
                    from_row,
                )? {
                    rows.push(r?);
                }
                // No existence check, as in Kratos: an unknown identity simply has no sessions.
                let identity = match store::load(c, &id) {
                    Ok(i) => Some(i),
                    Err(e) if e.code == StatusCode::NOT_FOUND => None,
                    Err(e) => return Err(e),
                };
                Ok((rows, total as usize, identity))
            },
        )
        .await?;
    let mut headers = HeaderMap::new();
    page.headers(
        &format!("/admin/identities/{id}/sessions"),
        total,
        &mut headers,
    );
    let expand = Expand {
        identity: true,
        devices: true,
    };
    let v1_3_1 = state.options.kratos_version.is_v1_3_1();
    let body: Vec<Value> = rows
        .iter()
        .map(|s| {
            let mut v = s.render(&state.base_url, identity.as_ref(), expand, json!([]));
            if v1_3_1 {
                identity_as_v1_3_1(&mut v, true);
            }
            v
        })
        .collect();
    Ok(json_response(StatusCode::OK, &Value::Array(body), headers))
}

/// `DELETE /admin/identities/{id}/sessions`: hard delete; 404 when nothing was deleted.
pub async fn delete_for_identity(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> KResult<Response> {
    let id = parse_uuid_400(&id)?;
    change_or_404(
        &state,
        "DELETE FROM kratos_sessions WHERE identity_id = ?1",
        id,
    )
    .await
}
