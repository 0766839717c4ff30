//! JSON read as Kratos' Go decoder reads it: any depth up to 10,000 levels for the whole
//! body, refused past that with Go's own words (`invalid character '[' exceeded max depth`),
//! where serde_json alone would stop at 128. The depth is found by a loop before decoding, and
//! decoding then runs without serde_json's limit; the server's threads have the stack for it
//! (the `idtui` binary gives every runtime thread one).
//!
//! Checked against Kratos v1.3.1: a create body nesting 10,000 levels is stored and listed,
//! one of 10,001 is a 400. (The dashboard's client counts depth its own way, on purpose: the
//! two sides share no code, so a mistake here cannot hide the same mistake there.)

use serde::de::DeserializeOwned;

/// Go's `encoding/json` `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

/// Why a body was not decoded.
pub enum BodyError {
    /// Go's decoder text for the bracket that went past [`MAX_DEPTH`].
    TooDeep(String),
    Json(serde_json::Error),
}

impl BodyError {
    pub fn text(&self) -> String {
        match self {
            BodyError::TooDeep(text) => text.clone(),
            BodyError::Json(e) => e.to_string(),
        }
    }
}

/// Decode a request body, or say why Go's decoder would not.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    if let Some(bracket) = past_max_depth(body) {
        return Err(BodyError::TooDeep(format!(
            "invalid character '{}' exceeded max depth",
            bracket as char
        )));
    }
    decode_stored(body).map_err(BodyError::Json)
}

/// Decode JSON this server wrote itself (its depth was checked when it came in).
pub fn decode_stored<T: DeserializeOwned>(text: &[u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(text);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// The first bracket (outside strings) that opens level `MAX_DEPTH + 1`.
fn past_max_depth(body: &[u8]) -> Option<u8> {
    let mut level = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                level += 1;
                if level > MAX_DEPTH {
                    return Some(b);
                }
            }
            b'}' | b']' => level = level.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn ten_thousand_levels_pass_and_the_next_bracket_is_named() {
        let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(past_max_depth(nested(MAX_DEPTH).as_bytes()), None);
        let body = format!(r#"{{"a":"[[[","m":{}}}"#, nested(MAX_DEPTH));
        assert_eq!(past_max_depth(body.as_bytes()), Some(b'['));
        let err = decode::<Value>(body.as_bytes()).err().unwrap();
        assert!(
            matches!(&err, BodyError::TooDeep(t) if t == "invalid character '[' exceeded max depth")
        );
    }
}
