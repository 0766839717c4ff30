//! Kratos identities, credentials, sessions and schemas.

use serde_json::{Map, Value};

use super::fields::{obj, s, time};

#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub id: String,
    pub state: Option<String>,
    pub schema_id: Option<String>,
    pub traits: Value,
    pub metadata_public: Value,
    pub metadata_admin: Value,
    pub external_id: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// Sorted by type; empty when the list call did not ask for credentials.
    pub credentials: Vec<Credential>,
    pub raw: Value,
}

/// Fields the server computes or owns; a PUT body must not carry them.
const READ_ONLY_IDENTITY_FIELDS: &[&str] = &[
    "id",
    "schema_url",
    "state_changed_at",
    "created_at",
    "updated_at",
    "organization_id",
    "verifiable_addresses",
    "recovery_addresses",
    // Reads carry credentials without their config; PUT merges credentials per type and
    // replaces a password with what it is given, so echoing them back would wipe the hash.
    "credentials",
];

impl Identity {
    pub fn from_json(raw: Value) -> Self {
        let mut credentials: Vec<Credential> = raw
            .get("credentials")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(kind, c)| Credential::from_json(kind, c.clone()))
                    .collect()
            })
            .unwrap_or_default();
        credentials.sort_by(|a, b| a.kind.cmp(&b.kind));
        Self {
            id: s(&raw, "id").unwrap_or_default(),
            state: s(&raw, "state"),
            schema_id: s(&raw, "schema_id"),
            traits: obj(&raw, "traits"),
            metadata_public: obj(&raw, "metadata_public"),
            metadata_admin: obj(&raw, "metadata_admin"),
            external_id: s(&raw, "external_id").filter(|e| !e.is_empty()),
            created_at: time(&raw, "created_at"),
            updated_at: time(&raw, "updated_at"),
            credentials,
            raw,
        }
    }

    /// A PUT body from `raw`: unknown fields kept, server-owned ones removed. PUT clears
    /// `metadata_*` and `external_id` when absent, which is why the body starts from `raw`
    /// rather than from the typed fields.
    pub fn to_update_body(&self) -> Value {
        let mut body = match &self.raw {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        for key in READ_ONLY_IDENTITY_FIELDS {
            body.remove(*key);
        }
        body.entry("traits")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(schema) = &self.schema_id {
            body.entry("schema_id")
                .or_insert_with(|| Value::String(schema.clone()));
        }
        Value::Object(body)
    }

    /// The first credential identifier, else the first string trait; what a table shows as
    /// the name of an identity.
    pub fn display_identifier(&self) -> Option<&str> {
        self.credentials
            .iter()
            .flat_map(|c| c.identifiers.iter())
            .next()
            .map(String::as_str)
            .or_else(|| {
                let t = self.traits.as_object()?;
                ["email", "username", "phone"]
                    .iter()
                    .find_map(|k| t.get(*k)?.as_str())
                    .or_else(|| t.values().find_map(Value::as_str))
            })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Credential {
    /// The map key (`password`, `oidc`, …).
    pub kind: String,
    pub identifiers: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub raw: Value,
}

impl Credential {
    pub fn from_json(kind: &str, raw: Value) -> Self {
        Self {
            kind: kind.to_owned(),
            identifiers: strings(raw.get("identifiers")),
            created_at: time(&raw, "created_at"),
            updated_at: time(&raw, "updated_at"),
            raw,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub id: String,
    pub active: bool,
    pub expires_at: Option<String>,
    pub authenticated_at: Option<String>,
    pub aal: Option<String>,
    /// `authentication_methods[].method`.
    pub methods: Vec<String>,
    /// Empty when the server did not expand devices (it sends `[]` or `null`).
    pub devices: Vec<Device>,
    /// From the expanded `identity`, when present.
    pub identity_id: Option<String>,
    pub raw: Value,
}

impl Session {
    pub fn from_json(raw: Value) -> Self {
        Self {
            id: s(&raw, "id").unwrap_or_default(),
            active: raw.get("active").and_then(Value::as_bool).unwrap_or(false),
            expires_at: time(&raw, "expires_at"),
            authenticated_at: time(&raw, "authenticated_at"),
            aal: s(&raw, "authenticator_assurance_level"),
            methods: raw
                .get("authentication_methods")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|m| s(m, "method")).collect())
                .unwrap_or_default(),
            devices: raw
                .get("devices")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(Device::from_json).collect())
                .unwrap_or_default(),
            identity_id: raw.get("identity").and_then(|i| s(i, "id")),
            raw,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub location: Option<String>,
}

impl Device {
    pub fn from_json(raw: &Value) -> Self {
        Self {
            ip_address: s(raw, "ip_address"),
            user_agent: s(raw, "user_agent"),
            location: s(raw, "location"),
        }
    }
}

/// An identity schema as listed by `GET /schemas`.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub id: String,
    pub schema: Value,
}

impl Schema {
    pub fn from_json(raw: Value) -> Self {
        Self {
            id: s(&raw, "id").unwrap_or_default(),
            schema: obj(&raw, "schema"),
        }
    }
}

/// What `POST /admin/recovery/link` or `POST /admin/recovery/code` answers: a link (and a
/// code) to hand to the person, valid until `expires_at`. Both are secrets: `Debug` hides
/// them, so they cannot reach a log or a panic message by accident.
#[derive(Clone, PartialEq)]
pub struct Recovery {
    pub link: String,
    pub code: Option<String>,
    pub expires_at: Option<String>,
}

impl Recovery {
    pub fn from_json(raw: &Value) -> Self {
        Self {
            link: s(raw, "recovery_link").unwrap_or_default(),
            code: s(raw, "recovery_code"),
            expires_at: time(raw, "expires_at"),
        }
    }
}

impl std::fmt::Debug for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recovery")
            .field("link", &"<hidden>")
            .field("code", &self.code.as_ref().map(|_| "<hidden>"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Filters of `GET /admin/identities`. The server accepts only one of `ids`,
/// `credentials_identifier` and `preview_credentials_identifier_similar` at a time (400
/// otherwise); `include_credential` combines with any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentityFilter {
    pub credentials_identifier: Option<String>,
    pub ids: Vec<String>,
    pub include_credential: Vec<String>,
    pub preview_credentials_identifier_similar: Option<String>,
}

impl IdentityFilter {
    pub(crate) fn query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if let Some(c) = &self.credentials_identifier {
            q.push(("credentials_identifier".to_owned(), c.clone()));
        }
        if let Some(c) = &self.preview_credentials_identifier_similar {
            q.push((
                "preview_credentials_identifier_similar".to_owned(),
                c.clone(),
            ));
        }
        for id in &self.ids {
            q.push(("ids".to_owned(), id.clone()));
        }
        for c in &self.include_credential {
            q.push(("include_credential".to_owned(), c.clone()));
        }
        q
    }
}

pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// What a Kratos server says it is (`GET /version`: `{"version":"v1.3.1"}`). Ory Network
/// answers too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KratosVersion {
    /// As the server wrote it (`v1.3.1`, `v26.2.0`, `master`…).
    pub text: String,
    /// Its release number, when the text is one (`vMAJOR.MINOR.PATCH`, a leading `v` and a
    /// `-pre…`/`+build` tail allowed); `None` for anything else.
    pub release: Option<[u64; 3]>,
}

impl KratosVersion {
    /// The version in an answer, or `None` when the answer holds no `version` string.
    pub fn from_json(raw: &Value) -> Option<Self> {
        let text = raw.get("version")?.as_str()?.trim().to_owned();
        if text.is_empty() {
            return None;
        }
        let release = release_number(&text);
        Some(Self { text, release })
    }
}

/// `v1.3.1` → `[1, 3, 1]`; `None` unless three dot-separated numbers (after an optional `v`,
/// before an optional `-…` or `+…` tail).
fn release_number(text: &str) -> Option<[u64; 3]> {
    let bare = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let core = bare.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let mut out = [0u64; 3];
    for slot in &mut out {
        let part = parts.next()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_release_numbers_and_keeps_other_text() {
        let v = |s: &str| KratosVersion::from_json(&json!({ "version": s }));
        assert_eq!(v("v1.3.1").unwrap().release, Some([1, 3, 1]));
        assert_eq!(v("v26.2.0").unwrap().release, Some([26, 2, 0]));
        assert_eq!(v("1.3.1").unwrap().release, Some([1, 3, 1]));
        assert_eq!(v("v25.4.0-pre.1").unwrap().release, Some([25, 4, 0]));
        assert_eq!(v("v1.3.1+oryOS.9").unwrap().release, Some([1, 3, 1]));
        let master = v("master").unwrap();
        assert_eq!((master.text.as_str(), master.release), ("master", None));
        assert_eq!(v("v1.3").unwrap().release, None);
        assert_eq!(v("v1.3.1.4").unwrap().release, None);
        assert_eq!(v("v1.x.1").unwrap().release, None);
        assert_eq!(v(""), None);
        assert_eq!(KratosVersion::from_json(&json!({ "version": 1 })), None);
        assert_eq!(KratosVersion::from_json(&json!({ "status": "ok" })), None);
        assert_eq!(KratosVersion::from_json(&json!([])), None);
    }
}
