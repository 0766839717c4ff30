//! What a list row shows of a Kratos session, read from the record's bytes in one pass: its
//! state, the first device and, when the list expanded it, who it belongs to. Nested values
//! are skipped unbuilt, as for [`super::IdentitySummary`].

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::identity_summary::IdentitySummary;
use super::kratos::{Identity, Session};
use super::lenient::{Lenient, Read};
use super::outline::{Outline, Shape};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionSummary {
    pub id: String,
    pub active: bool,
    /// `authenticator_assurance_level`.
    pub aal: Option<String>,
    pub expires_at: Option<String>,
    /// The first device's members (none when the server did not expand devices).
    pub device: Outline,
    /// The expanded `identity`, when the list expanded it.
    pub identity: Option<IdentitySummary>,
}

impl SessionSummary {
    /// Read from one session record; an error when it is not a JSON object.
    pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes)
    }

    /// The summary of a decoded session: the same as read from its bytes.
    pub fn of(s: &Session) -> Self {
        let device = match s.raw.get("devices") {
            Some(Value::Array(devices)) => devices.first().map(Outline::of).unwrap_or_default(),
            _ => Outline::Null,
        };
        let identity = s
            .raw
            .get("identity")
            .filter(|i| i.is_object())
            .map(|i| IdentitySummary::of(&Identity::from_json(i.clone())));
        Self {
            id: s.id.clone(),
            active: s.active,
            aal: s.aal.clone(),
            expires_at: s.expires_at.clone(),
            device,
            identity,
        }
    }

    /// Who the session belongs to, by name: the expanded identity's email, username or
    /// phone trait (the first of them that is a string, when not empty).
    pub fn identity_name(&self) -> Option<&str> {
        self.identity
            .as_ref()?
            .name_trait()
            .filter(|s| !s.is_empty())
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Id,
    Active,
    ExpiresAt,
    AuthenticatorAssuranceLevel,
    Devices,
    Identity,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for SessionSummary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = SessionSummary;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a session object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<SessionSummary, A::Error> {
                let mut out = SessionSummary::default();
                while let Some(field) = m.next_key::<Field>()? {
                    match field {
                        Field::Id => {
                            out.id = m.next_value::<Shape>()?.into_text().unwrap_or_default();
                        }
                        Field::Active => {
                            out.active = m.next_value::<Shape>()? == Shape::Literal("true".into());
                        }
                        Field::ExpiresAt => out.expires_at = m.next_value::<Shape>()?.into_text(),
                        Field::AuthenticatorAssuranceLevel => {
                            out.aal = m.next_value::<Shape>()?.into_text();
                        }
                        Field::Devices => out.device = m.next_value::<Read<FirstDevice>>()?.0.0,
                        Field::Identity => {
                            out.identity = m.next_value::<Read<Expanded>>()?.0.0;
                        }
                        Field::Other => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Of a `devices` array, the first device's outline.
#[derive(Default)]
struct FirstDevice(Outline);

impl Lenient for FirstDevice {
    fn seq<'de, A: SeqAccess<'de>>(mut s: A) -> Result<Self, A::Error> {
        let first = s.next_element::<Outline>()?.unwrap_or_default();
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FirstDevice(first))
    }
}

/// An expanded identity: read when it is an object, none otherwise.
#[derive(Default)]
struct Expanded(Option<IdentitySummary>);

impl Lenient for Expanded {
    fn map<'de, A: MapAccess<'de>>(m: A) -> Result<Self, A::Error> {
        <IdentitySummary as Lenient>::map(m).map(|i| Expanded(Some(i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same_both_ways(v: Value) -> SessionSummary {
        let text = v.to_string();
        let read = SessionSummary::from_slice(text.as_bytes()).unwrap();
        let decoded = Session::from_json(serde_json::from_str(&text).unwrap());
        assert_eq!(read, SessionSummary::of(&decoded), "{text}");
        read
    }

    #[test]
    fn read_from_bytes_a_summary_matches_the_decoded_session() {
        let s = same_both_ways(json!({
            "id": "s1", "active": true, "authenticator_assurance_level": "aal2",
            "expires_at": "2026-12-02T10:00:00Z",
            "devices": [{"ip_address": "10.0.0.7", "user_agent": "curl/8", "location": "NZ"},
                        {"ip_address": "10.0.0.8"}],
            "identity": {"id": "i1", "traits": {"email": "", "username": "ana"}},
            "authentication_methods": [{"method": "password"}],
        }));
        assert!(s.active);
        assert_eq!(s.device.str("ip_address"), Some("10.0.0.7"));
        // The first of the name traits that is a string decides, even when it is empty.
        assert_eq!(s.identity_name(), None);
        assert_eq!(s.identity.as_ref().map(|i| i.id.as_str()), Some("i1"));

        let s = same_both_ways(json!({"id": "s2", "active": "yes", "devices": null,
                                      "identity": null}));
        assert!(!s.active);
        same_both_ways(json!({"id": 3, "devices": ["odd", {"ip_address": "x"}],
                              "identity": {"traits": {"phone": "+64"}}}));
        same_both_ways(json!({"devices": {"ip_address": "x"}, "identity": "i9"}));
    }

    #[test]
    fn a_record_that_is_not_an_object_is_an_error() {
        for text in ["[]", "null", "{\"id\": \"a\""] {
            assert!(
                SessionSummary::from_slice(text.as_bytes()).is_err(),
                "{text}"
            );
        }
    }
}
