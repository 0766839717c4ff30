//! Overlays drawn over the body: help (generated from the keymap), error details, and
//! confirmations that name their target.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use crate::app::ErrorInfo;
use crate::app::state::{COMMANDS, Confirm, CourseChoice, State};
use crate::sanitize;

use super::theme::Theme;

/// A centred box `w` x `h` (clamped to `area`), cleared and bordered; returns its inside.
fn boxed(title: &str, w: u16, h: u16, area: Rect, buf: &mut Buffer, theme: &Theme) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "))
        .title_style(theme.header());
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

fn lines(inner: Rect, buf: &mut Buffer, rows: &[(String, ratatui::style::Style)], scroll: usize) {
    for (k, (text, style)) in rows
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .enumerate()
    {
        buf.set_stringn(
            inner.x + 1,
            inner.y + k as u16,
            sanitize::fit(
                &sanitize::clean_line(text),
                inner.width.saturating_sub(1) as usize,
            ),
            inner.width.saturating_sub(1) as usize,
            *style,
        );
    }
}

pub fn help(state: &State, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut rows = Vec::new();
    for section in state.keymap.help_sections() {
        rows.push((
            section.title.to_string(),
            theme.tok(crate::app::detail::Tok::Heading),
        ));
        for (keys, what) in section.rows {
            rows.push((format!("  {keys:<18} {what}"), theme.normal()));
        }
    }
    rows.push((
        "Commands".into(),
        theme.tok(crate::app::detail::Tok::Heading),
    ));
    // As many commands a line as fit the box (72 wide, less borders and margins).
    let mut line = String::new();
    for c in COMMANDS {
        if !line.is_empty() && line.len() + c.len() + 3 > 66 {
            rows.push((std::mem::take(&mut line), theme.normal()));
        }
        line.push_str(&format!("  :{c}"));
    }
    rows.push((line, theme.normal()));
    rows.push((
        "  :audit lists the changes sent (audit.jsonl), newest first".into(),
        theme.normal(),
    ));
    rows.push((
        "  find: / filters loaded rows; Enter searches the server where it can".into(),
        theme.normal(),
    ));
    rows.push(("  any other key closes this help".into(), theme.muted()));
    let inner = boxed(
        "Keys (j/k scroll)",
        72,
        rows.len() as u16 + 2,
        area,
        buf,
        theme,
    );
    let scroll = scroll.min(rows.len().saturating_sub(inner.height as usize));
    lines(inner, buf, &rows, scroll);
}

pub fn error(err: &ErrorInfo, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut rows: Vec<(String, ratatui::style::Style)> = vec![
        (err.line.clone(), theme.error()),
        (String::new(), theme.normal()),
    ];
    rows.extend(sanitize::lines(&err.details).map(|l| (l.into_owned(), theme.normal())));
    rows.push(("Esc closes".into(), theme.muted()));
    let inner = boxed("Error", 76, rows.len() as u16 + 2, area, buf, theme);
    lines(inner, buf, &rows, scroll.min(rows.len().saturating_sub(1)));
}

pub fn confirm(c: &Confirm, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut rows = vec![(
        format!("About to {}.", c.mutation.describe()),
        theme.error(),
    )];
    match &c.type_to_confirm {
        Some(expected) => {
            rows.push((
                format!("Type {expected} and Enter to confirm, Esc to cancel:"),
                theme.normal(),
            ));
            rows.push((format!("> {}▏", c.input.text), theme.normal()));
        }
        None => rows.push(("y confirms, any other key cancels".into(), theme.normal())),
    }
    let inner = boxed("Confirm", 70, rows.len() as u16 + 2, area, buf, theme);
    lines(inner, buf, &rows, 0);
}

pub fn course_choice(c: &CourseChoice, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut rows = vec![(
        format!("About to delete user {}. Their courses:", c.user),
        theme.error(),
    )];
    match &c.reallocate_to {
        None => {
            rows.push((
                "  r  reallocate them to another user".into(),
                theme.normal(),
            ));
            rows.push(("  d  delete them too".into(), theme.normal()));
            rows.push(("  i  leave them (ignore)".into(), theme.normal()));
            rows.push(("Esc cancels".into(), theme.muted()));
        }
        Some(input) => {
            rows.push((
                "Identifier of the user receiving the courses, then Enter (Esc cancels):".into(),
                theme.normal(),
            ));
            rows.push((format!("> {}▏", input.text), theme.normal()));
        }
    }
    let inner = boxed("Delete user", 76, rows.len() as u16 + 2, area, buf, theme);
    lines(inner, buf, &rows, 0);
}
