//! RFC 6902 as Kratos applies it: `github.com/evanphx/json-patch/v5` behind Ory's
//! `jsonx.ApplyJSONPatch` (the same in v1.3.1 and v26.2.0). Only `add`, `remove` and `replace`
//! are accepted; a `replace` whose last segment is not an array index acts as `add`; `add`
//! creates every missing parent (objects, or arrays where the next segment is an index); and
//! every failure is worded as the Go library words it, which Kratos passes on in `message`.

use serde_json::{Map, Value};

/// One refusal: the text Kratos puts in `message`.
pub type PatchError = String;

/// Go's `json.Unmarshal` words for a value of the wrong JSON kind.
pub fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    }
}

/// A decoded operation: its kind (`unknown` without one), path and value.
pub struct Op {
    pub kind: String,
    pub path: String,
    pub value: Value,
}

/// `jsonpatch.DecodePatch` and the checks `ApplyJSONPatch` runs on every operation before any
/// is applied: the operation kind, a path, and `denied` (which says why a path is refused).
pub fn decode(raw: &Value, denied: impl Fn(&str) -> bool) -> Result<Vec<Op>, PatchError> {
    let Some(list) = raw.as_array() else {
        return Err(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            go_kind(raw)
        ));
    };
    let mut ops = Vec::with_capacity(list.len());
    for item in list {
        let Some(obj) = item.as_object() else {
            if item.is_null() {
                // A null element decodes to an empty operation.
                return Err("unsupported operation: unknown".into());
            }
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                go_kind(item)
            ));
        };
        let kind = match obj.get("op") {
            Some(Value::String(s)) => s.clone(),
            _ => "unknown".to_owned(),
        };
        if !matches!(kind.as_str(), "add" | "remove" | "replace") {
            return Err(format!("unsupported operation: {kind}"));
        }
        let path = match obj.get("path") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => {
                return Err(
                    "error parsing patch operations: operation missing path field: missing value"
                        .into(),
                );
            }
            Some(other) => {
                return Err(format!(
                    "error parsing patch operations: json: cannot unmarshal {} into Go value of type string",
                    go_kind(other)
                ));
            }
        };
        if denied(&path) {
            return Err(format!("patch includes denied path: {path}"));
        }
        // Ory's tolerance: a replace that does not address an array element is an add.
        let kind = if kind == "replace" && !is_element_access(&path) {
            "add".to_owned()
        } else {
            kind
        };
        ops.push(Op {
            kind,
            path,
            value: obj.get("value").cloned().unwrap_or(Value::Null),
        });
    }
    Ok(ops)
}

