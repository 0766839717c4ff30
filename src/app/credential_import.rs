//! Credentials imported with a new identity (`n`) or a whole-identity edit (`e`): the
//! `"credentials"` object of the body Kratos takes, checked here the way Kratos checks it so
//! a mistake stays in the editor instead of costing a round trip. JSON has no comments, so
//! the examples are help lines under the text, never part of it. What a release imports (and
//! the examples shown) is its `version::Rules`: v1.3.1 takes only `password` and `oidc`.

use serde_json::{Map, Value};

use crate::app::provider::kratos::version::Rules;

/// The name of the hash format Kratos recognises `hash` as (its `hash.IsValidHashFormat`
/// patterns), or `None` when it would answer 400 `The imported password does not match any
/// known hash format.`
pub fn hash_format(hash: &str) -> Option<&'static str> {
    let after = |prefix: &str| hash.strip_prefix(prefix);
    let digits_then_dollar = |rest: &str, max: usize| {
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        (1..=max).contains(&n) && rest[n..].starts_with('$')
    };
    if hash.starts_with("$md5-crypt$") {
        return Some("md5-crypt");
    }
    if ["$2$", "$2a$", "$2b$", "$2y$", "$2z$"]
        .iter()
        .any(|p| hash.starts_with(p))
    {
        return Some("bcrypt");
    }
    if hash.starts_with("$sha256-crypt$") {
        return Some("sha256-crypt");
    }
    if hash.starts_with("$sha512-crypt$") {
        return Some("sha512-crypt");
    }
    if hash.starts_with("$argon2id$") {
        return Some("argon2id");
    }
    if hash.starts_with("$argon2i$") {
        return Some("argon2i");
    }
    if after("$pbkdf2-sha").is_some_and(|r| digits_then_dollar(r, 3)) {
        return Some("pbkdf2");
    }
    if hash.starts_with("$scrypt$") {
        return Some("scrypt");
    }
    if ["{SSHA}", "{SSHA256}", "{SSHA512}"]
        .iter()
        .any(|p| hash.starts_with(p))
    {
        return Some("ssha");
    }
    if ["$sha1$", "$sha256$", "$sha512$"]
        .iter()
        .any(|p| hash.starts_with(p))
    {
        return Some("sha");
    }
    if hash.starts_with("$firescrypt$") {
        return Some("firebase-scrypt");
    }
    if hash.starts_with("$md5$") {
        return Some("md5");
    }
    let hmac = ["md4", "md5", "sha1", "sha224", "sha256", "sha384", "sha512"];
    if after("$hmac-").is_some_and(|r| {
        hmac.iter()
            .any(|h| r.strip_prefix(h).is_some_and(|t| t.starts_with('$')))
    }) {
        return Some("hmac");
    }
    None
}

fn object<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{at} must be an object"))
}

fn only_keys(m: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), String> {
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{at}.{k} is not something Kratos imports (it takes {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn text<'a>(m: &'a Map<String, Value>, key: &str, at: &str) -> Result<Option<&'a str>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{at}.{key} must be a string")),
    }
}

fn password(cfg: &Map<String, Value>) -> Result<(), String> {
    let at = "credentials.password.config";
    only_keys(
        cfg,
        &["password", "hashed_password", "use_password_migration_hook"],
        at,
    )?;
    let clear = text(cfg, "password", at)?;
    let hashed = text(cfg, "hashed_password", at)?;
    let hook = match cfg.get("use_password_migration_hook") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(format!(
                "{at}.use_password_migration_hook must be true or false"
            ));
        }
    };
    match (clear, hashed, hook) {
        (Some(_), Some(_), _) => Err(format!(
            "{at}: give password (cleartext, Kratos hashes it) or hashed_password, not both"
        )),
        (Some(""), None, false) => Err(format!("{at}.password is empty")),
        (None, Some(h), false) if hash_format(h).is_none() => Err(format!(
            "{at}.hashed_password is not a hash format Kratos accepts (bcrypt $2b$…, argon2 \
             $argon2id$…, pbkdf2 $pbkdf2-sha256$…, scrypt $scrypt$…, $firescrypt$…, $md5$…, \
             $md5-crypt$…, $sha256$…, $sha512-crypt$…, {{SSHA}}…, $hmac-sha256$…)"
        )),
        (None, None, false) => Err(format!(
            "{at} needs password (cleartext), hashed_password or use_password_migration_hook"
        )),
        _ => Ok(()),
    }
}

