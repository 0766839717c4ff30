//! What v1.3.1's router (julienschmidt/httprouter) answers before any handler, where the
//! current API's router differs: `HEAD` is not `GET` (405 with `Allow`), `OPTIONS` answers
//! 200 with `Allow`, a trailing slash is redirected away (301, 308 for other methods than GET),
//! and the admin port sends a path without `/admin` to the prefixed one (307). The sandbox
//! plays both ports on one address, so the public port's routes (`/schemas`, `/version`,
//! `/health/*`, `/self-service/*`) are served as they are.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// The methods v1.3.1 routes for an admin path (with `OPTIONS`, sorted), or `None`.
fn allowed(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/admin")?;
    let segs: Vec<&str> = rest.split('/').skip(1).collect();
    Some(match segs.as_slice() {
        ["identities"] => "GET, OPTIONS, PATCH, POST",
        ["identities", _] => "DELETE, GET, OPTIONS, PATCH, PUT",
        ["identities", _, "sessions"] => "DELETE, GET, OPTIONS",
        ["identities", _, "credentials", _] => "DELETE, OPTIONS",
        ["sessions"] => "GET, OPTIONS",
        ["sessions", _] => "DELETE, GET, OPTIONS",
        ["sessions", _, "extend"] => "OPTIONS, PATCH",
        ["recovery", "link" | "code"] => "OPTIONS, POST",
        ["schemas"] | ["schemas", _] | ["version"] | ["health", "alive" | "ready"] => {
            "GET, OPTIONS"
        }
        _ => return None,
    })
}

/// Go's `http.Redirect`: a small HTML body for GET and HEAD only.
fn redirect(status: StatusCode, method: &Method, location: &str) -> Response {
    let mut resp = if *method == Method::GET || *method == Method::HEAD {
        let text = status.canonical_reason().unwrap_or("");
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!("<a href=\"{location}\">{text}</a>.\n\n"),
        )
            .into_response()
    } else {
        status.into_response()
    };
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

fn with_allow(mut resp: Response, allow: &'static str) -> Response {
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !state.options.kratos_version.is_v1_3_1() {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let method = req.method().clone();
    if ["/identities", "/sessions", "/recovery"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
    {
        return redirect(
            StatusCode::TEMPORARY_REDIRECT,
            &method,
            &format!("/admin{path}{query}"),
        );
    }
    if !path.starts_with("/admin/") {
        return next.run(req).await;
    }
    if let Some(bare) = path.strip_suffix('/')
        && allowed(bare).is_some()
    {
        let status = if method == Method::GET {
            StatusCode::MOVED_PERMANENTLY
        } else {
            StatusCode::PERMANENT_REDIRECT
        };
        return redirect(status, &method, &format!("{bare}{query}"));
    }
    let Some(allow) = allowed(&path) else {
        return next.run(req).await;
    };
    if method == Method::OPTIONS {
        return with_allow(StatusCode::OK.into_response(), allow);
    }
    if method == Method::HEAD {
        return with_allow(super::method_not_allowed_response(), allow);
    }
    let resp = next.run(req).await;
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
        return with_allow(resp, allow);
    }
    resp
}
