//! What a list row shows of a Coassemble client or user, read from the record's bytes in one
//! pass: the shapes of its top-level members and the outline of its `metadata`. Nested values
//! are skipped unbuilt, as for [`super::IdentitySummary`].

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::headless::{HeadlessClient, HeadlessUser, count};
use super::outline::{Outline, Shape};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeadlessSummary {
    /// The record was a bare string: an identifier (the docs call a list "identifiers").
    pub bare: Option<String>,
    /// The record's own members (`metadata` among them, as an object).
    pub top: Outline,
    pub metadata: Outline,
}

impl HeadlessSummary {
    /// Read from one record; an error when it is neither an object nor a string.
    pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes)
    }

    /// The summary of a decoded record: the same as read from its bytes.
    pub fn of(raw: &Value) -> Self {
        match raw {
            Value::String(id) => Self {
                bare: Some(id.clone()),
                ..Self::default()
            },
            _ => Self {
                bare: None,
                top: Outline::of(raw),
                metadata: Outline::of(raw.get("metadata").unwrap_or(&Value::Null)),
            },
        }
    }

    /// A client's identifier: `clientIdentifier`, else `identifier`.
    pub fn client_identifier(&self) -> &str {
        self.bare
            .as_deref()
            .or_else(|| self.top.text("clientIdentifier"))
            .or_else(|| self.top.text("identifier"))
            .unwrap_or_default()
    }

    /// A user's identifier.
    pub fn user_identifier(&self) -> &str {
        self.bare
            .as_deref()
            .or_else(|| self.top.text("identifier"))
            .unwrap_or_default()
    }

    /// A client's `userCount`, read as [`HeadlessClient`] reads it.
    pub fn user_count(&self) -> Option<u64> {
        count(&serde_json::from_str(self.top.number("userCount")?).ok()?)
    }

    /// What a client is called: its metadata's display name, name or title, else its own.
    pub fn client_name(&self) -> &str {
        ["displayName", "name", "title"]
            .iter()
            .find_map(|k| self.metadata.str(k))
            .or_else(|| ["displayName", "name"].iter().find_map(|k| self.top.str(k)))
            .unwrap_or_default()
    }

    /// What a user is called: its name (or its metadata's, where the PUT shorthand keeps
    /// it), else its email.
    pub fn user_name(&self) -> &str {
        self.top
            .text("name")
            .or_else(|| self.metadata.text("name"))
            .or_else(|| self.top.str("email"))
            .unwrap_or_default()
    }
}

impl From<&HeadlessClient> for HeadlessSummary {
    fn from(c: &HeadlessClient) -> Self {
        Self::of(&c.raw)
    }
}

impl From<&HeadlessUser> for HeadlessSummary {
    fn from(u: &HeadlessUser) -> Self {
        Self::of(&u.raw)
    }
}

impl<'de> Deserialize<'de> for HeadlessSummary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = HeadlessSummary;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a client or user object, or an identifier")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<HeadlessSummary, E> {
                Ok(HeadlessSummary {
                    bare: Some(s.to_owned()),
                    ..HeadlessSummary::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<HeadlessSummary, A::Error> {
                let mut out = HeadlessSummary::default();
                let mut top = Vec::new();
                while let Some(key) = m.next_key::<String>()? {
                    let shape = if key == "metadata" {
                        out.metadata = m.next_value()?;
                        match &out.metadata {
                            Outline::Null => Shape::Literal("null".into()),
                            Outline::Object(_) => Shape::Object,
                            Outline::Other(shape) => shape.clone(),
                        }
                    } else {
                        m.next_value()?
                    };
                    top.push((key, shape));
                }
                out.top = Outline::from_members(top);
                Ok(out)
            }
        }
        d.deserialize_any(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same_both_ways(v: Value) -> HeadlessSummary {
        let text = v.to_string();
        let read = HeadlessSummary::from_slice(text.as_bytes()).unwrap();
        let decoded: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(read, HeadlessSummary::of(&decoded), "{text}");
        let (client, user) = (
            HeadlessClient::from_json(decoded.clone()),
            HeadlessUser::from_json(decoded),
        );
        assert_eq!(read.client_identifier(), client.identifier);
        assert_eq!(read.user_count(), client.user_count);
        assert_eq!(read.user_identifier(), user.identifier);
        assert_eq!(
            read.user_name(),
            user.name
                .as_deref()
                .or_else(|| user.raw.get("email").and_then(Value::as_str))
                .unwrap_or_default()
        );
        read
    }

    #[test]
    fn read_from_bytes_a_summary_matches_the_decoded_record() {
        let s = same_both_ways(json!({"clientIdentifier": "acme", "userCount": 12,
            "metadata": {"displayName": "Acme Ltd", "tier": "gold", "tags": ["a"]},
            "created": "2025-03-01T10:00:00Z"}));
        assert_eq!(
            (s.client_identifier(), s.client_name()),
            ("acme", "Acme Ltd")
        );
        assert_eq!(s.user_count(), Some(12));

        let s = same_both_ways(json!({"identifier": "u-7", "clientIdentifier": "acme",
            "metadata": {"name": "Ana", "plan": "pro"}, "email": "ana@x"}));
        assert_eq!((s.user_identifier(), s.user_name()), ("u-7", "Ana"));
        let s = same_both_ways(json!({"identifier": 8, "email": "b@x", "userCount": 2.9}));
        assert_eq!((s.user_identifier(), s.user_name()), ("8", "b@x"));
        assert_eq!(s.user_count(), Some(2));
        let s = same_both_ways(
            json!({"identifier": "c", "userCount": -1, "metadata": "odd",
            "name": "Top", "displayName": "Shown"}),
        );
        assert_eq!(
            (s.user_count(), s.user_name(), s.client_name()),
            (None, "Top", "Shown")
        );
        same_both_ways(json!({"metadata": null}));
        let s = same_both_ways(json!("bare-id"));
        assert_eq!(
            (s.client_identifier(), s.user_identifier()),
            ("bare-id", "bare-id")
        );
    }

    #[test]
    fn a_record_that_is_neither_an_object_nor_a_string_is_an_error() {
        for text in ["[]", "3", "null", "{\"identifier\": \"a\""] {
            assert!(
                HeadlessSummary::from_slice(text.as_bytes()).is_err(),
                "{text}"
            );
        }
    }
}
