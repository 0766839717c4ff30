//! The first error Go's `encoding/json` decoder reports for a request body decoded into one of
//! Kratos's structs: an unknown field (strict decoding) or a value of the wrong JSON kind,
//! whichever comes first in the document, in Go's words (`json: unknown field "x"`,
//! `json: cannot unmarshal number into Go struct field CreateIdentityBody.state of type
//! identity.State`). serde's own texts differ, so bodies are checked against these shapes
//! before they are decoded.

use serde_json::Value;

use super::json_patch_go::go_kind;

/// What a field holds, as far as the error texts go.
pub enum Shape {
    /// Anything (`json.RawMessage`, `interface{}`).
    Any,
    /// A JSON string, named by its Go type (`string`, `identity.State`).
    Str(&'static str),
    /// A JSON bool.
    Bool,
    /// An object decoded into a Go struct: its name and fields; `strict` refuses the others.
    Struct(&'static str, &'static [(&'static str, Shape)]),
    /// A JSON array of one shape, named by its Go type.
    List(&'static str, &'static Shape),
}

/// Walk `v` in document order; the first mismatch in Go's words, or `None`.
pub fn first_error(v: &Value, shape: &Shape, strict: bool) -> Option<String> {
    walk(v, shape, strict, None, "")
}

fn walk(
    v: &Value,
    shape: &Shape,
    strict: bool,
    top: Option<&'static str>,
    path: &str,
) -> Option<String> {
    let mismatch = |go_type: &str| {
        Some(match top {
            Some(t) if !path.is_empty() => format!(
                "json: cannot unmarshal {} into Go struct field {t}.{path} of type {go_type}",
                go_kind(v)
            ),
            _ => format!(
                "json: cannot unmarshal {} into Go value of type {go_type}",
                go_kind(v)
            ),
        })
    };
    match (shape, v) {
        (_, Value::Null) | (Shape::Any, _) => None,
        (Shape::Str(_), Value::String(_)) | (Shape::Bool, Value::Bool(_)) => None,
        (Shape::Str(t), _) => mismatch(t),
        (Shape::Bool, _) => mismatch("bool"),
        (Shape::Struct(name, fields), Value::Object(m)) => {
            let top = top.or(Some(name));
            for (k, x) in m {
                match fields.iter().find(|(f, _)| f == k) {
                    Some((_, s)) => {
                        let p = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        if let Some(e) = walk(x, s, strict, top, &p) {
                            return Some(e);
                        }
                    }
                    None if strict => return Some(format!("json: unknown field \"{k}\"")),
                    None => {}
                }
            }
            None
        }
        (Shape::Struct(name, _), _) => {
            let go_type = if top.is_none() {
                format!("identity.{name}")
            } else {
                format!("*identity.{name}")
            };
            mismatch(&go_type)
        }
        (Shape::List(_, item), Value::Array(a)) => {
            a.iter().find_map(|x| walk(x, item, strict, top, path))
        }
        (Shape::List(t, _), _) => mismatch(t),
    }
}

const PASSWORD_CONFIG: &[(&str, Shape)] = &[
    ("hashed_password", Shape::Str("string")),
    ("password", Shape::Str("string")),
    ("use_password_migration_hook", Shape::Bool),
];
const PASSWORD: &[(&str, Shape)] = &[(
    "config",
    Shape::Struct(
        "AdminIdentityImportCredentialsPasswordConfig",
        PASSWORD_CONFIG,
    ),
)];
const OIDC_PROVIDER_V1_3_1: &[(&str, Shape)] = &[
    ("subject", Shape::Str("string")),
    ("provider", Shape::Str("string")),
];
const OIDC_PROVIDER_V1_3_1_SHAPE: Shape = Shape::Struct(
    "AdminCreateIdentityImportCredentialsOidcProvider",
    OIDC_PROVIDER_V1_3_1,
);
const OIDC_CONFIG_V1_3_1: &[(&str, Shape)] = &[
    (
        "config",
        Shape::Struct(
            "AdminIdentityImportCredentialsPasswordConfig",
            PASSWORD_CONFIG,
        ),
    ),
    (
        "providers",
        Shape::List(
            "[]identity.AdminCreateIdentityImportCredentialsOidcProvider",
            &OIDC_PROVIDER_V1_3_1_SHAPE,
        ),
    ),
];
const OIDC_V1_3_1: &[(&str, Shape)] = &[(
    "config",
    Shape::Struct(
        "AdminIdentityImportCredentialsOIDCConfig",
        OIDC_CONFIG_V1_3_1,
    ),
)];
const CREDENTIALS_V1_3_1: &[(&str, Shape)] = &[
    (
        "password",
        Shape::Struct("AdminIdentityImportCredentialsPassword", PASSWORD),
    ),
    (
        "oidc",
        Shape::Struct("AdminIdentityImportCredentialsOIDC", OIDC_V1_3_1),
    ),
];
const ADDRESSES: Shape = Shape::Any;

/// v1.3.1's `CreateIdentityBody` (no `external_id`, `organization_id`, and only password
/// and OIDC credentials to import).
pub const CREATE_V1_3_1: Shape = Shape::Struct(
    "CreateIdentityBody",
    &[
        ("schema_id", Shape::Str("string")),
        ("traits", Shape::Any),
        (
            "credentials",
            Shape::Struct("IdentityWithCredentials", CREDENTIALS_V1_3_1),
        ),
        (
            "verifiable_addresses",
            Shape::List("[]identity.VerifiableAddress", &ADDRESSES),
        ),
        (
            "recovery_addresses",
            Shape::List("[]identity.RecoveryAddress", &ADDRESSES),
        ),
        ("metadata_public", Shape::Any),
        ("metadata_admin", Shape::Any),
        ("state", Shape::Str("identity.State")),
    ],
);

/// The current `CreateIdentityBody`: the credential types the sandbox imports are checked by
/// the importer itself.
pub const CREATE_LATEST: Shape = Shape::Struct(
    "CreateIdentityBody",
    &[
        ("schema_id", Shape::Str("string")),
        ("traits", Shape::Any),
        ("credentials", Shape::Any),
        (
            "verifiable_addresses",
            Shape::List("[]identity.VerifiableAddress", &ADDRESSES),
        ),
        (
            "recovery_addresses",
            Shape::List("[]identity.RecoveryAddress", &ADDRESSES),
        ),
        ("metadata_public", Shape::Any),
        ("metadata_admin", Shape::Any),
        ("state", Shape::Str("identity.State")),
        ("external_id", Shape::Str("string")),
        ("organization_id", Shape::Any),
        ("region", Shape::Str("string")),
    ],
);

/// `UpdateIdentityBody` (PUT), decoded leniently: only kinds are checked.
pub const UPDATE: Shape = Shape::Struct(
    "UpdateIdentityBody",
    &[
        ("schema_id", Shape::Str("string")),
        ("traits", Shape::Any),
        ("credentials", Shape::Any),
        ("metadata_public", Shape::Any),
        ("metadata_admin", Shape::Any),
        ("state", Shape::Str("identity.State")),
        ("external_id", Shape::Str("string")),
    ],
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn words_match_go() {
        let e = |v: Value| first_error(&v, &CREATE_V1_3_1, true);
        assert_eq!(
            e(json!({"schema_id": 5})).as_deref(),
            Some(
                "json: cannot unmarshal number into Go struct field CreateIdentityBody.schema_id of type string"
            )
        );
        assert_eq!(
            e(json!({"schema_id": "default", "state": 5})).as_deref(),
            Some(
                "json: cannot unmarshal number into Go struct field CreateIdentityBody.state of type identity.State"
            )
        );
        assert_eq!(
            e(json!([])).as_deref(),
            Some("json: cannot unmarshal array into Go value of type identity.CreateIdentityBody")
        );
        assert_eq!(
            e(json!({"credentials": {"totp": {}}})).as_deref(),
            Some("json: unknown field \"totp\"")
        );
        assert_eq!(
            e(json!({"credentials": {"oidc": {"config": {"providers": [{"provider": "p", "use_auto_link": true}]}}}})).as_deref(),
            Some("json: unknown field \"use_auto_link\"")
        );
        assert_eq!(e(json!({"traits": {"x": 1}, "state": null})), None);
    }
}
