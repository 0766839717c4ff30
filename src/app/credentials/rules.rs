//! The rules of Kratos' `DELETE /admin/identities/{id}/credentials/{type}`, judged on an
//! identity's credentials without the dashboard's state: which credential an id names, what
//! deleting it will do on the server (or why the server would refuse), and whether a re-read
//! shows it gone. Which types a release deletes, and how, is its `version::Rules` (v1.3.1
//! refuses every password delete; newer releases count first factors).

use serde_json::Value;

use crate::app::provider::kratos::version::{DeleteRule, Rules};

/// Types whose config the delete rules read (first factors and WebAuthn keys). Not `saml`:
/// Kratos v1.3.1 answers 400 to `include_credential=saml`, and SAML links count by their
/// identifiers alone.
pub const RULE_TYPES: &[&str] = &["password", "oidc", "webauthn", "passkey"];

/// The types whose config the read behind a delete of `kind` asks for: the first factors
/// every plan counts, and the type itself when what its prompt says is in its own config
/// (recovery codes: without it, a prompt would count none). Not every type: a TOTP seed is
/// not worth fetching to say the credential goes.
pub fn config_types(kind: &str) -> Vec<&'static str> {
    let mut types = RULE_TYPES.to_vec();
    if kind == "lookup_secret" {
        types.push("lookup_secret");
    }
    types
}

/// Types whose rows are one per identifier (a provider link, a device key), deleted one at a
/// time with the `identifier` query parameter.
pub fn per_identifier(kind: &str) -> bool {
    matches!(kind, "oidc" | "saml" | "deviceauthn")
}

/// One credential of one identity, or one link of a per-identifier type. Its id (a row id, a
/// detail id, what a re-read fetches) is `IDENTITY/TYPE` or `IDENTITY/TYPE/IDENTIFIER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRef {
    pub identity: String,
    pub kind: String,
    pub identifier: Option<String>,
}

/// The `kind` of the read that brings every credential of an identity with the configs the
/// delete rules need: `IDENTITY/*/TYPE` before deleting its TYPE credential (see
/// [`config_types`]).
pub const ALL: &str = "*";

impl CredentialRef {
    pub fn new(identity: &str, kind: &str, identifier: Option<&str>) -> CredentialRef {
        CredentialRef {
            identity: identity.to_string(),
            kind: kind.to_string(),
            identifier: identifier.map(str::to_string),
        }
    }

    /// The read of every credential of this one's identity that a delete of it is judged on
    /// (see [`ALL`]).
    pub fn delete_check(&self) -> CredentialRef {
        CredentialRef::new(&self.identity, ALL, Some(&self.kind))
    }

    pub fn id(&self) -> String {
        match &self.identifier {
            Some(i) => format!("{}/{}/{i}", self.identity, self.kind),
            None => format!("{}/{}", self.identity, self.kind),
        }
    }

    /// An identifier may hold `/` (a SAML subject can), so only the first two split.
    pub fn parse(id: &str) -> Option<CredentialRef> {
        let mut parts = id.splitn(3, '/');
        let identity = parts.next().filter(|s| !s.is_empty())?;
        let kind = parts.next().filter(|s| !s.is_empty())?;
        let identifier = parts.next().filter(|s| !s.is_empty());
        Some(CredentialRef::new(identity, kind, identifier))
    }

    /// How people name it: `the TOTP credential`, `the oidc link google:1234`.
    pub fn label(&self) -> String {
        match (&self.identifier, self.kind.as_str()) {
            (Some(i), "deviceauthn") => format!("device key {i}"),
            (Some(i), kind) => format!("{kind} link {i}"),
            (None, "totp") => "TOTP second factor".into(),
            (None, "lookup_secret") => "recovery codes (lookup_secret)".into(),
            (None, "webauthn") => "WebAuthn security keys".into(),
            (None, kind) => format!("{kind} credential"),
        }
    }
}

