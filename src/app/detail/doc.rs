//! The pieces a detail view is laid out with: styled lines (`Tok`, `DocLine`), `label: value`
//! fields, nested objects flattened to `a.b.c: value`, and pretty JSON. Each provider's
//! summaries (`provider::*::detail`) are written with them.

use serde_json::Value;

/// Longest string value shown; longer ones are cut with a note.
const MAX_VALUE_BYTES: usize = 4096;

/// How a piece of text is drawn; `ui` maps each to a style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Heading,
    Label,
    Key,
    Str,
    Num,
    Bool,
    Null,
    Punct,
    Plain,
    Muted,
}

pub type DocLine = Vec<(Tok, String)>;

pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => crate::sanitize::cap(s, MAX_VALUE_BYTES).into_owned(),
        Value::Null => "null".into(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        Value::Object(_) => "{…}".into(),
        other => other.to_string(),
    }
}

pub fn heading(out: &mut Vec<DocLine>, text: &str) {
    out.push(vec![(Tok::Heading, text.to_string())]);
}

pub fn field(out: &mut Vec<DocLine>, indent: usize, label: &str, v: &Value) {
    let tok = match v {
        Value::String(_) => Tok::Str,
        Value::Number(_) => Tok::Num,
        Value::Bool(_) => Tok::Bool,
        Value::Null => Tok::Null,
        _ => Tok::Plain,
    };
    out.push(vec![
        (Tok::Plain, " ".repeat(indent)),
        (Tok::Label, format!("{label}: ")),
        (tok, scalar_text(v)),
    ]);
}

/// `label: value` for each pointer that exists.
pub fn fields(out: &mut Vec<DocLine>, v: &Value, picks: &[(&str, &str)]) {
    for (label, pointer) in picks {
        if let Some(x) = v.pointer(pointer) {
            field(out, 2, label, x);
        }
    }
}

/// Nested objects as `a.b.c: value` lines (traits, metadata, claims).
pub fn flattened(out: &mut Vec<DocLine>, title: &str, v: Option<&Value>) {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return;
    };
    heading(out, title);
    let mut flat = Vec::new();
    flatten("", v, &mut flat);
    if flat.is_empty() {
        out.push(vec![(Tok::Muted, "  (empty)".into())]);
    }
    for (path, value) in flat {
        field(out, 2, &path, value);
    }
}

fn flatten<'a>(prefix: &str, v: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, x, out);
            }
        }
        other if prefix.is_empty() => out.push(("value".into(), other)),
        other => out.push((prefix.to_string(), other)),
    }
}

/// Like [`flatten`], with the objects inside arrays opened too (`providers[0].subject`), so
/// a credential's config reads line by line.
pub fn flatten_items<'a>(prefix: &str, v: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Array(items) if items.iter().any(Value::is_object) => {
            for (i, x) in items.iter().enumerate() {
                flatten_items(&format!("{prefix}[{i}]"), x, out);
            }
        }
        Value::Object(map) => {
            for (k, x) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_items(&path, x, out);
            }
        }
        other if prefix.is_empty() => out.push(("value".into(), other)),
        other => out.push((prefix.to_string(), other)),
    }
}

/// Pretty JSON as styled lines, two spaces per level.
pub fn json_lines(v: &Value, out: &mut Vec<DocLine>) {
    let mut line = vec![(Tok::Plain, String::new())];
    write_value(v, 0, &mut line, out);
    out.push(line);
}

fn scalar_tok(v: &Value) -> (Tok, String) {
    match v {
        Value::String(s) => (
            Tok::Str,
            serde_json::to_string(&crate::sanitize::cap(s, MAX_VALUE_BYTES)).unwrap_or_default(),
        ),
        Value::Number(n) => (Tok::Num, n.to_string()),
        Value::Bool(b) => (Tok::Bool, b.to_string()),
        Value::Null => (Tok::Null, "null".into()),
        _ => (Tok::Plain, String::new()),
    }
}

fn write_value(v: &Value, depth: usize, line: &mut DocLine, out: &mut Vec<DocLine>) {
    let pad = |d: usize| (Tok::Plain, "  ".repeat(d));
    match v {
        Value::Object(map) if !map.is_empty() => {
            line.push((Tok::Punct, "{".into()));
            let n = map.len();
            for (i, (k, x)) in map.iter().enumerate() {
                out.push(std::mem::take(line));
                line.push(pad(depth + 1));
                line.push((Tok::Key, serde_json::to_string(k).unwrap_or_default()));
                line.push((Tok::Punct, ": ".into()));
                write_value(x, depth + 1, line, out);
                if i + 1 < n {
                    line.push((Tok::Punct, ",".into()));
                }
            }
            out.push(std::mem::take(line));
            line.push(pad(depth));
            line.push((Tok::Punct, "}".into()));
        }
        Value::Array(items) if !items.is_empty() => {
            line.push((Tok::Punct, "[".into()));
            let n = items.len();
            for (i, x) in items.iter().enumerate() {
                out.push(std::mem::take(line));
                line.push(pad(depth + 1));
                write_value(x, depth + 1, line, out);
                if i + 1 < n {
                    line.push((Tok::Punct, ",".into()));
                }
            }
            out.push(std::mem::take(line));
            line.push(pad(depth));
            line.push((Tok::Punct, "]".into()));
        }
        Value::Object(_) => line.push((Tok::Punct, "{}".into())),
        Value::Array(_) => line.push((Tok::Punct, "[]".into())),
        scalar => line.push(scalar_tok(scalar)),
    }
}
