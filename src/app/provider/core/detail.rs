//! How a MATTR VII object reads in the detail view, above its JSON.

use serde_json::Value;

use super::Object;
use crate::app::detail::doc::{DocLine, fields, flattened, heading};

pub fn summary(object: Object, v: &Value, out: &mut Vec<DocLine>) {
    match object {
        Object::User => {
            heading(out, "User");
            fields(
                out,
                v,
                &[
                    ("id", "/id"),
                    ("email", "/email"),
                    ("name", "/name"),
                    ("auth provider", "/authenticationProvider/url"),
                    ("subject", "/authenticationProvider/subjectId"),
                    ("created", "/createdAt"),
                    ("updated", "/updatedAt"),
                ],
            );
            flattened(out, "Claims", v.get("claims"));
        }
        Object::Credential => crate::app::provider::credentials::detail::summary(v, out),
    }
}
