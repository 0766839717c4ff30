//! Writing a JSON Patch (RFC 6902) for a Kratos identity, checked the way Kratos checks
//! it before anything is sent, and previewed against the identity.

use crossterm::event::KeyEvent;
use serde_json::Value;

use super::json::pretty;
use super::{DiffLine, EditBuffer, Editor, JsonSyntaxError, diff};

/// Where a new patch starts: the most common admin patch, deactivating an identity.
pub const PATCH_TEMPLATE: &str =
    "[\n  {\"op\": \"replace\", \"path\": \"/state\", \"value\": \"inactive\"}\n]";

/// Kratos applies only these (anything else is 400 `unsupported operation`).
const ALLOWED_OPS: &[&str] = &["add", "remove", "replace"];

#[derive(Debug, Clone)]
pub struct JsonPatchEditor {
    buffer: EditBuffer,
}

impl JsonPatchEditor {
    pub fn new(title: impl Into<String>, target_key: String) -> JsonPatchEditor {
        JsonPatchEditor {
            buffer: EditBuffer::new(title.into(), target_key, PATCH_TEMPLATE.to_string()),
        }
    }

    pub fn restore_draft(&mut self, text: &str) {
        self.buffer.replace_text(text);
    }

    /// Applies one key press; Ctrl-s is left to the caller. Returns whether the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        self.buffer.input(key)
    }

    pub fn paste(&mut self, text: &str) -> bool {
        self.buffer.paste(text)
    }

    pub fn text(&self) -> String {
        self.buffer.text()
    }

    /// The text differs from the template.
    pub fn is_dirty(&self) -> bool {
        self.buffer.is_dirty()
    }

    pub fn parse(&self) -> Result<Value, JsonSyntaxError> {
        self.buffer.parse()
    }

    pub fn diff_lines(&self) -> Vec<DiffLine> {
        self.buffer.diff_lines()
    }

    pub fn set_error(&mut self, error: Option<String>) {
        self.buffer.set_error(error);
    }

    pub fn target_key(&self) -> &str {
        self.buffer.target_key()
    }

    pub fn buffer_mut(&mut self) -> &mut EditBuffer {
        &mut self.buffer
    }

    /// The patch, if Kratos would accept its shape: an array of operations whose `op` is
    /// add, remove or replace, whose `path` is a JSON pointer outside Kratos' denied
    /// paths, with a `value` where the op needs one. Errors name the operation by its
    /// 1-based position.
    pub fn validate(&self) -> Result<Value, String> {
        let patch = self.parse().map_err(|e| format!("not valid JSON: {e}"))?;
        let ops = patch
            .as_array()
            .ok_or("a JSON Patch is an array of operations: [{\"op\": …, \"path\": …}]")?;
        if ops.is_empty() {
            return Err("the patch is empty: it would change nothing".to_string());
        }
        for (i, op) in ops.iter().enumerate() {
            check_operation(op).map_err(|e| format!("operation {}: {e}", i + 1))?;
        }
        Ok(patch)
    }

    /// What `original` would look like after the patch, applied as Kratos applies it
    /// (a `replace` of a missing path adds it).
    pub fn preview(&self, original: &Value) -> Result<Value, String> {
        let patch = self.validate()?;
        let mut doc = original.clone();
        for (i, op) in patch.as_array().into_iter().flatten().enumerate() {
            apply_kratos_style(&mut doc, op).map_err(|e| format!("operation {}: {e}", i + 1))?;
        }
        Ok(doc)
    }

    /// The preview as a line diff of the pretty-printed original and result.
    pub fn preview_diff(&self, original: &Value) -> Result<Vec<DiffLine>, String> {
        let result = self.preview(original)?;
        Ok(diff(&pretty(original), &pretty(&result)))
    }
}

impl Editor for JsonPatchEditor {
    fn buffer(&self) -> &EditBuffer {
        &self.buffer
    }
}

fn check_operation(op: &Value) -> Result<(), String> {
    let fields = op.as_object().ok_or(
        "expected an object such as {\"op\": \"replace\", \"path\": \"/state\", \"value\": …}",
    )?;
    let name = match fields.get("op") {
        Some(Value::String(name)) => name.as_str(),
        Some(_) => return Err("`op` must be a string".to_string()),
        None => return Err("missing `op`".to_string()),
    };
    if !ALLOWED_OPS.contains(&name) {
        return Err(format!(
            "Kratos does not accept `{name}`; use add, remove or replace"
        ));
    }
    let path = match fields.get("path") {
        Some(Value::String(path)) => path.as_str(),
        Some(_) => return Err("`path` must be a string".to_string()),
        None => return Err("missing `path`".to_string()),
    };
    check_pointer(path)?;
    if let Some(denied) = denied_path(path) {
        return Err(format!(
            "Kratos refuses patches to `{denied}` (patch includes denied path: {path})"
        ));
    }
    if name != "remove" && !fields.contains_key("value") {
        return Err(format!("`{name}` needs a `value`"));
    }
    Ok(())
}

/// RFC 6901: empty, or `/`-separated tokens where `~` is only used as `~0` or `~1`.
fn check_pointer(path: &str) -> Result<(), String> {
    if !path.is_empty() && !path.starts_with('/') {
        return Err(format!(
            "path `{path}` is not a JSON pointer: it must start with `/`"
        ));
    }
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Err(format!(
                "path `{path}`: `~` must be written `~0` (and `/` inside a name `~1`)"
            ));
        }
    }
    Ok(())
}

