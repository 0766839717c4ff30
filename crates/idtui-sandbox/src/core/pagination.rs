//! MATTR cursor pagination: `limit` 1–1000 (default 100) and an opaque cursor that is base64
//! of `createdAt=<iso>&id=<uuid>`, naming the last item of the previous page (keyset).

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD_INDIFFERENT as B64;
use serde_json::Value;

use super::errors::CoreError;

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

/// The keyset position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub created_at: String,
    pub id: String,
}

pub fn encode_cursor(created_at: &str, id: &str) -> String {
    B64.encode(format!("createdAt={created_at}&id={id}"))
}

/// `location` is `query` for GET lists and `body` for search.
pub fn decode_cursor(raw: &str, location: &str) -> Result<After, CoreError> {
    let bad = || CoreError::invalid(raw, "cursor", location, "Invalid value");
    let bytes = B64.decode(raw.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (created, id) = text.split_once('&').ok_or_else(bad)?;
    let created_at = created.strip_prefix("createdAt=").ok_or_else(bad)?;
    let id = id.strip_prefix("id=").ok_or_else(bad)?;
    chrono::DateTime::parse_from_rfc3339(created_at).map_err(|_| bad())?;
    uuid::Uuid::parse_str(id).map_err(|_| bad())?;
    Ok(After {
        created_at: created_at.to_string(),
        id: id.to_string(),
    })
}

/// Parse `limit` from a query string value.
pub fn parse_limit_query(raw: Option<&str>) -> Result<u32, CoreError> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(CoreError::invalid(
                s,
                "limit",
                "query",
                "limit must be an integer between 1 and 1000",
            )),
        },
    }
}

/// Parse `limit` from a JSON body field (search).
pub fn parse_limit_body(raw: Option<&Value>) -> Result<u32, CoreError> {
    match raw {
        None | Some(Value::Null) => Ok(DEFAULT_LIMIT),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=u64::from(MAX_LIMIT)).contains(&n) => Ok(n as u32),
            _ => Err(CoreError::invalid(
                v.clone(),
                "limit",
                "body",
                "limit must be an integer between 1 and 1000",
            )),
        },
    }
}

pub fn cursor_query(raw: Option<&str>) -> Result<Option<After>, CoreError> {
    raw.map(|c| decode_cursor(c, "query")).transpose()
}

pub fn cursor_body(raw: Option<&Value>) -> Result<Option<After>, CoreError> {
    match raw {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => decode_cursor(s, "body").map(Some),
        Some(other) => Err(CoreError::invalid(
            other.clone(),
            "cursor",
            "body",
            "Invalid value",
        )),
    }
}

/// `{data, nextCursor}`; `nextCursor` names the last item and is omitted on an empty page.
pub fn page_body(data: Vec<Value>, last: Option<After>) -> Value {
    let mut body = serde_json::json!({ "data": data });
    if let Some(last) = last {
        body["nextCursor"] = Value::String(encode_cursor(&last.created_at, &last.id));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_matches_the_documented_form() {
        let c = encode_cursor(
            "2020-08-25T06:46:09.510Z",
            "a66ffea5-848e-439d-80a4-dda55f53e36c",
        );
        assert_eq!(
            c,
            "Y3JlYXRlZEF0PTIwMjAtMDgtMjVUMDY6NDY6MDkuNTEwWiZpZD1hNjZmZmVhNS04NDhlLTQzOWQtODBhNC1kZGE1NWY1M2UzNmM"
        );
        let after = decode_cursor(&c, "query").unwrap();
        assert_eq!(after.id, "a66ffea5-848e-439d-80a4-dda55f53e36c");
    }

    #[test]
    fn garbage_cursor_is_a_validation_error_on_cursor() {
        let err = decode_cursor("not base64 !!", "query").unwrap_err();
        assert_eq!(err.details[0].param, "cursor");
        assert_eq!(err.details[0].location, "query");
        let err = decode_cursor(&B64.encode("createdAt=x&id=y"), "body").unwrap_err();
        assert_eq!(err.details[0].location, "body");
    }

    #[test]
    fn limit_bounds() {
        assert_eq!(parse_limit_query(None).unwrap(), 100);
        assert_eq!(parse_limit_query(Some("1000")).unwrap(), 1000);
        assert!(parse_limit_query(Some("0")).is_err());
        assert!(parse_limit_query(Some("1001")).is_err());
        assert!(parse_limit_query(Some("ten")).is_err());
    }
}
