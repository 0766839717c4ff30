//! How a credential reads in the detail view (a Kratos identity's, a MATTR user's): its
//! fields, then its config with secrets masked, or why it is not there yet.

use serde_json::Value;

use crate::app::detail::doc::{DocLine, Tok, field, fields, flatten_items, heading};

pub fn summary(v: &Value, out: &mut Vec<DocLine>) {
    heading(out, "Credential");
    fields(
        out,
        v,
        &[
            ("id", "/id"),
            ("type", "/type"),
            ("identifiers", "/identifiers"),
            ("created", "/created_at"),
            ("updated", "/updated_at"),
            ("version", "/version"),
            ("provider", "/provider"),
            ("subject", "/subject"),
        ],
    );
    match v.get("config") {
        Some(config) => {
            heading(out, "Config (secrets masked)");
            let mut flat = Vec::new();
            flatten_items("", config, &mut flat);
            if flat.is_empty() {
                out.push(vec![(Tok::Muted, "  (empty)".into())]);
            }
            for (path, value) in flat {
                field(out, 2, &path, value);
            }
        }
        None => out.push(vec![(
            Tok::Muted,
            "  (config not read yet: it is read when the detail opens)".into(),
        )]),
    }
}
