//! What counts as a secret, by its key or its looks, and the one redaction that removes
//! secrets before anything is shown, copied or written to the audit trail.

use serde_json::Value;

/// Shown in place of a secret.
pub const REDACTED: &str = "‹redacted›";

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
