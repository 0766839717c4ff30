//! What the local audit trail records about a change: built here, without I/O, and written
//! by the runtime (through `AuditLog`) as one JSON line each, with the time added there.

use serde::Serialize;
use serde_json::Value;

use super::model::Provider;
use super::mutation::Mutation;
use crate::app::provider::{core, headless, kratos};

/// Where a change stands when its line is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    /// The request is about to leave.
    Sent,
    /// The server answered that it was done, or a re-read showed that it was.
    Applied,
    /// The server refused it, or a re-read showed that it did not happen.
    Failed,
    /// The answer was lost and a re-read could not tell.
    Unknown,
}

/// One line of `audit.jsonl`. Never holds a secret: the change is redacted first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub profile: String,
    pub provider: &'static str,
    /// The HTTP method and path (under the profile's url) the change is sent as. The pure
    /// layer does not know them (MATTR's prefix is the client's): the runtime fills them
    /// from the profile's backend before the line is written.
    pub method: &'static str,
    pub path: String,
    /// The object changed (an id, or `new` for a create).
    pub object: String,
    /// The change itself: the JSON Patch sent, or a patch from the base to the body sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Value>,
    pub outcome: AuditOutcome,
    /// How the outcome was learnt when it was not the answer itself (`re-read`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What was sent, for the runtime to name its request; not written (`change` is its
    /// redacted form). Boxed: an `Effect` carries the entry, and stays small.
    #[serde(skip)]
    pub mutation: Box<Mutation>,
}

impl AuditEntry {
    /// The line for `mutation` sent through `profile`, with `outcome`. `change` is redacted.
    pub fn new(
        profile: &str,
        provider: Provider,
        mutation: &Mutation,
        change: Option<&Value>,
        outcome: AuditOutcome,
    ) -> AuditEntry {
        AuditEntry {
            profile: profile.to_string(),
            provider: provider.key(),
            method: "",
            path: String::new(),
            object: object(mutation),
            change: change.map(redact_change),
            outcome,
            via: None,
            request_id: None,
            message: None,
            mutation: Box::new(mutation.clone()),
        }
    }
}

/// The object a mutation changes, as the trail names it.
fn object(m: &Mutation) -> String {
    match m {
        Mutation::Kratos(kratos::Change::RevokeSessions { sessions }) => sessions.join(","),
        Mutation::Kratos(kratos::Change::CreateIdentity { .. }) => "new".into(),
        Mutation::Kratos(kratos::Change::RevokeSession { session })
        | Mutation::Kratos(kratos::Change::ExtendSession { session }) => session.clone(),
        Mutation::Kratos(kratos::Change::RevokeAllSessions { identity })
        | Mutation::Kratos(kratos::Change::DeleteIdentity { identity })
        | Mutation::Kratos(kratos::Change::DeleteCredential { identity, .. })
        | Mutation::Kratos(kratos::Change::UpdateIdentity { identity, .. })
        | Mutation::Kratos(kratos::Change::PatchIdentity { identity, .. })
        | Mutation::Kratos(kratos::Change::CreateRecoveryLink { identity, .. })
        | Mutation::Kratos(kratos::Change::CreateRecoveryCode { identity, .. })
        | Mutation::Kratos(kratos::Change::SetAddressVerified { identity, .. }) => identity.clone(),
        Mutation::Core(core::Change::DeleteUser { user })
        | Mutation::Core(core::Change::UpdateClaims { user, .. }) => user.clone(),
        Mutation::Headless(headless::Change::DeleteClient { client })
        | Mutation::Headless(headless::Change::UpdateClientMetadata { client, .. }) => {
            client.clone()
        }
        Mutation::Headless(headless::Change::UpdateUser { user, .. })
        | Mutation::Headless(headless::Change::DeleteUser { user, .. }) => user.clone(),
    }
}

/// `change` without secrets: secret-named fields are hidden as in the detail view, and so
/// is the value of every patch operation on a credential or a secret-named path.
pub fn redact_change(change: &Value) -> Value {
    let Value::Array(ops) = change else {
        return super::detail::redact(change);
    };
    let ops = ops
        .iter()
        .map(|op| {
            let path = op.get("path").and_then(Value::as_str).unwrap_or("");
            let secret = path.starts_with("/credentials")
                || path.split('/').any(super::detail::is_secret_key);
            let mut op = super::detail::redact(op);
            if secret && let Some(v) = op.get_mut("value") {
                *v = Value::String(super::detail::REDACTED.to_string());
            }
            op
        })
        .collect();
    Value::Array(ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_line_names_the_request_and_hides_secrets() {
        let m = Mutation::Kratos(kratos::Change::PatchIdentity {
            identity: "i1".into(),
            patch: json!([]),
        });
        let change =
            json!([{"op": "replace", "path": "/metadata_admin/api_token", "value": "s3cr3t"}]);
        let e = AuditEntry::new(
            "prod",
            Provider::Kratos,
            &m,
            Some(&change),
            AuditOutcome::Sent,
        );
        let line = serde_json::to_string(&e).unwrap();
        // Its method and path are the runtime's (`runtime::provider` tests them).
        assert!(line.contains(r#""object":"i1""#), "{line}");
        assert!(line.contains(r#""outcome":"sent""#), "{line}");
        assert!(line.contains(r#""provider":"kratos""#), "{line}");
        assert!(!line.contains("request_id"), "{line}");
        assert!(!line.contains("s3cr3t"), "{line}");
        let body = json!({"traits": {"email": "a@b"}, "credentials": {"password": {"config": {"password": "hunter2"}}}});
        let line = serde_json::to_string(&redact_change(&body)).unwrap();
        assert!(line.contains("a@b") && !line.contains("hunter2"), "{line}");
    }

    #[test]
    fn api_keys_and_hashes_are_hidden_whatever_their_place() {
        let bcrypt = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
        // A replacement of the whole admin metadata, and a patch touching single fields.
        let body =
            json!({"metadata_admin": {"api_key": "ak_live_42", "legacy": bcrypt, "tier": "gold"}});
        let patch = json!([
            {"op": "add", "path": "/metadata_admin/api_key", "value": "ak_live_42"},
            {"op": "add", "path": "/metadata_admin/legacy", "value": bcrypt},
            {"op": "replace", "path": "/metadata_admin/tier", "value": "gold"}
        ]);
        for change in [body, patch] {
            let e = AuditEntry::new(
                "prod",
                Provider::Kratos,
                &Mutation::Kratos(kratos::Change::PatchIdentity {
                    identity: "i1".into(),
                    patch: change.clone(),
                }),
                Some(&change),
                AuditOutcome::Sent,
            );
            let line = serde_json::to_string(&e).unwrap();
            assert!(!line.contains("ak_live_42"), "{line}");
            assert!(!line.contains("$2b$"), "{line}");
            assert!(line.contains("gold") && line.contains("api_key"), "{line}");
        }
    }
}
