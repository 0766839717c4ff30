//! A Kratos identity's credentials as the dashboard shows them: one row per credential type,
//! but one per link for OIDC and SAML (provider and subject) and per key for device keys, so
//! `d` deletes that link only. A credential's config (hashes, tokens) is read only when its
//! detail is opened or a delete needs it, and its secrets are masked before it leaves here.

use serde_json::{Value, json};

use crate::api::{ApiError, ErrorKind, Identity, KratosApi, Provider};
use crate::app::Row;
use crate::app::credentials::{ALL, CredentialRef, config_types, per_identifier};
use crate::app::detail::redact;

use crate::runtime::rows::{credential_fields, row};

/// The Credentials pane of `identity`.
pub fn rows(identity: &Identity) -> Vec<Row> {
    let mut out = Vec::new();
    for c in &identity.credentials {
        let created = c.created_at.as_deref();
        let version = c
            .raw
            .get("version")
            .map(|v| format!("version {v}"))
            .unwrap_or_default();
        if per_identifier(&c.kind) && !c.identifiers.is_empty() {
            for ident in &c.identifiers {
                let target = CredentialRef::new(&identity.id, &c.kind, Some(ident));
                let raw = one_link(&c.raw, &c.kind, ident);
                let details = link_details(&c.kind, ident);
                out.push(row(
                    target.id(),
                    credential_fields(&c.kind, ident.clone(), created, details),
                    raw,
                ));
            }
        } else {
            let target = CredentialRef::new(&identity.id, &c.kind, None);
            out.push(row(
                target.id(),
                credential_fields(&c.kind, c.identifiers.join(", "), created, version),
                c.raw.clone(),
            ));
        }
    }
    out
}

fn link_details(kind: &str, ident: &str) -> String {
    match (kind, ident.split_once(':')) {
        ("deviceauthn", _) => "device key".into(),
        (_, Some((provider, subject))) => format!("provider {provider} · subject {subject}"),
        _ => String::new(),
    }
}

/// A credential narrowed to one link: its identifier, and (when the config was read) only
/// that link's provider entry.
fn one_link(credential: &Value, kind: &str, ident: &str) -> Value {
    let mut c = credential.clone();
    if let Some(obj) = c.as_object_mut() {
        obj.insert("identifiers".into(), json!([ident]));
        if let Some((provider, subject)) = ident.split_once(':')
            && kind != "deviceauthn"
        {
            obj.insert("provider".into(), json!(provider));
            obj.insert("subject".into(), json!(subject));
        }
    }
    let matches = |p: &Value| {
        let id = match kind {
            "deviceauthn" => p
                .get("client_key_id")
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => Some(format!(
                "{}:{}",
                p.get("provider")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                p.get("subject").and_then(Value::as_str).unwrap_or_default()
            )),
        };
        id.as_deref() == Some(ident)
    };
    let list = if kind == "deviceauthn" {
        "keys"
    } else {
        "providers"
    };
    if let Some(items) = c
        .get_mut("config")
        .and_then(|cfg| cfg.get_mut(list))
        .and_then(Value::as_array_mut)
    {
        items.retain(matches);
    }
    c
}

fn gone(what: String) -> ApiError {
    let mut e = ApiError::new(ErrorKind::Http, Provider::Kratos, what);
    e.status = Some(404);
    e
}

/// Read `id` (a `CredentialRef` id) with its config, secrets masked. `IDENTITY/*/TYPE`
/// reads the identity with the configs a delete of its TYPE credential is judged on; a
/// credential or link the identity no longer has is a 404.
pub async fn get(k: &KratosApi, id: &str) -> Result<Row, ApiError> {
    let Some(target) = CredentialRef::parse(id) else {
        return Err(ApiError::config(
            Provider::Kratos,
            format!("not a credential id: {id}"),
        ));
    };
    if target.kind == ALL {
        let kind = target.identifier.as_deref().unwrap_or_default();
        let types: Vec<String> = config_types(kind).iter().map(|t| t.to_string()).collect();
        let i = k.get_identity(&target.identity, &types).await?;
        // Read for its detail only: no list shows it.
        let fields = crate::app::provider::credentials::Credential::default();
        return Ok(row(id.to_string(), fields, redact(&i.raw)));
    }
    let i = k
        .get_identity(&target.identity, std::slice::from_ref(&target.kind))
        .await?;
    let Some(c) = i.credentials.iter().find(|c| c.kind == target.kind) else {
        return Err(gone(format!(
            "identity {} has no {} credential",
            target.identity, target.kind
        )));
    };
    let raw = match &target.identifier {
        Some(ident) if c.identifiers.contains(ident) => one_link(&c.raw, &c.kind, ident),
        Some(ident) => {
            return Err(gone(format!(
                "identity {} has no {} link {ident}",
                target.identity, target.kind
            )));
        }
        None => c.raw.clone(),
    };
    let identifiers = target
        .identifier
        .clone()
        .unwrap_or_else(|| c.identifiers.join(", "));
    let fields = credential_fields(&c.kind, identifiers, None, String::new());
    Ok(row(id.to_string(), fields, redact(&raw)))
}
