//! What a list row shows of a Kratos identity, read from the record's bytes in one pass: a
//! few fields, the outlines of its traits and metadata, and the first credential
//! identifier. Addresses, credentials' config and every nested value are skipped unbuilt,
//! and nothing recurses, so a walk turns a page of records into rows at the cost of one
//! scan each, whatever they hold.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::kratos::Identity;
use super::lenient::{Lenient, Read};
use super::outline::{Outline, Shape};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentitySummary {
    pub id: String,
    pub state: Option<String>,
    pub schema_id: Option<String>,
    pub created_at: Option<String>,
    pub traits: Outline,
    pub metadata_public: Outline,
    pub metadata_admin: Outline,
    /// The first identifier of the credentials in type order (as
    /// [`Identity::display_identifier`] takes it); none when the list left credentials out.
    pub identifier: Option<String>,
}

impl IdentitySummary {
    /// Read from one identity record; an error when it is not a JSON object.
    pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes)
    }

    /// The summary of a decoded identity: the same as read from its bytes.
    pub fn of(i: &Identity) -> Self {
        Self {
            id: i.id.clone(),
            state: i.state.clone(),
            schema_id: i.schema_id.clone(),
            created_at: i.created_at.clone(),
            traits: Outline::of(&i.traits),
            metadata_public: Outline::of(&i.metadata_public),
            metadata_admin: Outline::of(&i.metadata_admin),
            identifier: i
                .credentials
                .iter()
                .flat_map(|c| c.identifiers.first())
                .next()
                .cloned(),
        }
    }

    /// Its email, username or phone trait: the first of them that is a string.
    pub fn name_trait(&self) -> Option<&str> {
        ["email", "username", "phone"]
            .iter()
            .find_map(|k| self.traits.str(k))
    }

    /// What a row names the identity by: its email, username or phone trait, else its first
    /// credential identifier, else its first string trait. Traits first: whether credentials
    /// are present depends on the endpoint, and a row must read the same in a list and in a
    /// search.
    pub fn name(&self) -> &str {
        self.name_trait()
            .or(self.identifier.as_deref())
            .or_else(|| {
                self.traits.members().iter().find_map(|(_, v)| match v {
                    Shape::Str(s) => Some(s.as_str()),
                    _ => None,
                })
            })
            .unwrap_or_default()
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Id,
    State,
    SchemaId,
    CreatedAt,
    Traits,
    MetadataPublic,
    MetadataAdmin,
    Credentials,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for IdentitySummary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = IdentitySummary;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an identity object")
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<IdentitySummary, A::Error> {
                <IdentitySummary as Lenient>::map(m)
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Read where an identity may be anything (a session's `identity`, null when not expanded).
impl Lenient for IdentitySummary {
    fn map<'de, A: MapAccess<'de>>(mut m: A) -> Result<Self, A::Error> {
        let mut out = IdentitySummary::default();
        while let Some(field) = m.next_key::<Field>()? {
            match field {
                Field::Id => out.id = m.next_value::<Shape>()?.into_text().unwrap_or_default(),
                Field::State => out.state = m.next_value::<Shape>()?.into_text(),
                Field::SchemaId => out.schema_id = m.next_value::<Shape>()?.into_text(),
                Field::CreatedAt => out.created_at = m.next_value::<Shape>()?.into_text(),
                Field::Traits => out.traits = m.next_value()?,
                Field::MetadataPublic => out.metadata_public = m.next_value()?,
                Field::MetadataAdmin => out.metadata_admin = m.next_value()?,
                Field::Credentials => {
                    out.identifier = m.next_value::<Read<FirstIdentifier>>()?.0.0;
                }
                Field::Other => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// Of a `credentials` object (type → credential), the first string identifier of the first
/// type, in type order, that has one.
#[derive(Default)]
struct FirstIdentifier(Option<String>);

impl Lenient for FirstIdentifier {
    fn map<'de, A: MapAccess<'de>>(mut m: A) -> Result<Self, A::Error> {
        // Type → its first identifier; a repeated type replaces the earlier, as in a map.
        let mut firsts = std::collections::BTreeMap::new();
        while let Some(kind) = m.next_key::<String>()? {
            let Read(CredentialFirst(first)) = m.next_value()?;
            firsts.insert(kind, first);
        }
        Ok(FirstIdentifier(firsts.into_values().flatten().next()))
    }
}

/// Of one credential, the first string in its `identifiers`.
#[derive(Default)]
struct CredentialFirst(Option<String>);

impl Lenient for CredentialFirst {
    fn map<'de, A: MapAccess<'de>>(mut m: A) -> Result<Self, A::Error> {
        let mut first = None;
        while let Some(key) = m.next_key::<String>()? {
            if key == "identifiers" {
                first = m.next_value::<Read<FirstString>>()?.0.0;
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        Ok(CredentialFirst(first))
    }
}

/// Of an array, its first string element.
#[derive(Default)]
struct FirstString(Option<String>);

impl Lenient for FirstString {
    fn seq<'de, A: SeqAccess<'de>>(mut s: A) -> Result<Self, A::Error> {
        let mut first = None;
        while let Some(x) = s.next_element::<Shape>()? {
            if let (None, Shape::Str(x)) = (&first, x) {
                first = Some(x);
            }
        }
        Ok(FirstString(first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Read from bytes, a summary is what the decoded identity gives.
    fn same_both_ways(v: Value) -> IdentitySummary {
        let text = v.to_string();
        let read = IdentitySummary::from_slice(text.as_bytes()).unwrap();
        let decoded = Identity::from_json(serde_json::from_str(&text).unwrap());
        assert_eq!(read, IdentitySummary::of(&decoded), "{text}");
        read
    }

    #[test]
    fn read_from_bytes_a_summary_matches_the_decoded_identity() {
        let s = same_both_ways(json!({
            "id": "a1", "state": "active", "schema_id": "default",
            "created_at": "2024-01-02T14:34:11Z", "updated_at": "2024-01-03T00:00:00Z",
            "traits": {"email": "x@y.example", "name": {"first": "Ana"}, "tags": [1, 2]},
            "metadata_public": {"plan": "pro", "seats": 5},
            "metadata_admin": null,
            "verifiable_addresses": [{"value": "x@y.example", "verified": true}],
        }));
        assert_eq!(s.name(), "x@y.example");
        assert_eq!(s.traits.members().len(), 3);

        // Oddly typed fields read as the typed model reads them.
        same_both_ways(
            json!({"id": 42, "state": true, "schema_id": [1], "created_at": 1.5,
                              "traits": "plain", "metadata_public": [1, [2]],
                              "metadata_admin": {"k": {"deep": {"er": 1}}}}),
        );
        same_both_ways(json!({"traits": null, "credentials": "none"}));
        same_both_ways(json!({}));
    }

    #[test]
    fn the_name_falls_back_to_the_first_identifier_then_the_first_string_trait() {
        let s = same_both_ways(json!({
            "id": "a", "traits": {"n": 1, "nick": "zed"},
            "credentials": {
                "webauthn": {"identifiers": [7, "web-id"]},
                "password": {"identifiers": [], "config": {"hashed_password": "…"}},
                "oidc": {"identifiers": ["google:123", "github:9"], "version": 0},
                "odd": "not an object",
            },
        }));
        assert_eq!(s.name(), "google:123");
        let s = same_both_ways(json!({"id": "a", "traits": {"n": 1, "nick": "zed"}}));
        assert_eq!(s.name(), "zed");
        let s = same_both_ways(json!({"id": "a", "traits": {"phone": "+1555", "nick": "zed"}}));
        assert_eq!(s.name(), "+1555");
    }

    #[test]
    fn a_repeated_member_counts_once_with_its_last_value() {
        let text = r#"{"id":"a","id":"b","credentials":{"oidc":{"identifiers":["x"]},
                      "oidc":{"identifiers":[]},"password":{"identifiers":["p"]}}}"#;
        let read = IdentitySummary::from_slice(text.as_bytes()).unwrap();
        let decoded = Identity::from_json(serde_json::from_str(text).unwrap());
        assert_eq!(read, IdentitySummary::of(&decoded));
        assert_eq!((read.id.as_str(), read.name()), ("b", "p"));
    }

    #[test]
    fn a_record_that_is_not_an_object_is_an_error() {
        for text in [
            "[]",
            "3",
            "\"id\"",
            "{\"id\": \"a\"",
            "{\"traits\": {\"a\": }}",
        ] {
            assert!(
                IdentitySummary::from_slice(text.as_bytes()).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_record_nested_far_past_the_parsers_limit_is_read_without_recursing() {
        let deep = format!("{}1{}", "[".repeat(20_000), "]".repeat(20_000));
        let text = format!(
            r#"{{"id":"d","traits":{{"email":"e@x","x":{deep}}},"metadata_public":{deep},
                "credentials":{{"password":{{"identifiers":{deep},"config":{deep}}}}}}}"#
        );
        let s = IdentitySummary::from_slice(text.as_bytes()).unwrap();
        assert_eq!((s.id.as_str(), s.name()), ("d", "e@x"));
        assert_eq!(s.metadata_public, Outline::Other(Shape::Array(1, None)));
    }
}
