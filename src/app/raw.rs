//! A record's JSON as the server sent it. A list page keeps each row's bytes and decodes
//! them into a [`Value`] only when something reads the whole record (the detail view, `Y`,
//! the editor): a walk over a million rows then never builds a million JSON trees.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

#[derive(Clone)]
pub struct RawJson(Arc<Inner>);

struct Inner {
    /// The record's bytes, when it came as bytes (already checked to be one JSON value).
    bytes: Option<Box<[u8]>>,
    value: OnceLock<Arc<Value>>,
}

impl RawJson {
    /// A record decoded the first time it is read.
    pub fn from_bytes(bytes: impl Into<Box<[u8]>>) -> RawJson {
        RawJson(Arc::new(Inner {
            bytes: Some(bytes.into()),
            value: OnceLock::new(),
        }))
    }

    /// The record's bytes as the server sent them, when it came as bytes (an export writes
    /// them as they are).
    pub fn bytes(&self) -> Option<&[u8]> {
        self.0.bytes.as_deref()
    }

    /// The decoded record, shared.
    pub fn shared(&self) -> Arc<Value> {
        Arc::clone(self.decoded())
    }

    fn decoded(&self) -> &Arc<Value> {
        self.0.value.get_or_init(|| {
            let bytes = self.0.bytes.as_deref().unwrap_or_default();
            // The page reader checked their size, depth and UTF-8; a record made of more JSON
            // values than may be decoded says so in place of itself.
            Arc::new(
                crate::api::json::from_slice(bytes)
                    .unwrap_or_else(|e| Value::String(format!("(not shown: this record is {e})"))),
            )
        })
    }
}

impl From<Value> for RawJson {
    fn from(value: Value) -> RawJson {
        RawJson::from(Arc::new(value))
    }
}

impl From<Arc<Value>> for RawJson {
    fn from(value: Arc<Value>) -> RawJson {
        RawJson(Arc::new(Inner {
            bytes: None,
            value: OnceLock::from(value),
        }))
    }
}

impl Deref for RawJson {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.decoded()
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || **self == **other
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_read_as_the_record_they_hold() {
        let raw = RawJson::from_bytes(br#"{"id":"a","traits":{"email":"x@y"}}"#.to_vec());
        assert_eq!(raw["traits"]["email"], "x@y");
        assert_eq!(
            raw,
            RawJson::from(serde_json::json!({"id":"a","traits":{"email":"x@y"}}))
        );
        assert!(Arc::ptr_eq(&raw.shared(), &raw.shared()), "decoded once");
    }
}