fn links(kind: &str, cfg: &Map<String, Value>, rules: &Rules) -> Result<(), String> {
    let at = format!("credentials.{kind}.config");
    only_keys(cfg, &["providers"], &at)?;
    let Some(Value::Array(providers)) = cfg.get("providers") else {
        return Err(format!(
            "{at}.providers must be a list of {{provider, subject}}"
        ));
    };
    if providers.is_empty() {
        return Err(format!(
            "{at}.providers is empty: add a provider and subject"
        ));
    }
    let mut seen = Vec::new();
    for (i, p) in providers.iter().enumerate() {
        let at = format!("{at}.providers[{i}]");
        let p = object(p, &at)?;
        let allowed: &[&str] = if kind == "oidc" {
            rules.oidc_provider_keys
        } else {
            &["provider", "subject", "organization"]
        };
        only_keys(p, allowed, &at)?;
        let provider = text(p, "provider", &at)?.unwrap_or_default();
        let subject = text(p, "subject", &at)?.unwrap_or_default();
        if provider.trim().is_empty() || subject.trim().is_empty() {
            return Err(format!("{at} needs a provider and a subject"));
        }
        if let Some(org) = text(p, "organization", &at)?
            && uuid::Uuid::parse_str(org).is_err()
        {
            return Err(format!("{at}.organization must be a UUID"));
        }
        if !matches!(p.get("use_auto_link"), None | Some(Value::Bool(_))) {
            return Err(format!("{at}.use_auto_link must be true or false"));
        }
        let id = format!("{provider}:{subject}");
        if seen.contains(&id) {
            return Err(format!("{at}: {id} is listed twice"));
        }
        seen.push(id);
    }
    Ok(())
}

/// Check the `credentials` of an identity body before it is sent to a server of `rules`:
/// `Err` says what is wrong, naming where.
pub fn check(body: &Value, rules: &Rules) -> Result<(), String> {
    let Some(creds) = body.get("credentials").filter(|c| !c.is_null()) else {
        return Ok(());
    };
    let creds = object(creds, "credentials")?;
    for (kind, c) in creds {
        if !rules.importable.contains(&kind.as_str()) {
            return Err(format!(
                "credentials.{kind}: {} imports {}",
                rules.name,
                rules.importable.join(", ")
            ));
        }
        let at = format!("credentials.{kind}");
        let c = object(c, &at)?;
        only_keys(c, &["config"], &at)?;
        let cfg = object(
            c.get("config")
                .ok_or_else(|| format!("{at} needs a \"config\""))?,
            &format!("{at}.config"),
        )?;
        match kind.as_str() {
            "password" => password(cfg)?,
            "oidc" | "saml" => links(kind, cfg, rules)?,
            // The rest go as written; the server's answer says what it thinks of them.
            _ => {}
        }
    }
    Ok(())
}

/// Whether the body imports anything.
pub fn imports(body: &Value) -> bool {
    body.get("credentials")
        .and_then(Value::as_object)
        .is_some_and(|c| !c.is_empty())
}

