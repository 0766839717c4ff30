//! MATTR VII core users, their credential metadata, and the search query.

use serde_json::{Map, Value, json};

use super::fields::{obj, s, time};

#[derive(Clone, Debug, PartialEq)]
pub struct CoreUser {
    pub id: String,
    pub claims: Value,
    /// `{providerId?, url?, subjectId}`; `Null` when the user has none.
    pub authentication_provider: Value,
    pub raw: Value,
}

impl CoreUser {
    pub fn from_json(raw: Value) -> Self {
        Self {
            id: s(&raw, "id").unwrap_or_default(),
            claims: obj(&raw, "claims"),
            authentication_provider: obj(&raw, "authenticationProvider"),
            raw,
        }
    }

    pub fn subject_id(&self) -> Option<String> {
        s(&self.authentication_provider, "subjectId")
    }

    /// A PUT body from `raw`: everything but the id and the provider's response-only `url`.
    /// PUT replaces each top-level field it is given, so both are always sent.
    pub fn to_update_body(&self) -> Value {
        let mut body = match &self.raw {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        body.remove("id");
        if let Some(Value::Object(ap)) = body.get_mut("authenticationProvider") {
            ap.remove("url");
        }
        body.entry("claims")
            .or_insert_with(|| Value::Object(Map::new()));
        Value::Object(body)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CoreCredential {
    pub id: String,
    /// `type`, e.g. `CourseCredential`.
    pub kind: Option<String>,
    pub profile: Option<String>,
    pub status: Option<String>,
    /// `issuedDate` when the tenant records it.
    pub issued: Option<String>,
    pub raw: Value,
}

impl CoreCredential {
    pub fn from_json(raw: Value) -> Self {
        Self {
            id: s(&raw, "id").unwrap_or_default(),
            kind: s(&raw, "type"),
            profile: s(&raw, "profile"),
            status: s(&raw, "status"),
            issued: time(&raw, "issuedDate"),
            raw,
        }
    }
}

/// `POST /users/search` criteria; all given ones must match, claims exactly.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoreSearch {
    pub claims: Option<Value>,
    pub subject_id: Option<String>,
    pub provider_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("search: {0}")]
pub struct SearchParseError(pub String);

impl CoreSearch {
    /// Parse `given_name=Jamie address.street_name="Queen Street" subject=abc|123`.
    ///
    /// Dotted keys build nested claims. `subject` (or `subject_id`, `subjectId`) and
    /// `provider` (or `provider_id`, `providerId`) select the authentication provider instead.
    /// Quoted values are always strings; unquoted `true`, `false`, `null` and numbers keep
    /// their JSON type, since claims match by exact value and `30` is not `"30"`.
    pub fn parse(input: &str) -> Result<Self, SearchParseError> {
        let mut search = CoreSearch::default();
        let mut claims = Map::new();
        for (key, value) in tokens(input)? {
            match key.as_str() {
                "subject" | "subject_id" | "subjectId" => search.subject_id = Some(value.text()),
                "provider" | "provider_id" | "providerId" => {
                    search.provider_id = Some(value.text())
                }
                _ => insert_path(&mut claims, &key, value.json())?,
            }
        }
        if !claims.is_empty() {
            search.claims = Some(Value::Object(claims));
        }
        if search == CoreSearch::default() {
            return Err(SearchParseError(
                "nothing to search for; write claim=value or subject=…".into(),
            ));
        }
        Ok(search)
    }

    pub(crate) fn body(&self) -> Value {
        let mut body = json!({});
        if let Some(c) = &self.claims {
            body["claims"] = c.clone();
        }
        if self.subject_id.is_some() || self.provider_id.is_some() {
            let mut ap = Map::new();
            if let Some(p) = &self.provider_id {
                ap.insert("providerId".into(), Value::String(p.clone()));
            }
            if let Some(sub) = &self.subject_id {
                ap.insert("subjectId".into(), Value::String(sub.clone()));
            }
            body["authenticationProvider"] = Value::Object(ap);
        }
        body
    }
}

enum Raw {
    Quoted(String),
    Bare(String),
}

impl Raw {
    fn text(self) -> String {
        match self {
            Raw::Quoted(s) | Raw::Bare(s) => s,
        }
    }

    fn json(self) -> Value {
        match self {
            Raw::Quoted(s) => Value::String(s),
            Raw::Bare(s) => match serde_json::from_str::<Value>(&s) {
                Ok(v @ (Value::Bool(_) | Value::Null | Value::Number(_))) => v,
                _ => Value::String(s),
            },
        }
    }
}

/// Split into `key=value` terms; whitespace separates terms except inside double quotes,
/// where `\"` and `\\` escape.
fn tokens(input: &str) -> Result<Vec<(String, Raw)>, SearchParseError> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(SearchParseError(format!("expected key=value, got `{key}`")));
        }
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(SearchParseError(format!("invalid key `{key}`")));
        }
        let value = if chars.peek() == Some(&'"') {
            chars.next();
            let mut v = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c) => v.push(c),
                        None => break,
                    },
                    Some(c) => v.push(c),
                    None => {
                        return Err(SearchParseError(format!(
                            "unterminated quote in the value of `{key}`"
                        )));
                    }
                }
            }
            Raw::Quoted(v)
        } else {
            let mut v = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                v.push(c);
                chars.next();
            }
            Raw::Bare(v)
        };
        out.push((key, value));
    }
}

