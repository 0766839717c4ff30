//! Editing a JSON value in place: the text starts as the value pretty-printed with two
//! spaces and must parse back to JSON before it can be saved.

use crossterm::event::KeyEvent;
use serde_json::Value;

use super::{DiffLine, EditBuffer, Editor, JsonSyntaxError};

#[derive(Debug, Clone)]
pub struct JsonEditor {
    buffer: EditBuffer,
    original: Value,
}

/// Pretty JSON with two-space indentation (serde_json's pretty printer).
pub(crate) fn pretty(value: &Value) -> String {
    // Serialising a `Value` cannot fail: its map keys are always strings.
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

impl JsonEditor {
    pub fn new(title: impl Into<String>, target_key: String, original: Value) -> JsonEditor {
        JsonEditor {
            buffer: EditBuffer::new(title.into(), target_key, pretty(&original)),
            original,
        }
    }

    /// An empty editor standing in while the value is read (not modified, nothing in it).
    pub fn placeholder(title: impl Into<String>, target_key: String) -> JsonEditor {
        JsonEditor {
            buffer: EditBuffer::new(title.into(), target_key, String::new()),
            original: Value::Null,
        }
    }

    /// Puts a saved draft's text in the editor; it counts as a change to the original.
    pub fn restore_draft(&mut self, text: &str) {
        self.buffer.replace_text(text);
    }

    /// Applies one key press; Ctrl-s is left to the caller. Returns whether the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        self.buffer.input(key)
    }

    pub fn paste(&mut self, text: &str) -> bool {
        self.buffer.paste(text)
    }

    pub fn text(&self) -> String {
        self.buffer.text()
    }

    /// The text differs from the original value's pretty form.
    pub fn is_dirty(&self) -> bool {
        self.buffer.is_dirty()
    }

    pub fn parse(&self) -> Result<Value, JsonSyntaxError> {
        self.buffer.parse()
    }

    /// Whether the edited text means something other than the original (formatting
    /// changes alone do not count). Invalid JSON counts as changed.
    pub fn changes_value(&self) -> bool {
        self.parse().map_or(true, |v| v != self.original)
    }

    pub fn diff_lines(&self) -> Vec<DiffLine> {
        self.buffer.diff_lines()
    }

    pub fn set_error(&mut self, error: Option<String>) {
        self.buffer.set_error(error);
    }

    /// Parses the text for saving. On a syntax error, shows it in the editor and moves
    /// the cursor to it.
    pub fn check(&mut self) -> Result<Value, JsonSyntaxError> {
        match self.parse() {
            Ok(value) => {
                self.buffer.set_error(None);
                Ok(value)
            }
            Err(e) => {
                self.buffer.jump_to(e.line, e.column);
                self.buffer.set_error(Some(format!("not valid JSON: {e}")));
                Err(e)
            }
        }
    }

    pub fn original(&self) -> &Value {
        &self.original
    }

    pub fn target_key(&self) -> &str {
        self.buffer.target_key()
    }

    pub fn buffer_mut(&mut self) -> &mut EditBuffer {
        &mut self.buffer
    }
}

impl Editor for JsonEditor {
    fn buffer(&self) -> &EditBuffer {
        &self.buffer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};
    use serde_json::json;

    fn type_text(editor: &mut JsonEditor, text: &str) {
        for c in text.chars() {
            editor.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn starts_pretty_printed_and_clean() {
        let editor = JsonEditor::new(
            "metadata_public",
            "k".into(),
            json!({"plan": "pro", "n": [1, 2]}),
        );
        assert_eq!(
            editor.text(),
            "{\n  \"plan\": \"pro\",\n  \"n\": [\n    1,\n    2\n  ]\n}"
        );
        assert!(!editor.is_dirty());
        assert!(!editor.changes_value());
        assert_eq!(editor.parse().unwrap(), *editor.original());
    }

    #[test]
    fn editing_a_value_is_dirty_and_diffs() {
        let mut editor = JsonEditor::new("m", "k".into(), json!({"plan": "pro"}));
        // Cursor starts at the top; go to the end of the value line and extend it.
        editor.buffer_mut().jump_to(2, 15);
        type_text(&mut editor, "-max");
        assert!(editor.is_dirty());
        assert_eq!(editor.parse().unwrap(), json!({"plan": "pro-max"}));
        let changed: Vec<_> = editor
            .diff_lines()
            .into_iter()
            .filter(|l| l.kind != super::super::DiffKind::Unchanged)
            .map(|l| l.marked())
            .collect();
        assert_eq!(
            changed,
            ["-   \"plan\": \"pro\"", "+   \"plan\": \"pro-max\""]
        );
    }

    #[test]
    fn check_reports_and_jumps_to_syntax_errors() {
        let mut editor = JsonEditor::new("m", "k".into(), json!({}));
        editor.restore_draft("{\n  \"a\": 1 2\n}");
        assert!(editor.is_dirty());
        let err = editor.check().unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(editor.buffer().cursor().0, 2);
        let shown = editor.buffer().error().unwrap();
        assert!(shown.starts_with("not valid JSON: line 2"), "{shown}");
        editor.restore_draft("{\"a\": true}");
        assert_eq!(editor.check().unwrap(), json!({"a": true}));
        assert_eq!(editor.buffer().error(), None);
    }

    #[test]
    fn reformatting_does_not_change_the_value() {
        let mut editor = JsonEditor::new("m", "k".into(), json!({"a": 1}));
        editor.restore_draft("{\"a\":1}");
        assert!(editor.is_dirty());
        assert!(!editor.changes_value());
    }
}
