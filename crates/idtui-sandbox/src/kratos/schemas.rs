//! Identity schemas: the registry, trait validation, what the `ory.sh/kratos` extension derives
//! from traits (identifiers, addresses), and the `/schemas` routes (`api/kratos.md` §6).

use std::sync::LazyLock;

use axum::extract::{Path, RawQuery};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::credentials::new_credential;
use super::errors::{KResult, KratosError};
use super::model::{Identity, RecoveryAddress, VerifiableAddress};
use super::pagination::{OffsetPage, json_response};

pub const DEFAULT_SCHEMA_ID: &str = "default";

/// `(id, raw schema)`, in the order `GET /schemas` lists them.
const SOURCES: &[(&str, &str)] = &[
    (
        DEFAULT_SCHEMA_ID,
        include_str!("../../assets/kratos/identity.schema.json"),
    ),
    (
        "service-account",
        include_str!("../../assets/kratos/service-account.schema.json"),
    ),
];

/// What one trait's `ory.sh/kratos` extension asks for.
#[derive(Debug, Default, Clone)]
struct TraitExtension {
    /// JSON pointer segments below `traits`.
    path: Vec<String>,
    /// Credential types this trait is an identifier for (`password`, `code`, `webauthn`).
    identifier_for: Vec<String>,
    verification_via: Option<String>,
    recovery_via: Option<String>,
}

pub struct IdentitySchema {
    pub id: &'static str,
    pub raw: Value,
    validator: jsonschema::Validator,
    extensions: Vec<TraitExtension>,
}

static SCHEMAS: LazyLock<Vec<IdentitySchema>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(id, src)| {
            // The schemas are compiled into the binary and checked by the unit tests below.
            let raw: Value = serde_json::from_str(src).expect("bundled identity schema is JSON");
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&raw)
                .expect("bundled identity schema compiles");
            let mut extensions = Vec::new();
            if let Some(traits) = raw.pointer("/properties/traits") {
                collect_extensions(traits, &mut Vec::new(), &mut extensions);
            }
            IdentitySchema {
                id,
                raw,
                validator,
                extensions,
            }
        })
        .collect()
});

fn collect_extensions(node: &Value, path: &mut Vec<String>, out: &mut Vec<TraitExtension>) {
    if let Some(ext) = node.get("ory.sh/kratos") {
        let mut te = TraitExtension {
            path: path.clone(),
            ..Default::default()
        };
        if let Some(creds) = ext.get("credentials").and_then(Value::as_object) {
            for (kind, cfg) in creds {
                if cfg.get("identifier").and_then(Value::as_bool) == Some(true) {
                    te.identifier_for.push(kind.clone());
                }
            }
        }
        te.verification_via = ext
            .pointer("/verification/via")
            .and_then(Value::as_str)
            .map(str::to_owned);
        te.recovery_via = ext
            .pointer("/recovery/via")
            .and_then(Value::as_str)
            .map(str::to_owned);
        out.push(te);
    }
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, child) in props {
            path.push(name.clone());
            collect_extensions(child, path, out);
            path.pop();
        }
    }
}

/// Look a schema up by id; an empty id means the default schema.
pub fn find(id: &str) -> KResult<&'static IdentitySchema> {
    let id = if id.is_empty() { DEFAULT_SCHEMA_ID } else { id };
    SCHEMAS
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| KratosError::bad_request(format!("Unable to find JSON Schema ID: {id}")))
}

