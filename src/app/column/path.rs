//! A column read from the whole record by a small path: keys joined by dots and `[n]` for
//! the n-th element of an array (`traits.name.last`, `verifiable_addresses[0].verified`,
//! `metadata_public.plan`). The record is decoded once per row, the first time a path reads
//! it (`RawJson`), and the cell borrows its text.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::app::cell::{CELL_MAX, Cell};
use crate::app::row::Row;

/// The longest path taken: a column header, not a query language.
pub const PATH_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A parsed path, with the text it was written as (its header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

impl JsonPath {
    /// `traits.name.last`, `addresses[0].value`, `[2]`; an error says what is wrong.
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty path".into());
        }
        if text.len() > PATH_MAX {
            return Err(format!("a path of more than {PATH_MAX} bytes"));
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("a space or a control character in the path".into());
        }
        let mut steps = Vec::new();
        for (n, segment) in text.split('.').enumerate() {
            let (key, mut rest) = match segment.find('[') {
                Some(at) => segment.split_at(at),
                None => (segment, ""),
            };
            if key.contains(']') {
                return Err(format!("`]` without `[` in `{segment}`"));
            }
            if key.is_empty() && (rest.is_empty() || n > 0) {
                return Err(format!(
                    "an empty key in `{text}` (two dots, or a dot at an end)"
                ));
            }
            if !key.is_empty() {
                steps.push(Step::Key(key.to_string()));
            }
            while !rest.is_empty() {
                let Some(end) = rest.find(']').filter(|_| rest.starts_with('[')) else {
                    return Err(format!("`{segment}`: an index is written [n]"));
                };
                let index = rest[1..end]
                    .parse::<usize>()
                    .map_err(|_| format!("`{}` is not an index (a whole number)", &rest[1..end]))?;
                steps.push(Step::Index(index));
                rest = &rest[end + 1..];
            }
        }
        Ok(JsonPath {
            text: text.to_string(),
            steps,
        })
    }

    /// The path as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value at this path in `value`, if there is one.
    pub fn read<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        self.steps.iter().try_fold(value, |v, step| match step {
            Step::Key(k) => v.get(k.as_str()),
            Step::Index(i) => v.get(*i),
        })
    }

    /// The cell of `row`: text as text (a time as a time, so it sorts and shows as one), a
    /// whole number as a count, a boolean as a flag, an object or array as compact JSON,
    /// nothing (or `null`) as blank.
    pub fn cell<'r>(&self, row: &'r Row) -> Cell<'r> {
        match self.read(&row.raw) {
            None | Some(Value::Null) => Cell::Empty,
            Some(Value::String(s)) if looks_like_time(s) => Cell::TimeToSecond(s),
            Some(Value::String(s)) => Cell::Text(crate::sanitize::cap(s, CELL_MAX)),
            Some(Value::Bool(b)) => Cell::Flag(*b),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(n) => Cell::Count(Some(n)),
                None => Cell::Text(Cow::Owned(n.to_string())),
            },
            Some(v) => Cell::Text(Cow::Owned(crate::app::cell::capped(v.to_string()))),
        }
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// An RFC 3339 time as the servers write them (`2026-01-01T08:00:00Z`).
fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[..4].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> Row {
        Row::new(
            "a",
            crate::app::row::Unreadable::default(),
            json!({
                "traits": {"name": {"first": "Ada", "last": "Lovelace"}},
                "verifiable_addresses": [{"verified": true}, {"verified": false}],
                "updated_at": "2026-01-01T08:00:00Z",
                "metadata_public": {"plan": "pro", "seats": 12, "tags": ["a", "b"]},
                "weird key": {"x": null}
            }),
        )
    }

    #[test]
    fn paths_read_keys_and_indices_into_typed_cells() {
        let r = row();
        let cell = |p: &str| JsonPath::parse(p).unwrap().cell(&r).shown().into_owned();
        assert_eq!(cell("traits.name.last"), "Lovelace");
        assert_eq!(cell("verifiable_addresses[0].verified"), "yes");
        assert_eq!(cell("verifiable_addresses[1].verified"), "no");
        assert_eq!(cell("verifiable_addresses[5].verified"), "");
        assert_eq!(cell("updated_at"), "2026-01-01 08:00:00");
        assert_eq!(cell("metadata_public.plan"), "pro");
        assert_eq!(cell("metadata_public.seats"), "12");
        assert_eq!(cell("metadata_public.tags"), r#"["a","b"]"#);
        assert_eq!(cell("metadata_public.missing"), "");
        let seats = JsonPath::parse("metadata_public.seats").unwrap();
        assert_eq!(
            seats.cell(&r),
            Cell::Count(Some(12)),
            "a count sorts as one"
        );
    }

    #[test]
    fn bad_paths_say_what_is_wrong() {
        for (path, says) in [
            ("", "empty path"),
            ("traits..last", "empty key"),
            ("traits.", "empty key"),
            ("a[x]", "not an index"),
            ("a[1", "written [n]"),
            ("a]", "without `[`"),
            ("weird key.x", "space"),
        ] {
            let err = JsonPath::parse(path).unwrap_err();
            assert!(err.contains(says), "{path:?}: {err}");
        }
        assert_eq!(JsonPath::parse("[1].id").unwrap().text(), "[1].id");
        assert_eq!(
            JsonPath::parse(&"a".repeat(PATH_MAX + 1)).map(|_| ()),
            Err(format!("a path of more than {PATH_MAX} bytes"))
        );
    }
}
