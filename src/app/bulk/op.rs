//! What a bulk change does to each object, and what it makes of one object's fresh copy: the
//! change to send (the same mutation, re-read expectation and audit record an editor or a
//! confirmation would send for that object alone), nothing (it is already so), or a skip
//! with its reason.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::app::change::{Field, expect_of};
use crate::app::editing::outgoing::{Outgoing, outgoing};
use crate::app::editing::session::EditTarget;
use crate::app::model::{ListKind, ObjectKind, Provider, split_scoped_user};
use crate::app::mutation::Mutation;
use crate::app::provider::{core, headless, kratos};

/// The lists a bulk change works on: a provider's lists of people and clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    KratosIdentities,
    CoreUsers,
    HeadlessClients,
    /// Scoped ids (`user@client`) as the list shows them.
    HeadlessUsers,
}

impl Target {
    pub fn of(list: &ListKind) -> Option<Target> {
        Some(match list {
            ListKind::Kratos(kratos::List::Identities) => Target::KratosIdentities,
            ListKind::Core(core::List::Users) => Target::CoreUsers,
            ListKind::Headless(headless::List::Clients) => Target::HeadlessClients,
            ListKind::Headless(headless::List::Users { .. }) => Target::HeadlessUsers,
            _ => return None,
        })
    }

    pub fn object(&self) -> ObjectKind {
        match self {
            Target::KratosIdentities => ObjectKind::Kratos(kratos::Object::Identity),
            Target::CoreUsers => ObjectKind::Core(core::Object::User),
            Target::HeadlessClients => ObjectKind::Headless(headless::Object::Client),
            Target::HeadlessUsers => ObjectKind::Headless(headless::Object::User),
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            Target::KratosIdentities => Provider::Kratos,
            Target::CoreUsers => Provider::Core,
            Target::HeadlessClients | Target::HeadlessUsers => Provider::Headless,
        }
    }

    /// What one object is called, plural: "identities".
    pub fn plural(&self) -> &'static str {
        match self {
            Target::KratosIdentities => "identities",
            Target::CoreUsers | Target::HeadlessUsers => "users",
            Target::HeadlessClients => "clients",
        }
    }
}

/// Which metadata `:set` and `:unset` change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metadata {
    /// Kratos `metadata_public` (`:set KEY=…` or `:set public.KEY=…`).
    KratosPublic,
    /// Kratos `metadata_admin` (`:set admin.KEY=…`).
    KratosAdmin,
    /// A MATTR user's claims.
    Claims,
    /// A Coassemble client's or user's metadata.
    Metadata,
}

impl Metadata {
    pub fn name(self) -> &'static str {
        match self {
            Metadata::KratosPublic => "metadata_public",
            Metadata::KratosAdmin => "metadata_admin",
            Metadata::Claims => "claims",
            Metadata::Metadata => "metadata",
        }
    }
}

/// What happens to each object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// `X`: every session of each person revoked (Kratos).
    RevokeAll,
    /// `d`.
    Delete,
    /// `:state active|inactive` (Kratos).
    State { active: bool },
    /// `p`: one JSON Patch for each identity; its `test` operations are preconditions met by
    /// each fresh copy (Kratos does not apply `test`), the rest is sent.
    Patch { tests: Vec<Value>, patch: Value },
    /// `:set KEY=JSON`.
    Set {
        metadata: Metadata,
        key: String,
        value: Value,
    },
    /// `:unset KEY`.
    Unset { metadata: Metadata, key: String },
}

/// How the skip of an object whose fresh copy fails a patch's `test` operations begins.
pub const PRECONDITION_NOT_MET: &str = "precondition not met: ";

/// What one object's fresh copy makes of the op.
#[derive(Debug, Clone, PartialEq)]
pub enum Prepared {
    Send(Box<Outgoing>),
    /// Nothing to send: the object already reads as the op would leave it.
    AlreadyThere(String),
    Skip(String),
}

