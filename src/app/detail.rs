//! The detail view: an object laid out for reading (a summary per object kind, then the whole
//! object as highlighted, pretty JSON). Secrets are removed before anything is laid out.

use std::sync::Arc;

use serde_json::Value;

use super::model::ObjectKind;
use crate::app::provider::{core, headless, kratos};

/// Longest string value shown; longer ones are cut with a note.
const MAX_VALUE_BYTES: usize = 4096;
/// Most lines one detail view holds.
const MAX_LINES: usize = 20_000;
/// Shown in place of a secret.
pub const REDACTED: &str = "‹redacted›";

/// How a piece of text is drawn; `ui` maps each to a style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Heading,
    Label,
    Key,
    Str,
    Num,
    Bool,
    Null,
    Punct,
    Plain,
    Muted,
}

pub type DocLine = Vec<(Tok, String)>;

#[derive(Debug, Clone)]
pub struct Detail {
    pub kind: ObjectKind,
    pub id: String,
    pub title: String,
    pub lines: Vec<DocLine>,
    pub scroll: usize,
    /// The object with secrets removed (what `Y` copies).
    pub redacted: Arc<Value>,
    /// The object as the server sent it: only for building edits, never drawn, since a
    /// redacted value saved back would overwrite the real one.
    pub raw: Arc<Value>,
}

impl Detail {
    pub fn new(kind: ObjectKind, id: &str, title: &str, raw: &Value) -> Detail {
        let redacted = redact(raw);
        let mut lines = summary(kind, &redacted);
        lines.push(vec![(Tok::Heading, "JSON".to_string())]);
        json_lines(&redacted, &mut lines);
        if lines.len() > MAX_LINES {
            lines.truncate(MAX_LINES);
            lines.push(vec![(Tok::Muted, "… (cut: object too large)".into())]);
        }
        Detail {
            kind,
            id: id.to_string(),
            title: title.to_string(),
            lines,
            scroll: 0,
            redacted: Arc::new(redacted),
            raw: Arc::new(raw.clone()),
        }
    }

    pub fn scroll_by(&mut self, delta: isize, view_rows: usize) {
        let max = self.lines.len().saturating_sub(view_rows.max(1));
        self.scroll = (self.scroll as isize + delta).clamp(0, max as isize) as usize;
    }
}

/// Whether a key names a secret: any key holding `key`, `secret`, `token`, `pass`, `hash`
/// or `private` (`api_key`, `client_secret`, `hashed_password`, `passphrase`…), and Kratos's
/// TOTP URL and recovery codes. What the dashboard shows or decides by is spared: a public
/// key is no secret, and a WebAuthn key's id is its identifier.
pub fn is_secret_key(key: &str) -> bool {
    const PUBLIC: [&str; 3] = ["public_key", "public_key_algorithm", "client_key_id"];
    let k = key.to_ascii_lowercase();
    let named = ["key", "secret", "token", "pass", "hash", "private"]
        .iter()
        .any(|word| k.contains(word));
    (named && !PUBLIC.contains(&k.as_str()))
        || matches!(k.as_str(), "totp_url" | "codes" | "recovery_codes" | "code")
}

/// Whether a value is a secret whatever its key says: a password hash (modular crypt
/// `$2b$…`, `$argon2id$…`, `$pbkdf2-sha256$…`, `$scrypt$…`; LDAP `{SSHA}…`), a TOTP seed
/// (`otpauth://`), a bearer token (a JWT, an Ory `ory_st_`/`ory_pat_`… token) or a PEM
/// private key. A copy of any of these found under an innocent key (`metadata_admin.note`)
/// is as much a secret as the credential it came from.
pub fn is_secret_value(value: &str) -> bool {
    let v = value.trim();
    crypt_hash(v) || ldap_hash(v) || otp_uri(v) || bearer_token(v) || pem_private_key(v)
}

/// `$id$…` as crypt(3) and PHC strings write a hash. A known id is enough (`$md5$…` has
/// nothing more); an unknown one needs three fields (`$id$params$salt…`), so that a price
/// like `$USD$5` is left alone.
fn crypt_hash(v: &str) -> bool {
    const EXACT: [&str; 10] = ["1", "2", "2a", "2b", "2x", "2y", "5", "6", "7", "y"];
    const PREFIX: [&str; 10] = [
        "argon2",
        "pbkdf2",
        "scrypt",
        "firescrypt",
        "md5",
        "sha",
        "ssha",
        "hmac",
        "apr1",
        "gy",
    ];
    let Some(rest) = v.strip_prefix('$') else {
        return false;
    };
    if v.chars().any(char::is_whitespace) {
        return false;
    }
    let fields: Vec<&str> = rest.split('$').collect();
    let id = fields[0].to_ascii_lowercase();
    let id_ok = !id.is_empty()
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let filled = fields.iter().skip(1).filter(|f| !f.is_empty()).count();
    id_ok
        && filled >= 1
        && (EXACT.contains(&id.as_str()) || PREFIX.iter().any(|p| id.starts_with(p)) || filled >= 2)
}

