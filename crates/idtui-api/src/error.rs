//! One error type for every provider. Each provider's error envelope is decoded into it, so
//! the dashboard shows the provider's own code and message without knowing which API spoke.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which admin API a profile (and an error) belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Kratos,
    Core,
    Headless,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Kratos => "kratos",
            Provider::Core => "core",
            Provider::Headless => "headless",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, coarsely: enough for the UI to choose a message and for callers to decide
/// whether trying again could help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server answered with an error status.
    Http,
    /// No complete answer within the configured time.
    Timeout,
    /// The server could not be reached, or the connection broke mid-answer.
    Connect,
    /// The answer arrived but is not what the API documents.
    Decode,
    /// Refused locally: the profile (or `--read-only`) forbids mutating requests.
    ReadOnly,
    /// Credentials missing, rejected, or the token endpoint failed.
    Auth,
    /// The profile or a request argument is unusable (bad URL, unreadable CA file, …).
    Config,
}

/// Longest excerpt of an unparseable body kept for display.
const BODY_EXCERPT: usize = 200;
/// Longest text of any single field shown in the one-line `Display`.
const FIELD_CAP: usize = 300;

/// Stock herodot messages that say nothing the status code does not: when a Kratos error has
/// a `reason`, these are not worth repeating after it.
const GENERIC_MESSAGES: &[&str] = &[
    "The request was malformed or contained invalid parameters",
    "The requested resource could not be found",
    "Unable to locate the resource",
    "The resource could not be created due to a conflict",
    "Unable to insert or update resource because a resource with that value exists already",
    "An internal server error occurred, please contact the system administrator",
];

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub provider: Provider,
    /// HTTP status when the server answered.
    pub status: Option<u16>,
    /// The provider's own code: Kratos `error.id` (or `error.status`), MATTR `code`, the OAuth
    /// `error`, Coassemble `error.code`.
    pub code: Option<Box<str>>,
    /// Kratos' specific cause (`error.reason`); shown in preference to `message`.
    pub reason: Option<Box<str>>,
    pub message: String,
    /// Structured details as sent (Kratos `details` object, MATTR `details` array).
    pub details: Option<Box<Value>>,
    pub request_id: Option<Box<str>>,
    /// How long the server asked us to wait (429/503 `Retry-After`).
    pub retry_after: Option<Duration>,
    /// The answer broke one of the client's bounds (bytes, records, JSON values, gzip ratio)
    /// and was not read: asking again would only bring the same.
    pub over_limit: bool,
}

impl ApiError {
    pub fn new(kind: ErrorKind, provider: Provider, message: impl Into<String>) -> Self {
        Self {
            kind,
            provider,
            status: None,
            code: None,
            reason: None,
            message: message.into(),
            details: None,
            request_id: None,
            retry_after: None,
            over_limit: false,
        }
    }

    pub fn config(provider: Provider, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, provider, message)
    }

    pub fn read_only(provider: Provider, what: &str) -> Self {
        Self::new(
            ErrorKind::ReadOnly,
            provider,
            format!("read-only mode: refused to send {what}"),
        )
    }

    /// Decode an error answer. Whatever the body holds, the result is readable: a known
    /// envelope gives the provider's code and message, anything else the status plus a short
    /// cleaned excerpt of the body.
    pub fn from_response(provider: Provider, status: u16, body: &[u8]) -> Self {
        let mut err = Self::new(ErrorKind::Http, provider, String::new());
        err.status = Some(status);
        if matches!(status, 401 | 403) {
            err.kind = ErrorKind::Auth;
        }
        let decoded = serde_json::from_slice::<Value>(body)
            .ok()
            .is_some_and(|v| decode_envelope(&mut err, &v));
        if !decoded || err.message.is_empty() {
            let excerpt = excerpt(body);
            err.message = if excerpt.is_empty() {
                status_text(status).to_owned()
            } else {
                excerpt
            };
        }
        err
    }

    /// The text a status bar should show after the provider and status.
    pub fn summary(&self) -> String {
        let message = clean(&self.message, FIELD_CAP);
        let mut out = match self.reason.as_deref().map(|r| clean(r, FIELD_CAP)) {
            Some(reason) if !reason.is_empty() => {
                if message.is_empty()
                    || message == reason
                    || GENERIC_MESSAGES.contains(&self.message.as_str())
                {
                    reason
                } else {
                    format!("{reason}: {message}")
                }
            }
            _ => message,
        };
        if let Some(first) = self.details.as_deref().and_then(first_detail) {
            out.push_str(&format!(" ({})", clean(&first, FIELD_CAP)));
        }
        out
    }

    /// Whether the same read could succeed if tried again.
    pub fn is_transient(&self) -> bool {
        if self.over_limit {
            return false;
        }
        match self.kind {
            ErrorKind::Timeout | ErrorKind::Connect => true,
            ErrorKind::Http => matches!(self.status, Some(429 | 500 | 502 | 503 | 504)),
            _ => false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.provider)?;
        if let Some(status) = self.status {
            write!(f, " {status}")?;
        }
        if let Some(code) = self.code.as_deref().map(|c| clean(c, 60))
            && !code.is_empty()
            && Some(code.as_str()) != self.status.map(status_text)
        {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.summary())?;
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {}s)", wait.as_secs().max(1))?;
        }
        Ok(())
    }
}

