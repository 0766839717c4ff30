//! The text being edited: a `ratatui-textarea` plus what the editors around it need
//! (the original text for dirty tracking and diffs, an error to show, a title).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{CursorMove, TextArea};
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::sanitize;

const DEFAULT_HINT: &str = "Ctrl-s save · Esc close · Ctrl-u undo · Ctrl-r redo";

/// Where and why the text is not valid JSON. Line and column are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct JsonSyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// How a line differs between the original and the edited text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    Unchanged,
    Removed,
    Added,
}

/// One line of a line-by-line diff, for the confirm-before-save view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

impl DiffLine {
    /// The line with a `-`, `+` or space in front, as in a unified diff.
    pub fn marked(&self) -> String {
        let mark = match self.kind {
            DiffKind::Unchanged => ' ',
            DiffKind::Removed => '-',
            DiffKind::Added => '+',
        };
        format!("{mark} {}", self.text)
    }
}

/// Editable text with its original, a title and an optional error message.
#[derive(Debug, Clone)]
pub struct EditBuffer {
    textarea: TextArea<'static>,
    title: String,
    target_key: String,
    original_text: String,
    error: Option<String>,
    hint: String,
    /// Lines shown under the text as help (examples); never part of the text.
    help: Vec<String>,
}

impl EditBuffer {
    pub(crate) fn new(title: String, target_key: String, text: String) -> EditBuffer {
        let mut buffer = EditBuffer {
            textarea: TextArea::default(),
            title,
            target_key,
            // As the text will show: a value holding control or bidi characters, written
            // as escapes in the editor, is not a change.
            original_text: safe_text(&text),
            error: None,
            hint: DEFAULT_HINT.to_string(),
            help: Vec::new(),
        };
        buffer.replace_text(&text);
        buffer
    }

    /// Replaces the whole text (restoring a draft, for instance); the original is kept,
    /// so the buffer is dirty when the new text differs from it.
    pub fn replace_text(&mut self, text: &str) {
        let lines = safe_text(text).split('\n').map(str::to_string).collect();
        let mut textarea = TextArea::new(lines);
        // JSON is indented with two spaces; Tab inserts spaces, never a tab character.
        textarea.set_tab_length(2);
        textarea.set_hard_tab_indent(false);
        textarea.set_line_number_style(Style::default().add_modifier(Modifier::DIM));
        textarea.set_cursor_line_style(Style::default());
        textarea.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
        textarea.set_max_histories(200);
        self.textarea = textarea;
    }

    /// Applies one key press. Ctrl-s is the caller's (save), so it is ignored here, as
    /// are key releases. Returns whether the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('s') if ctrl => false,
            // A control or bidi character typed or sent by the terminal goes in as a
            // JSON escape, which means the same inside a string and cannot act on the
            // terminal when drawn.
            KeyCode::Char(c) if !ctrl && sanitize::is_unsafe(c) => {
                self.textarea.insert_str(escape_char(c))
            }
            KeyCode::Enter if key.modifiers.is_empty() => {
                self.newline_with_indent();
                true
            }
            _ => self.textarea.input(key),
        }
    }

    /// Enter keeps the current line's indentation, one level deeper after `{` or `[`,
    /// so typing JSON by hand stays aligned with the pretty-printed text around it.
    fn newline_with_indent(&mut self) {
        let cursor = self.textarea.cursor();
        let line = &self.textarea.lines()[cursor.0];
        let before: String = line.chars().take(cursor.1).collect();
        let mut indent: String = before.chars().take_while(|c| *c == ' ').collect();
        if before.trim_end().ends_with(['{', '[']) {
            indent.push_str("  ");
        }
        self.textarea.insert_newline();
        self.textarea.insert_str(indent);
    }

    /// Inserts pasted text at the cursor (bracketed paste) as one edit (one undo step),
    /// exactly as pasted: no auto-indent is added to its lines.
    pub fn paste(&mut self, text: &str) -> bool {
        self.textarea.insert_str(safe_text(text))
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    pub fn original_text(&self) -> &str {
        &self.original_text
    }

    pub fn is_dirty(&self) -> bool {
        // Compared line by line to avoid building the whole text on every keystroke.
        !self
            .textarea
            .lines()
            .iter()
            .map(String::as_str)
            .eq(self.original_text.split('\n'))
    }

    /// The text as JSON, or where it stops being JSON.
    pub fn parse(&self) -> Result<Value, JsonSyntaxError> {
        let text = self.text();
        // Deeper than any server accepts: refused before decoding, which would recurse once
        // per level (see `api::json`).
        if let Some(at) = crate::api::json::too_deep_at(text.as_bytes()) {
            let before = &text[..at];
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            return Err(JsonSyntaxError {
                line: before.matches('\n').count() + 1,
                column: before[line_start..].chars().count() + 1,
                message: format!(
                    "nested more than {} levels (the servers refuse deeper JSON)",
                    crate::api::json::MAX_DEPTH
                ),
            });
        }
        crate::api::json::decode_unchecked(text.as_bytes())
            .map(|super::strict::Strict(v)| v)
            .map_err(|e: serde_json::Error| {
                let full = e.to_string();
                let suffix = format!(" at line {} column {}", e.line(), e.column());
                JsonSyntaxError {
                    line: e.line(),
                    column: e.column(),
                    message: full.strip_suffix(&suffix).unwrap_or(&full).to_string(),
                }
            })
    }

    /// Moves the cursor to a 1-based line and column (for example a syntax error's).
    pub fn jump_to(&mut self, line: usize, column: usize) {
        let row = u16::try_from(line.saturating_sub(1)).unwrap_or(u16::MAX);
        let col = u16::try_from(column.saturating_sub(1)).unwrap_or(u16::MAX);
        self.textarea.move_cursor(CursorMove::Jump(row, col));
    }

    /// Original against edited text, line by line.
    pub fn diff_lines(&self) -> Vec<DiffLine> {
        diff(&self.original_text, &self.text())
    }

    /// An error to show inside the editor (a server rejection, a syntax error), or none.
    pub fn set_error(&mut self, error: Option<String>) {
        self.error = error;
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// Identifies what is being edited, e.g. for the draft file name.
    pub fn target_key(&self) -> &str {
        &self.target_key
    }

    pub fn hint(&self) -> &str {
        &self.hint
    }

    /// Replaces the key hint line (when the caller's bindings differ from the default).
    pub fn set_hint(&mut self, hint: impl Into<String>) {
        self.hint = hint.into();
    }

    /// Lines to show under the text as help, outside the text.
    pub fn set_help(&mut self, help: Vec<String>) {
        self.help = help;
    }

    pub fn help(&self) -> &[String] {
        &self.help
    }

    /// 1-based line and column of the cursor.
    pub fn cursor(&self) -> (usize, usize) {
        let cursor = self.textarea.cursor();
        (cursor.0 + 1, cursor.1 + 1)
    }

    pub fn textarea(&self) -> &TextArea<'static> {
        &self.textarea
    }
}

