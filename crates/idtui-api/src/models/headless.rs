//! Coassemble headless clients and users.

use serde::Serialize;
use serde_json::Value;

use super::fields::{obj, s, time};

#[derive(Clone, Debug, PartialEq)]
pub struct HeadlessClient {
    /// `clientIdentifier`.
    pub identifier: String,
    pub user_count: Option<u64>,
    pub metadata: Value,
    pub created: Option<String>,
    pub updated: Option<String>,
    pub raw: Value,
}

impl HeadlessClient {
    /// The docs call the list "client identifiers", so a bare string is accepted as well as
    /// an object.
    pub fn from_json(raw: Value) -> Self {
        if let Value::String(id) = &raw {
            return Self {
                identifier: id.clone(),
                user_count: None,
                metadata: Value::Null,
                created: None,
                updated: None,
                raw,
            };
        }
        Self {
            identifier: s(&raw, "clientIdentifier")
                .or_else(|| s(&raw, "identifier"))
                .unwrap_or_default(),
            user_count: raw.get("userCount").and_then(count),
            metadata: obj(&raw, "metadata"),
            created: time(&raw, "created"),
            updated: time(&raw, "updated"),
            raw,
        }
    }
}

/// A count the server may send as a whole or a fractional number; anything else is none.
pub(super) fn count(c: &Value) -> Option<u64> {
    c.as_u64()
        .or_else(|| c.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

#[derive(Clone, Debug, PartialEq)]
pub struct HeadlessUser {
    pub identifier: String,
    pub client_identifier: Option<String>,
    /// Top-level `name`, else `metadata.name` (the PUT shorthand stores it there).
    pub name: Option<String>,
    pub metadata: Value,
    pub created: Option<String>,
    pub updated: Option<String>,
    pub raw: Value,
}

impl HeadlessUser {
    pub fn from_json(raw: Value) -> Self {
        if let Value::String(id) = &raw {
            return Self {
                identifier: id.clone(),
                client_identifier: None,
                name: None,
                metadata: Value::Null,
                created: None,
                updated: None,
                raw,
            };
        }
        let metadata = obj(&raw, "metadata");
        Self {
            identifier: s(&raw, "identifier").unwrap_or_default(),
            client_identifier: s(&raw, "clientIdentifier"),
            name: s(&raw, "name").or_else(|| s(&metadata, "name")),
            metadata,
            created: time(&raw, "created"),
            updated: time(&raw, "updated"),
            raw,
        }
    }
}

/// `PUT /v1/headless/user/{identifier}` body; absent fields are not sent. Metadata replaces
/// what is stored, so send the whole object (read, modify, write).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeadlessUserUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

/// What happens to the courses of a deleted headless user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeleteAction {
    /// Hand them to another user identifier.
    Reallocate(String),
    /// Delete them too.
    Delete,
    /// Leave them as they are.
    Ignore,
}

impl DeleteAction {
    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        match self {
            DeleteAction::Reallocate(to) => {
                vec![
                    ("action", "reallocate".into()),
                    ("reallocateTo", to.clone()),
                ]
            }
            DeleteAction::Delete => vec![("action", "delete".into())],
            DeleteAction::Ignore => vec![("action", "ignore".into())],
        }
    }
}