/// Longest text kept in any decoded field (the detail view shows them whole).
const STORED_CAP: usize = 4000;

/// A field as text. Server text is untrusted: control characters other than newline and tab
/// are dropped here, so no field of an `ApiError` can carry a terminal escape sequence.
fn str_field(v: &Value, key: &str) -> Option<String> {
    let s = match v.get(key)? {
        Value::String(s) => s
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .take(STORED_CAP)
            .collect::<String>(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.trim().is_empty()).then_some(s)
}

fn boxed(v: &Value, key: &str) -> Option<Box<str>> {
    str_field(v, key).map(String::into_boxed_str)
}

/// Fill `err` from one of the three known envelopes; false when the body is none of them.
fn decode_envelope(err: &mut ApiError, v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    match obj.get("error") {
        // Kratos (herodot): {"error": {id, code, status, request, reason, details, message}}
        Some(inner @ Value::Object(e)) if !obj.contains_key("message") => {
            err.code = boxed(inner, "id").or_else(|| boxed(inner, "status"));
            err.reason = boxed(inner, "reason");
            err.message = str_field(inner, "message").unwrap_or_default();
            err.request_id = boxed(inner, "request");
            err.details = e
                .get("details")
                .filter(|d| !is_empty_json(d))
                .map(|d| Box::new(d.clone()));
            true
        }
        // Coassemble: {"message": "...", "error": {"code": "NOT_FOUND", "status": 404}}
        Some(inner @ Value::Object(_)) => {
            err.code = boxed(inner, "code");
            err.message = str_field(v, "message").unwrap_or_default();
            true
        }
        // OAuth (MATTR token endpoint): {"error": "access_denied", "error_description": "..."}
        Some(Value::String(code)) => {
            err.code = Some(code.as_str().into());
            err.message = str_field(v, "error_description").unwrap_or_else(|| code.clone());
            if err
                .status
                .is_some_and(|s| (400..500).contains(&s) && s != 429)
            {
                err.kind = ErrorKind::Auth;
            }
            true
        }
        _ => {
            // MATTR: {"code": "BadRequest", "message": "...", "details": [...]}
            if obj.contains_key("code") || obj.contains_key("message") {
                err.code = boxed(v, "code");
                err.message = str_field(v, "message").unwrap_or_default();
                err.details = obj
                    .get("details")
                    .filter(|d| !is_empty_json(d))
                    .map(|d| Box::new(d.clone()));
                true
            } else {
                false
            }
        }
    }
}

fn is_empty_json(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A MATTR validation detail reads best as `param: msg`; a Kratos details object is left to
/// the detail view.
fn first_detail(details: &Value) -> Option<String> {
    let first = details.as_array()?.first()?;
    let msg = str_field(first, "msg")?;
    Some(match str_field(first, "param") {
        Some(param) => format!("{param}: {msg}"),
        None => msg,
    })
}

impl ApiError {
    /// A request that got no usable answer: it timed out, did not connect, or was cut while
    /// its answer was read.
    pub(crate) fn transport(provider: Provider, e: reqwest::Error) -> ApiError {
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else if e.is_builder() {
            ErrorKind::Config
        } else {
            ErrorKind::Connect
        };
        let what = match kind {
            ErrorKind::Timeout => "request timed out",
            ErrorKind::Config => "invalid request",
            _ if e.is_connect() => "cannot connect",
            _ if e.is_body() || e.is_decode() => "connection lost while reading the answer",
            _ => "connection failed",
        };
        // The URL can carry user info; the status bar must never show it.
        let detail = root_cause(&e.without_url());
        ApiError::new(kind, provider, format!("{what}: {detail}"))
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg = s.to_string();
        source = s.source();
    }
    msg
}

pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_EXCERPT)];
    clean(&String::from_utf8_lossy(cut), BODY_EXCERPT)
}

/// One line, no control characters (a hostile server must not drive the terminal), at most
/// `cap` characters.
pub(crate) fn clean(s: &str, cap: usize) -> String {
    let mut out = String::with_capacity(s.len().min(cap));
    let mut count = 0;
    let mut last_space = false;
    for ch in s.chars() {
        let ch = if ch.is_control() || ch.is_whitespace() {
            ' '
        } else {
            ch
        };
        if ch == ' ' && last_space {
            continue;
        }
        last_space = ch == ' ';
        if count >= cap {
            out.push('…');
            break;
        }
        count += 1;
        out.push(ch);
    }
    out.trim().to_owned()
}

pub(crate) fn status_text(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("HTTP error")
}
