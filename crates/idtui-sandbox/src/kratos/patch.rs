//! `PATCH /admin/identities/{id}`: RFC 6902 on the admin JSON view (`api/kratos.md` §4.5).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use json_patch::{AddOperation, Patch, PatchOperation};
use serde_json::Value;

use super::auth::Admin;
use super::errors::{KResult, KratosError};
use super::identities::{check_state, modify, parse_identity_id};
use super::model::{CredView, Identity, now};
use super::pagination::json_response;
use crate::AppState;

/// Master's deny-list, matched case-insensitively: exact paths, and `oidc`/`saml` subtrees.
pub fn denied(path: &str) -> bool {
    let p = path.to_lowercase();
    if matches!(p.as_str(), "/id" | "/statechangedat" | "/credentials") {
        return true;
    }
    ["/credentials/oidc", "/credentials/saml"]
        .iter()
        .any(|d| p == *d || p.strip_prefix(d).is_some_and(|rest| rest.starts_with('/')))
}

/// Every JSON Patch failure: the specific text in `message`, this `reason`.
pub const REASON_PATCH: &str = "failed to apply JSON patch";

fn patch_failed(message: impl Into<String>) -> KratosError {
    KratosError::new(StatusCode::BAD_REQUEST, message).with_reason(REASON_PATCH)
}

/// Go's words for a document that is valid JSON but not a list of operations.
fn not_a_patch(v: &Value) -> KratosError {
    let kind = match v {
        Value::Object(_) => "object",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "value",
    };
    patch_failed(format!(
        "json: cannot unmarshal {kind} into Go value of type jsonpatch.Patch"
    ))
}

/// Apply add/remove/replace ops one at a time; `replace` on a missing path acts as `add`.
pub fn apply(doc: &mut Value, body: &[u8]) -> KResult<()> {
    if body.is_empty() {
        return Err(patch_failed("unexpected end of JSON input"));
    }
    let raw: Value = super::go_json::decode(body).map_err(|e| patch_failed(e.text()))?;
    if raw.is_null() {
        return Ok(());
    }
    let ops = raw.as_array().ok_or_else(|| not_a_patch(&raw))?;
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        if !matches!(name, "add" | "remove" | "replace") {
            return Err(patch_failed(format!("unsupported operation: {name}")));
        }
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        if denied(path) {
            return Err(patch_failed(format!("patch includes denied path: {path}")));
        }
    }
    let patch: Patch = serde_json::from_value(raw).map_err(|e| patch_failed(e.to_string()))?;
    for op in patch.0 {
        let op = match op {
            PatchOperation::Replace(r) if doc.pointer(r.path.as_str()).is_none() => {
                PatchOperation::Add(AddOperation {
                    path: r.path,
                    value: r.value,
                })
            }
            other => other,
        };
        json_patch::patch(doc, &[op]).map_err(|e| patch_failed(e.to_string()))?;
    }
    Ok(())
}

/// Each `credentials.<k>.type` must equal `<k>` (master only, but cheap and protective).
fn check_credential_types(doc: &Value) -> KResult<()> {
    if let Some(creds) = doc.get("credentials").and_then(Value::as_object) {
        for (k, c) in creds {
            let t = c.get("type").and_then(Value::as_str).unwrap_or("");
            if t != k {
                return Err(KratosError::bad_request(format!(
                    "credentials.{k}.type must equal \"{k}\", got \"{t}\""
                )));
            }
        }
    }
    Ok(())
}

pub async fn handler(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> KResult<Response> {
    let id = parse_identity_id(&id)?;
    let base = state.base_url.to_string();
    let saved = modify(&state, id, move |original| {
        let mut doc = original.render(&base, &CredView::Full);
        apply(&mut doc, &body)?;
        check_credential_types(&doc)?;
        if let Some(s) = doc.get("state").and_then(Value::as_str) {
            check_state(s)?;
        }
        let mut patched: Identity = serde_json::from_value(doc).map_err(|e| {
            KratosError::bad_request(format!("The patched identity is invalid: {e}"))
        })?;
        // The id is deny-listed; this only guards against a patch that reshaped the document.
        patched.id = original.id;
        if patched.state != original.state {
            patched.state_changed_at = Some(now());
        }
        if patched.external_id.as_deref() == Some("") {
            patched.external_id = None;
        }
        Ok(patched)
    })
    .await?;
    let body = saved.render(&state.base_url, &CredView::Include(Vec::new()));
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deny_list_matches_master() {
        for p in [
            "/id",
            "/ID",
            "/stateChangedAt",
            "/credentials",
            "/credentials/oidc",
            "/credentials/OIDC/config/providers/0",
            "/credentials/saml/type",
        ] {
            assert!(denied(p), "{p} should be denied");
        }
        for p in [
            "/state_changed_at",
            "/credentials/password/config/hashed_password",
            "/credentials/oidcx",
            "/traits/email",
        ] {
            assert!(!denied(p), "{p} should be allowed");
        }
    }

    #[test]
    fn replace_on_missing_path_adds() {
        let mut doc = json!({"metadata_public": {}});
        apply(
            &mut doc,
            br#"[{"op":"replace","path":"/metadata_public/role","value":"admin"}]"#,
        )
        .unwrap();
        assert_eq!(doc, json!({"metadata_public": {"role": "admin"}}));
    }

    #[test]
    fn move_copy_test_are_unsupported() {
        let mut doc = json!({});
        let e = apply(&mut doc, br#"[{"op":"test","path":"/a","value":1}]"#).unwrap_err();
        assert_eq!(e.message, "unsupported operation: test");
    }
}
