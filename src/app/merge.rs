//! Three-way merge of JSON values for the conflict view: the user's changes (base → mine)
//! applied onto the server's version (theirs), with every path both sides changed listed.

use serde_json::Value;

/// The merge of `mine` onto `theirs`, both made from `base`.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    pub merged: Value,
    /// Paths both sides changed to different values, each with what was kept.
    pub conflicts: Vec<String>,
}

/// RFC 6902 operations turning `from` into `to`.
pub fn changes(from: &Value, to: &Value) -> Vec<Value> {
    match serde_json::to_value(json_patch::diff(from, to)) {
        Ok(Value::Array(ops)) => ops,
        _ => Vec::new(),
    }
}

fn path_of(op: &Value) -> &str {
    op.get("path").and_then(Value::as_str).unwrap_or("")
}

/// Whether one JSON pointer is the other or lies under it.
fn overlaps(a: &str, b: &str) -> bool {
    let under = |long: &str, short: &str| {
        long == short || (long.starts_with(short) && long[short.len()..].starts_with('/'))
    };
    under(a, b) || under(b, a)
}

fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    doc.pointer(path)
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(v) => {
            let text = v.to_string();
            if text.chars().count() > 40 {
                format!("{}…", text.chars().take(39).collect::<String>())
            } else {
                text
            }
        }
    }
}

/// Apply the user's changes onto the server's version. Where both changed the same place,
/// the user's value wins and the place is listed; a change that no longer applies (its
/// parent was removed on the server) is skipped and listed.
pub fn three_way(base: &Value, theirs: &Value, mine: &Value) -> Merge {
    let theirs_ops = changes(base, theirs);
    let mut merged = theirs.clone();
    let mut conflicts = Vec::new();
    for op in changes(base, mine) {
        let path = path_of(&op).to_string();
        let contested = theirs_ops.iter().any(|t| overlaps(path_of(t), &path));
        if contested && at(theirs, &path) != at(mine, &path) {
            conflicts.push(format!(
                "{}: server {}, yours {} (yours kept)",
                if path.is_empty() { "/" } else { &path },
                show(at(theirs, &path)),
                show(at(mine, &path))
            ));
        }
        let applied = serde_json::from_value::<json_patch::Patch>(Value::Array(vec![op.clone()]))
            .ok()
            .and_then(|p| {
                let mut next = merged.clone();
                json_patch::patch(&mut next, &p).ok().map(|()| next)
            });
        match applied {
            Some(next) => merged = next,
            None => conflicts.push(format!(
                "{path}: your change no longer applies to the server's version (skipped)"
            )),
        }
    }
    Merge { merged, conflicts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn separate_changes_merge_cleanly() {
        let base = json!({"plan": "free", "seats": 1, "tags": ["a"]});
        let theirs = json!({"plan": "team", "seats": 1, "tags": ["a"]});
        let mine = json!({"plan": "free", "seats": 5, "tags": ["a"]});
        let m = three_way(&base, &theirs, &mine);
        assert_eq!(m.merged, json!({"plan": "team", "seats": 5, "tags": ["a"]}));
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
    }

    #[test]
    fn same_path_changes_are_listed_and_mine_is_kept() {
        let base = json!({"plan": "free", "org": {"name": "x"}});
        let theirs = json!({"plan": "team", "org": {"name": "y"}});
        let mine = json!({"plan": "pro", "org": {"name": "y"}});
        let m = three_way(&base, &theirs, &mine);
        assert_eq!(m.merged, json!({"plan": "pro", "org": {"name": "y"}}));
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        assert!(m.conflicts[0].starts_with("/plan: server \"team\", yours \"pro\""));
    }

    #[test]
    fn a_change_under_a_removed_parent_is_skipped_and_listed() {
        let base = json!({"org": {"name": "x"}});
        let theirs = json!({});
        let mine = json!({"org": {"name": "x", "size": 3}});
        let m = three_way(&base, &theirs, &mine);
        assert_eq!(m.merged, json!({}));
        assert_eq!(m.conflicts.len(), 2, "{:?}", m.conflicts);
    }
}
