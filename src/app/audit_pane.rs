//! `:audit`: the local audit trail as a pane, newest line first. Its pages come from the
//! file (the runtime reads it backwards by byte offsets, `runtime::audit_pages`), through
//! the same table as the API lists. A row is one line; a line that does not parse is a row
//! saying so. The trail is a record: keys that change things do not apply here.

pub mod columns;
pub mod fields;

use serde_json::{Value, json};

use crate::keymap::KeyAction;

use super::model::{ListKind, ObjectKind, Row};
use super::state::{Pane, Screen, State};
use fields::Entry;

/// Said when a changing key is pressed on the trail.
pub const NOT_HERE: &str =
    "the audit trail is a record: d, e, p, n, x, X and marks do not apply here";

/// Longest text of an unreadable line kept for its detail.
const TEXT_MAX: usize = 4096;
/// Longest cell text.
const CELL_MAX: usize = 512;

/// What the runtime read at one line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditLine {
    Text(String),
    /// Longer than the reader keeps in memory (its length in bytes).
    TooLong(u64),
}

/// `:audit`: push the trail on the active profile (or refresh it when it is already open).
pub fn open(state: &mut State) {
    let already = state.tab().is_some_and(|t| {
        t.screen()
            .panes
            .iter()
            .any(|p| matches!(p, Pane::Table(t) if *t.kind() == ListKind::Audit))
    });
    if already {
        super::navigate::refresh_screen(state);
        return;
    }
    let table = state.new_table(ListKind::Audit);
    if let Some(tab) = state.tab_mut() {
        tab.stack.push(Screen {
            title: ListKind::Audit.title().to_string(),
            panes: vec![Pane::Table(table)],
            focus: 0,
            back_to: None,
        });
    }
}

/// Whether the trail is in view (its list or one of its lines).
fn in_view(state: &State) -> bool {
    match state.focused() {
        Some(Pane::Table(t)) => *t.kind() == ListKind::Audit,
        Some(Pane::Detail(d)) => d.kind == ObjectKind::AuditEntry,
        None => false,
    }
}

/// Keys that would change something say that they do not apply on the trail (and do
/// nothing else); `true` when `action` was such a key.
pub fn refuses(state: &mut State, action: KeyAction) -> bool {
    let changes = matches!(
        action,
        KeyAction::Edit
            | KeyAction::Patch
            | KeyAction::New
            | KeyAction::ExternalEdit
            | KeyAction::RevokeSession
            | KeyAction::RevokeAll
            | KeyAction::Mark
            | KeyAction::Delete
    );
    if changes && in_view(state) {
        state.flash = Some(NOT_HERE.into());
        return true;
    }
    false
}

fn text(v: &Value, key: &str) -> String {
    let s = match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    crate::sanitize::cap(&s, CELL_MAX).into_owned()
}

/// Who made the change a line records: a served key's name (its fingerprint when the key
/// has none), else the local login.
fn by(v: &Value) -> String {
    let Some(actor) = v.get("actor") else {
        return String::new();
    };
    ["name", "fingerprint", "user"]
        .into_iter()
        .map(|key| text(actor, key))
        .find(|t| !t.is_empty())
        .unwrap_or_default()
}

