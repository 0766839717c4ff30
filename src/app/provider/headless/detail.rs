//! How a Coassemble object reads in the detail view, above its JSON: its plain fields, then
//! its metadata.

use serde_json::Value;

use super::Object;
use crate::app::detail::doc::{DocLine, field, flattened, heading};

pub fn summary(object: Object, v: &Value, out: &mut Vec<DocLine>) {
    heading(
        out,
        if object == Object::Client {
            "Client"
        } else {
            "User"
        },
    );
    if let Value::Object(map) = v {
        for (k, x) in map {
            if !x.is_object() && !x.is_array() {
                field(out, 2, k, x);
            }
        }
    }
    flattened(out, "Metadata", v.get("metadata"));
}
