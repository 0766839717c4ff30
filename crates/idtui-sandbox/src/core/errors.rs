//! MATTR VII error envelope: `{code, message, details?}` where each detail names the offending
//! `param` and its `location` (`params`, `query` or `body`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub value: Value,
    pub msg: String,
    pub param: String,
    pub location: String,
}

#[derive(Debug, Clone)]
pub struct CoreError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Detail>,
}

impl CoreError {
    /// A 400 "Validation Error" with one detail, the shape MATTR documents for bad input.
    pub fn invalid(value: impl Into<Value>, param: &str, location: &str, msg: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "BadRequest",
            message: "Validation Error".into(),
            details: vec![Detail {
                value: value.into(),
                msg: msg.into(),
                param: param.into(),
                location: location.into(),
            }],
        }
    }

    /// A search too large to run, as a 400 with a detail on `claims`: the client can do
    /// something about it (search on fewer claims), unlike a 500.
    pub fn search_too_large(value: impl Into<Value>, msg: &str) -> Self {
        Self {
            message: "Search is too large".into(),
            ..Self::invalid(value, "claims", "body", msg)
        }
    }

    /// A search SQLite refused for the size of its statement (how the claims filter grows
    /// it), answered as [`CoreError::search_too_large`]; any other error is a 500. The check
    /// in `Criteria::from_body` keeps this from happening; this is the net behind it.
    pub fn from_search(e: rusqlite::Error) -> Self {
        let text = e.to_string();
        let too_large = ["Expression tree is too large", "too many SQL variables"]
            .iter()
            .any(|m| text.contains(m));
        if too_large {
            Self::search_too_large(
                Value::Null,
                &format!(
                    "The search is too large for the database ({text}); search on fewer claims"
                ),
            )
        } else {
            Self::internal(e)
        }
    }

    pub fn user_not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "NotFound",
            message: "User not found".into(),
            details: Vec::new(),
        }
    }

    pub fn unauthorized(message: &str) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "Unauthorized",
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "core sandbox internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "InternalServerError",
            message: "Internal Server Error".into(),
            details: Vec::new(),
        }
    }

    pub fn body(&self) -> Value {
        let mut body = serde_json::json!({ "code": self.code, "message": self.message });
        if !self.details.is_empty() {
            body["details"] = serde_json::to_value(&self.details).unwrap_or(Value::Null);
        }
        body
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl From<serde_json::Error> for CoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for CoreError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}
