//! How a Kratos object reads in the detail view, above its JSON: an identity's fields,
//! traits, metadata, credentials and addresses; a session's devices and methods; a
//! credential's config (`credentials::detail`).

use serde_json::Value;

use super::Object;
use crate::app::detail::doc::{DocLine, Tok, fields, flattened, heading, scalar_text};

pub fn summary(object: Object, v: &Value, out: &mut Vec<DocLine>) {
    match object {
        Object::Identity => {
            heading(out, "Identity");
            fields(
                out,
                v,
                &[
                    ("id", "/id"),
                    ("state", "/state"),
                    ("schema", "/schema_id"),
                    ("external id", "/external_id"),
                    ("organization", "/organization_id"),
                    ("created", "/created_at"),
                    ("updated", "/updated_at"),
                ],
            );
            flattened(out, "Traits", v.get("traits"));
            flattened(out, "Metadata (public)", v.get("metadata_public"));
            flattened(out, "Metadata (admin)", v.get("metadata_admin"));
            credentials(out, v.get("credentials"));
            if let Some(Value::Array(addrs)) = v.get("verifiable_addresses") {
                heading(out, "Verifiable addresses");
                for a in addrs {
                    out.push(vec![
                        (Tok::Plain, "  ".into()),
                        (
                            Tok::Str,
                            scalar_text(a.get("value").unwrap_or(&Value::Null)),
                        ),
                        (
                            Tok::Muted,
                            format!(
                                "  via {} · verified {} · {}",
                                scalar_text(a.get("via").unwrap_or(&Value::Null)),
                                scalar_text(a.get("verified").unwrap_or(&Value::Null)),
                                scalar_text(a.get("status").unwrap_or(&Value::Null)),
                            ),
                        ),
                    ]);
                }
            }
        }
        Object::Session => {
            heading(out, "Session");
            fields(
                out,
                v,
                &[
                    ("id", "/id"),
                    ("active", "/active"),
                    ("AAL", "/authenticator_assurance_level"),
                    ("authenticated", "/authenticated_at"),
                    ("issued", "/issued_at"),
                    ("expires", "/expires_at"),
                    ("identity", "/identity/id"),
                ],
            );
            if let Some(Value::Array(devices)) = v.get("devices") {
                heading(out, "Devices");
                for d in devices {
                    fields(
                        out,
                        d,
                        &[
                            ("IP", "/ip_address"),
                            ("user agent", "/user_agent"),
                            ("location", "/location"),
                        ],
                    );
                }
            }
            if let Some(Value::Array(methods)) = v.get("authentication_methods") {
                heading(out, "Authentication methods");
                for m in methods {
                    fields(
                        out,
                        m,
                        &[
                            ("method", "/method"),
                            ("AAL", "/aal"),
                            ("completed", "/completed_at"),
                        ],
                    );
                }
            }
        }
        Object::Credential => crate::app::provider::credentials::detail::summary(v, out),
    }
}

fn credentials(out: &mut Vec<DocLine>, creds: Option<&Value>) {
    let Some(Value::Object(map)) = creds else {
        return;
    };
    heading(out, "Credentials");
    for (kind, c) in map {
        out.push(vec![
            (Tok::Plain, "  ".into()),
            (Tok::Key, kind.clone()),
            (
                Tok::Str,
                format!(
                    "  {}",
                    scalar_text(c.get("identifiers").unwrap_or(&Value::Null))
                ),
            ),
        ]);
        if let Some(created) = c.get("created_at").filter(|v| !v.is_null()) {
            out.last_mut()
                .expect("just pushed")
                .push((Tok::Muted, format!("  created {}", scalar_text(created))));
        }
    }
}
