//! The stored identity and session and how they are rendered in the admin JSON view
//! (`api/kratos.md` §2, §2.3).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Postgres keeps microseconds, so the sandbox does too: a value written and read back (and a
/// session keyset token) stays byte-identical.
pub fn now() -> DateTime<Utc> {
    let n = Utc::now();
    DateTime::from_timestamp_micros(n.timestamp_micros()).unwrap_or(n)
}

/// Go's RFC3339Nano: fractional seconds with every trailing zero trimmed, `Z` suffix.
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    let s = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
    match (s.find('.'), s.strip_suffix('Z')) {
        (Some(dot), Some(body)) => {
            let frac = body[dot + 1..].trim_end_matches('0');
            if frac.is_empty() {
                format!("{}Z", &body[..dot])
            } else {
                format!("{}.{}Z", &body[..dot], frac)
            }
        }
        _ => s,
    }
}

pub fn schema_url(base: &str, schema_id: &str) -> String {
    format!("{base}/schemas/{}", URL_SAFE_NO_PAD.encode(schema_id))
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Credential {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub identifiers: Vec<String>,
    #[serde(default = "empty_object")]
    pub config: Value,
    #[serde(default)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn empty_object() -> Value {
    json!({})
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VerifiableAddress {
    pub id: Uuid,
    pub value: String,
    pub verified: bool,
    pub via: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecoveryAddress {
    pub id: Uuid,
    pub value: String,
    pub via: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything Kratos stores about an identity, credentials with their secrets included.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Identity {
    pub id: Uuid,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub credentials: BTreeMap<String, Credential>,
    pub schema_id: String,
    pub state: String,
    #[serde(default)]
    pub state_changed_at: Option<DateTime<Utc>>,
    pub traits: Value,
    #[serde(default)]
    pub verifiable_addresses: Vec<VerifiableAddress>,
    #[serde(default)]
    pub recovery_addresses: Vec<RecoveryAddress>,
    #[serde(default)]
    pub metadata_public: Value,
    #[serde(default)]
    pub metadata_admin: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub organization_id: Option<Uuid>,
}

/// Which credentials a rendered identity carries.
#[derive(Debug, Clone, Default)]
pub enum CredView {
    /// No `credentials` key at all (lists without credential filters, session identities).
    #[default]
    Omit,
    /// Every type, with `config` only for the listed types.
    Include(Vec<String>),
    /// Every type with its config: the document a JSON Patch is applied to.
    Full,
}

impl Identity {
    /// The admin JSON view, keys in Kratos' order.
    pub fn render(&self, base: &str, creds: &CredView) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        if let Some(ext) = self.external_id.as_deref().filter(|e| !e.is_empty()) {
            m.insert("external_id".into(), json!(ext));
        }
        let with_config: Option<&[String]> = match creds {
            CredView::Omit => None,
            CredView::Include(types) => Some(types),
            CredView::Full => Some(&[]),
        };
        if let Some(types) = with_config {
            let full = matches!(creds, CredView::Full);
            let mut cm = Map::new();
            for (k, c) in &self.credentials {
                let show = full || types.iter().any(|t| t == k);
                cm.insert(k.clone(), c.render(show));
            }
            m.insert("credentials".into(), Value::Object(cm));
        }
        m.insert("schema_id".into(), json!(self.schema_id));
        m.insert(
            "schema_url".into(),
            json!(schema_url(base, &self.schema_id)),
        );
        m.insert("state".into(), json!(self.state));
        if let Some(t) = &self.state_changed_at {
            m.insert("state_changed_at".into(), json!(rfc3339(t)));
        }
        m.insert("traits".into(), self.traits.clone());
        if !self.verifiable_addresses.is_empty() {
            let v: Vec<Value> = self
                .verifiable_addresses
                .iter()
                .map(|a| a.render())
                .collect();
            m.insert("verifiable_addresses".into(), Value::Array(v));
        }
        if !self.recovery_addresses.is_empty() {
            let v: Vec<Value> = self.recovery_addresses.iter().map(|a| a.render()).collect();
            m.insert("recovery_addresses".into(), Value::Array(v));
        }
        m.insert("metadata_public".into(), self.metadata_public.clone());
        m.insert("metadata_admin".into(), self.metadata_admin.clone());
        m.insert("created_at".into(), json!(rfc3339(&self.created_at)));
        m.insert("updated_at".into(), json!(rfc3339(&self.updated_at)));
        m.insert("organization_id".into(), json!(self.organization_id));
        Value::Object(m)
    }
}

impl Credential {
    pub fn render(&self, with_config: bool) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind));
        m.insert("identifiers".into(), json!(self.identifiers));
        if with_config {
            m.insert("config".into(), self.config.clone());
        }
        m.insert("version".into(), json!(self.version));
        m.insert("created_at".into(), json!(rfc3339(&self.created_at)));
        m.insert("updated_at".into(), json!(rfc3339(&self.updated_at)));
        Value::Object(m)
    }
}