impl Op {
    /// Parse the argument of `:set` (`KEY=JSON`, a bare word taken as a string) for a list
    /// of `target`.
    pub fn set(target: &Target, arg: &str) -> Result<Op, String> {
        let (key, value) = arg
            .split_once('=')
            .ok_or("expected KEY=JSON, e.g. :set plan=\"enterprise\" or :set seats=5")?;
        let (metadata, key) = metadata_key(target, key.trim())?;
        let text = value.trim();
        let value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into()));
        Ok(Op::Set {
            metadata,
            key,
            value,
        })
    }

    pub fn unset(target: &Target, arg: &str) -> Result<Op, String> {
        let (metadata, key) = metadata_key(target, arg.trim())?;
        Ok(Op::Unset { metadata, key })
    }

    pub fn state(arg: &str) -> Result<Op, String> {
        match arg.trim() {
            "active" => Ok(Op::State { active: true }),
            "inactive" => Ok(Op::State { active: false }),
            other => Err(format!("expected active or inactive, not “{other}”")),
        }
    }

    /// Why `target` cannot take this op, if it cannot (said before anything is read).
    pub fn unsupported(&self, target: &Target) -> Option<String> {
        let kratos_only = |what: &str| {
            (*target != Target::KratosIdentities).then(|| {
                format!(
                    "{what} is for Kratos identities; {} has no such call",
                    target.provider().system()
                )
            })
        };
        match self {
            Op::RevokeAll => kratos_only("revoking sessions"),
            Op::State { .. } => kratos_only("an identity state"),
            Op::Patch { .. } => kratos_only("a JSON Patch"),
            Op::Delete | Op::Set { .. } | Op::Unset { .. } => None,
        }
    }

    /// What happens to each object, for the plan and the report: "set metadata_public.plan
    /// to "pro"".
    pub fn describe(&self, target: &Target) -> String {
        match self {
            Op::RevokeAll => "revoke every session of each".into(),
            Op::Delete => match target {
                Target::HeadlessClients => {
                    "delete each client with all its users and courses".into()
                }
                Target::HeadlessUsers => "delete each user (their courses stay)".into(),
                _ => format!("delete each of the {}", target.plural()),
            },
            Op::State { active: true } => "set each identity's state to active".into(),
            Op::State { active: false } => {
                "set each identity's state to inactive (they cannot sign in)".into()
            }
            Op::Patch { tests, patch } => {
                let n = patch.as_array().map_or(0, Vec::len);
                let pre = match tests.len() {
                    0 => String::new(),
                    1 => "; skipped where its test operation does not hold".into(),
                    t => format!("; skipped where one of its {t} test operations does not hold"),
                };
                format!("apply the {n}-operation JSON Patch to each{pre}")
            }
            Op::Set {
                metadata,
                key,
                value,
            } => format!("set {}.{key} to {value} on each", metadata.name()),
            Op::Unset { metadata, key } => format!("remove {}.{key} from each", metadata.name()),
        }
    }

    /// Short, for the audit trail and status lines: ":set plan".
    pub fn command(&self) -> String {
        match self {
            Op::RevokeAll => "X (revoke all sessions)".into(),
            Op::Delete => "d (delete)".into(),
            Op::State { active } => {
                format!(":state {}", if *active { "active" } else { "inactive" })
            }
            Op::Patch { .. } => "p (JSON Patch)".into(),
            Op::Set { key, .. } => format!(":set {key}"),
            Op::Unset { key, .. } => format!(":unset {key}"),
        }
    }

    /// The change for object `id` of `target`, from its fresh copy `raw`.
    pub fn prepare(&self, target: &Target, id: &str, raw: &Value) -> Prepared {
        match self {
            Op::RevokeAll => plain(Mutation::Kratos(kratos::Change::RevokeAllSessions {
                identity: id.to_string(),
            })),
            Op::Delete => plain(delete(target, id)),
            Op::State { active } => {
                let state = if *active { "active" } else { "inactive" };
                if raw.get("state").and_then(Value::as_str) == Some(state) {
                    return Prepared::AlreadyThere(format!("already {state}"));
                }
                let patch =
                    serde_json::json!([{"op": "replace", "path": "/state", "value": state}]);
                patch_identity(id, raw, patch)
            }
            Op::Patch { tests, patch } => {
                let doc = identity_doc(raw);
                if let Some(why) = crate::editor::tests_hold(&doc, tests) {
                    return Prepared::Skip(format!("{PRECONDITION_NOT_MET}{why}"));
                }
                patch_identity(id, raw, patch.clone())
            }
            Op::Set {
                metadata,
                key,
                value,
            } => self.metadata_change(target, id, raw, *metadata, key, Some(value)),
            Op::Unset { metadata, key } => {
                self.metadata_change(target, id, raw, *metadata, key, None)
            }
        }
    }

    fn metadata_change(
        &self,
        target: &Target,
        id: &str,
        raw: &Value,
        metadata: Metadata,
        key: &str,
        value: Option<&Value>,
    ) -> Prepared {
        let current = match target {
            Target::HeadlessUsers => crate::app::change::headless_user_body(raw)
                .get("metadata")
                .cloned(),
            _ => raw.get(metadata.name()).cloned(),
        };
        let mut map = current
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        let already = match value {
            Some(v) => map.get(key) == Some(v),
            None => !map.contains_key(key),
        };
        if already {
            return Prepared::AlreadyThere(match value {
                Some(v) => format!("{}.{key} already {v}", metadata.name()),
                None => format!("no {}.{key} to remove", metadata.name()),
            });
        }
        match value {
            Some(v) => map.insert(key.to_string(), v.clone()),
            None => map.remove(key),
        };
        let map = Value::Object(map);
        match target {
            Target::KratosIdentities => {
                let path = format!("/{}", metadata.name());
                let patch = serde_json::json!([{"op": "add", "path": path, "value": map}]);
                patch_identity(id, raw, patch)
            }
            Target::CoreUsers => send(outgoing(
                &EditTarget::CoreClaims { user: id.into() },
                raw,
                map,
                None,
            )),
            Target::HeadlessClients => send(outgoing(
                &EditTarget::ClientMetadata { client: id.into() },
                raw,
                map,
                None,
            )),
            Target::HeadlessUsers => {
                let (user, client) = split_scoped_user(id);
                let mut body = crate::app::change::headless_user_body(raw);
                body["metadata"] = map;
                let target = EditTarget::HeadlessUser {
                    user: user.to_string(),
                    client: client.map(str::to_string),
                };
                send(outgoing(&target, raw, body, None))
            }
        }
    }
}