fn insert_path(
    root: &mut Map<String, Value>,
    key: &str,
    value: Value,
) -> Result<(), SearchParseError> {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or(key);
    let mut node = root;
    for part in parts {
        let entry = node
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        node = entry.as_object_mut().ok_or_else(|| {
            SearchParseError(format!("`{key}` conflicts with a value given for `{part}`"))
        })?;
    }
    if node.contains_key(last) {
        return Err(SearchParseError(format!("`{key}` is given twice")));
    }
    node.insert(last.to_owned(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_keys_nest_and_quotes_keep_spaces() {
        let s = CoreSearch::parse(
            r#"given_name=Jamie address.street_name="Queen Street" address.number=12 subject=oidc|42"#,
        )
        .unwrap();
        assert_eq!(
            s.claims,
            Some(
                json!({"given_name":"Jamie","address":{"street_name":"Queen Street","number":12}})
            )
        );
        assert_eq!(s.subject_id.as_deref(), Some("oidc|42"));
        assert_eq!(
            s.body(),
            json!({"claims": s.claims.clone().unwrap(), "authenticationProvider": {"subjectId": "oidc|42"}})
        );
    }

    #[test]
    fn quoted_numbers_stay_strings_and_escapes_work() {
        let s = CoreSearch::parse(r#"code="007" note="say \"hi\"" provider=p1"#).unwrap();
        assert_eq!(s.claims, Some(json!({"code":"007","note":"say \"hi\""})));
        assert_eq!(s.provider_id.as_deref(), Some("p1"));
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        for bad in [
            "given_name",
            "=x",
            "a..b=1",
            r#"name="open"#,
            "a=1 a.b=2",
            "a=1 a=2",
            "   ",
        ] {
            let err = CoreSearch::parse(bad).unwrap_err();
            assert!(!err.0.is_empty(), "{bad}");
        }
    }

    proptest::proptest! {
        /// Whatever string values the claims hold, quoting them renders a query that parses
        /// back to the same claims. (Keys of at most six letters never collide with the
        /// reserved `subject…`/`provider…` keys.)
        #[test]
        fn quoted_queries_parse_back_to_their_claims(
            claims in proptest::collection::btree_map("[a-z]{1,6}(\\.[a-z]{1,6})?", "\\PC{0,12}", 1..5)
        ) {
            // A dotted key and its own prefix cannot both be given; drop such pairs.
            let keys: Vec<String> = claims.keys().cloned().collect();
            let claims: std::collections::BTreeMap<String, String> = claims
                .into_iter()
                .filter(|(k, _)| !keys.iter().any(|o| o != k && (o.starts_with(&format!("{k}.")) || k.starts_with(&format!("{o}.")))))
                .collect();
            proptest::prop_assume!(!claims.is_empty());
            let query: Vec<String> = claims
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            let parsed = CoreSearch::parse(&query.join(" ")).unwrap();
            let mut want = Map::new();
            for (k, v) in &claims {
                insert_path(&mut want, k, Value::String(v.clone())).unwrap();
            }
            proptest::prop_assert_eq!(parsed.claims, Some(Value::Object(want)));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,80}") {
            let _ = CoreSearch::parse(&s);
        }
    }

    #[test]
    fn update_body_keeps_unknown_fields_and_drops_response_only_ones() {
        let u = CoreUser::from_json(json!({
            "id": "u1", "claims": {"a": 1}, "extra": true,
            "authenticationProvider": {"providerId": "p", "subjectId": "s", "url": "https://idp"}
        }));
        assert_eq!(
            u.to_update_body(),
            json!({"claims": {"a": 1}, "extra": true,
                   "authenticationProvider": {"providerId": "p", "subjectId": "s"}})
        );
    }
}
