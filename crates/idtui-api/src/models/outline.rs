//! A JSON value seen from its top, as a one-line summary shows it: an object's members, each
//! with the shape of its value, or the shape of any other value. Read straight from bytes it
//! builds nothing below the first level (serde_json skips nested values in a loop, not by
//! recursion), so a list of records is summarised without a `Value` tree per record, and a
//! record nested however deep costs no stack.

use std::collections::HashMap;
use std::fmt;

use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;

/// The value of one member, as far as a summary shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Str(String),
    /// As JSON writes it.
    Number(String),
    /// `true`, `false` or `null`.
    Literal(String),
    Object,
    /// An array: its length, and its first element when that is a string (MATTR's `emails`).
    Array(usize, Option<String>),
}

/// A JSON value from its top.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Outline {
    /// Null, or absent.
    #[default]
    Null,
    /// An object's members in order (a repeated key keeps its first place and last value,
    /// as `serde_json::Map` does).
    Object(Vec<(String, Shape)>),
    /// Any other value (never [`Shape::Object`]).
    Other(Shape),
}

impl Outline {
    /// The outline of a decoded value.
    pub fn of(v: &Value) -> Outline {
        match v {
            Value::Null => Outline::Null,
            Value::Object(m) => {
                Outline::Object(m.iter().map(|(k, x)| (k.clone(), Shape::of(x))).collect())
            }
            other => Outline::Other(Shape::of(other)),
        }
    }

    /// An object from its members as read, in order: a repeated key keeps its first place
    /// and its last value, as `serde_json::Map` does.
    pub fn from_members(read: Vec<(String, Shape)>) -> Outline {
        let mut members: Vec<(String, Shape)> = Vec::with_capacity(read.len());
        // Built only for objects with many members, to keep repeated keys cheap.
        let mut index: Option<HashMap<String, usize>> = None;
        for (key, shape) in read {
            if members.len() >= 16 && index.is_none() {
                let built = members.iter().enumerate();
                index = Some(built.map(|(i, (k, _))| (k.clone(), i)).collect());
            }
            let at = match &mut index {
                Some(index) => index.get(&key).copied().or_else(|| {
                    index.insert(key.clone(), members.len());
                    None
                }),
                None => members.iter().position(|(k, _)| *k == key),
            };
            match at {
                Some(i) => members[i].1 = shape,
                None => members.push((key, shape)),
            }
        }
        Outline::Object(members)
    }

    /// The member `key` of an object (keys are unique: see [`Outline::from_members`]).
    pub fn get(&self, key: &str) -> Option<&Shape> {
        self.members()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The number member `key`, as JSON wrote it.
    pub fn number(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Shape::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The string member `key` of an object.
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Shape::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The first element of the array member `key`, when it is a string.
    pub fn first_str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Shape::Array(_, first) => first.as_deref(),
            _ => None,
        }
    }

    /// The member `key` as text when it is a string or a number (as the typed models read
    /// ids).
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Shape::Str(s) | Shape::Number(s) => Some(s),
            _ => None,
        }
    }

    /// An object's members (none for anything else).
    pub fn members(&self) -> &[(String, Shape)] {
        match self {
            Outline::Object(m) => m,
            _ => &[],
        }
    }
}

impl Shape {
    /// A string or a number as text (as the typed models read ids and times); anything
    /// else is nothing.
    pub fn into_text(self) -> Option<String> {
        match self {
            Shape::Str(s) | Shape::Number(s) => Some(s),
            _ => None,
        }
    }

    fn of(v: &Value) -> Shape {
        match v {
            Value::String(s) => Shape::Str(s.clone()),
            Value::Object(_) => Shape::Object,
            Value::Array(a) => {
                let first = a.first().and_then(Value::as_str).map(str::to_owned);
                Shape::Array(a.len(), first)
            }
            Value::Number(n) => Shape::Number(n.to_string()),
            other => Shape::Literal(other.to_string()),
        }
    }
}

/// Reads one value as its [`Shape`]. `nested` reads an array's elements: a nested array's
/// own first element is not looked at, so reading never recurses past one level.
#[derive(Clone, Copy)]
struct ShapeVisit {
    nested: bool,
}