/// The row for the line starting at byte `offset` (its id, so it stays selected across a
/// refresh even as newer lines come in above it).
pub fn row(offset: u64, line: &AuditLine) -> Row {
    let id = offset.to_string();
    let problem = |what: String, raw: Value| {
        let entry = Entry {
            path: what,
            outcome: "?".into(),
            ..Entry::default()
        };
        Row::new(id.clone(), entry, raw)
    };
    let text_line = match line {
        AuditLine::TooLong(len) => {
            return problem(
                format!("line too long to show ({len} bytes) at byte {offset}"),
                json!({"offset": offset, "problem": format!("line of {len} bytes, too long to show")}),
            );
        }
        AuditLine::Text(t) => t,
    };
    match crate::api::json::from_str::<Value>(text_line) {
        Ok(v) if v.is_object() => {
            let path = match text(&v, "path") {
                p if p.is_empty() => text(&v, "object"),
                p => p,
            };
            let entry = Entry {
                time: text(&v, "time"),
                profile: text(&v, "profile"),
                by: by(&v),
                method: text(&v, "method"),
                path,
                outcome: text(&v, "outcome"),
                request_id: text(&v, "request_id"),
            };
            Row::new(id, entry, v)
        }
        parsed => {
            let why = match parsed {
                Ok(_) => "not an audit entry".to_string(),
                Err(e) => e.to_string(),
            };
            let shown = crate::sanitize::cap(text_line, TEXT_MAX).into_owned();
            problem(
                "line does not parse".to_string(),
                json!({"offset": offset, "problem": why, "text": shown}),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::columns::entry;
    use super::*;

    fn path(r: &Row) -> &str {
        &entry(r).expect("an audit entry").path
    }

    #[test]
    fn a_line_becomes_a_row_with_time_profile_method_path_outcome_and_request_id() {
        let line = r#"{"profile":"prod","provider":"kratos","method":"DELETE","path":"/admin/sessions/s1","object":"s1","outcome":"applied","request_id":"req-9","time":"2026-05-01T12:00:03.123Z"}"#;
        let r = row(120, &AuditLine::Text(line.into()));
        assert_eq!(r.id, "120");
        let cells: Vec<String> = r
            .cells(ListKind::Audit.columns())
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            cells,
            vec![
                "2026-05-01 12:00:03",
                "prod",
                "",
                "DELETE",
                "/admin/sessions/s1",
                "applied",
                "req-9"
            ]
        );
        assert_eq!(r.raw["provider"], "kratos");
    }

    #[test]
    fn by_names_the_key_or_the_local_login_and_is_blank_on_older_lines() {
        let by = |actor: &str| {
            let line = format!(r#"{{"profile":"p","outcome":"sent"{actor}}}"#);
            let r = row(0, &AuditLine::Text(line));
            let by = entry(&r).expect("an audit entry").by.clone();
            let cell = r
                .cells(ListKind::Audit.columns())
                .zip(ListKind::Audit.columns())
                .find(|(_, c)| c.title == "BY")
                .map(|(cell, _)| cell.to_string());
            assert_eq!(cell.as_deref(), Some(by.as_str()), "the BY column reads it");
            by
        };
        let key = r#","actor":{"fingerprint":"SHA256:abc","name":"alice"}"#;
        assert_eq!(by(key), "alice");
        assert_eq!(by(r#","actor":{"user":"bob"}"#), "bob");
        assert_eq!(
            by(r#","actor":{"fingerprint":"SHA256:abc","name":""}"#),
            "SHA256:abc"
        );
        assert_eq!(by(""), "", "written before lines named anyone");
        assert_eq!(by(r#","actor":"eve""#), "");
        // Kept as written: the table cleans it where it is drawn.
        assert_eq!(
            by(r#","actor":{"fingerprint":"SHA256:x","name":"ev\u001b[2Je"}"#),
            "ev\u{1b}[2Je"
        );
    }

    #[test]
    fn a_line_that_does_not_parse_is_a_row_saying_so() {
        for bad in ["{\"profile\": \"p\", \"meth", "[1, 2]", "\u{1b}[2Jhello"] {
            let r = row(7, &AuditLine::Text(bad.into()));
            assert!(
                path(&r).starts_with("line does not parse"),
                "{:?}",
                r.fields
            );
            assert_eq!(r.raw["offset"], 7);
            assert_eq!(r.raw["text"], bad);
        }
        let r = row(9, &AuditLine::TooLong(5_000_000));
        assert!(path(&r).contains("5000000 bytes"), "{:?}", r.fields);
    }
}
