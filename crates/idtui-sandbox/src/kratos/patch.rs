//! `PATCH /admin/identities/{id}`: RFC 6902 on the admin JSON view (`api/kratos.md` §4.5).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::Admin;
use super::credentials::KNOWN_TYPES;
use super::errors::{KResult, KratosError};
use super::identities::{REASON_BAD_STATE_V1_3_1, check_state, modify, parse_identity_id};
use super::json_patch_go;
use super::model::{CredView, Credential, Identity, now};
use super::pagination::json_response;
use super::schemas;
use crate::{AppState, KratosVersion};

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

/// v1.3.1's deny-list: three exact paths, matched as written.
pub fn denied_v1_3_1(path: &str) -> bool {
    matches!(path, "/id" | "/stateChangedAt" | "/credentials")
}

/// Every JSON Patch failure: the specific text in `message`, this `reason`.
pub const REASON_PATCH: &str = "failed to apply JSON patch";
/// v1.3.1's words (sic) for the same.
pub const REASON_PATCH_V1_3_1: &str = "An error occured when applying the JSON patch";

fn patch_failed(version: KratosVersion, message: impl Into<String>) -> KratosError {
    let reason = if version.is_v1_3_1() {
        REASON_PATCH_V1_3_1
    } else {
        REASON_PATCH
    };
    KratosError::new(StatusCode::BAD_REQUEST, message).with_reason(reason)
}

/// Apply a JSON Patch body to `doc` as Kratos does (`json_patch_go`), with the deny-list of
/// `version`. Removing anything under `/credentials` is refused in both modes, as v1.3.1
/// refuses it (its patch document has no credentials): a patch must not wipe a password
/// hash past the credential delete rules.
pub fn apply(doc: &mut Value, body: &[u8], version: KratosVersion) -> KResult<()> {
    if body.is_empty() {
        return Err(patch_failed(version, "unexpected end of JSON input"));
    }
    let raw: Value = super::go_json::decode(body).map_err(|e| patch_failed(version, e.text()))?;
    if raw.is_null() {
        return Ok(());
    }
    let deny: fn(&str) -> bool = if version.is_v1_3_1() {
        denied_v1_3_1
    } else {
        denied
    };
    let ops = json_patch_go::decode(&raw, deny).map_err(|e| patch_failed(version, e))?;
    if let Some(op) = ops
        .iter()
        .find(|op| op.kind == "remove" && op.path.starts_with("/credentials/"))
    {
        return Err(patch_failed(
            version,
            format!(
                "remove operation does not apply: doc is missing path: \"{}\": missing value",
                op.path
            ),
        ));
    }
    json_patch_go::apply(doc, &ops).map_err(|e| patch_failed(version, e))
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
    let version = state.options.kratos_version;
    // v1.3.1 answers `identifiers: null` for a credential the patch added without any.
    let mut added_bare: Vec<String> = Vec::new();
    let saved = if version.is_v1_3_1() {
        let (tx, rx) = std::sync::mpsc::channel();
        let saved = modify(&state, id, version, move |original| {
            let (patched, bare) = patch_v1_3_1(original, &base, &body)?;
            let _ = tx.send(bare);
            Ok(patched)
        })
        .await?;
        added_bare = rx.try_recv().unwrap_or_default();
        saved
    } else {
        modify(&state, id, version, move |original| {
            patch_latest(original, &base, &body)
        })
        .await?
    };
    let mut body = saved.render(&state.base_url, &CredView::Include(Vec::new()));
    for kind in added_bare {
        if let Some(ids) = body.pointer_mut(&format!("/credentials/{kind}/identifiers"))
            && ids.as_array().is_some_and(Vec::is_empty)
        {
            *ids = Value::Null;
        }
    }
    Ok(json_response(StatusCode::OK, &body, HeaderMap::new()))
}

/// The current API: the patch document carries every credential with its config.
fn patch_latest(original: Identity, base: &str, body: &[u8]) -> KResult<Identity> {
    let version = KratosVersion::Latest;
    let mut doc = original.render(base, &CredView::Full);
    apply(&mut doc, body, version)?;
    check_credential_types(&doc)?;
    finish(original, doc, version)
}

