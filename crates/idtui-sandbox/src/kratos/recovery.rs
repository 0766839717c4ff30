//! `POST /admin/recovery/link` and `POST /admin/recovery/code`: an administrator makes a
//! recovery link or code for an identity (`createRecoveryLinkForIdentity`,
//! `createRecoveryCodeForIdentity` in the official spec), with Kratos' defaults (both
//! methods enabled, a lifespan of one hour), its decoder's checks and its error texts.
//!
//! The sandbox answers as Kratos does but keeps no recovery flow: nothing on the admin API
//! reads one back, and the self-service recovery pages are not emulated.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::{Duration, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::auth::Admin;
use super::duration;
use super::errors::{KResult, KratosError};
use super::model::rfc3339;
use super::pagination::json_response;
use super::store;
use crate::AppState;

/// `selfservice.methods.{link,code}.config.lifespan` default.
const LIFESPAN: &str = "1h";
/// `selfservice.flows.recovery.ui_url` default: where a recovery code's link points.
pub const RECOVERY_UI: &str = "https://www.ory.sh/kratos/docs/fallback/recovery";
/// The public route a recovery link opens.
const SUBMIT_FLOW: &str = "/self-service/recovery";

/// The body type Kratos decodes into, as Go's decoder names it in its errors.
#[derive(Clone, Copy)]
enum Body {
    Link,
    Code,
}

impl Body {
    fn go_type(self) -> &'static str {
        match self {
            Body::Link => "createRecoveryLinkForIdentityBody",
            Body::Code => "createRecoveryCodeForIdentityBody",
        }
    }

    fn go_package(self) -> &'static str {
        match self {
            Body::Link => "link",
            Body::Code => "code",
        }
    }
}

/// The fields both bodies share; `flow_type` is read by the code endpoint only.
struct Request {
    identity_id: Uuid,
    expires_in: String,
    flow_type: Option<String>,
}

fn decode_error(text: impl std::fmt::Display) -> KratosError {
    KratosError::bad_request(format!("Unable to decode JSON payload: {text}"))
}

/// Go's scanner's words for the first bad byte of a document that does not start a JSON
/// value, or a misspelt `null`, `true` or `false` (deeper syntax errors are worded by
/// position only roughly: `invalid character` and the byte).
fn go_syntax_error(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start();
    let literal = ["null", "true", "false"]
        .into_iter()
        .find(|l| text.starts_with(&l[..1]));
    if let Some(literal) = literal {
        for (want, got) in literal.chars().zip(text.chars()).skip(1) {
            if want != got {
                return format!(
                    "invalid character '{got}' in literal {literal} (expecting '{want}')"
                );
            }
        }
    }
    let first = text.chars().next().unwrap_or(' ');
    format!("invalid character '{first}' looking for beginning of value")
}