/// `public.KEY`, `admin.KEY` or `KEY` on Kratos (public by default, as the METADATA column
/// shows); the key as given elsewhere.
fn metadata_key(target: &Target, key: &str) -> Result<(Metadata, String), String> {
    let (metadata, key) = match target {
        Target::KratosIdentities => match key.split_once('.') {
            Some(("admin" | "metadata_admin", k)) => (Metadata::KratosAdmin, k),
            Some(("public" | "metadata_public", k)) => (Metadata::KratosPublic, k),
            _ => (Metadata::KratosPublic, key),
        },
        Target::CoreUsers => (Metadata::Claims, key),
        Target::HeadlessClients | Target::HeadlessUsers => (Metadata::Metadata, key),
    };
    if key.is_empty() || key.chars().any(char::is_control) {
        return Err("expected a KEY (a name, without control characters)".into());
    }
    Ok((metadata, key.to_string()))
}

fn delete(target: &Target, id: &str) -> Mutation {
    match target {
        Target::KratosIdentities => Mutation::Kratos(kratos::Change::DeleteIdentity {
            identity: id.into(),
        }),
        Target::CoreUsers => Mutation::Core(core::Change::DeleteUser { user: id.into() }),
        Target::HeadlessClients => {
            Mutation::Headless(headless::Change::DeleteClient { client: id.into() })
        }
        Target::HeadlessUsers => {
            let (user, client) = split_scoped_user(id);
            Mutation::Headless(headless::Change::DeleteUser {
                user: user.into(),
                client: client.map(str::to_string),
                courses: crate::app::Courses::Ignore,
            })
        }
    }
}

/// A change whose re-read expectation follows from the mutation alone (delete, revoke).
fn plain(mutation: Mutation) -> Prepared {
    match expect_of(&mutation) {
        Some(expect) => send(Outgoing {
            mutation,
            expect,
            audit_change: Value::Null,
        }),
        None => Prepared::Skip("no re-read can tell whether it landed".into()),
    }
}

fn send(out: Outgoing) -> Prepared {
    Prepared::Send(Box::new(out))
}

/// The identity as a patch sees it (`id`, `traits`, `metadata_*`, `state`…).
fn identity_doc(raw: &Value) -> Value {
    match raw {
        Value::Object(_) => raw.clone(),
        _ => Value::Object(Map::new()),
    }
}

/// A Kratos JSON Patch of identity `id`, checked against its fresh copy first: what it would
/// leave is what a re-read must show.
fn patch_identity(id: &str, raw: &Value, patch: Value) -> Prepared {
    let patched = match crate::editor::apply_patch(&identity_doc(raw), &patch) {
        Ok(doc) => Field::IdentityBody.of(&doc),
        Err(e) => return Prepared::Skip(format!("the patch does not apply here: {e}")),
    };
    if patched == Field::IdentityBody.of(raw) {
        return Prepared::AlreadyThere("the patch changes nothing here".into());
    }
    send(outgoing(
        &EditTarget::IdentityPatch { id: id.into() },
        raw,
        patch,
        Some(patched),
    ))
}