/// v1.3.1: the document has no credentials (so a patch cannot read or remove them), but what
/// a patch adds under `/credentials/<type>` is decoded into the identity's credential map, as
/// Go's decoder merges into a map it already holds: the entry for that type is replaced.
/// Returns the types added without identifiers.
fn patch_v1_3_1(original: Identity, base: &str, body: &[u8]) -> KResult<(Identity, Vec<String>)> {
    let version = KratosVersion::V1_3_1;
    let mut doc = original.render(base, &CredView::Omit);
    if let Some(m) = doc.as_object_mut() {
        m.shift_remove("external_id");
    }
    apply(&mut doc, body, version)?;
    let added = doc
        .as_object_mut()
        .and_then(|m| m.shift_remove("credentials"))
        .unwrap_or(Value::Null);
    let mut credentials = original.credentials.clone();
    let mut bare = Vec::new();
    if let Value::Object(added) = &added {
        let schema = schemas::find(&original.schema_id)?;
        let now = now();
        for (kind, c) in added {
            // Kratos stores a credential under its `type`, looked up in its credential types
            // table: none (unless the schema's extension sets it, as it does for the types it
            // derives identifiers for) or an unknown one is a 404. A type other than the key
            // is refused with the current API's words (v1.3.1 would store it under the other
            // type, over that type's credential).
            let t = c.get("type").and_then(Value::as_str).unwrap_or("");
            let typed = if t.is_empty() && schema.derives(kind) {
                kind.as_str()
            } else {
                t
            };
            if !KNOWN_TYPES.contains(&typed) {
                return Err(KratosError::not_found_db());
            }
            if typed != kind {
                check_credential_types(&json!({ "credentials": { kind: c } }))?;
            }
            let identifiers = match c.get("identifiers") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => {
                    bare.push(kind.clone());
                    Vec::new()
                }
            };
            let config = match c.get("config") {
                Some(v @ Value::Object(_)) => v.clone(),
                _ => json!({}),
            };
            credentials.insert(
                kind.clone(),
                Credential {
                    kind: kind.clone(),
                    identifiers,
                    config,
                    version: c.get("version").and_then(Value::as_i64).unwrap_or(0),
                    created_at: now,
                    updated_at: now,
                },
            );
        }
    } else if !added.is_null() {
        return Err(patch_failed(
            version,
            format!(
                "json: cannot unmarshal {} into Go struct field .credentials of type map[identity.CredentialsType]identity.Credentials",
                json_patch_go::go_kind(&added)
            ),
        ));
    }
    let mut patched = finish(original, doc, version)?;
    patched.credentials = credentials;
    patched.external_id = None;
    Ok((patched, bare))
}

/// The patched document back into an identity: state checked, ids kept.
fn finish(original: Identity, doc: Value, version: KratosVersion) -> KResult<Identity> {
    if let Some(s) = doc.get("state").and_then(Value::as_str)
        && s != original.state
        && let Err(e) = check_state(s, KratosVersion::Latest)
    {
        // v1.3.1 words it in the reason and puts its `IsValid` error in the message.
        return Err(if version.is_v1_3_1() {
            KratosError::new(StatusCode::BAD_REQUEST, REASON_BAD_STATE_V1_3_1)
                .with_reason(e.reason.unwrap_or_default())
        } else {
            e
        });
    }
    let mut doc = doc;
    if version.is_v1_3_1()
        && let Some(m) = doc.as_object_mut()
    {
        m.insert("credentials".into(), json!({}));
    }
    let mut patched: Identity = serde_json::from_value(doc)
        .map_err(|e| KratosError::bad_request(format!("The patched identity is invalid: {e}")))?;
    // The id is deny-listed; this only guards against a patch that reshaped the document.
    patched.id = original.id;
    if patched.state != original.state {
        patched.state_changed_at = Some(now());
    }
    if patched.external_id.as_deref() == Some("") {
        patched.external_id = None;
    }
    Ok(patched)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            KratosVersion::Latest,
        )
        .unwrap();
        assert_eq!(doc, json!({"metadata_public": {"role": "admin"}}));
    }

    #[test]
    fn move_copy_test_are_unsupported() {
        let mut doc = json!({});
        let e = apply(
            &mut doc,
            br#"[{"op":"test","path":"/a","value":1}]"#,
            KratosVersion::Latest,
        )
        .unwrap_err();
        assert_eq!(e.message, "unsupported operation: test");
    }
}
