//! Overlays drawn over the body: help (generated from the keymap), error details, and
//! confirmations that name their target.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use crate::app::ErrorInfo;
use unicode_width::UnicodeWidthStr;

use crate::app::help::{self, HelpLine};
use crate::app::state::{Confirm, CourseChoice, State};
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

/// The help: every action with its keys and every command with its argument, as wide as
/// the screen allows (up to 100 columns) and scrolled by `scroll` lines.
pub fn help(state: &State, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let all = help::lines(&state.keymap);
    let key_width = all
        .iter()
        .filter_map(|l| match l {
            HelpLine::Row(k, _) => Some(k.width()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .min(22);
    let rows: Vec<(String, ratatui::style::Style)> = all
        .iter()
        .map(|line| match line {
            HelpLine::Heading(t) => (t.to_string(), theme.tok(crate::app::detail::Tok::Heading)),
            HelpLine::Row(keys, what) => (
                format!("  {}  {what}", sanitize::fit_pad(keys, key_width)),
                theme.normal(),
            ),
            HelpLine::Note(t) => (format!("  {t}"), theme.normal()),
        })
        .collect();
    let height = (rows.len() as u16 + 2).min(area.height);
    let shown = height.saturating_sub(2) as usize;
    let scroll = scroll.min(rows.len().saturating_sub(shown));
    let last = (scroll + shown).min(rows.len());
    let title = if shown < rows.len() {
        format!(
            "Help {}–{} of {} · j/k PgDn/PgUp scroll · other keys close",
            scroll + 1,
            last,
            rows.len()
        )
    } else {
        "Help · any key closes".to_string()
    };
    let inner = boxed(&title, area.width.min(100), height, area, buf, theme);
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

/// Quitting would lose something: what, and the three ways out.
pub fn quitting(blockers: &[String], theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut rows = vec![(
        "Quit? Not saved to the server yet:".to_string(),
        theme.error(),
    )];
    rows.extend(blockers.iter().map(|b| (format!("  {b}"), theme.normal())));
    rows.push((String::new(), theme.normal()));
    rows.push((
        "  k  keep the drafts and quit (they come back when you reopen the editor)".into(),
        theme.normal(),
    ));
    rows.push(("  d  discard the drafts and quit".into(), theme.normal()));
    rows.push((
        "  Esc  cancel, stay here (Ctrl-C again: keep and quit)".into(),
        theme.muted(),
    ));
    let inner = boxed("Quit", 78, rows.len() as u16 + 2, area, buf, theme);
    lines(inner, buf, &rows, 0);
}
