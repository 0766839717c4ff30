//! Importing credentials from create/update bodies and the credential delete rules
//! (`api/kratos.md` §2.4, §4.3, §4.4, §4.7).

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::errors::{KResult, KratosError};
use super::model::{Credential, Identity};
use crate::KratosVersion;

/// Every credential type `include_credential` accepts.
pub const KNOWN_TYPES: &[&str] = &[
    "password",
    "oidc",
    "totp",
    "lookup_secret",
    "webauthn",
    "code",
    "passkey",
    "profile",
    "saml",
    "deviceauthn",
    "link_recovery",
    "code_recovery",
    "identifier_first",
];

/// The name of the format Kratos' import recognises `hash` as (its
/// `hash.IsValidHashFormat` patterns, `api/kratos.md` §4.3), or `None` (400).
pub fn hash_format(hash: &str) -> Option<&'static str> {
    let starts = |ps: &[&str]| ps.iter().any(|p| hash.starts_with(p));
    // `$pbkdf2-sha[0-9]{1,3}$` and `$hmac-(md4|md5|sha1|sha224|sha256|sha384|sha512)$`.
    let pbkdf2 = hash.strip_prefix("$pbkdf2-sha").is_some_and(|r| {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        (1..=3).contains(&n) && r[n..].starts_with('$')
    });
    let hmac = hash.strip_prefix("$hmac-").is_some_and(|r| {
        ["md4", "md5", "sha1", "sha224", "sha256", "sha384", "sha512"]
            .iter()
            .any(|h| r.strip_prefix(h).is_some_and(|t| t.starts_with('$')))
    });
    Some(if starts(&["$md5-crypt$"]) {
        "md5crypt"
    } else if starts(&["$2$", "$2a$", "$2b$", "$2y$", "$2z$"]) {
        "bcrypt"
    } else if starts(&["$sha256-crypt$"]) {
        "sha256crypt"
    } else if starts(&["$sha512-crypt$"]) {
        "sha512crypt"
    } else if starts(&["$argon2id$"]) {
        "argon2id"
    } else if starts(&["$argon2i$"]) {
        "argon2i"
    } else if pbkdf2 {
        "pbkdf2"
    } else if starts(&["$scrypt$"]) {
        "scrypt"
    } else if starts(&["{SSHA}", "{SSHA256}", "{SSHA512}"]) {
        "ssha"
    } else if starts(&["$sha1$", "$sha256$", "$sha512$"]) {
        "sha"
    } else if starts(&["$firescrypt$"]) {
        "firebasescrypt"
    } else if starts(&["$md5$"]) {
        "md5"
    } else if hmac {
        "hmac"
    } else {
        return None;
    })
}

/// What the request log says about a password an import body carries: the hash format it
/// was accepted as, or that a cleartext one was hashed (never the password or hash itself).
pub fn import_note(creds: Option<&Map<String, Value>>) -> Option<String> {
    let cfg = creds?.get("password")?.get("config")?;
    if cfg
        .get("password")
        .and_then(Value::as_str)
        .is_some_and(|p| !p.is_empty())
    {
        return Some("password import: cleartext, hashed by the server".into());
    }
    let format = hash_format(cfg.get("hashed_password")?.as_str()?)?;
    Some(format!("password import: hash format {format} accepted"))
}

/// A plaintext password leaves only a stable fingerprint behind (never the password itself),
/// which is enough for the sandbox's login flow to check it. The `$sandbox$` prefix says it is
/// not a real hash, so nobody mistakes an exported value for something a real Kratos could
/// verify.
pub(super) fn fingerprint(password: &str) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    password.hash(&mut h);
    format!("$sandbox${:016x}", h.finish())
}

fn bad(reason: impl Into<String>) -> KratosError {
    KratosError::bad_request(reason)
}

/// Go's decoder words for a body it refuses: in `message`, no reason.
fn go_decoder(text: String) -> KratosError {
    KratosError::bad_request_message(text)
}