/// Reads a value that is not an array's element.
const TOP: ShapeVisit = ShapeVisit { nested: false };

impl<'de> DeserializeSeed<'de> for ShapeVisit {
    type Value = Shape;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ShapeVisit {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Shape, E> {
        Ok(Shape::Str(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Shape, E> {
        Ok(Shape::Str(s))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Shape, E> {
        Ok(Shape::Literal(b.to_string()))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Shape, E> {
        Ok(Shape::Number(n.to_string()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Shape, E> {
        Ok(Shape::Number(n.to_string()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Shape, E> {
        // As `Value` writes it.
        Ok(Shape::Number(Value::from(n).to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Shape, E> {
        Ok(Shape::Literal("null".into()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Shape, A::Error> {
        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Shape::Object)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Shape, A::Error> {
        let first = if self.nested {
            None
        } else {
            match s.next_element_seed(ShapeVisit { nested: true })? {
                None => return Ok(Shape::Array(0, None)),
                Some(Shape::Str(first)) => Some(first),
                Some(_) => None,
            }
        };
        let mut len = usize::from(!self.nested);
        while s.next_element::<IgnoredAny>()?.is_some() {
            len += 1;
        }
        Ok(Shape::Array(len, first))
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TOP)
    }
}

impl<'de> Deserialize<'de> for Outline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Outline;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Outline, E> {
                Ok(Outline::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Outline, A::Error> {
                let mut members = Vec::new();
                while let Some(key) = m.next_key::<String>()? {
                    members.push((key, m.next_value::<Shape>()?));
                }
                Ok(Outline::from_members(members))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Outline, E> {
                TOP.visit_str(s).map(Outline::Other)
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Outline, E> {
                TOP.visit_string(s).map(Outline::Other)
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Outline, E> {
                TOP.visit_bool(b).map(Outline::Other)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Outline, E> {
                TOP.visit_i64(n).map(Outline::Other)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Outline, E> {
                TOP.visit_u64(n).map(Outline::Other)
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Outline, E> {
                TOP.visit_f64(n).map(Outline::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<Outline, A::Error> {
                TOP.visit_seq(s).map(Outline::Other)
            }
        }
        d.deserialize_any(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn read_from_bytes_it_matches_the_outline_of_the_decoded_value() {
        let cases = [
            json!({"plan": "pro", "n": 3, "f": 1.5, "ok": true, "none": null,
                   "tags": [1, [2], {"a": 1}], "org": {"id": {"deep": [1]}}, "s": "a\"b",
                   "emails": ["a@x", "b@x"], "empty": []}),
            json!(null),
            json!("text"),
            json!(7),
            json!(-2),
            json!(2.5e300),
            json!(false),
            json!([1, {"a": [2, "x"]}, "y"]),
            json!({}),
        ];
        for v in cases {
            let read: Outline = serde_json::from_slice(v.to_string().as_bytes()).unwrap();
            assert_eq!(read, Outline::of(&v), "{v}");
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_its_last_value_as_a_map_does() {
        for n in [3, 40] {
            let mut text = String::from("{\"k\":1");
            for i in 0..n {
                text.push_str(&format!(",\"m{i}\":{i}"));
            }
            text.push_str(",\"k\":\"last\"}");
            let read: Outline = serde_json::from_str(&text).unwrap();
            let decoded: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(read, Outline::of(&decoded), "{n} members");
            assert_eq!(read.members()[0], ("k".into(), Shape::Str("last".into())));
        }
    }

    #[test]
    fn nested_values_are_skipped_without_recursion() {
        // Far past serde_json's own limit of 128: skipping is a loop, not a descent.
        let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        let text = format!("{{\"a\":{deep},\"b\":{{\"c\":{deep}}}}}");
        let read: Outline = serde_json::from_str(&text).unwrap();
        assert_eq!(
            read.members(),
            [
                ("a".into(), Shape::Array(1, None)),
                ("b".into(), Shape::Object)
            ]
        );
    }
}
