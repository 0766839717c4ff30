//! What a list row shows of a MATTR user, read from the record's bytes in one pass: its id,
//! creation time, the outline of its claims and how its provider names it. Nested values are
//! skipped unbuilt, as for [`super::IdentitySummary`].

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::core::CoreUser;
use super::outline::{Outline, Shape};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoreUserSummary {
    pub id: String,
    /// `createdAt`, when it is a string.
    pub created_at: Option<String>,
    pub claims: Outline,
    /// `authenticationProvider`'s members.
    pub provider: Outline,
}

impl CoreUserSummary {
    /// Read from one user record; an error when it is not a JSON object.
    pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes)
    }

    /// The summary of a decoded user: the same as read from its bytes.
    pub fn of(u: &CoreUser) -> Self {
        Self {
            id: u.id.clone(),
            created_at: u
                .raw
                .get("createdAt")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            claims: Outline::of(&u.claims),
            provider: Outline::of(&u.authentication_provider),
        }
    }

    /// What a row names the user by: the `email` claim, else the first of `emails`, else
    /// given and family names, else `name`.
    pub fn name(&self) -> String {
        let c = &self.claims;
        c.str("email")
            .or_else(|| c.first_str("emails"))
            .map(str::to_owned)
            .or_else(|| {
                let given = c.str("given_name").or_else(|| c.str("givenName"))?;
                let family = c.str("family_name").or_else(|| c.str("familyName"));
                Some(
                    format!("{given} {}", family.unwrap_or(""))
                        .trim()
                        .to_owned(),
                )
            })
            .or_else(|| c.str("name").map(str::to_owned))
            .unwrap_or_default()
    }

    /// How the authentication provider knows the user: its subject id, else its URL.
    pub fn provider_name(&self) -> &str {
        self.provider
            .text("subjectId")
            .or_else(|| self.provider.str("url"))
            .unwrap_or_default()
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Id,
    CreatedAt,
    Claims,
    AuthenticationProvider,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for CoreUserSummary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = CoreUserSummary;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a user object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<CoreUserSummary, A::Error> {
                let mut out = CoreUserSummary::default();
                while let Some(field) = m.next_key::<Field>()? {
                    match field {
                        Field::Id => {
                            out.id = m.next_value::<Shape>()?.into_text().unwrap_or_default();
                        }
                        Field::CreatedAt => {
                            out.created_at = match m.next_value::<Shape>()? {
                                Shape::Str(s) => Some(s),
                                _ => None,
                            }
                        }
                        Field::Claims => out.claims = m.next_value()?,
                        Field::AuthenticationProvider => out.provider = m.next_value()?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn same_both_ways(v: Value) -> CoreUserSummary {
        let text = v.to_string();
        let read = CoreUserSummary::from_slice(text.as_bytes()).unwrap();
        let decoded = CoreUser::from_json(serde_json::from_str(&text).unwrap());
        assert_eq!(read, CoreUserSummary::of(&decoded), "{text}");
        read
    }

    #[test]
    fn read_from_bytes_a_summary_matches_the_decoded_user() {
        let s = same_both_ways(json!({
            "id": "u1", "createdAt": "2025-01-12T13:16:39.000Z",
            "claims": {"given_name": "Aroha", "family_name": "Ngata", "email": "a@x",
                       "address": {"locality": "Wellington"}},
            "authenticationProvider": {"url": "https://idp.example", "subjectId": "idp|1"},
        }));
        assert_eq!((s.name(), s.provider_name()), ("a@x".into(), "idp|1"));

        let s = same_both_ways(json!({"id": 7, "createdAt": 1700000000,
            "claims": {"emails": ["first@x", "second@x"]},
            "authenticationProvider": {"url": "https://idp.example", "subjectId": 42}}));
        assert_eq!((s.name(), s.provider_name()), ("first@x".into(), "42"));

        let s = same_both_ways(json!({"id": "u", "claims": {"givenName": "Ben"},
            "authenticationProvider": {"url": "https://idp.example"}}));
        assert_eq!(
            (s.name(), s.provider_name()),
            ("Ben".into(), "https://idp.example")
        );

        let s = same_both_ways(json!({"id": "u", "claims": {"emails": [3], "name": "N"}}));
        assert_eq!((s.name(), s.provider_name()), ("N".into(), ""));
        same_both_ways(json!({"claims": "odd", "authenticationProvider": null}));
    }

    #[test]
    fn a_record_that_is_not_an_object_is_an_error() {
        for text in ["[]", "null", "{\"id\": \"a\""] {
            assert!(
                CoreUserSummary::from_slice(text.as_bytes()).is_err(),
                "{text}"
            );
        }
    }
}
