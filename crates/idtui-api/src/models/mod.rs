//! Typed views of the provider objects. Each keeps the JSON it came from in `raw`, so that
//! reading, editing and writing back never drops a field this version does not know. The
//! constructors never fail: a missing or oddly typed field leaves its typed slot empty.

mod core;
mod headless;
mod kratos;

pub use self::core::{CoreCredential, CoreSearch, CoreUser};
pub use self::headless::{DeleteAction, HeadlessClient, HeadlessUser, HeadlessUserUpdate};
pub use self::kratos::{Credential, Device, Identity, IdentityFilter, Recovery, Schema, Session};

use serde_json::Value;

pub(crate) fn s(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A timestamp the server sent as a string or as a number (epoch seconds or milliseconds).
pub(crate) fn time(v: &Value, key: &str) -> Option<String> {
    s(v, key)
}

pub(crate) fn obj(v: &Value, key: &str) -> Value {
    v.get(key).cloned().unwrap_or(Value::Null)
}