/// Password, code and webauthn identifiers are trimmed and lower-cased before they are stored
/// or looked up, so lookups are effectively case-insensitive.
pub fn normalize_identifier(s: &str) -> String {
    s.trim().to_lowercase()
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        // Kratos' validator names every JSON number `number`, integral or not.
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl IdentitySchema {
    /// Validate `{"traits": …}` and report every failure the way Kratos words it: one failure
    /// alone as `I[#/traits/x] S[#/properties/traits/properties/x/type] expected string, but
    /// got number`; several under a `validation failed` line naming the place they share,
    /// each on its own line indented by two spaces.
    pub fn validate(&self, traits: &Value) -> KResult<()> {
        let doc = json!({ "traits": traits });
        use jsonschema::error::ValidationErrorKind as K;
        let mut leaves: Vec<(u8, String, String, String)> = Vec::new();
        for err in self.validator.iter_errors(&doc) {
            let (rank, detail) = match &err.kind {
                K::Required { property } => (0, format!("missing properties: {property}")),
                K::AdditionalProperties { unexpected } => {
                    let mut names: Vec<String> =
                        unexpected.iter().map(|u| format!("{u:?}")).collect();
                    names.sort();
                    (
                        2,
                        format!("additionalProperties {} not allowed", names.join(", ")),
                    )
                }
                K::Type { kind } => {
                    let expected = match kind {
                        jsonschema::error::TypeKind::Single(t) => t.to_string(),
                        jsonschema::error::TypeKind::Multiple(ts) => ts
                            .iter()
                            .map(|t| t.to_string())
                            .collect::<Vec<_>>()
                            .join(" or "),
                    };
                    (
                        1,
                        format!("expected {expected}, but got {}", describe(&err.instance)),
                    )
                }
                K::Format { format } => (1, format!("{} is not valid {format:?}", err.instance)),
                _ => (1, err.to_string()),
            };
            let instance = err.instance_path.to_string();
            let schema = err.schema_path.to_string();
            // The `verification.via: email` extension checks the format a second time.
            let again = matches!(&err.kind, K::Format { format } if format == "email")
                && self.extensions.iter().any(|e| {
                    e.verification_via.as_deref() == Some("email")
                        && instance == format!("/traits/{}", e.path.join("/"))
                });
            if again {
                leaves.push((rank, instance.clone(), schema.clone(), detail.clone()));
            }
            leaves.push((rank, instance, schema, detail));
        }
        if leaves.is_empty() {
            return Ok(());
        }
        leaves.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let line = |(_, i, s, d): &(u8, String, String, String)| format!("I[#{i}] S[#{s}] {d}");
        if leaves.len() == 1 {
            return Err(KratosError::bad_request(line(&leaves[0])));
        }
        // The place every failure shares (objects only: the schema path follows it).
        let paths: Vec<Vec<&str>> = leaves
            .iter()
            .map(|(_, i, _, _)| i.split('/').skip(1).collect())
            .collect();
        let mut common: Vec<&str> = paths[0].clone();
        for p in &paths[1..] {
            let n = common.iter().zip(p).take_while(|(a, b)| a == b).count();
            common.truncate(n);
        }
        let schema_at: String = common
            .iter()
            .map(|seg| format!("/properties/{seg}"))
            .collect();
        let mut out = format!(
            "I[#/{}] S[#{schema_at}] validation failed",
            common.join("/")
        );
        for leaf in &leaves {
            out.push_str("\n  ");
            out.push_str(&line(leaf));
        }
        Err(KratosError::bad_request(out))
    }

    /// Whether the extension derives identifiers of credential type `kind` from a trait.
    pub fn derives(&self, kind: &str) -> bool {
        self.extensions
            .iter()
            .any(|e| e.identifier_for.iter().any(|k| k == kind))
    }

    /// Trait values marked by the extension, with the extension that marked them.
    fn marked_values<'a>(
        &'a self,
        traits: &'a Value,
    ) -> impl Iterator<Item = (&'a TraitExtension, &'a str)> {
        self.extensions.iter().filter_map(move |ext| {
            let mut node = traits;
            for seg in &ext.path {
                node = node.get(seg)?;
            }
            node.as_str().map(|s| (ext, s))
        })
    }

    /// Re-derive identifiers and addresses from the traits (every write does this). Existing
    /// addresses keep their id and verification state; addresses no longer in the traits go.
    pub fn derive(&self, identity: &mut Identity, now: DateTime<Utc>) {
        let mut identifiers: Vec<(String, String)> = Vec::new();
        let mut verifiable: Vec<(String, String)> = Vec::new();
        let mut recovery: Vec<(String, String)> = Vec::new();
        for (ext, value) in self.marked_values(&identity.traits) {
            for kind in &ext.identifier_for {
                let v = normalize_identifier(value);
                if !v.is_empty() && !identifiers.contains(&(kind.clone(), v.clone())) {
                    identifiers.push((kind.clone(), v));
                }
            }
            if let Some(via) = &ext.verification_via {
                let v = normalize_address(via, value);
                if !v.is_empty() && !verifiable.contains(&(via.clone(), v.clone())) {
                    verifiable.push((via.clone(), v));
                }
            }
            if let Some(via) = &ext.recovery_via {
                let v = normalize_address(via, value);
                if !v.is_empty() && !recovery.contains(&(via.clone(), v.clone())) {
                    recovery.push((via.clone(), v));
                }
            }
        }

        let mut kinds: Vec<&String> = identifiers.iter().map(|(k, _)| k).collect();
        kinds.dedup();
        for kind in kinds {
            let ids: Vec<String> = identifiers
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, v)| v.clone())
                .collect();
            let cred = identity
                .credentials
                .entry(kind.clone())
                .or_insert_with(|| new_credential(kind, now));
            if cred.identifiers != ids {
                cred.identifiers = ids;
                cred.updated_at = now;
            }
        }

        let old = std::mem::take(&mut identity.verifiable_addresses);
        identity.verifiable_addresses = verifiable
            .into_iter()
            .map(|(via, value)| {
                old.iter()
                    .find(|a| a.via == via && a.value == value)
                    .cloned()
                    .unwrap_or(VerifiableAddress {
                        id: Uuid::new_v4(),
                        value,
                        verified: false,
                        via,
                        status: "pending".into(),
                        verified_at: None,
                        created_at: now,
                        updated_at: now,
                    })
            })
            .collect();
        let old = std::mem::take(&mut identity.recovery_addresses);
        identity.recovery_addresses = recovery
            .into_iter()
            .map(|(via, value)| {
                old.iter()
                    .find(|a| a.via == via && a.value == value)
                    .cloned()
                    .unwrap_or(RecoveryAddress {
                        id: Uuid::new_v4(),
                        value,
                        via,
                        created_at: now,
                        updated_at: now,
                    })
            })
            .collect();
        // As Kratos' persister does on every write: a verified address without a time gets
        // the current one, an unverified one loses its time, an empty status follows
        // `verified` (so a JSON Patch may mark an address verified or not).
        for a in &mut identity.verifiable_addresses {
            if a.status.is_empty() {
                a.status = if a.verified { "completed" } else { "pending" }.into();
            }
            if !a.verified {
                a.verified_at = None;
            } else if a.verified_at.is_none() {
                a.verified_at = Some(now);
            }
        }
    }
}