impl VerifiableAddress {
    fn render(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("value".into(), json!(self.value));
        m.insert("verified".into(), json!(self.verified));
        m.insert("via".into(), json!(self.via));
        m.insert("status".into(), json!(self.status));
        if let Some(t) = &self.verified_at {
            m.insert("verified_at".into(), json!(rfc3339(t)));
        }
        m.insert("created_at".into(), json!(rfc3339(&self.created_at)));
        m.insert("updated_at".into(), json!(rfc3339(&self.updated_at)));
        Value::Object(m)
    }
}

impl RecoveryAddress {
    fn render(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("value".into(), json!(self.value));
        m.insert("via".into(), json!(self.via));
        m.insert("created_at".into(), json!(rfc3339(&self.created_at)));
        m.insert("updated_at".into(), json!(rfc3339(&self.updated_at)));
        Value::Object(m)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Device {
    pub id: Uuid,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Session {
    pub id: Uuid,
    pub identity_id: Uuid,
    /// The stored flag; the `active` a client sees is computed (see [`Session::is_active`]).
    pub active: bool,
    pub expires_at: DateTime<Utc>,
    pub authenticated_at: DateTime<Utc>,
    pub authenticator_assurance_level: String,
    #[serde(default)]
    pub authentication_methods: Value,
    pub issued_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub devices: Vec<Device>,
}

/// How much of a session to expand.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expand {
    pub identity: bool,
    pub devices: bool,
}

impl Session {
    /// Stored flag AND not expired AND (identity not loaded OR identity active): Kratos's
    /// `Session.IsActive`, which its admin views (`AdminSession.MarshalJSON`) answer as
    /// `active`. So a session of an inactive identity reads `false` where the identity is
    /// expanded (an identity's sessions always are) and `true` where it is not; a client that
    /// compares two lists must expand both.
    pub fn is_active(&self, identity: Option<&Identity>, at: DateTime<Utc>) -> bool {
        self.active && self.expires_at > at && identity.is_none_or(|i| i.state == "active")
    }

    /// `devices_when_hidden` is `[]` for a single session and `null` in lists (§2.3).
    pub fn render(
        &self,
        base: &str,
        identity: Option<&Identity>,
        expand: Expand,
        devices_when_hidden: Value,
    ) -> Value {
        let shown = if expand.identity { identity } else { None };
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("active".into(), json!(self.is_active(shown, Utc::now())));
        m.insert("expires_at".into(), json!(rfc3339(&self.expires_at)));
        m.insert(
            "authenticated_at".into(),
            json!(rfc3339(&self.authenticated_at)),
        );
        m.insert(
            "authenticator_assurance_level".into(),
            json!(self.authenticator_assurance_level),
        );
        m.insert(
            "authentication_methods".into(),
            self.authentication_methods.clone(),
        );
        m.insert("issued_at".into(), json!(rfc3339(&self.issued_at)));
        m.insert(
            "identity".into(),
            shown.map_or(Value::Null, |i| i.render(base, &CredView::Omit)),
        );
        let devices = if expand.devices {
            json!(self.devices)
        } else {
            devices_when_hidden
        };
        m.insert("devices".into(), devices);
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_trims_trailing_zeros_like_go() {
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.120000Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(rfc3339(&t), "2026-01-02T03:04:05.12Z");
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(rfc3339(&t), "2026-01-02T03:04:05Z");
    }

    #[test]
    fn schema_url_is_unpadded_base64url() {
        assert_eq!(
            schema_url("http://x", "default"),
            "http://x/schemas/ZGVmYXVsdA"
        );
    }
}