/// Kratos master's deny list, matched case-insensitively as Kratos' glob does: `/id`,
/// `/stateChangedAt`, `/credentials` itself, and `/credentials/oidc` or
/// `/credentials/saml` with anything under them. (Older releases deny fewer paths; the
/// strictest list is used so a patch checked here is accepted by all of them.)
fn denied_path(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let exact = [
        ("/id", "/id"),
        ("/statechangedat", "/stateChangedAt"),
        ("/credentials", "/credentials"),
    ];
    if let Some((_, shown)) = exact.iter().find(|(p, _)| *p == lower) {
        return Some(shown);
    }
    for (prefix, shown) in [
        ("/credentials/oidc", "/credentials/oidc"),
        ("/credentials/saml", "/credentials/saml"),
    ] {
        if lower == prefix || lower.starts_with(&format!("{prefix}/")) {
            return Some(shown);
        }
    }
    None
}

fn apply_kratos_style(doc: &mut Value, op: &Value) -> Result<(), String> {
    let mut op = op.clone();
    let path = op.get("path").and_then(Value::as_str).unwrap_or_default();
    if op.get("op").and_then(Value::as_str) == Some("replace") && doc.pointer(path).is_none() {
        op["op"] = Value::String("add".to_string());
    }
    let operation: json_patch::PatchOperation =
        serde_json::from_value(op).map_err(|e| e.to_string())?;
    json_patch::patch(doc, &[operation]).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn editor_with(patch: &str) -> JsonPatchEditor {
        let mut editor = JsonPatchEditor::new("patch", "k".into());
        editor.restore_draft(patch);
        editor
    }

    fn identity() -> Value {
        json!({
            "id": "9f4c1b7e-0000-4000-8000-000000000001",
            "state": "active",
            "traits": {"email": "ada@example.com"},
            "metadata_public": null
        })
    }

    #[test]
    fn template_is_a_valid_patch() {
        let editor = JsonPatchEditor::new("patch", "k".into());
        assert!(!editor.is_dirty());
        let patch = editor.validate().unwrap();
        assert_eq!(patch[0]["path"], "/state");
        assert_eq!(editor.preview(&identity()).unwrap()["state"], "inactive");
    }

    #[test]
    fn rejects_what_kratos_rejects() {
        let cases = [
            ("{}", "an array of operations"),
            ("[]", "empty"),
            ("[1]", "operation 1: expected an object"),
            (
                r#"[{"op": "move", "from": "/a", "path": "/b"}]"#,
                "does not accept `move`",
            ),
            (r#"[{"path": "/state", "value": 1}]"#, "missing `op`"),
            (r#"[{"op": "add", "value": 1}]"#, "missing `path`"),
            (
                r#"[{"op": "add", "path": "state", "value": 1}]"#,
                "must start with `/`",
            ),
            (
                r#"[{"op": "add", "path": "/a~2b", "value": 1}]"#,
                "`~` must be written",
            ),
            (
                r#"[{"op": "replace", "path": "/state"}]"#,
                "`replace` needs a `value`",
            ),
            (
                r#"[{"op": "remove", "path": "/a"}, {"op": "replace", "path": "/id", "value": "x"}]"#,
                "operation 2: Kratos refuses patches to `/id`",
            ),
            (
                r#"[{"op": "replace", "path": "/stateChangedAt", "value": "x"}]"#,
                "`/stateChangedAt`",
            ),
            (
                r#"[{"op": "remove", "path": "/credentials"}]"#,
                "`/credentials`",
            ),
            (
                r#"[{"op": "remove", "path": "/Credentials/OIDC/config"}]"#,
                "`/credentials/oidc`",
            ),
            (
                r#"[{"op": "remove", "path": "/credentials/saml"}]"#,
                "`/credentials/saml`",
            ),
            ("[{\"op\": ", "not valid JSON: line 1"),
        ];
        for (text, expected) in cases {
            let err = editor_with(text).validate().unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn allows_paths_kratos_allows() {
        let ok = [
            r#"[{"op": "replace", "path": "/state_changed_at", "value": "x"}]"#,
            r#"[{"op": "replace", "path": "/credentials/password/config/hashed_password", "value": "x"}]"#,
            r#"[{"op": "add", "path": "/metadata_public/role", "value": "admin"}]"#,
            r#"[{"op": "add", "path": "/credentials/oidcx", "value": 1}]"#,
            r#"[{"op": "remove", "path": "/traits/a~1b"}]"#,
        ];
        for text in ok {
            assert!(editor_with(text).validate().is_ok(), "{text}");
        }
    }

    #[test]
    fn preview_applies_like_kratos() {
        let editor = editor_with(
            r#"[
                {"op": "replace", "path": "/traits/email", "value": "ada@lovelace.org"},
                {"op": "replace", "path": "/metadata_admin", "value": {"note": "vip"}},
                {"op": "remove", "path": "/metadata_public"}
            ]"#,
        );
        let result = editor.preview(&identity()).unwrap();
        assert_eq!(result["traits"]["email"], "ada@lovelace.org");
        // A replace of a missing path adds it, as Kratos does.
        assert_eq!(result["metadata_admin"], json!({"note": "vip"}));
        assert!(result.get("metadata_public").is_none());
        let diff = editor.preview_diff(&identity()).unwrap();
        assert!(
            diff.iter()
                .any(|l| l.marked() == "+   \"metadata_admin\": {")
        );
    }

    #[test]
    fn preview_reports_paths_that_do_not_resolve() {
        let editor = editor_with(r#"[{"op": "remove", "path": "/traits/phone"}]"#);
        let err = editor.preview(&identity()).unwrap_err();
        assert!(err.starts_with("operation 1:"), "{err}");
    }
}
