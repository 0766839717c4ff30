//! Writing a JSON Patch (RFC 6902) for a Kratos identity, checked the way Kratos checks
//! it before anything is sent, and previewed against the identity.

use crossterm::event::KeyEvent;
use serde_json::Value;

use super::json::pretty;
use super::{DiffLine, EditBuffer, Editor, JsonSyntaxError, diff};

/// Where a new patch starts: an array with no operation in it, so saving it unchanged
/// sends nothing. The cursor starts on the empty line inside.
pub const PATCH_TEMPLATE: &str = "[\n  \n]";

/// Shown under the patch as help, never part of it.
pub const PATCH_EXAMPLES: &[&str] = &[
    "examples (help only, not in the patch):",
    r#"  {"op": "replace", "path": "/metadata_public/plan", "value": "pro"}"#,
    r#"  {"op": "add", "path": "/traits/name", "value": "Ada"}"#,
    r#"  {"op": "remove", "path": "/metadata_admin/note"}"#,
    r#"  {"op": "replace", "path": "/state", "value": "inactive"}  (deactivates!)"#,
];

/// Kratos applies only these (anything else is 400 `unsupported operation`).
const ALLOWED_OPS: &[&str] = &["add", "remove", "replace"];

#[derive(Debug, Clone)]
pub struct JsonPatchEditor {
    buffer: EditBuffer,
}