fn config<'a>(creds: &'a Value, kind: &str) -> Option<&'a Value> {
    creds.get(kind)?.get("config")
}

fn identifiers(creds: &Value, kind: &str) -> Vec<String> {
    creds
        .get(kind)
        .and_then(|c| c.get("identifiers"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn array<'a>(v: Option<&'a Value>, key: &str) -> &'a [Value] {
    v.and_then(|c| c.get(key))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn non_empty(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| !s.is_empty())
}

/// Whether a password credential holds something to sign in with.
fn password_set(creds: &Value) -> bool {
    let cfg = config(creds, "password");
    non_empty(cfg.and_then(|c| c.get("hashed_password")))
        || cfg.and_then(|c| c.get("use_password_migration_hook")) == Some(&Value::Bool(true))
}

fn passwordless(key: &Value) -> bool {
    key.get("is_passwordless") == Some(&Value::Bool(true))
}

/// The first factors Kratos counts before it lets a password or a link go, each named: a
/// password with identifiers and a hash (or the migration hook), each OIDC link not tied to
/// an organization, each SAML link, each passkey and each passwordless WebAuthn key. (A
/// server with passwordless code login on counts one more for everybody; it may then allow
/// what is refused here, and `r` plus the server's own answer tell.)
pub fn first_factors(creds: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if !identifiers(creds, "password").is_empty() && password_set(creds) {
        out.push("password".to_string());
    }
    for kind in ["oidc", "saml"] {
        let providers = array(config(creds, kind), "providers");
        for id in identifiers(creds, kind) {
            let Some((provider, subject)) = id.split_once(':') else {
                continue;
            };
            let entry = providers.iter().find(|p| {
                p.get("provider").and_then(Value::as_str) == Some(provider)
                    && p.get("subject").and_then(Value::as_str) == Some(subject)
            });
            // Without its config (not asked for) a link counts by its identifier.
            let counts = match entry {
                Some(p) => kind == "saml" || !non_empty(p.get("organization")),
                None => config(creds, kind).is_none(),
            };
            if counts && !provider.is_empty() && !subject.is_empty() {
                out.push(format!("{kind} {id}"));
            }
        }
    }
    if !identifiers(creds, "passkey").is_empty() {
        let n = array(config(creds, "passkey"), "credentials").len();
        out.extend((0..n).map(|i| format!("passkey {}", i + 1)));
    }
    if !identifiers(creds, "webauthn").is_empty() {
        let keys = array(config(creds, "webauthn"), "credentials");
        let n = keys.iter().filter(|k| passwordless(k)).count();
        out.extend((0..n).map(|i| format!("passwordless WebAuthn key {}", i + 1)));
    }
    out
}

/// What deleting `target` will do on a server of `rules`, judged on `creds` (the identity's
/// credentials with the configs of [`config_types`]): `Ok` says what the server will do,
/// `Err` quotes why it would refuse.
pub fn plan(creds: &Value, target: &CredentialRef, rules: &Rules) -> Result<String, String> {
    let kind = target.kind.as_str();
    if let Some(why) = rules.delete_refused(kind) {
        return Err(why);
    }
    if creds.get(kind).is_none() {
        return Err(format!(
            "You tried to remove a {kind} but this user have no {kind} set up."
        ));
    }
    let factors = first_factors(creds);
    let last_factor = || {
        Err(format!(
            "You cannot remove the last first factor credential. It signs in only with: {}.",
            if factors.is_empty() {
                "nothing".to_string()
            } else {
                factors.join(", ")
            }
        ))
    };
    match rules.delete_rule(kind) {
        Some(DeleteRule::Deleted) => deleted_whole(creds, kind),
        Some(DeleteRule::KeepsAnotherFirstFactor) => {
            if !password_set(creds) {
                return Err(
                    "Nothing would be deleted: this password credential holds no \
                            password (its identifiers come from the traits)."
                        .into(),
                );
            }
            if factors.len() < 2 {
                return last_factor();
            }
            Ok(format!(
                "Kratos clears the password hash (the row stays: its identifiers come from the \
                 traits). Left to sign in with: {}.",
                others(&factors, "password")
            ))
        }
        Some(DeleteRule::Link { counted }) => {
            // Kratos counts first factors before it looks at the identifier.
            if counted && factors.len() < 2 {
                return last_factor();
            }
            let Some(ident) = &target.identifier else {
                return Err("You must provide an identifier to delete this credential.".into());
            };
            if !identifiers(creds, kind).contains(ident) {
                return Err(format!(
                    "The identifier `{ident}` was not found among OIDC credentials."
                ));
            }
            let left = others(&factors, &format!("{kind} {ident}"));
            let left = match (counted, left.is_empty()) {
                (false, true) => "This Kratos does not check what is left: nothing else signs \
                                  in to this identity."
                    .to_string(),
                _ => format!("Left to sign in with: {left}."),
            };
            Ok(format!(
                "Kratos removes only this {kind} link; the identity keeps its other \
                 credentials. {left}"
            ))
        }
        Some(DeleteRule::DeviceKey) => match &target.identifier {
            Some(key) => Ok(format!("Kratos revokes device key {key} only.")),
            None => Err("You must provide an identifier to delete this credential.".into()),
        },
        // `delete_refused` said so above.
        Some(DeleteRule::Refused(why)) => Err(why.to_string()),
        None => Err(format!("Credentials type {kind} cannot be deleted.")),
    }
}

/// What deleting a second-factor type does (the whole TOTP credential, every recovery code,
/// the WebAuthn keys that are not passwordless).
fn deleted_whole(creds: &Value, kind: &str) -> Result<String, String> {
    match kind {
        "totp" => Ok(
            "Kratos deletes the whole TOTP credential: the authenticator app no \
                      longer works as a second factor."
                .into(),
        ),
        "lookup_secret" => {
            let codes = array(config(creds, kind), "recovery_codes");
            let used = codes.iter().filter(|c| non_empty(c.get("used_at"))).count();
            Ok(format!(
                "Kratos deletes all {} recovery codes ({used} used).",
                codes.len()
            ))
        }
        "webauthn" => {
            let keys = array(config(creds, kind), "credentials");
            let stay = keys.iter().filter(|k| passwordless(k)).count();
            let go = keys.len() - stay;
            match (go, stay) {
                (0, 0) => Ok("Kratos deletes the WebAuthn credential (it holds no key).".into()),
                (0, _) => Err(format!(
                    "Nothing would be deleted: its {stay} WebAuthn key(s) are passwordless \
                     (passkeys), which Kratos does not delete through this API."
                )),
                (go, 0) => Ok(format!(
                    "Kratos deletes the {go} WebAuthn security key(s) used as a second factor."
                )),
                (go, stay) => Ok(format!(
                    "Kratos deletes the {go} WebAuthn key(s) used as a second factor; the {stay} \
                     passwordless key(s) stay."
                )),
            }
        }
        other => Ok(format!("Kratos deletes the {other} credential.")),
    }
}

fn others(factors: &[String], gone: &str) -> String {
    let left: Vec<&str> = factors
        .iter()
        .map(String::as_str)
        .filter(|f| *f != gone)
        .collect();
    left.join(", ")
}

/// Whether a re-read of `target` (the credential with its config, or `None` when it is gone)
/// shows the delete applied.
pub fn deleted(target: &CredentialRef, read: Option<&Value>) -> bool {
    let Some(c) = read else { return true };
    match target.kind.as_str() {
        // The password row stays with its identifiers; its hash goes.
        "password" => {
            let cfg = c.get("config");
            !non_empty(cfg.and_then(|c| c.get("hashed_password")))
                && cfg.and_then(|c| c.get("use_password_migration_hook"))
                    != Some(&Value::Bool(true))
        }
        "webauthn" => array(c.get("config"), "credentials")
            .iter()
            .all(passwordless),
        _ => false,
    }
}
