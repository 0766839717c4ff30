//! The public API login flow, password method only: `GET /self-service/login/api` starts a
//! flow and `POST /self-service/login?flow=<id>` with `{method: "password", identifier,
//! password}` answers `{session_token, session, continue_with}`. Real Kratos creates sessions
//! only this way, so the sandbox offers the same door: tests (and anyone trying the sandbox)
//! get sessions on both servers by logging in.
//!
//! Only passwords imported in plaintext can be checked (the sandbox keeps a fingerprint of
//! them, not a real hash); every other credential is "invalid credentials", as a wrong
//! password is.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};
use uuid::Uuid;

use super::credentials::fingerprint;
use super::errors::{KResult, KratosError};
use super::model::{Device, Expand, Session, now, rfc3339};
use super::pagination::{Query, json_response};
use super::schemas::normalize_identifier;
use super::sessions::{self, LIFESPAN_HOURS};
use super::store;
use crate::{AppState, MAX_BODY_BYTES};

/// `selfservice.flows.login.lifespan` default.
const FLOW_LIFESPAN_MINUTES: i64 = 60;
/// Flows kept at most; the oldest are forgotten first, so a client that only starts flows
/// cannot grow the sandbox's memory.
const MAX_FLOWS: usize = 10_000;

const INVALID_CREDENTIALS: &str = "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.";

/// Login flows started and not yet used: id → expiry.
#[derive(Clone, Default)]
pub struct LoginFlows(Arc<Mutex<HashMap<Uuid, DateTime<Utc>>>>);

impl LoginFlows {
    fn start(&self, expires_at: DateTime<Utc>) -> Uuid {
        let id = Uuid::new_v4();
        let mut flows = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let at = Utc::now();
        flows.retain(|_, exp| *exp > at);
        if flows.len() >= MAX_FLOWS
            && let Some(oldest) = flows.iter().min_by_key(|(_, e)| **e).map(|(k, _)| *k)
        {
            flows.remove(&oldest);
        }
        flows.insert(id, expires_at);
        id
    }

    /// Whether `id` is a live flow; a used flow is gone, as in Kratos.
    fn take(&self, id: &Uuid) -> Option<DateTime<Utc>> {
        let mut flows = self.0.lock().unwrap_or_else(|e| e.into_inner());
        flows.remove(id).filter(|exp| *exp > Utc::now())
    }

    fn put_back(&self, id: Uuid, expires_at: DateTime<Utc>) {
        let mut flows = self.0.lock().unwrap_or_else(|e| e.into_inner());
        flows.insert(id, expires_at);
    }
}

fn flow_body(
    base: &str,
    id: &Uuid,
    issued: &DateTime<Utc>,
    expires: &DateTime<Utc>,
    messages: Value,
) -> Value {
    json!({
        "id": id,
        "type": "api",
        "expires_at": rfc3339(expires),
        "issued_at": rfc3339(issued),
        "request_url": format!("{base}/self-service/login/api"),
        "ui": {
            "action": format!("{base}/self-service/login?flow={id}"),
            "method": "POST",
            "nodes": [
                {"type": "input", "group": "default", "attributes": {"name": "identifier", "type": "text", "value": "", "required": true, "disabled": false, "node_type": "input"}, "messages": [], "meta": {"label": {"id": 1070004, "text": "ID", "type": "info"}}},
                {"type": "input", "group": "password", "attributes": {"name": "password", "type": "password", "required": true, "autocomplete": "current-password", "disabled": false, "node_type": "input"}, "messages": [], "meta": {"label": {"id": 1070001, "text": "Password", "type": "info"}}},
                {"type": "input", "group": "password", "attributes": {"name": "method", "type": "submit", "value": "password", "disabled": false, "node_type": "input"}, "messages": [], "meta": {"label": {"id": 1010001, "text": "Sign in", "type": "info"}}}
            ],
            "messages": messages
        },
        "created_at": rfc3339(issued),
        "updated_at": rfc3339(issued),
        "refresh": false,
        "requested_aal": "aal1",
        "state": "choose_method"
    })
}

/// `GET /self-service/login/api`.
pub async fn start(State(state): State<AppState>) -> Response {
    let issued = now();
    let expires = issued + Duration::minutes(FLOW_LIFESPAN_MINUTES);
    let id = state.kratos.login_flows.start(expires);
    let body = flow_body(&state.base_url, &id, &issued, &expires, json!([]));
    json_response(StatusCode::OK, &body, HeaderMap::new())
}

