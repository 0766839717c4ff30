//! Drawing the JSON and JSON Patch editors, and the diff shown before saving. Pure
//! rendering; every piece of text goes through `sanitize`. Only modifiers (bold, dim,
//! reversed) are used, never colours, so the view reads the same under `NO_COLOR`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::editor::{DiffKind, DiffLine, Editor};
use crate::sanitize;

/// Text rows the editor keeps before it gives any to help lines.
const MIN_TEXT_ROWS: u16 = 5;

/// Draws `editor` in `area`: a bordered box titled with what is edited (and whether it is
/// modified), the text with line numbers, the error if there is one, and a line with the
/// cursor position and key hints.
pub fn draw(frame: &mut Frame, area: Rect, editor: &impl Editor) {
    let buffer = editor.buffer();
    let inner_width = usize::from(area.width.saturating_sub(4));
    let marker = if buffer.is_dirty() { " [modified]" } else { "" };
    let title = sanitize::cell(buffer.title(), inner_width.saturating_sub(marker.len()));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(vec![
            Span::styled(
                format!(" {title}"),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!("{marker} ")),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let error_height = u16::from(buffer.error().is_some());
    // The key hints wrap rather than lose their end at 80 columns (the undo and redo keys
    // come last), on at most as many lines as leave the text its rows.
    let (row, col) = buffer.cursor();
    let status = sanitize::wrap(
        &format!("Ln {row}, Col {col} · {}", buffer.hint()),
        usize::from(inner.width),
    );
    let status_height = u16::try_from(status.len()).unwrap_or(u16::MAX).min(
        inner
            .height
            .saturating_sub(error_height + MIN_TEXT_ROWS)
            .max(1),
    );
    // Help (the patch examples) only where it leaves the text room to work in.
    let help = buffer.help();
    let help_height = u16::try_from(help.len())
        .ok()
        .filter(|h| *h > 0 && inner.height >= h + error_height + status_height + MIN_TEXT_ROWS)
        .unwrap_or(0);
    let [text_area, help_area, error_area, status_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(help_height),
        Constraint::Length(error_height),
        Constraint::Length(status_height),
    ])
    .areas(inner);

    // The buffer only ever holds safe text (see `EditBuffer::replace_text`), so the
    // textarea widget can draw it directly.
    frame.render_widget(buffer.textarea(), text_area);

    if help_height > 0 {
        let width = usize::from(help_area.width);
        let rows: Vec<Line> = help
            .iter()
            .map(|l| {
                Line::styled(
                    sanitize::cell(l, width),
                    Style::default().add_modifier(Modifier::DIM),
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(rows), help_area);
    }

    if let Some(error) = buffer.error() {
        let width = usize::from(error_area.width);
        let line = Line::styled(
            sanitize::cell(&format!("✗ {error}"), width),
            Style::default().add_modifier(Modifier::BOLD),
        );
        frame.render_widget(Paragraph::new(line), error_area);
    }

    let width = usize::from(status_area.width);
    let last = usize::from(status_height) - 1;
    let lines: Vec<Line> = status
        .iter()
        .take(last + 1)
        .enumerate()
        .map(|(k, l)| {
            // Lines past the room left are joined onto the last one, which ends in `…`.
            let text = if k == last && status.len() > last + 1 {
                sanitize::cell(&status[last..].join(" "), width)
            } else {
                l.clone()
            };
            Line::styled(text, Style::default().add_modifier(Modifier::DIM))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), status_area);
}

/// Draws a diff (original against edited, or a patch preview) for confirmation, starting
/// at line `scroll`. Removed lines are dim with `-`, added lines bold with `+`.
pub fn draw_diff(frame: &mut Frame, area: Rect, title: &str, lines: &[DiffLine], scroll: usize) {
    let inner_width = usize::from(area.width.saturating_sub(2));
    let changed = lines
        .iter()
        .filter(|l| l.kind != DiffKind::Unchanged)
        .count();
    let heading = format!(
        " {} · {changed} changed lines ",
        sanitize::clean_line(title)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(sanitize::fit(&heading, inner_width));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let rows: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .take(usize::from(inner.height))
        .map(|line| {
            let style = match line.kind {
                DiffKind::Unchanged => Style::default(),
                DiffKind::Removed => Style::default().add_modifier(Modifier::DIM),
                DiffKind::Added => Style::default().add_modifier(Modifier::BOLD),
            };
            Line::styled(sanitize::cell(&line.marked(), inner_width), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(rows), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{JsonEditor, JsonPatchEditor};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use serde_json::json;

    fn render(width: u16, height: u16, f: impl FnOnce(&mut Frame)) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(f).unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn shows_title_numbered_text_and_hints() {
        let editor = JsonEditor::new("metadata_public of ada", "k".into(), json!({"plan": "pro"}));
        let rows = render(50, 8, |f| draw(f, f.area(), &editor));
        assert!(rows[0].contains("metadata_public of ada"), "{rows:#?}");
        assert!(!rows[0].contains("[modified]"));
        assert!(
            rows[2].contains("2") && rows[2].contains("\"plan\": \"pro\""),
            "{rows:#?}"
        );
        assert!(
            rows[6].contains("Ln 1, Col 1") && rows[6].contains("Ctrl-s save"),
            "{rows:#?}"
        );
    }

    #[test]
    fn a_hint_line_longer_than_the_box_wraps_instead_of_losing_its_end() {
        let mut editor = JsonEditor::new("metadata_public of ada", "k".into(), json!({}));
        editor
            .buffer_mut()
            .set_hint("Ctrl-s save · Esc close (draft kept) · Ctrl-u/Ctrl-r undo/redo");
        let rows = render(50, 12, |f| draw(f, f.area(), &editor));
        let text = rows.concat();
        assert!(text.contains("Ln 1, Col 1"), "{rows:#?}");
        assert!(text.contains("undo/redo"), "{rows:#?}");
    }

    #[test]
    fn shows_modified_marker_and_error_line() {
        let mut editor = JsonPatchEditor::new("patch ada", "k".into());
        editor.restore_draft("[");
        editor.set_error(Some(
            "400 Bad Request: patch includes denied path: /id".into(),
        ));
        let rows = render(60, 8, |f| draw(f, f.area(), &editor));
        assert!(rows[0].contains("[modified]"), "{rows:#?}");
        assert!(
            rows[5].contains("✗ 400 Bad Request: patch includes denied"),
            "{rows:#?}"
        );
    }

    #[test]
    fn hostile_text_never_reaches_the_screen_raw() {
        let mut editor = JsonEditor::new(
            "title\x1b]0;pwned\x07",
            "k".into(),
            json!({"name": "evil\u{202e}txt.exe"}),
        );
        editor.set_error(Some("server said \x1b[2J".into()));
        let rows = render(60, 8, |f| draw(f, f.area(), &editor));
        let all = rows.concat();
        assert!(!all.chars().any(sanitize::is_unsafe), "{rows:#?}");
        assert!(all.contains("title␛]0;pwned␇"), "{rows:#?}");
        assert!(all.contains("evil\\u202etxt.exe"), "{rows:#?}");
    }

    #[test]
    fn diff_view_marks_changes() {
        let mut editor = JsonEditor::new("m", "k".into(), json!({"a": 1}));
        editor.restore_draft("{\n  \"a\": 2\n}");
        let lines = editor.diff_lines();
        let rows = render(40, 7, |f| {
            draw_diff(f, f.area(), "save metadata?", &lines, 0)
        });
        assert!(
            rows[0].contains("save metadata? · 2 changed lines"),
            "{rows:#?}"
        );
        assert!(rows.iter().any(|r| r.contains("-   \"a\": 1")), "{rows:#?}");
        assert!(rows.iter().any(|r| r.contains("+   \"a\": 2")), "{rows:#?}");
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let editor = JsonEditor::new("m", "k".into(), json!({"a": 1}));
        for (w, h) in [(1, 1), (3, 2), (10, 3), (0, 0)] {
            render(w.max(1), h.max(1), |f| {
                let area = Rect::new(0, 0, w, h);
                draw(f, area, &editor);
                draw_diff(f, area, "t", &editor.diff_lines(), 5);
            });
        }
    }
}