/// `{SCHEME}hash` as LDAP (and Kratos's `{SSHA}` import) writes one.
fn ldap_hash(v: &str) -> bool {
    const SCHEMES: [&str; 11] = [
        "SSHA",
        "SHA",
        "SMD5",
        "MD5",
        "CRYPT",
        "BCRYPT",
        "ARGON2",
        "PBKDF2",
        "SCRYPT",
        "CLEARTEXT",
        "PLAIN",
    ];
    let Some((scheme, hash)) = v.strip_prefix('{').and_then(|r| r.split_once('}')) else {
        return false;
    };
    let scheme = scheme.to_ascii_uppercase();
    !hash.is_empty()
        && !hash.chars().any(char::is_whitespace)
        && SCHEMES.iter().any(|s| scheme.starts_with(s))
}

/// A TOTP (or HOTP) enrolment URI carries the seed itself; so does an authenticator's
/// export (`otpauth-migration://`).
fn otp_uri(v: &str) -> bool {
    // Looked for without a lowercase copy: this runs on every string of every record shown.
    let has = |needle: &str| {
        v.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    has("otpauth://") || has("otpauth-migration://")
}

/// A JWT (`eyJ….….…`) or an Ory token: whoever holds it is signed in, or an admin.
fn bearer_token(v: &str) -> bool {
    const ORY: [&str; 6] = [
        "ory_st_", "ory_pat_", "ory_at_", "ory_rt_", "ory_ac_", "ory_ht_",
    ];
    let base64url = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=')
    };
    let parts: Vec<&str> = v.splitn(4, '.').collect();
    let jwt = parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].len() > 2
        && parts[..2].iter().all(|p| base64url(p))
        && (parts[2].is_empty() || base64url(parts[2]));
    jwt || ORY
        .iter()
        .any(|p| v.starts_with(p) && v.len() > p.len() + 8)
}

fn pem_private_key(v: &str) -> bool {
    v.contains("-----BEGIN") && v.contains("PRIVATE KEY-----")
}

/// `value` with every secret replaced by [`REDACTED`]: values under a secret-named key
/// ([`is_secret_key`]) and strings that are secrets whatever their key
/// ([`is_secret_value`]). The one redaction behind the detail view, `Y`, credential rows
/// and the audit trail.
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    // A secret-sounding key over an object (the `password` credential type,
                    // `lookup_secret`) is a container: look inside instead of hiding it all.
                    // An empty string hides nothing, and says something (Kratos sends an
                    // OIDC token it cannot decrypt as ""). A flag hides nothing either, and
                    // the credential rules read some (`is_passwordless`,
                    // `use_password_migration_hook`).
                    let holds_values = match v {
                        Value::Null | Value::Bool(_) | Value::Object(_) => false,
                        Value::String(s) => !s.is_empty(),
                        Value::Array(items) => !items.iter().any(Value::is_object),
                        Value::Number(_) => true,
                    };
                    let v = if is_secret_key(k) && holds_values {
                        Value::String(REDACTED.to_string())
                    } else {
                        redact(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        Value::String(s) if is_secret_value(s) => Value::String(REDACTED.to_string()),
        other => other.clone(),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => crate::sanitize::cap(s, MAX_VALUE_BYTES).into_owned(),
        Value::Null => "null".into(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        Value::Object(_) => "{…}".into(),
        other => other.to_string(),
    }
}

fn heading(out: &mut Vec<DocLine>, text: &str) {
    out.push(vec![(Tok::Heading, text.to_string())]);
}

fn field(out: &mut Vec<DocLine>, indent: usize, label: &str, v: &Value) {
    let tok = match v {
        Value::String(_) => Tok::Str,
        Value::Number(_) => Tok::Num,
        Value::Bool(_) => Tok::Bool,
        Value::Null => Tok::Null,
        _ => Tok::Plain,
    };
    out.push(vec![
        (Tok::Plain, " ".repeat(indent)),
        (Tok::Label, format!("{label}: ")),
        (tok, scalar_text(v)),
    ]);
}

/// `label: value` for each pointer that exists.
fn fields(out: &mut Vec<DocLine>, v: &Value, picks: &[(&str, &str)]) {
    for (label, pointer) in picks {
        if let Some(x) = v.pointer(pointer) {
            field(out, 2, label, x);
        }
    }
}

/// Nested objects as `a.b.c: value` lines (traits, metadata, claims).
fn flattened(out: &mut Vec<DocLine>, title: &str, v: Option<&Value>) {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return;
    };
    heading(out, title);
    let mut flat = Vec::new();
    flatten("", v, &mut flat);
    if flat.is_empty() {
        out.push(vec![(Tok::Muted, "  (empty)".into())]);
    }
    for (path, value) in flat {
        field(out, 2, &path, value);
    }
}

