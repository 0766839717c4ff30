//! Reading one field of a provider object without failing.

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