/// ory/x's `decoderx` with `HTTPJSONDecoder`: a non-empty body, a JSON content type, then
/// Go's `json.Decoder` into the body struct (unknown fields ignored, field types checked).
fn decode(headers: &HeaderMap, body: &[u8], kind: Body) -> KResult<Request> {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let chunked = headers.contains_key(header::TRANSFER_ENCODING);
    if length == Some(0) || (length.is_none() && !chunked && body.is_empty()) {
        return Err(KratosError::bad_request(
            r#"Unable to decode HTTP Request Body because its HTTP Header "Content-Length" is zero."#,
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let is_json = content_type
        .split(',')
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .any(|t| t == "application/json");
    if !is_json {
        return Err(KratosError::bad_request(format!(
            r#"HTTP POST Request used unknown HTTP Header "Content-Type: {content_type}", only [application/json] are supported."#
        )));
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) if body.iter().all(u8::is_ascii_whitespace) => return Err(decode_error("EOF")),
        Err(e) if e.is_eof() => return Err(decode_error("unexpected EOF")),
        Err(_) => return Err(decode_error(go_syntax_error(body))),
    };
    let fields = match value {
        Value::Object(m) => m,
        // Go decodes `null` into the zero value without complaint.
        Value::Null => Map::new(),
        other => {
            return Err(decode_error(format!(
                "json: cannot unmarshal {} into Go value of type {}.{}",
                super::json_patch_go::go_kind(&other),
                kind.go_package(),
                kind.go_type()
            )));
        }
    };
    let wrong_type = |field: &str, v: &Value, go: &str| {
        decode_error(format!(
            "json: cannot unmarshal {} into Go struct field {}.{field} of type {go}",
            super::json_patch_go::go_kind(v),
            kind.go_type()
        ))
    };
    let identity_id = match fields.get("identity_id") {
        None | Some(Value::Null) => Uuid::nil(),
        Some(Value::String(s)) => {
            Uuid::parse_str(s).map_err(|_| decode_error(super::errors::go_uuid_error(s).message))?
        }
        Some(other) => return Err(wrong_type("identity_id", other, "uuid.UUID")),
    };
    let expires_in = match fields.get("expires_in") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(wrong_type("expires_in", other, "string")),
    };
    let flow_type = match (kind, fields.get("flow_type")) {
        (Body::Link, _) | (_, None | Some(Value::Null)) => None,
        (Body::Code, Some(Value::String(s))) => Some(s.clone()),
        (Body::Code, Some(other)) => return Err(wrong_type("flow_type", other, "flow.Type")),
    };
    Ok(Request {
        identity_id,
        expires_in,
        flow_type,
    })
}

/// The lifespan asked for (or the default), in nanoseconds.
fn lifespan(req: &Request) -> KResult<i64> {
    let text = if req.expires_in.is_empty() {
        LIFESPAN
    } else {
        &req.expires_in
    };
    duration::parse(text).ok_or_else(|| {
        KratosError::bad_request(format!(
            r#"Unable to parse "expires_in" whose format should match "[0-9]+(ns|us|ms|s|m|h)" but did not: {}"#,
            req.expires_in
        ))
    })
}

/// Whether the identity exists (the recovery answer needs nothing else from it).
async fn identity_exists(state: &AppState, id: Uuid) -> KResult<bool> {
    state
        .db
        .read(move |c| match store::load(c, &id) {
            Ok(_) => Ok(true),
            Err(e) if e.code == StatusCode::NOT_FOUND => Ok(false),
            Err(e) => Err(e),
        })
        .await
}

fn expires_at(nanos: i64) -> String {
    rfc3339(&(Utc::now() + Duration::nanoseconds(nanos)))
}

/// 32 letters and digits, as Kratos' link tokens are.
fn token() -> String {
    Uuid::new_v4().simple().to_string()
}

/// Six digits, as Kratos' recovery codes are.
fn code() -> String {
    let n = Uuid::new_v4().as_u128() % 1_000_000;
    format!("{n:06}")
}

/// `POST /admin/recovery/link`: 200 `{recovery_link, expires_at}`. An unknown identity is
/// a 400 here (a 404 on the code endpoint), as in Kratos.
pub async fn link(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> KResult<Response> {
    let req = decode(&headers, &body, Body::Link)?;
    let nanos = lifespan(&req)?;
    if nanos <= 0 {
        return Err(KratosError::bad_request(format!(
            r#"Value from "expires_in" must be result to a future time: {}"#,
            req.expires_in
        )));
    }
    if !identity_exists(&state, req.identity_id).await? {
        return Err(KratosError::bad_request(
            "The requested identity id does not exist.",
        ));
    }
    let flow = Uuid::new_v4();
    let link = format!(
        "{}{SUBMIT_FLOW}?flow={flow}&token={}",
        state.base_url.trim_end_matches('/'),
        token()
    );
    let body = json!({"recovery_link": link, "expires_at": expires_at(nanos)});
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

/// `POST /admin/recovery/code`: 201 `{recovery_link, recovery_code, expires_at}`; the link
/// opens the recovery UI on the new flow, where the code is typed.
pub async fn code_for_identity(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> KResult<Response> {
    let req = decode(&headers, &body, Body::Code)?;
    let nanos = lifespan(&req)?;
    if nanos <= 0 {
        return Err(KratosError::bad_request(format!(
            r#"Value from "expires_in" must result to a future time: {}"#,
            duration::format(nanos)
        )));
    }
    if let Some(t) = req.flow_type.as_deref()
        && !matches!(t, "api" | "browser")
    {
        return Err(KratosError::bad_request(format!(
            r#"Value from "flow_type" is not valid: {t:?}"#
        )));
    }
    if !identity_exists(&state, req.identity_id).await? {
        return Err(KratosError::not_found_db().with_reason("could not find identity"));
    }
    let body = json!({
        "recovery_link": format!("{RECOVERY_UI}?flow={}", Uuid::new_v4()),
        "recovery_code": code(),
        "expires_at": expires_at(nanos),
    });
    Ok(json_response(StatusCode::CREATED, &body, HeaderMap::new()))
}