fn config_of<'a>(kind: &str, body: &'a Value) -> KResult<&'a Map<String, Value>> {
    static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    let obj = match body {
        Value::Null => return Ok(&EMPTY),
        Value::Object(m) => m,
        other => {
            return Err(go_decoder(format!(
                "json: cannot unmarshal {} into Go struct field CreateIdentityBody.credentials.{kind} of type *identity.AdminIdentityImportCredentials",
                super::json_patch_go::go_kind(other)
            )));
        }
    };
    if let Some(k) = obj.keys().find(|k| *k != "config") {
        return Err(go_decoder(format!("json: unknown field \"{k}\"")));
    }
    match obj.get("config") {
        None | Some(Value::Null) => Ok(&EMPTY),
        Some(Value::Object(m)) => Ok(m),
        Some(other) => Err(go_decoder(format!(
            "json: cannot unmarshal {} into Go struct field CreateIdentityBody.credentials.{kind}.config of type identity.AdminIdentityImportCredentialsConfig",
            super::json_patch_go::go_kind(other)
        ))),
    }
}

fn str_field<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// An empty credential of `kind`, as import and schema derivation start one.
pub(super) fn new_credential(kind: &str, now: DateTime<Utc>) -> Credential {
    Credential {
        kind: kind.to_owned(),
        identifiers: Vec::new(),
        config: json!({}),
        version: 0,
        created_at: now,
        updated_at: now,
    }
}

/// PUT's credentials: v1.3.1's lenient decoder knows only `password` and `oidc` and drops the
/// other types; the current API imports them as POST does.
pub fn import_update(
    identity: &mut Identity,
    creds: &Map<String, Value>,
    now: DateTime<Utc>,
    version: KratosVersion,
) -> KResult<()> {
    if version.is_v1_3_1() {
        let known: Map<String, Value> = creds
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "password" | "oidc"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        return import(identity, &known, now);
    }
    import(identity, creds, now)
}

/// Apply imported credentials. `merge` is PUT's per-type merge; POST starts from nothing.
pub fn import(
    identity: &mut Identity,
    creds: &Map<String, Value>,
    now: DateTime<Utc>,
) -> KResult<()> {
    for (kind, body) in creds {
        let cfg = config_of(kind, body)?;
        let entry = identity
            .credentials
            .entry(kind.clone())
            .or_insert_with(|| new_credential(kind, now));
        entry.updated_at = now;
        match kind.as_str() {
            "password" => {
                // Kratos's order: the migration hook wins, then a cleartext password (hashed
                // by the server, any hash beside it ignored), then the hash.
                let config = if cfg.get("use_password_migration_hook") == Some(&json!(true)) {
                    json!({ "use_password_migration_hook": true })
                } else if let Some(pw) = str_field(cfg, "password") {
                    json!({ "hashed_password": fingerprint(pw) })
                } else if let Some(hash) = str_field(cfg, "hashed_password") {
                    if hash_format(hash).is_none() {
                        return Err(bad(
                            "The imported password does not match any known hash format. For more information see https://www.ory.sh/dr/2",
                        ));
                    }
                    json!({ "hashed_password": hash })
                } else {
                    json!({})
                };
                entry.config = config;
            }
            "oidc" | "saml" => {
                let providers = cfg
                    .get("providers")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let mut stored = entry
                    .config
                    .get("providers")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for p in providers {
                    // Kratos checks neither: a link without a subject is stored as
                    // `provider:`, as v1.3.1 does.
                    let provider = p.get("provider").and_then(Value::as_str).unwrap_or("");
                    let subject = p.get("subject").and_then(Value::as_str).unwrap_or("");
                    let mut m = Map::new();
                    m.insert("subject".into(), json!(subject));
                    m.insert("provider".into(), json!(provider));
                    if kind == "oidc" {
                        m.insert("initial_id_token".into(), json!(""));
                        m.insert("initial_access_token".into(), json!(""));
                        m.insert("initial_refresh_token".into(), json!(""));
                    }
                    if let Some(org) = p.get("organization").filter(|o| !o.is_null()) {
                        m.insert("organization".into(), org.clone());
                    }
                    if kind == "oidc"
                        && let Some(auto) = p.get("use_auto_link").and_then(Value::as_bool)
                    {
                        m.insert("use_auto_link".into(), json!(auto));
                    }
                    let ident = format!("{provider}:{subject}");
                    if !entry.identifiers.contains(&ident) {
                        entry.identifiers.push(ident);
                        stored.push(Value::Object(m));
                    }
                }
                entry.config = json!({ "providers": stored });
            }
            "totp" => {
                let url = str_field(cfg, "totp_url")
                    .ok_or_else(|| bad("credentials.totp.config.totp_url is required"))?;
                entry.config = json!({ "totp_url": url });
                entry.identifiers = vec![identity.id.to_string()];
            }
            "lookup_secret" => {
                let mut codes = entry
                    .config
                    .get("recovery_codes")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for c in cfg
                    .get("codes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    match c {
                        Value::String(code) => codes.push(json!({ "code": code })),
                        Value::Object(_) => codes.push(c.clone()),
                        _ => return Err(bad("credentials.lookup_secret.config.codes[] invalid")),
                    }
                }
                entry.config = json!({ "recovery_codes": codes });
                entry.identifiers = vec![identity.id.to_string()];
            }
            "webauthn" | "passkey" => {
                let mut stored = entry
                    .config
                    .get("credentials")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for c in cfg
                    .get("credentials")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let id = c.get("id");
                    match stored
                        .iter_mut()
                        .find(|s| s.get("id") == id && id.is_some())
                    {
                        Some(s) => *s = c.clone(),
                        None => stored.push(c.clone()),
                    }
                }
                let handle = str_field(cfg, "user_handle")
                    .map(str::to_owned)
                    .or_else(|| {
                        entry
                            .config
                            .get("user_handle")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    });
                if let Some(h) = &handle
                    && !entry.identifiers.contains(h)
                {
                    entry.identifiers.push(h.clone());
                }
                entry.config = json!({ "credentials": stored, "user_handle": handle });
            }
            other => {
                identity.credentials.remove(other);
                return Err(go_decoder(format!("json: unknown field \"{other}\"")));
            }
        }
    }
    Ok(())
}