fn flatten<'a>(prefix: &str, v: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, x, out);
            }
        }
        other if prefix.is_empty() => out.push(("value".into(), other)),
        other => out.push((prefix.to_string(), other)),
    }
}

/// Like [`flatten`], with the objects inside arrays opened too (`providers[0].subject`), so
/// a credential's config reads line by line.
fn flatten_items<'a>(prefix: &str, v: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Array(items) if items.iter().any(Value::is_object) => {
            for (i, x) in items.iter().enumerate() {
                flatten_items(&format!("{prefix}[{i}]"), x, out);
            }
        }
        Value::Object(map) => {
            for (k, x) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_items(&path, x, out);
            }
        }
        other if prefix.is_empty() => out.push(("value".into(), other)),
        other => out.push((prefix.to_string(), other)),
    }
}

fn summary(kind: ObjectKind, v: &Value) -> Vec<DocLine> {
    let mut out = Vec::new();
    match kind {
        ObjectKind::Kratos(kratos::Object::Identity) => {
            heading(&mut out, "Identity");
            fields(
                &mut out,
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
            flattened(&mut out, "Traits", v.get("traits"));
            flattened(&mut out, "Metadata (public)", v.get("metadata_public"));
            flattened(&mut out, "Metadata (admin)", v.get("metadata_admin"));
            credentials(&mut out, v.get("credentials"));
            if let Some(Value::Array(addrs)) = v.get("verifiable_addresses") {
                heading(&mut out, "Verifiable addresses");
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
        ObjectKind::Kratos(kratos::Object::Session) => {
            heading(&mut out, "Session");
            fields(
                &mut out,
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
                heading(&mut out, "Devices");
                for d in devices {
                    fields(
                        &mut out,
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
                heading(&mut out, "Authentication methods");
                for m in methods {
                    fields(
                        &mut out,
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
        ObjectKind::Kratos(kratos::Object::Credential)
        | ObjectKind::Core(core::Object::Credential) => {
            heading(&mut out, "Credential");
            fields(
                &mut out,
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
                    heading(&mut out, "Config (secrets masked)");
                    let mut flat = Vec::new();
                    flatten_items("", config, &mut flat);
                    if flat.is_empty() {
                        out.push(vec![(Tok::Muted, "  (empty)".into())]);
                    }
                    for (path, value) in flat {
                        field(&mut out, 2, &path, value);
                    }
                }
                None => out.push(vec![(
                    Tok::Muted,
                    "  (config not read yet: it is read when the detail opens)".into(),
                )]),
            }
        }
        ObjectKind::Core(core::Object::User) => {
            heading(&mut out, "User");
            fields(
                &mut out,
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
            flattened(&mut out, "Claims", v.get("claims"));
        }
        ObjectKind::Headless(headless::Object::Client)
        | ObjectKind::Headless(headless::Object::User) => {
            heading(
                &mut out,
                if kind == ObjectKind::Headless(headless::Object::Client) {
                    "Client"
                } else {
                    "User"
                },
            );
            if let Value::Object(map) = v {
                for (k, x) in map {
                    if !x.is_object() && !x.is_array() {
                        field(&mut out, 2, k, x);
                    }
                }
            }
            flattened(&mut out, "Metadata", v.get("metadata"));
        }
        // A search hit opens as the object it is, on its profile; never as a hit.
        ObjectKind::Hit => {}
        ObjectKind::AuditEntry => {
            heading(&mut out, "Audit entry");
            fields(
                &mut out,
                v,
                &[
                    ("time", "/time"),
                    ("profile", "/profile"),
                    ("provider", "/provider"),
                    ("method", "/method"),
                    ("path", "/path"),
                    ("object", "/object"),
                    ("outcome", "/outcome"),
                    ("learnt by", "/via"),
                    ("request id", "/request_id"),
                    ("message", "/message"),
                    // A line that could not be read.
                    ("at byte", "/offset"),
                    ("problem", "/problem"),
                    ("text", "/text"),
                ],
            );
            if let Some(change) = v.get("change").filter(|c| !c.is_null()) {
                heading(&mut out, "Change");
                json_lines(change, &mut out);
            }
        }
    }
    out
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

/// Pretty JSON as styled lines, two spaces per level.
pub fn json_lines(v: &Value, out: &mut Vec<DocLine>) {
    let mut line = vec![(Tok::Plain, String::new())];
    write_value(v, 0, &mut line, out);
    out.push(line);
}

fn scalar_tok(v: &Value) -> (Tok, String) {
    match v {
        Value::String(s) => (
            Tok::Str,
            serde_json::to_string(&crate::sanitize::cap(s, MAX_VALUE_BYTES)).unwrap_or_default(),
        ),
        Value::Number(n) => (Tok::Num, n.to_string()),
        Value::Bool(b) => (Tok::Bool, b.to_string()),
        Value::Null => (Tok::Null, "null".into()),
        _ => (Tok::Plain, String::new()),
    }
}

fn write_value(v: &Value, depth: usize, line: &mut DocLine, out: &mut Vec<DocLine>) {
    let pad = |d: usize| (Tok::Plain, "  ".repeat(d));
    match v {
        Value::Object(map) if !map.is_empty() => {
            line.push((Tok::Punct, "{".into()));
            let n = map.len();
            for (i, (k, x)) in map.iter().enumerate() {
                out.push(std::mem::take(line));
                line.push(pad(depth + 1));
                line.push((Tok::Key, serde_json::to_string(k).unwrap_or_default()));
                line.push((Tok::Punct, ": ".into()));
                write_value(x, depth + 1, line, out);
                if i + 1 < n {
                    line.push((Tok::Punct, ",".into()));
                }
            }
            out.push(std::mem::take(line));
            line.push(pad(depth));
            line.push((Tok::Punct, "}".into()));
        }
        Value::Array(items) if !items.is_empty() => {
            line.push((Tok::Punct, "[".into()));
            let n = items.len();
            for (i, x) in items.iter().enumerate() {
                out.push(std::mem::take(line));
                line.push(pad(depth + 1));
                write_value(x, depth + 1, line, out);
                if i + 1 < n {
                    line.push((Tok::Punct, ",".into()));
                }
            }
            out.push(std::mem::take(line));
            line.push(pad(depth));
            line.push((Tok::Punct, "]".into()));
        }
        Value::Object(_) => line.push((Tok::Punct, "{}".into())),
        Value::Array(_) => line.push((Tok::Punct, "[]".into())),
        scalar => line.push(scalar_tok(scalar)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(lines: &[DocLine]) -> String {
        lines
            .iter()
            .map(|l| l.iter().map(|(_, s)| s.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn secrets_never_reach_the_detail_view() {
        let identity = json!({
            "id": "a1",
            "credentials": {"password": {"type": "password", "identifiers": ["jane@example.com"],
                "config": {"hashed_password": "$2a$12$abcdefghijkl"}},
                "totp": {"type": "totp", "config": {"totp_url": "otpauth://totp/x?secret=JBSW"}}},
            "traits": {"email": "jane@example.com"}
        });
        let d = Detail::new(
            ObjectKind::Kratos(kratos::Object::Identity),
            "a1",
            "jane",
            &identity,
        );
        let all = text(&d.lines);
        assert!(!all.contains("$2a$12$"), "{all}");
        assert!(!all.contains("JBSW"));
        assert!(all.contains(REDACTED));
        assert!(all.contains("jane@example.com"));
        // The credential types themselves stay readable, with their identifiers.
        assert!(all.contains("password  jane@example.com"), "{all}");
        assert!(!d.redacted.to_string().contains("$2a$12$"));
    }

    #[test]
    fn secrets_are_found_by_key_pattern_and_by_their_looks() {
        let v = json!({
            "metadata_admin": {
                "api_key": "ak_live_123", "clientSecret": "cs", "refresh_token": "rt",
                "passphrase": "open sesame", "API_KEY": "AK2", "passcode": 1234,
                "note": "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                "old": ["$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "{SSHA}dGVzdGluZ3NhbHQ="],
                "pbkdf2": "$pbkdf2-sha256$i=100000,l=32$c2FsdA$aGFzaA",
                "scrypt": "$scrypt$ln=16384,r=8,p=1$c2FsdA$aGFzaA",
                "md5": "$md5$aGFzaA==",
                "enrol": "otpauth://totp/ACME:jane?secret=JBSWY3DPEHPK3PXP",
                "session": "ory_st_AbCdEfGhIjKlMnOpQrStUv",
                "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJl",
            },
            "credentials": {
                "totp": {"config": {"totp_url": "otpauth://totp/x?secret=SEED"}},
                "lookup_secret": {"config": {"recovery_codes": [
                    {"code": "a1b2c3d4", "used_at": null},
                    {"code": "e5f6g7h8", "used_at": "2024-01-01T00:00:00Z"}
                ]}},
                "webauthn": {"config": {"credentials": [{
                    "id": "k1", "is_passwordless": true, "public_key": "pk",
                    "display_name": "YubiKey"
                }]}},
                "password": {"config": {"use_password_migration_hook": true}}
            },
            "traits": {"email": "jane@example.com", "price": "$USD$5", "motto": "$ and $ again"}
        });
        let r = redact(&v);
        let text = r.to_string();
        for secret in [
            "ak_live_123",
            "\"cs\"",
            "\"rt\"",
            "open sesame",
            "AK2",
            "1234",
            "$2b$",
            "$argon2id$",
            "{SSHA}",
            "$pbkdf2",
            "$scrypt$",
            "$md5$",
            "JBSWY3DP",
            "SEED",
            "ory_st_",
            "eyJ",
            "a1b2c3d4",
            "e5f6g7h8",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        // What is no secret, or what the dashboard reads, is left as it was.
        let lookup = &r["credentials"]["lookup_secret"]["config"]["recovery_codes"];
        assert_eq!(lookup.as_array().unwrap().len(), 2);
        assert_eq!(lookup[1]["used_at"], "2024-01-01T00:00:00Z");
        let key = &r["credentials"]["webauthn"]["config"]["credentials"][0];
        assert_eq!(key["is_passwordless"], true);
        assert_eq!(key["public_key"], "pk");
        assert_eq!(key["display_name"], "YubiKey");
        assert_eq!(
            r["credentials"]["password"]["config"]["use_password_migration_hook"],
            true
        );
        assert_eq!(r["traits"], v["traits"]);
    }

    #[test]
    fn the_credential_rules_still_read_a_redacted_identity() {
        // The delete rules judge the copy `d` reads, which is redacted like any other.
        let creds = json!({
            "password": {"identifiers": ["jane@example.com"],
                "config": {"use_password_migration_hook": true}},
            "webauthn": {"identifiers": ["u1"],
                "config": {"credentials": [{"is_passwordless": true, "public_key": "pk"}]}}
        });
        assert_eq!(
            crate::app::credentials::rules::first_factors(&redact(&creds)),
            ["password", "passwordless WebAuthn key 1"]
        );
    }

    #[test]
    fn pretty_json_tokens_carry_their_kind() {
        let mut out = Vec::new();
        json_lines(
            &json!({"a": "s", "n": 1, "b": true, "z": null, "e": []}),
            &mut out,
        );
        assert_eq!(
            text(&out),
            "{\n  \"a\": \"s\",\n  \"n\": 1,\n  \"b\": true,\n  \"z\": null,\n  \"e\": []\n}"
        );
        let toks: Vec<Tok> = out.iter().flatten().map(|(t, _)| *t).collect();
        for t in [Tok::Key, Tok::Str, Tok::Num, Tok::Bool, Tok::Null] {
            assert!(toks.contains(&t), "{t:?} missing");
        }
    }

    #[test]
    fn session_summary_shows_device_and_assurance() {
        let s = json!({"id": "s1", "active": true, "authenticator_assurance_level": "aal2",
            "expires_at": "2026-12-01T00:00:00Z",
            "devices": [{"ip_address": "203.0.113.9", "user_agent": "Firefox/130"}]});
        let d = Detail::new(ObjectKind::Kratos(kratos::Object::Session), "s1", "s1", &s);
        let all = text(&d.lines);
        for needle in [
            "AAL: aal2",
            "IP: 203.0.113.9",
            "user agent: Firefox/130",
            "expires: 2026-12-01",
        ] {
            assert!(all.contains(needle), "{needle} missing in\n{all}");
        }
    }

    #[test]
    fn scrolling_stops_at_the_last_screen() {
        let d0 = Detail::new(
            ObjectKind::Core(core::Object::User),
            "u",
            "u",
            &json!({"claims": {"a": 1, "b": 2}}),
        );
        let mut d = d0.clone();
        d.scroll_by(1000, 3);
        assert_eq!(d.scroll, d0.lines.len() - 3);
        d.scroll_by(-1000, 3);
        assert_eq!(d.scroll, 0);
    }
}