/// `POST /self-service/login?flow=<id>`.
pub async fn submit(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> KResult<Response> {
    let q = Query::parse(raw.as_deref());
    let flow = q
        .get("flow")
        .and_then(|f| Uuid::parse_str(f).ok())
        .ok_or_else(|| {
            KratosError::bad_request("The flow query parameter is missing or malformed.")
        })?;
    let Some(expires) = state.kratos.login_flows.take(&flow) else {
        return Err(KratosError::new(
            StatusCode::GONE,
            "The self-service flow expired or does not exist",
        ));
    };
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|e| KratosError::bad_request(format!("Unable to read the request body: {e}")))?;
    let form: Value = serde_json::from_slice(&body)
        .map_err(|e| KratosError::bad_request(format!("Unable to decode JSON payload: {e}")))?;
    if form.get("method").and_then(Value::as_str) != Some("password") {
        state.kratos.login_flows.put_back(flow, expires);
        return Err(KratosError::bad_request(
            "Could not find a strategy to log you in with. Did you fill out the form correctly?",
        ));
    }
    let identifier = normalize_identifier(form["identifier"].as_str().unwrap_or(""));
    let password = form["password"].as_str().unwrap_or("").to_owned();

    let identity = state
        .db
        .read(move |c| -> KResult<Option<super::model::Identity>> {
            let id: Option<String> = c
                .query_row(
                    "SELECT identity_id FROM kratos_keys WHERE kind = 'c:password' AND value = ?1",
                    params![identifier],
                    |r| r.get(0),
                )
                .optional()?;
            match id.and_then(|i| Uuid::parse_str(&i).ok()) {
                Some(id) => store::load(c, &id).map(Some),
                None => Ok(None),
            }
        })
        .await?;
    let verified = identity.as_ref().is_some_and(|i| {
        i.credentials.get("password").is_some_and(|p| {
            p.config.get("hashed_password").and_then(Value::as_str)
                == Some(fingerprint(&password).as_str())
        })
    });
    let Some(identity) = identity.filter(|_| verified) else {
        // Kratos answers the flow again, with the error as a UI message; the flow stays usable.
        state.kratos.login_flows.put_back(flow, expires);
        let issued = expires - Duration::minutes(FLOW_LIFESPAN_MINUTES);
        let messages =
            json!([{"id": 4000006, "text": INVALID_CREDENTIALS, "type": "error", "context": {}}]);
        let body = flow_body(&state.base_url, &flow, &issued, &expires, messages);
        return Ok(json_response(
            StatusCode::BAD_REQUEST,
            &body,
            HeaderMap::new(),
        ));
    };
    if identity.state != "active" {
        state.kratos.login_flows.put_back(flow, expires);
        return Err(KratosError::bad_request("identity is disabled").with_id("identity_disabled"));
    }

    let at = now();
    let session = Session {
        id: Uuid::new_v4(),
        identity_id: identity.id,
        active: true,
        expires_at: at + Duration::hours(LIFESPAN_HOURS),
        authenticated_at: at,
        authenticator_assurance_level: "aal1".into(),
        authentication_methods: json!([{"method": "password", "aal": "aal1", "completed_at": rfc3339(&at)}]),
        issued_at: at,
        created_at: at,
        devices: vec![Device {
            id: Uuid::new_v4(),
            // Kratos records the connection's remote address, port included.
            ip_address: remote,
            user_agent,
            location: Some(String::new()),
        }],
    };
    let stored = session.clone();
    state
        .db
        .call(move |c| sessions::insert(c, &stored))
        .await
        .map_err(KratosError::internal)?;
    let token = format!("ory_st_{}", Uuid::new_v4().simple());
    let mut rendered = session.render(
        &state.base_url,
        Some(&identity),
        Expand {
            identity: true,
            devices: true,
        },
        json!([]),
    );
    // The login answer shows the identity as whoami does: no credentials, no admin metadata.
    if let Some(i) = rendered.get_mut("identity").and_then(Value::as_object_mut) {
        i.remove("metadata_admin");
    }
    let body = json!({"session_token": token, "session": rendered, "continue_with": null});
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}