/// Line diff between two texts.
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| DiffLine {
            kind: match change.tag() {
                ChangeTag::Equal => DiffKind::Unchanged,
                ChangeTag::Delete => DiffKind::Removed,
                ChangeTag::Insert => DiffKind::Added,
            },
            text: change
                .value()
                .strip_suffix('\n')
                .unwrap_or(change.value())
                .to_string(),
        })
        .collect()
}

fn escape_char(c: char) -> String {
    let mut out = String::new();
    sanitize::push_json_escape(&mut out, c);
    out
}

/// Text as it may enter the editor: line breaks normalised to `\n` (terminals send a
/// pasted line break as `\r`), tabs as two spaces, and every other character that could
/// act on the terminal written as a JSON escape.
fn safe_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("  "),
            c if sanitize::is_unsafe(c) => out.push_str(&escape_char(c)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn buffer(text: &str) -> EditBuffer {
        EditBuffer::new("t".into(), "k".into(), text.into())
    }

    #[test]
    fn dirty_tracks_the_text_not_the_keystrokes() {
        let mut b = buffer("{}");
        assert!(!b.is_dirty());
        b.input(key(KeyCode::Char('x')));
        assert!(b.is_dirty());
        assert_eq!(b.text(), "x{}");
        b.input(key(KeyCode::Backspace));
        assert!(!b.is_dirty(), "back to the original text");
    }

    #[test]
    fn enter_keeps_the_indentation() {
        let mut b = buffer("{\n  \"a\": [");
        b.jump_to(2, 10);
        b.input(key(KeyCode::Enter));
        b.input(key(KeyCode::Char('1')));
        b.input(key(KeyCode::Enter));
        b.input(key(KeyCode::Char(']')));
        assert_eq!(b.text(), "{\n  \"a\": [\n    1\n    ]");
    }

    #[test]
    fn ctrl_s_is_left_to_the_caller() {
        let mut b = buffer("{}");
        assert!(!b.input(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
        assert_eq!(b.text(), "{}");
    }

    #[test]
    fn unsafe_characters_enter_as_json_escapes() {
        let mut b = buffer("\"a\u{202e}b\x1b\"");
        assert_eq!(b.text(), "\"a\\u202eb\\u001b\"");
        assert_eq!(b.parse().unwrap(), Value::String("a\u{202e}b\x1b".into()));
        b.paste("\r\nx\ty");
        assert!(!b.text().contains(['\r', '\t']));
    }

    #[test]
    fn a_paste_is_one_edit_with_its_own_indentation() {
        let mut b = buffer("[\n]");
        b.jump_to(1, 2);
        // Terminals send a pasted line break as CR; auto-indent must not touch pasted lines.
        assert!(b.paste("\r  {\"a\": 1},\r  {\"b\": 2}"));
        assert_eq!(b.text(), "[\n  {\"a\": 1},\n  {\"b\": 2}\n]");
        // One undo step takes the whole paste back.
        b.input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(b.text(), "[\n]");
    }

    #[test]
    fn parse_errors_have_line_and_column() {
        let b = buffer("{\n  \"a\": 1,\n  \"b\" 2\n}");
        let err = b.parse().unwrap_err();
        assert_eq!((err.line, err.column), (3, 7));
        assert_eq!(err.message, "expected `:`");
        assert_eq!(err.to_string(), "line 3, column 7: expected `:`");
    }

    #[test]
    fn jump_moves_the_cursor() {
        let mut b = buffer("{\n  \"a\": 1\n}");
        b.jump_to(2, 4);
        assert_eq!(b.cursor(), (2, 4));
    }

    #[test]
    fn diff_marks_removed_and_added_lines() {
        let lines = diff("a\nb\nc", "a\nB\nc");
        let marked: Vec<_> = lines.iter().map(DiffLine::marked).collect();
        assert_eq!(marked, ["  a", "- b", "+ B", "  c"]);
    }
}