impl JsonPatchEditor {
    pub fn new(title: impl Into<String>, target_key: String) -> JsonPatchEditor {
        let mut buffer = EditBuffer::new(title.into(), target_key, PATCH_TEMPLATE.to_string());
        buffer.jump_to(2, 3);
        buffer.set_help(PATCH_EXAMPLES.iter().map(|l| l.to_string()).collect());
        JsonPatchEditor { buffer }
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
            return Err(
                "the patch is empty: nothing was sent (add an operation, see the examples)"
                    .to_string(),
            );
        }
        for (i, op) in ops.iter().enumerate() {
            check_operation(op).map_err(|e| format!("operation {}: {e}", i + 1))?;
        }
        Ok(patch)
    }

    /// What `original` would look like after the patch, applied as Kratos applies it
    /// (a `replace` of a missing path adds it).
    pub fn preview(&self, original: &Value) -> Result<Value, String> {
        apply_patch(original, &self.validate()?)
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

/// A patch for many identities (`p` on marked rows): its `test` operations, which Kratos
/// does not apply, are kept apart as preconditions each identity's fresh copy must meet
/// (see [`tests_hold`]); the rest is checked as the editor checks a patch and is what is
/// sent. Errors name the operation by its 1-based position.
pub fn split_preconditions(patch: &Value) -> Result<(Vec<Value>, Value), String> {
    let ops = patch
        .as_array()
        .ok_or("a JSON Patch is an array of operations: [{\"op\": …, \"path\": …}]")?;
    let (mut tests, mut sent) = (Vec::new(), Vec::new());
    for (i, op) in ops.iter().enumerate() {
        if op.get("op").and_then(Value::as_str) == Some("test") {
            let path = op.get("path").and_then(Value::as_str);
            match (path, op.get("value")) {
                (Some(path), Some(_)) => check_pointer(path),
                _ => Err("`test` needs a `path` and a `value`".to_string()),
            }
            .map_err(|e| format!("operation {}: {e}", i + 1))?;
            tests.push(op.clone());
        } else {
            check_operation(op).map_err(|e| format!("operation {}: {e}", i + 1))?;
            sent.push(op.clone());
        }
    }
    if sent.is_empty() {
        return Err("the patch only tests: add an operation that changes something".into());
    }
    Ok((tests, Value::Array(sent)))
}

/// The first `test` operation `doc` fails, said in words; `None` when all hold.
pub fn tests_hold(doc: &Value, tests: &[Value]) -> Option<String> {
    tests.iter().find_map(|t| {
        let path = t.get("path").and_then(Value::as_str).unwrap_or_default();
        let want = t.get("value").unwrap_or(&Value::Null);
        match doc.pointer(path) {
            Some(have) if have == want => None,
            Some(have) => Some(format!("test {path}: reads {have}, not {want}")),
            None => Some(format!("test {path}: not there")),
        }
    })
}

/// What `original` looks like after `patch` (checked), applied as Kratos applies it.
pub fn apply_patch(original: &Value, patch: &Value) -> Result<Value, String> {
    let mut doc = original.clone();
    for (i, op) in patch.as_array().into_iter().flatten().enumerate() {
        apply_kratos_style(&mut doc, op).map_err(|e| format!("operation {}: {e}", i + 1))?;
    }
    Ok(doc)
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
    let path = op
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if op.get("op").and_then(Value::as_str) == Some("replace") && doc.pointer(&path).is_none() {
        op["op"] = Value::String("add".to_string());
    }
    if op.get("op").and_then(Value::as_str) == Some("add") {
        ensure_parents(doc, &path);
    }
    let operation: json_patch::PatchOperation =
        serde_json::from_value(op).map_err(|e| e.to_string())?;
    json_patch::patch(doc, &[operation]).map_err(|e| e.to_string())
}

/// Create the missing parents of `path`, as Kratos's patch library does before an `add`: an
/// absent key becomes an object (an array when the next token is an index or `-`), and a
/// null parent an object (`/metadata_admin/x` under a null `metadata_admin`). Anything else
/// is left for the patch itself to refuse.
fn ensure_parents(doc: &mut Value, path: &str) {
    let tokens = pointer_tokens(path);
    let Some((_, parents)) = tokens.split_last() else {
        return;
    };
    let mut node = doc;
    for (i, token) in parents.iter().enumerate() {
        if node.is_null() {
            *node = Value::Object(serde_json::Map::new());
        }
        let next = &tokens[i + 1];
        let fresh = || {
            if next == "-" || next.parse::<usize>().is_ok() {
                Value::Array(Vec::new())
            } else {
                Value::Object(serde_json::Map::new())
            }
        };
        node = match node {
            Value::Object(m) => m.entry(token.clone()).or_insert_with(fresh),
            Value::Array(a) => match token.parse::<usize>() {
                Ok(i) if i < a.len() => &mut a[i],
                _ => return,
            },
            _ => return,
        };
    }
    if node.is_null() {
        *node = Value::Object(serde_json::Map::new());
    }
}

/// Each operation of `patch` that could lock a user out or lose data, said in plain words
/// before it is sent: anything under `/credentials`, `/state` set to inactive, the whole
/// `/traits` (or the whole identity) replaced or removed. `identity`, when known (the copy
/// the patch was written against), makes the words concrete: which identifiers a credential
/// signs in with, which traits would be dropped, a state that is already inactive. Empty
/// when nothing in the patch is risky; operations that are not objects are skipped (the
/// editor's check reports those).
pub fn risky_operations(patch: &Value, identity: Option<&Value>) -> Vec<String> {
    let Some(ops) = patch.as_array() else {
        return Vec::new();
    };
    ops.iter()
        .enumerate()
        .filter_map(|(i, op)| {
            let name = op.get("op")?.as_str()?;
            let path = op.get("path")?.as_str()?;
            let value = op.get("value");
            describe_risk(name, path, value, identity)
                .map(|what| format!("operation {} {what}", i + 1))
        })
        .collect()
}

/// The tokens of a JSON pointer, unescaped (`~1` is `/`, `~0` is `~`).
fn pointer_tokens(path: &str) -> Vec<String> {
    path.split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn describe_risk(
    op: &str,
    path: &str,
    value: Option<&Value>,
    identity: Option<&Value>,
) -> Option<String> {
    let verb = match op {
        "add" => "sets",
        "remove" => "removes",
        "replace" => "replaces",
        _ => return None,
    };
    if path.is_empty() {
        return Some(format!(
            "{verb} the whole identity: its credentials, state and traits go with it"
        ));
    }
    let tokens = pointer_tokens(path);
    // Kratos reads the patched identity into its own fields case-insensitively, so
    // `/State` can change the state as `/state` does.
    let first = tokens[0].to_ascii_lowercase();
    match (first.as_str(), &tokens[1..]) {
        ("state", []) => {
            let deactivates = op != "remove" && value.and_then(Value::as_str) == Some("inactive");
            let already = identity
                .and_then(|i| i.get("state"))
                .and_then(Value::as_str)
                == Some("inactive");
            (deactivates && !already).then(|| {
                "deactivates the identity: the user can no longer sign in, and their sessions \
                 stop working"
                    .to_string()
            })
        }
        ("traits", []) => Some(traits_risk(op, value, identity)),
        ("credentials", []) => Some(format!(
            "{verb} all credentials: every way the user signs in is affected"
        )),
        ("credentials", [kind, rest @ ..]) => Some(credential_risk(op, verb, kind, rest, identity)),
        _ => None,
    }
}

fn traits_risk(op: &str, value: Option<&Value>, identity: Option<&Value>) -> String {
    if op == "remove" {
        return "removes all traits: the identity loses its email or username, and the user \
                the identifiers they sign in with"
            .to_string();
    }
    let old = identity
        .and_then(|i| i.get("traits"))
        .and_then(Value::as_object);
    let dropped: Vec<&str> = match (old, value.and_then(Value::as_object)) {
        (Some(old), Some(new)) => old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .map(String::as_str)
            .collect(),
        (Some(old), None) => old.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let mut text = "replaces all traits: any trait not in the new value is lost, and the \
                    identifiers the user signs in with change with them"
        .to_string();
    if !dropped.is_empty() {
        text.push_str(&format!(" (drops {})", dropped.join(", ")));
    }
    text
}

fn credential_risk(
    op: &str,
    verb: &str,
    kind: &str,
    rest: &[String],
    identity: Option<&Value>,
) -> String {
    let kind_lower = kind.to_ascii_lowercase();
    let (thing, removed) = match kind_lower.as_str() {
        "password" => (
            "the password".to_string(),
            "the user can no longer sign in with a password until one is set again",
        ),
        "totp" => (
            "the authenticator app (TOTP)".to_string(),
            "the user loses this second factor and must set the app up again",
        ),
        "webauthn" => (
            "the security keys (WebAuthn)".to_string(),
            "the user can no longer sign in or confirm with those keys",
        ),
        "passkey" => (
            "the passkeys".to_string(),
            "the user can no longer sign in with a passkey",
        ),
        "lookup_secret" => (
            "the recovery codes".to_string(),
            "the user's backup codes stop working",
        ),
        "code" => (
            "sign-in by one-time code".to_string(),
            "the user can no longer sign in with a code sent to them",
        ),
        "oidc" | "saml" => (
            format!("the {} sign-in links", kind_lower.to_uppercase()),
            "the user can no longer sign in through those providers",
        ),
        _ => (
            format!("the `{kind}` credential"),
            "signing in with it stops working",
        ),
    };
    let identifiers: Vec<&str> = identity
        .and_then(|i| i.get("credentials"))
        .and_then(|c| c.get(kind))
        .and_then(|c| c.get("identifiers"))
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let of_whom = if identifiers.is_empty() {
        String::new()
    } else {
        format!(" (signs in as {})", identifiers.join(", "))
    };
    let rest_lower: Vec<String> = rest.iter().map(|t| t.to_ascii_lowercase()).collect();
    let rest_lower: Vec<&str> = rest_lower.iter().map(String::as_str).collect();
    match (op, rest_lower.as_slice()) {
        ("remove", []) => format!("removes {thing}{of_whom}: {removed}"),
        (_, []) => format!(
            "{verb} {thing}{of_whom}: what the user signs in with now stops working; only the \
             new value counts"
        ),
        ("remove", ["config", "hashed_password"]) => {
            format!("removes the password hash{of_whom}: {removed}")
        }
        (_, ["config", "hashed_password"]) => format!(
            "{verb} the password hash{of_whom}: the current password stops working; only a \
             password matching the new hash signs in"
        ),
        (_, ["identifiers", ..]) => format!(
            "{verb} the identifiers of {thing}{of_whom}: the user must sign in with the new ones"
        ),
        _ => format!(
            "{verb} `{}` of {thing}{of_whom}: signing in with it may stop working",
            rest.join("/")
        ),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn add_and_replace_create_missing_parents_as_kratos_does() {
        let doc = serde_json::json!({
            "metadata_admin": null,
            "metadata_public": {},
            "traits": {"email": "a@example.com"}
        });
        let patch = serde_json::json!([
            {"op": "add", "path": "/metadata_admin/crm/tier", "value": "gold"},
            {"op": "add", "path": "/metadata_public/a/b", "value": 1},
            {"op": "replace", "path": "/traits/name/first", "value": "Ada"},
        ]);
        let out = apply_patch(&doc, &patch).unwrap();
        assert_eq!(
            out["metadata_admin"],
            serde_json::json!({"crm": {"tier": "gold"}})
        );
        assert_eq!(out["metadata_public"], serde_json::json!({"a": {"b": 1}}));
        assert_eq!(out["traits"]["name"]["first"], "Ada");
        // A parent that is a string is not a container: refused, as Kratos refuses it.
        let bad = serde_json::json!([{"op": "add", "path": "/traits/email/x", "value": 1}]);
        assert!(apply_patch(&doc, &bad).is_err());
    }

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
    fn a_new_patch_has_no_operation_and_saving_it_sends_nothing() {
        let editor = JsonPatchEditor::new("patch", "k".into());
        assert!(!editor.is_dirty());
        assert_eq!(editor.parse().unwrap(), json!([]));
        let err = editor.validate().unwrap_err();
        assert!(err.contains("empty: nothing was sent"), "{err}");
        // The examples are help beside the text, not in it.
        let help = editor.buffer().help().join("\n");
        assert!(help.contains(r#""path": "/state""#), "{help}");
        assert!(!editor.text().contains("/state"));
    }

    #[test]
    fn typing_in_a_new_patch_goes_inside_the_array() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let mut editor = JsonPatchEditor::new("patch", "k".into());
        for c in r#"{"op": "remove", "path": "/metadata_admin/note"}"#.chars() {
            editor.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        let patch = editor.validate().unwrap();
        assert_eq!(patch.as_array().unwrap().len(), 1);
        assert_eq!(patch[0]["path"], "/metadata_admin/note");
    }

    fn risks(patch: Value, identity: Option<&Value>) -> Vec<String> {
        risky_operations(&patch, identity)
    }

    #[test]
    fn removing_or_replacing_a_credential_says_what_it_does() {
        let ada = json!({
            "state": "active",
            "traits": {"email": "ada@example.com", "name": "Ada"},
            "credentials": {"password": {"type": "password", "identifiers": ["ada@example.com"]}}
        });
        let found = risks(
            json!([
                {"op": "replace", "path": "/metadata_public/plan", "value": "pro"},
                {"op": "remove", "path": "/credentials/password"}
            ]),
            Some(&ada),
        );
        assert_eq!(
            found,
            [
                "operation 2 removes the password (signs in as ada@example.com): the user can no \
              longer sign in with a password until one is set again"
            ]
        );
        let found = risks(
            json!([{"op": "replace", "path": "/credentials/password/config/hashed_password",
                    "value": "$2a$10$x"}]),
            None,
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with(
                "operation 1 replaces the password hash: the current password stops working"
            ),
            "{found:?}"
        );
        for (path, words) in [
            ("/credentials/totp", "removes the authenticator app (TOTP)"),
            (
                "/credentials/webauthn",
                "removes the security keys (WebAuthn)",
            ),
            ("/credentials/lookup_secret", "removes the recovery codes"),
            ("/credentials/passkey", "removes the passkeys"),
            ("/Credentials/Password", "removes the password"),
            (
                "/credentials/password/identifiers/0",
                "removes the identifiers of the password",
            ),
            (
                "/credentials/custom/config",
                "removes `config` of the `custom` credential",
            ),
            ("/credentials", "removes all credentials"),
        ] {
            let found = risks(json!([{"op": "remove", "path": path}]), None);
            assert!(
                found.len() == 1 && found[0].starts_with(&format!("operation 1 {words}")),
                "{path}: {found:?}"
            );
        }
        let found = risks(
            json!([{"op": "add", "path": "/credentials/totp",
                    "value": {"type": "totp", "config": {}}}]),
            None,
        );
        assert!(
            found[0].starts_with("operation 1 sets the authenticator app (TOTP)"),
            "{found:?}"
        );
    }

    #[test]
    fn deactivating_and_replacing_traits_are_risky_other_changes_are_not() {
        let ada = json!({"state": "active", "traits": {"email": "ada@example.com", "name": "Ada"}});
        let found = risks(
            json!([
                {"op": "replace", "path": "/state", "value": "inactive"},
                {"op": "replace", "path": "/traits", "value": {"email": "ada@example.com"}},
                {"op": "replace", "path": "/traits/name", "value": "Ada L."},
                {"op": "add", "path": "/metadata_admin", "value": {}},
                {"op": "replace", "path": "/state", "value": "active"}
            ]),
            Some(&ada),
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with(
                "operation 1 deactivates the identity: the user can no longer sign in"
            )
        );
        assert!(
            found[1].starts_with("operation 2 replaces all traits"),
            "{found:?}"
        );
        assert!(found[1].ends_with("(drops name)"), "{found:?}");
        let found = risks(json!([{"op": "remove", "path": "/traits"}]), None);
        assert!(
            found[0].starts_with("operation 1 removes all traits"),
            "{found:?}"
        );
        let found = risks(json!([{"op": "replace", "path": "", "value": {}}]), None);
        assert!(found[0].contains("the whole identity"), "{found:?}");
        // Already inactive: setting it again changes nothing.
        let inactive = json!({"state": "inactive"});
        assert!(
            risks(
                json!([{"op": "replace", "path": "/state", "value": "inactive"}]),
                Some(&inactive)
            )
            .is_empty()
        );
        // Nothing to say about what is not a patch.
        assert!(risks(json!({"op": "remove"}), None).is_empty());
        assert!(risks(json!([1, {"op": "remove"}]), None).is_empty());
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