/// First factors per Kratos: a password with identifiers and a hash (or the migration hook),
/// every OIDC link not tied to an organization, every SAML link, every passkey and every
/// passwordless WebAuthn key (of a credential with identifiers).
fn first_factor_count(identity: &Identity) -> usize {
    let mut n = 0;
    if let Some(p) = identity.credentials.get("password") {
        let hashed = p
            .config
            .get("hashed_password")
            .and_then(Value::as_str)
            .is_some_and(|h| !h.is_empty());
        let hook = p.config.get("use_password_migration_hook") == Some(&json!(true));
        if !p.identifiers.is_empty() && (hashed || hook) {
            n += 1;
        }
    }
    for kind in ["oidc", "saml"] {
        if let Some(c) = identity.credentials.get(kind) {
            n += c
                .config
                .get("providers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|p| {
                    kind == "saml"
                        || p.get("organization")
                            .and_then(Value::as_str)
                            .is_none_or(str::is_empty)
                })
                .count();
        }
    }
    let keys = |kind: &str| {
        identity
            .credentials
            .get(kind)
            .filter(|c| !c.identifiers.is_empty())
            .and_then(|c| {
                c.config
                    .get("credentials")
                    .and_then(Value::as_array)
                    .cloned()
            })
            .unwrap_or_default()
    };
    n += keys("passkey").len();
    n += keys("webauthn")
        .iter()
        .filter(|k| k.get("is_passwordless") == Some(&json!(true)))
        .count();
    n
}