fn is_element_access(path: &str) -> bool {
    if path.is_empty() {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    last == "-" || last.parse::<i64>().is_ok()
}

fn decode_key(part: &str) -> String {
    part.replace("~1", "/").replace("~0", "~")
}

/// Apply the operations in order, as `Patch.ApplyWithOptions` with `EnsurePathExistsOnAdd`.
pub fn apply(doc: &mut Value, ops: &[Op]) -> Result<(), PatchError> {
    for op in ops {
        match op.kind.as_str() {
            "add" => add(doc, &op.path, op.value.clone())?,
            "remove" => remove(doc, &op.path)?,
            _ => replace(doc, &op.path, op.value.clone())?,
        }
    }
    Ok(())
}

const UNMARSHAL_INTO_DOC: &str = "Go value of type map[string]*jsonpatch.lazyNode";

/// Step into `node` as the library's `intoDoc`/`intoAry` do: a null becomes an empty object.
fn step_into(node: &mut Value) -> Result<&mut Value, PatchError> {
    match node {
        Value::Null => {
            *node = Value::Object(Map::new());
            Ok(node)
        }
        Value::Object(_) | Value::Array(_) => Ok(node),
        other => Err(format!(
            "json: cannot unmarshal {} into {UNMARSHAL_INTO_DOC}",
            go_kind(other)
        )),
    }
}

/// An array index as the library reads it (negative indices count from the end).
fn array_index(key: &str, len: usize, allow_end: bool) -> Result<usize, PatchError> {
    let idx: i64 = key.parse().map_err(|_| {
        format!("value was not a proper array index: '{key}': strconv.Atoi: parsing \"{key}\": invalid syntax")
    })?;
    let len = len as i64;
    let limit = if allow_end { len } else { len - 1 };
    if idx > limit || idx < -len {
        return Err(format!(
            "Unable to access invalid index: {idx}: invalid index referenced"
        ));
    }
    Ok(if idx < 0 { idx + len } else { idx } as usize)
}

/// `ensurePathExists`: create the missing parents of `path`.
fn ensure_path(doc: &mut Value, path: &str) -> Result<(), PatchError> {
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    if parts.len() < 2 {
        return Ok(());
    }
    let mut node = step_into(doc)?;
    for (pi, part) in parts.iter().enumerate().take(parts.len() - 1) {
        let key = decode_key(part);
        let next = parts[pi + 1];
        let next_index = next.parse::<i64>().ok();
        let make_new = || -> Result<Value, PatchError> {
            match next_index {
                Some(i) if i < 0 => Err(format!(
                    "Unable to ensure path for negative index other than -1: {i}: invalid index referenced"
                )),
                Some(i) => Ok(Value::Array(vec![Value::Null; i as usize])),
                None if next == "-" => Ok(Value::Array(Vec::new())),
                None => Ok(Value::Object(Map::new())),
            }
        };
        node = match node {
            Value::Object(m) => {
                if !m.contains_key(&key) {
                    m.insert(key.clone(), make_new()?);
                }
                step_into(m.get_mut(&key).expect("present"))?
            }
            Value::Array(a) => {
                let idx = key.parse::<usize>().ok().filter(|i| *i < a.len());
                match idx {
                    Some(i) => step_into(&mut a[i])?,
                    None => {
                        if let Ok(i) = key.parse::<usize>() {
                            while a.len() < i {
                                a.push(Value::Null);
                            }
                            a.push(make_new()?);
                            let last = a.len() - 1;
                            step_into(&mut a[last])?
                        } else if key == "-" {
                            a.push(make_new()?);
                            let last = a.len() - 1;
                            step_into(&mut a[last])?
                        } else {
                            return Err(format!(
                                "value was not a proper array index: '{key}': strconv.Atoi: parsing \"{key}\": invalid syntax"
                            ));
                        }
                    }
                }
            }
            _ => unreachable!("step_into leaves only containers"),
        };
    }
    Ok(())
}

/// `findObject`: the container holding the last segment of `path`, or `None`.
fn find_parent<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let split: Vec<&str> = path.split('/').collect();
    if split.len() < 2 {
        return None;
    }
    let key = decode_key(split[split.len() - 1]);
    let mut node = step_into(doc).ok()?;
    for part in &split[1..split.len() - 1] {
        let part = decode_key(part);
        node = match node {
            Value::Object(m) => step_into(m.get_mut(&part)?).ok()?,
            Value::Array(a) => {
                let i = part.parse::<usize>().ok()?;
                step_into(a.get_mut(i)?).ok()?
            }
            _ => return None,
        };
    }
    Some((node, key))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), PatchError> {
    ensure_path(doc, path)?;
    let Some((con, key)) = find_parent(doc, path) else {
        return Err(format!(
            "add operation does not apply: doc is missing path: \"{path}\": missing value"
        ));
    };
    match con {
        Value::Object(m) => {
            m.insert(key, value);
            Ok(())
        }
        Value::Array(a) => {
            if key == "-" {
                a.push(value);
                return Ok(());
            }
            let i = array_index(&key, a.len(), true)
                .map_err(|e| format!("error in add for path: '{path}': {e}"))?;
            a.insert(i, value);
            Ok(())
        }
        _ => Err(format!(
            "add operation does not apply: doc is missing path: \"{path}\": missing value"
        )),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<(), PatchError> {
    let Some((con, key)) = find_parent(doc, path) else {
        return Err(format!(
            "remove operation does not apply: doc is missing path: \"{path}\": missing value"
        ));
    };
    match con {
        Value::Object(m) => {
            if m.shift_remove(&key).is_none() {
                return Err(format!(
                    "error in remove for path: '{path}': unable to remove nonexistent key: {key}: missing value"
                ));
            }
            Ok(())
        }
        Value::Array(a) => {
            let i = array_index(&key, a.len(), false)
                .map_err(|e| format!("error in remove for path: '{path}': {e}"))?;
            a.remove(i);
            Ok(())
        }
        _ => Err(format!(
            "remove operation does not apply: doc is missing path: \"{path}\": missing value"
        )),
    }
}

/// Only reached for array elements (`/list/3`, `/list/-`): the others became `add`.
fn replace(doc: &mut Value, path: &str, value: Value) -> Result<(), PatchError> {
    let Some((con, key)) = find_parent(doc, path) else {
        return Err(format!(
            "replace operation does not apply: doc is missing path: {path}: missing value"
        ));
    };
    let missing_key =
        || format!("replace operation does not apply: doc is missing key: {path}: missing value");
    match con {
        Value::Object(m) => match m.get_mut(&key) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(missing_key()),
        },
        Value::Array(a) => {
            let i = array_index(&key, a.len(), false).map_err(|_| missing_key())?;
            a[i] = value;
            Ok(())
        }
        _ => Err(missing_key()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(doc: Value, patch: Value) -> Result<Value, String> {
        let ops = decode(&patch, |_| false)?;
        let mut doc = doc;
        apply(&mut doc, &ops)?;
        Ok(doc)
    }

    #[test]
    fn add_creates_missing_parents_and_replace_of_a_missing_key_adds() {
        let doc = json!({"metadata_admin": null, "metadata_public": {}, "traits": {"email": "a"}});
        let out = run(
            doc,
            json!([
                {"op": "add", "path": "/metadata_admin/x", "value": 1},
                {"op": "add", "path": "/metadata_public/a/b", "value": 2},
                {"op": "replace", "path": "/traits/name/first", "value": "F"},
                {"op": "add", "path": "/metadata_public/list/2", "value": true},
            ]),
        )
        .unwrap();
        assert_eq!(out["metadata_admin"], json!({"x": 1}));
        assert_eq!(out["metadata_public"]["a"], json!({"b": 2}));
        assert_eq!(out["traits"]["name"], json!({"first": "F"}));
        assert_eq!(out["metadata_public"]["list"], json!([null, null, true]));
    }

    #[test]
    fn failures_use_the_go_library_words() {
        let doc = json!({"m": {"arr": [1]}, "s": "x"});
        let cases = [
            (
                json!([{"op": "remove", "path": "/credentials/password"}]),
                "remove operation does not apply: doc is missing path: \"/credentials/password\": missing value",
            ),
            (
                json!([{"op": "remove", "path": "/m/nope"}]),
                "error in remove for path: '/m/nope': unable to remove nonexistent key: nope: missing value",
            ),
            (
                json!([{"op": "add", "path": "/m/arr/5", "value": 2}]),
                "error in add for path: '/m/arr/5': Unable to access invalid index: 5: invalid index referenced",
            ),
            (
                json!([{"op": "replace", "path": "/m/arr/7", "value": 2}]),
                "replace operation does not apply: doc is missing key: /m/arr/7: missing value",
            ),
            (
                json!([{"op": "add", "path": "/s/x", "value": 2}]),
                "json: cannot unmarshal string into Go value of type map[string]*jsonpatch.lazyNode",
            ),
            (
                json!([{"op": "add", "path": "nopath", "value": 2}]),
                "add operation does not apply: doc is missing path: \"nopath\": missing value",
            ),
            (json!([{"path": "/s"}]), "unsupported operation: unknown"),
            (
                json!([{"op": "add"}]),
                "error parsing patch operations: operation missing path field: missing value",
            ),
            (
                json!({"op": "add"}),
                "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
            ),
        ];
        for (patch, want) in cases {
            assert_eq!(
                run(doc.clone(), patch.clone()).unwrap_err(),
                want,
                "{patch}"
            );
        }
        let out = run(doc, json!([{"op": "add", "path": "/m/arr/-", "value": 3}])).unwrap();
        assert_eq!(out["m"]["arr"], json!([1, 3]));
    }
}
