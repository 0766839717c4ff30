//! Errors that arise before a handler runs (a wrong method, a body too large or badly chunked,
//! a URI too long, a body that is not JSON) answered in the error envelope of the API the path
//! belongs to, not in the HTTP stack's plain text. Kratos is the exception the real server
//! sets: its router answers an unknown path and a wrong method in Go's plain text, and it
//! reads a body as JSON whatever its content type.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Longer request targets get 414. Generous: a Kratos `ids` filter of 500 UUIDs is ~21 KiB.
pub const MAX_URI_BYTES: usize = 32 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Api {
    Kratos,
    Core,
    Headless,
}

impl Api {
    fn of(path: &str) -> Api {
        if path.starts_with("/api/v1/headless") || path.starts_with("/v1/headless") {
            Api::Headless
        } else if path.starts_with("/v1/")
            || path.starts_with("/core/v1/")
            || path == "/oauth/token"
        {
            Api::Core
        } else {
            Api::Kratos
        }
    }

    fn error(self, status: StatusCode, message: &str) -> Response {
        let reason = status.canonical_reason().unwrap_or("Error");
        let body = match self {
            Api::Kratos => json!({"error": {
                "code": status.as_u16(), "status": reason, "reason": message,
                "message": reason,
            }}),
            Api::Core => json!({"code": reason.replace([' ', '-'], ""), "message": message}),
            Api::Headless => json!({
                "message": message,
                "error": {
                    "code": reason.to_ascii_uppercase().replace([' ', '-'], "_"),
                    "status": status.as_u16(),
                },
            }),
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if self == Api::Kratos {
            // herodot's error content type carries no charset
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        resp
    }
}

/// An error answered outside the handlers (a refused `Host`, a panic) in the envelope of the
/// API `path` belongs to, so a client reads it as it reads that API's other errors.
pub fn error_at(path: &str, status: StatusCode, message: &str) -> Response {
    Api::of(path).error(status, message)
}

fn has_body(req: &Request) -> bool {
    let h = req.headers();
    h.get(header::TRANSFER_ENCODING).is_some()
        || h.get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > 0)
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            let t = t.trim().to_ascii_lowercase();
            t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
        })
}

pub async fn layer(req: Request, next: Next) -> Response {
    let api = Api::of(req.uri().path());
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return api.error(
            StatusCode::URI_TOO_LONG,
            &format!("The request URI is longer than {MAX_URI_BYTES} bytes"),
        );
    }
    let writes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    if api != Api::Kratos && writes && has_body(&req) && !is_json(&req) {
        return api.error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The request body must be sent as Content-Type: application/json",
        );
    }
    let resp = next.run(req).await;
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    let kratos_router_text = api == Api::Kratos
        && matches!(
            status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        );
    let stack_error = matches!(
        status,
        StatusCode::BAD_REQUEST
            | StatusCode::METHOD_NOT_ALLOWED
            | StatusCode::LENGTH_REQUIRED
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE
            | StatusCode::UNPROCESSABLE_ENTITY
    );
    if !plain || !stack_error || kratos_router_text {
        return resp;
    }
    let allow = resp.headers().get(header::ALLOW).cloned();
    let text = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("Error").to_owned()
    } else {
        text
    };
    let mut out = api.error(status, &message);
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_their_api() {
        assert_eq!(Api::of("/api/v1/headless/users"), Api::Headless);
        assert_eq!(Api::of("/v1/headless/clients"), Api::Headless);
        assert_eq!(Api::of("/v1/users"), Api::Core);
        assert_eq!(Api::of("/core/v1/users/search"), Api::Core);
        assert_eq!(Api::of("/oauth/token"), Api::Core);
        assert_eq!(Api::of("/admin/identities"), Api::Kratos);
        assert_eq!(Api::of("/schemas"), Api::Kratos);
    }
}
