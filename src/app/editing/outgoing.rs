//! What an editor's save sends: the mutation for what it edits, what a re-read must show for
//! the change to count as applied, and what the audit trail records as the change. One
//! function per question, so a new kind of editor is one arm here.

use serde_json::Value;

use super::session::EditTarget;
use crate::app::change::{Expect, Field};
use crate::app::model::{ObjectKind, scoped_user};
use crate::app::mutation::Mutation;
use crate::app::provider::{core, headless, kratos};

/// A save, ready to become a `Change`.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub mutation: Mutation,
    pub expect: Expect,
    pub audit_change: Value,
}

/// The save of `value` (the editor's checked document) made from `base`. `patched` is what
/// a patch editor's operations make of the base, when they apply.
pub fn outgoing(
    target: &EditTarget,
    base: &Value,
    value: Value,
    patched: Option<Value>,
) -> Outgoing {
    let field = target.field();
    let before = field.of(base);
    // What a re-read of `kind`/`id` shows once `after` is stored.
    let value_expect = |kind, id: String, after| Expect::Value {
        kind,
        id,
        field,
        before: before.clone(),
        after,
    };
    let changes = |after: &Value| Value::Array(crate::app::merge::changes(&before, after));
    match target {
        EditTarget::NewIdentity => {
            let traits = value.get("traits").cloned().unwrap_or(Value::Null);
            let identifier = traits
                .get("email")
                .and_then(Value::as_str)
                .filter(|e| !e.is_empty())
                .map(str::to_string);
            Outgoing {
                mutation: Mutation::Kratos(kratos::Change::CreateIdentity {
                    body: value.clone(),
                }),
                expect: Expect::Created { identifier, traits },
                audit_change: value,
            }
        }
        EditTarget::Identity { id } => {
            // A re-read sees the body, not a password: the imported credentials are left out
            // of what it must show (the PUT is one write, so the body landing says they did).
            let after = field.of(&value);
            let mut audit = crate::app::merge::changes(&before, &after);
            if let Some(creds) = value.get("credentials") {
                // No path: the audit hides secret-named fields inside, not the whole import.
                audit.push(serde_json::json!({"op": "import", "value": {"credentials": creds}}));
            }
            let expect = if crate::app::credential_import::imports(&value) && after == before {
                Expect::Unverifiable {
                    why: "only credentials were imported, and a re-read cannot see a password: check the Credentials pane"
                        .into(),
                }
            } else {
                value_expect(
                    ObjectKind::Kratos(kratos::Object::Identity),
                    id.clone(),
                    after,
                )
            };
            Outgoing {
                mutation: Mutation::Kratos(kratos::Change::UpdateIdentity {
                    identity: id.clone(),
                    body: value,
                }),
                expect,
                audit_change: Value::Array(audit),
            }
        }
        EditTarget::IdentityPatch { id } => Outgoing {
            mutation: Mutation::Kratos(kratos::Change::PatchIdentity {
                identity: id.clone(),
                patch: value.clone(),
            }),
            expect: value_expect(
                ObjectKind::Kratos(kratos::Object::Identity),
                id.clone(),
                patched.unwrap_or(Value::Null),
            ),
            audit_change: value,
        },
        EditTarget::CoreClaims { user } => Outgoing {
            expect: value_expect(
                ObjectKind::Core(core::Object::User),
                user.clone(),
                value.clone(),
            ),
            audit_change: changes(&value),
            mutation: Mutation::Core(core::Change::UpdateClaims {
                user: user.clone(),
                claims: value,
            }),
        },
        EditTarget::ClientMetadata { client } => Outgoing {
            expect: value_expect(
                ObjectKind::Headless(headless::Object::Client),
                client.clone(),
                value.clone(),
            ),
            audit_change: changes(&value),
            mutation: Mutation::Headless(headless::Change::UpdateClientMetadata {
                client: client.clone(),
                metadata: value,
            }),
        },
        EditTarget::HeadlessUser { user, client } => Outgoing {
            expect: value_expect(
                ObjectKind::Headless(headless::Object::User),
                scoped_user(user, client.as_deref()),
                field.of(&value_as_user(&value)),
            ),
            audit_change: changes(&value),
            mutation: Mutation::Headless(headless::Change::UpdateUser {
                user: user.clone(),
                client: client.clone(),
                body: value,
            }),
        },
    }
}

/// The user a saved editor document stands for (what a re-read shows once it is stored),
/// so `Field::HeadlessUser` reads it the way it reads the server's copy.
fn value_as_user(doc: &Value) -> Value {
    let mut user = serde_json::json!({});
    put_field(Field::HeadlessUser, &mut user, doc);
    user
}

/// Put `value` as the `field` part of a whole object.
pub(super) fn put_field(field: Field, raw: &mut Value, value: &Value) {
    match (field, raw.as_object_mut(), value.as_object()) {
        (Field::IdentityBody, Some(obj), Some(body)) => {
            for (k, v) in body {
                obj.insert(k.clone(), v.clone());
            }
        }
        (Field::CoreClaims, Some(obj), _) => {
            obj.insert("claims".into(), value.clone());
        }
        (Field::ClientMetadata, Some(obj), _) => {
            obj.insert("metadata".into(), value.clone());
        }
        (Field::HeadlessUser, Some(obj), Some(doc)) => {
            for key in ["name", "avatar", "metadata"] {
                obj.insert(key.into(), doc.get(key).cloned().unwrap_or(Value::Null));
            }
        }
        _ => {}
    }
}