/// Drop an empty `"credentials": {}` (the template's), so it is neither sent nor a change.
pub fn strip_empty(body: &mut Value) {
    if let Some(obj) = body.as_object_mut()
        && obj
            .get("credentials")
            .is_some_and(|c| c.is_null() || c.as_object().is_some_and(Map::is_empty))
    {
        obj.remove("credentials");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::provider::kratos::version::{NEWEST, V1};
    use serde_json::json;

    #[test]
    fn hash_formats_follow_kratos_patterns() {
        for (hash, name) in [
            (
                "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
                "bcrypt",
            ),
            ("$2y$10$x", "bcrypt"),
            ("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "argon2id"),
            ("$argon2i$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "argon2i"),
            ("$pbkdf2-sha256$i=1000,l=32$c2FsdA$aGFzaA", "pbkdf2"),
            ("$scrypt$ln=16384,r=8,p=1$c2FsdA$aGFzaA", "scrypt"),
            (
                "$firescrypt$ln=14,r=8,p=1$c2FsdA$aGFzaA$c2VwYQ$c2lnbmVy",
                "firebase-scrypt",
            ),
            ("$md5$aGFzaA", "md5"),
            ("$md5-crypt$x$y", "md5-crypt"),
            ("$sha256$aGFzaA", "sha"),
            ("$sha512-crypt$x", "sha512-crypt"),
            ("{SSHA256}aGFzaHNhbHQ=", "ssha"),
            ("$hmac-sha256$aGFzaA$a2V5", "hmac"),
        ] {
            assert_eq!(hash_format(hash), Some(name), "{hash}");
        }
        for hash in [
            "plain",
            "$2x$10$x",
            "$pbkdf2-sha$x",
            "$hmac-sha3$x",
            "$sha384$x",
            "",
        ] {
            assert_eq!(hash_format(hash), None, "{hash}");
        }
    }

    #[test]
    fn a_bad_import_says_where_and_a_good_one_passes() {
        let err = |creds: Value| check(&json!({"credentials": creds}), &NEWEST).unwrap_err();
        assert!(
            err(json!({"password": {"config": {"hashed_password": "hunter2"}}}))
                .contains("hashed_password is not a hash format Kratos accepts")
        );
        assert!(
            err(json!({"password": {"config": {"password": "a", "hashed_password": "$2b$x"}}}))
                .contains("not both")
        );
        assert!(
            err(json!({"oidc": {"config": {"providers": [{"provider": "google"}]}}}))
                .contains("providers[0] needs a provider and a subject")
        );
        assert!(
            err(json!({"oidc": {"config": {"providers": [
            {"provider": "g", "subject": "1"}, {"provider": "g", "subject": "1"}]}}}))
            .contains("g:1 is listed twice")
        );
        assert!(err(json!({"github": {"config": {}}})).contains("Kratos imports password"));
        assert!(err(json!({"password": {"hashed_password": "$2b$x"}})).contains("not something"));
        assert!(
            check(
                &json!({"credentials": {
                    "password": {"config": {"hashed_password": "$2b$12$abc"}},
                    "saml": {"config": {"providers": [{"provider": "acme", "subject": "jo@acme"}]}}
                }}),
                &NEWEST
            )
            .is_ok()
        );
        assert!(check(&json!({"traits": {}}), &NEWEST).is_ok());
        let mut body = json!({"traits": {}, "credentials": {}});
        strip_empty(&mut body);
        assert_eq!(body, json!({"traits": {}}));
    }

    #[test]
    fn kratos_v1_imports_only_passwords_and_oidc_links() {
        let body = |creds: Value| json!({"traits": {}, "credentials": creds});
        for kind in ["saml", "totp", "lookup_secret", "webauthn", "passkey"] {
            let why = check(&body(json!({kind: {"config": {}}})), &V1).unwrap_err();
            assert_eq!(
                why,
                format!("credentials.{kind}: Kratos v1.x imports password, oidc")
            );
            assert!(!why.contains("v1.x imports password, oidc, "));
        }
        let totp = body(json!({"totp": {"config": {"totp_url": "otpauth://totp/x"}}}));
        assert!(check(&totp, &NEWEST).is_ok());
        // Its oidc import takes a provider and a subject, nothing more.
        let linked = |extra: Value| {
            let mut p = json!({"provider": "google", "subject": "1"});
            p.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body(json!({"oidc": {"config": {"providers": [p]}}}))
        };
        assert!(check(&linked(json!({})), &V1).is_ok());
        let auto = linked(json!({"use_auto_link": true}));
        assert!(check(&auto, &NEWEST).is_ok());
        let why = check(&auto, &V1).unwrap_err();
        assert!(why.contains("use_auto_link is not something"), "{why}");
        let pw = body(json!({"password": {"config": {"password": "s3cret!"}}}));
        assert!(check(&pw, &V1).is_ok());
    }
}
