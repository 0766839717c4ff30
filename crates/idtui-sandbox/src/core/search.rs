//! Search criteria of `POST /users/search`: every supplied criterion must hold (AND); claims
//! match as a recursive subset with exact values (no substring, no case folding).

use serde_json::{Map, Value};

use super::errors::CoreError;

/// How many claim values (strings, numbers, arrays… anything but a nested object) a search
/// may name. Each string becomes one condition of the SQL prefilter, and SQLite refuses a
/// WHERE clause nested deeper than 1000 (every AND adds a level), so about 1000 of them failed
/// as a 500. Half that leaves room for the other conditions and is far more than anyone looks
/// a user up by.
pub const MAX_CLAIM_VALUES: usize = 500;

#[derive(Debug, Default, Clone)]
pub struct Criteria {
    pub claims: Option<Map<String, Value>>,
    pub provider_id: Option<String>,
    pub subject_id: Option<String>,
}

impl Criteria {
    /// Read the criteria part of a search body; bad types are 400s located in `body`.
    pub fn from_body(body: &Map<String, Value>) -> Result<Self, CoreError> {
        let mut c = Criteria::default();
        match body.get("claims") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                let n = claim_values(m);
                if n > MAX_CLAIM_VALUES {
                    return Err(CoreError::search_too_large(
                        n,
                        &format!(
                            "The search is too large: its claims hold {n} values, and a search \
                             may match on at most {MAX_CLAIM_VALUES}"
                        ),
                    ));
                }
                c.claims = Some(m.clone())
            }
            Some(other) => {
                return Err(CoreError::invalid(
                    other.clone(),
                    "claims",
                    "body",
                    "claims must be an object",
                ));
            }
        }
        match body.get("authenticationProvider") {
            None | Some(Value::Null) => {}
            Some(Value::Object(p)) => {
                c.provider_id = optional_string(p, "providerId")?;
                c.subject_id = optional_string(p, "subjectId")?;
            }
            Some(other) => {
                return Err(CoreError::invalid(
                    other.clone(),
                    "authenticationProvider",
                    "body",
                    "authenticationProvider must be an object",
                ));
            }
        }
        Ok(c)
    }

    pub fn matches(&self, claims: &Value, provider: Option<&Value>) -> bool {
        if let Some(want) = &self.claims
            && !claims_match(want, claims)
        {
            return false;
        }
        let field = |name: &str| provider.and_then(|p| p.get(name)).and_then(Value::as_str);
        if let Some(subject) = &self.subject_id
            && field("subjectId") != Some(subject.as_str())
        {
            return false;
        }
        if let Some(pid) = &self.provider_id
            && field("providerId") != Some(pid.as_str())
        {
            return false;
        }
        true
    }
}

fn optional_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, CoreError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(CoreError::invalid(
            other.clone(),
            &format!("authenticationProvider.{key}"),
            "body",
            "Invalid value",
        )),
    }
}

/// Every key of `want` is present in `have` with an equal value; nested objects recurse,
/// everything else (strings, numbers, arrays) must be equal exactly.
pub fn claims_match(want: &Map<String, Value>, have: &Value) -> bool {
    let Some(have) = have.as_object() else {
        return false;
    };
    want.iter().all(|(k, w)| match (w, have.get(k)) {
        (Value::Object(wm), Some(h)) => claims_match(wm, h),
        (w, Some(h)) => w == h,
        (_, None) => false,
    })
}

/// The values in a claims filter, nested objects counted by what they hold.
fn claim_values(want: &Map<String, Value>) -> usize {
    want.values()
        .map(|v| match v {
            Value::Object(m) => claim_values(m),
            _ => 1,
        })
        .sum()
}

/// All string values in the filter, for a cheap SQL prefilter.
pub fn string_leaves(want: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for v in want.values() {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Object(m) => out.extend(string_leaves(m)),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn nested_subset_matches_and_extra_keys_are_ignored() {
        let have = json!({"given_name": "Jamie", "address": {"street_name": "Queen Street", "city": "Auckland"}});
        assert!(claims_match(
            &obj(json!({"address": {"street_name": "Queen Street"}})),
            &have
        ));
        assert!(!claims_match(
            &obj(json!({"address": {"street_name": "Queen"}})),
            &have
        ));
        assert!(!claims_match(&obj(json!({"given_name": "jamie"})), &have));
        assert!(!claims_match(&obj(json!({"givenName": "Jamie"})), &have));
    }

    #[test]
    fn criteria_are_anded() {
        let c = Criteria {
            claims: Some(obj(json!({"given_name": "Jamie"}))),
            subject_id: Some("idp|1".into()),
            provider_id: None,
        };
        let claims = json!({"given_name": "Jamie"});
        assert!(c.matches(&claims, Some(&json!({"subjectId": "idp|1"}))));
        assert!(!c.matches(&claims, Some(&json!({"subjectId": "idp|2"}))));
        assert!(!c.matches(&claims, None));
    }
}