/// `DELETE /admin/identities/{id}/credentials/{type}`: mutate `identity` per the rules table.
pub fn delete(
    identity: &mut Identity,
    kind: &str,
    identifier: Option<&str>,
    now: DateTime<Utc>,
    version: KratosVersion,
) -> KResult<()> {
    let Some(cred) = identity.credentials.get(kind) else {
        return Err(KratosError::not_found(format!(
            "You tried to remove a {kind} but this user have no {kind} set up."
        )));
    };
    if version.is_v1_3_1() {
        return delete_v1_3_1(identity, kind, identifier, now);
    }
    let last_factor = || bad("You cannot remove the last first factor credential.");
    match kind {
        "lookup_secret" | "totp" => {
            identity.credentials.remove(kind);
        }
        "webauthn" => {
            let keep: Vec<Value> = cred
                .config
                .get("credentials")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|c| c.get("is_passwordless") == Some(&json!(true)))
                .cloned()
                .collect();
            if keep.is_empty() {
                identity.credentials.remove(kind);
            } else if let Some(c) = identity.credentials.get_mut(kind) {
                c.config["credentials"] = Value::Array(keep);
                c.updated_at = now;
            }
        }
        "password" => {
            if first_factor_count(identity) < 2 {
                return Err(last_factor());
            }
            if let Some(c) = identity.credentials.get_mut(kind) {
                c.config = json!({});
                c.updated_at = now;
            }
        }
        "oidc" | "saml" => {
            let Some(ident) = identifier.filter(|i| !i.is_empty()) else {
                return Err(bad(
                    "You must provide an identifier to delete this credential.",
                ));
            };
            let label = if kind == "oidc" { "OIDC" } else { "SAML" };
            if !cred.identifiers.iter().any(|i| i == ident) {
                return Err(KratosError::not_found(format!(
                    "The identifier `{ident}` was not found among {label} credentials."
                )));
            }
            if first_factor_count(identity) < 2 {
                return Err(last_factor());
            }
            let Some(c) = identity.credentials.get_mut(kind) else {
                return Err(KratosError::not_found_db());
            };
            c.identifiers.retain(|i| i != ident);
            if let Some(ps) = c.config.get_mut("providers").and_then(Value::as_array_mut) {
                ps.retain(|p| {
                    let pid = format!(
                        "{}:{}",
                        p.get("provider").and_then(Value::as_str).unwrap_or(""),
                        p.get("subject").and_then(Value::as_str).unwrap_or("")
                    );
                    pid != ident
                });
            }
            c.updated_at = now;
            if c.identifiers.is_empty() {
                identity.credentials.remove(kind);
            }
        }
        "deviceauthn" => {
            let Some(ident) = identifier.filter(|i| !i.is_empty()) else {
                return Err(bad(
                    "You must provide an identifier to delete this credential.",
                ));
            };
            let Some(c) = identity.credentials.get_mut(kind) else {
                return Err(KratosError::not_found_db());
            };
            let before = c.identifiers.len();
            c.identifiers.retain(|i| i != ident);
            if c.identifiers.len() == before {
                return Err(KratosError::not_found(format!(
                    "The identifier `{ident}` was not found among deviceauthn credentials."
                )));
            }
            if let Some(keys) = c.config.get_mut("keys").and_then(Value::as_array_mut) {
                keys.retain(|k| k.get("client_key_id").and_then(Value::as_str) != Some(ident));
            }
            c.updated_at = now;
            if c.identifiers.is_empty() {
                identity.credentials.remove(kind);
            }
        }
        other => {
            return Err(bad(format!("Credentials type {other} cannot be deleted.")));
        }
    }
    identity.updated_at = now;
    Ok(())
}

/// v1.3.1's rules: lookup secrets and TOTP go, WebAuthn keeps its passwordless keys, any OIDC
/// link goes (no first-factor count), a password or code is never deleted, and every other
/// stored type is unknown to it.
fn delete_v1_3_1(
    identity: &mut Identity,
    kind: &str,
    identifier: Option<&str>,
    now: DateTime<Utc>,
) -> KResult<()> {
    // v1.3.1 never bumps an identity's `updated_at` on an update.
    let updated_at = identity.updated_at;
    match kind {
        "lookup_secret" | "totp" | "webauthn" => {
            delete(identity, kind, identifier, now, KratosVersion::Latest)?;
            identity.updated_at = updated_at;
            return Ok(());
        }
        "password" | "code" => {
            return Err(bad("You cannot remove first factor credentials."));
        }
        "oidc" => {
            let Some(ident) = identifier.filter(|i| !i.is_empty()) else {
                return Err(bad(
                    "You must provide an identifier to delete this credential.",
                ));
            };
            let Some(c) = identity.credentials.get_mut(kind) else {
                return Err(KratosError::not_found_db());
            };
            let providers: Vec<Value> = c
                .config
                .get("providers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let id_of = |p: &Value| {
                format!(
                    "{}:{}",
                    p.get("provider").and_then(Value::as_str).unwrap_or(""),
                    p.get("subject").and_then(Value::as_str).unwrap_or("")
                )
            };
            let (gone, kept): (Vec<Value>, Vec<Value>) =
                providers.into_iter().partition(|p| id_of(p) == ident);
            if gone.is_empty() {
                return Err(KratosError::not_found(format!(
                    "The identifier `{ident}` was not found among OIDC credentials."
                )));
            }
            // The credential stays, even with no link left: v1.3.1 then stores a null list,
            // which it reads back as one blank provider.
            c.identifiers = kept.iter().map(id_of).collect();
            c.config = if kept.is_empty() {
                json!({"providers": [{
                    "initial_id_token": "", "initial_access_token": "",
                    "initial_refresh_token": "", "subject": "", "provider": "",
                    "organization": ""
                }]})
            } else {
                json!({ "providers": kept })
            };
            c.updated_at = now;
        }
        other => {
            return Err(bad(format!("Unknown credentials type {other}.")));
        }
    }
    Ok(())
}
