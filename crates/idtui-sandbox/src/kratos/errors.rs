//! The herodot error envelope Kratos wraps every error in (`api/kratos.md` §1).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

pub const MSG_400: &str = "The request was malformed or contained invalid parameters";
pub const MSG_404: &str = "The requested resource could not be found";
pub const MSG_404_DB: &str = "Unable to locate the resource";
pub const MSG_409: &str = "The resource could not be created due to a conflict";
pub const MSG_409_DB: &str =
    "Unable to insert or update resource because a resource with that value exists already";
pub const MSG_500: &str =
    "An internal server error occurred, please contact the system administrator";
pub const REASON_PAGE_TOKEN: &str = "The page token is invalid, do not craft your own page tokens";

/// One Kratos error. `request` is filled in from `X-Request-ID` when the response is built.
#[derive(Debug, Clone)]
pub struct KratosError {
    /// Herodot's typed error id (`identity_disabled`, ...), set by a few errors only.
    pub id: Option<String>,
    pub code: StatusCode,
    pub reason: Option<String>,
    pub message: String,
    pub request: Option<String>,
    /// The code the body names when it is not the response status (v1.3.1's batch decoder).
    pub shown_code: Option<StatusCode>,
}

impl KratosError {
    pub fn new(code: StatusCode, message: impl Into<String>) -> Self {
        Self {
            id: None,
            code,
            reason: None,
            message: message.into(),
            request: None,
            shown_code: None,
        }
    }

    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, MSG_400).with_reason(reason)
    }

    /// A 400 whose specific text lives in `message` (no `reason`), as some Kratos errors do.
    pub fn bad_request_message(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// What sqlcon answers for a missing row (also used for malformed identity UUIDs).
    pub fn not_found_db() -> Self {
        Self::new(StatusCode::NOT_FOUND, MSG_404_DB)
    }

    pub fn not_found(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, MSG_404).with_reason(reason)
    }

    pub fn conflict_db() -> Self {
        Self::new(StatusCode::CONFLICT, MSG_409_DB)
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "kratos sandbox internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, MSG_500)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "The request could not be authorized",
        )
        .with_reason("The provided access token is missing or invalid.")
    }

    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Name `code` in the body while answering with this error's status.
    pub fn shown_as(mut self, code: StatusCode) -> Self {
        self.shown_code = Some(code);
        self
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Herodot's field order (id, code, status, request, reason, details, message) with empty
    /// fields omitted; the sandbox never sets `details`.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        if let Some(id) = self.id.as_deref() {
            e.insert("id".into(), json!(id));
        }
        let shown = self.shown_code.unwrap_or(self.code);
        e.insert("code".into(), json!(shown.as_u16()));
        e.insert(
            "status".into(),
            json!(shown.canonical_reason().unwrap_or("")),
        );
        if let Some(r) = self.request.as_deref().filter(|r| !r.is_empty()) {
            e.insert("request".into(), json!(r));
        }
        if let Some(r) = self.reason.as_deref().filter(|r| !r.is_empty()) {
            e.insert("reason".into(), json!(r));
        }
        e.insert("message".into(), json!(self.message));
        json!({ "error": Value::Object(e) })
    }
}

use super::go_json::BodyError;

/// The 400 Kratos answers when Go's JSON decoder rejects a body: the decoder's own words in
/// `message` and no `reason` (`EOF`, `unexpected EOF`, `json: unknown field "x"`).
pub fn go_json_error(body: &[u8], e: &BodyError) -> KratosError {
    let e = match e {
        BodyError::TooDeep(text) => return KratosError::bad_request_message(text.clone()),
        BodyError::Json(e) => e,
    };
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        "EOF".to_owned()
    } else if e.is_eof() {
        "unexpected EOF".to_owned()
    } else {
        let msg = e.to_string();
        match msg.strip_prefix("unknown field `") {
            Some(rest) => format!(
                "json: unknown field \"{}\"",
                rest.split('`').next().unwrap_or_default()
            ),
            None => msg,
        }
    };
    KratosError::bad_request_message(text)
}

/// The 400 for a malformed UUID in a session route: gofrs/uuid's words in `message`.
pub fn go_uuid_error(raw: &str) -> KratosError {
    let text = if matches!(raw.len(), 32 | 36 | 38 | 41 | 45) {
        format!("uuid: incorrect UUID format in string {raw:?}")
    } else {
        format!(
            "uuid: incorrect UUID length {} in string {raw:?}",
            raw.len()
        )
    };
    KratosError::bad_request_message(text)
}

pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

impl From<rusqlite::Error> for KratosError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::QueryReturnedNoRows => Self::not_found_db(),
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Self::conflict_db()
            }
            _ => Self::internal(e),
        }
    }
}

impl IntoResponse for KratosError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut resp = (self.code, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert("ory-error-id", HeaderValue::from_static(""));
        // Kept so the conventions middleware can re-render with the caller's X-Request-ID.
        resp.extensions_mut().insert(self);
        resp
    }
}

pub type KResult<T> = Result<T, KratosError>;