fn normalize_address(via: &str, value: &str) -> String {
    if via == "email" {
        value.trim().to_lowercase()
    } else {
        value.trim().to_owned()
    }
}

/// `GET /schemas`: `[{id, schema}]` with offset-token paging and `X-Total-Count`.
pub async fn list(RawQuery(q): RawQuery) -> KResult<Response> {
    let page = OffsetPage::parse(q.as_deref())?;
    let total = SCHEMAS.len();
    let items: Vec<Value> = SCHEMAS
        .iter()
        .skip(page.offset)
        .take(page.size)
        .map(|s| json!({ "id": s.id, "schema": s.raw }))
        .collect();
    let mut headers = HeaderMap::new();
    page.headers("/schemas", total, &mut headers);
    Ok(json_response(
        axum::http::StatusCode::OK,
        &Value::Array(items),
        headers,
    ))
}

/// `GET /schemas/{id}`: the raw schema; the id may be plain or base64url (from `schema_url`).
pub async fn get(Path(id): Path<String>) -> KResult<Response> {
    let decoded = URL_SAFE_NO_PAD
        .decode(id.trim_end_matches('='))
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let found = SCHEMAS
        .iter()
        .find(|s| s.id == id)
        .or_else(|| SCHEMAS.iter().find(|s| Some(s.id) == decoded.as_deref()));
    match found {
        Some(s) => Ok(json_response(
            axum::http::StatusCode::OK,
            &s.raw,
            HeaderMap::new(),
        )),
        None => Err(KratosError::not_found(format!(
            "Identity schema `{id}` could not be found."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schemas_compile_and_mark_email() {
        let s = find("").unwrap();
        assert_eq!(s.id, "default");
        let email = s
            .extensions
            .iter()
            .find(|e| e.path == ["email"])
            .expect("email extension");
        assert_eq!(email.identifier_for, ["password"]);
        assert_eq!(email.verification_via.as_deref(), Some("email"));
        assert!(find("service-account").is_ok());
    }

    #[test]
    fn several_validation_errors_are_all_listed() {
        let s = find("default").unwrap();
        let e = s
            .validate(&json!({"email": 5, "name": {"first": 3}, "newsletter": "x", "zzz": 1}))
            .unwrap_err();
        assert_eq!(
            e.reason.as_deref().unwrap(),
            "I[#/traits] S[#/properties/traits] validation failed\n  \
             I[#/traits/email] S[#/properties/traits/properties/email/type] expected string, but got number\n  \
             I[#/traits/name/first] S[#/properties/traits/properties/name/properties/first/type] expected string, but got number\n  \
             I[#/traits/newsletter] S[#/properties/traits/properties/newsletter/type] expected boolean, but got string\n  \
             I[#/traits] S[#/properties/traits/additionalProperties] additionalProperties \"zzz\" not allowed"
        );
        let e = s.validate(&json!({"zzz": 1, "yyy": 2})).unwrap_err();
        assert_eq!(
            e.reason.as_deref().unwrap(),
            "I[#/traits] S[#/properties/traits] validation failed\n  \
             I[#/traits] S[#/properties/traits/required] missing properties: \"email\"\n  \
             I[#/traits] S[#/properties/traits/additionalProperties] additionalProperties \"yyy\", \"zzz\" not allowed"
        );
        let e = s.validate(&json!({"email": "notanemail"})).unwrap_err();
        assert_eq!(
            e.reason.as_deref().unwrap(),
            "I[#/traits/email] S[#/properties/traits/properties/email] validation failed\n  \
             I[#/traits/email] S[#/properties/traits/properties/email/format] \"notanemail\" is not valid \"email\"\n  \
             I[#/traits/email] S[#/properties/traits/properties/email/format] \"notanemail\" is not valid \"email\""
        );
    }

    #[test]
    fn validation_errors_use_kratos_wording() {
        let s = find("default").unwrap();
        let e = s.validate(&json!({"name": {"first": "A"}})).unwrap_err();
        assert_eq!(
            e.reason.as_deref(),
            Some(r#"I[#/traits] S[#/properties/traits/required] missing properties: "email""#)
        );
        let e = s.validate(&json!({"email": 42})).unwrap_err();
        assert!(
            e.reason
                .as_deref()
                .unwrap()
                .ends_with("expected string, but got number"),
            "{:?}",
            e.reason
        );
        let e = s
            .validate(&json!({"email": "a@b.co", "dept": "x"}))
            .unwrap_err();
        assert!(
            e.reason
                .as_deref()
                .unwrap()
                .ends_with(r#"additionalProperties "dept" not allowed"#)
        );
        assert!(s.validate(&json!({"email": "a@b.co"})).is_ok());
    }
}
