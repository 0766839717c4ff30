//! Overlays drawn over the body: help (generated from the keymap and the command table),
//! error details, confirmations that name their target, a lookup under way, the picker of
//! several matches, and a recovery link or code just made.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use crate::app::ErrorInfo;

use crate::app::help;
use crate::app::state::{Confirm, CourseChoice, IssuedView, Lookup, Picker, State};
use crate::sanitize;

use super::theme::Theme;

/// A centred box `w` x `h` (clamped to `area`), cleared and bordered; returns its inside.
/// The title may hold what the user typed (a WHO): it is cleaned and fitted like any text.
pub(super) fn boxed(
    title: &str,
    w: u16,
    h: u16,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) -> Rect {
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
        .title(format!(
            " {} ",
            sanitize::cell(title, w.saturating_sub(4) as usize)
        ))
        .title_style(theme.header());
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

pub(super) fn lines(
    inner: Rect,
    buf: &mut Buffer,
    rows: &[(String, ratatui::style::Style)],
    scroll: usize,
) {
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
    // Laid out (and wrapped) by the app, which scrolls it by the same lines.
    let rows: Vec<(String, ratatui::style::Style)> = help::screen_lines(&state.keymap, state.width)
        .into_iter()
        .map(|l| {
            let style = if l.heading {
                theme.tok(crate::app::detail::Tok::Heading)
            } else {
                theme.normal()
            };
            (l.text, style)
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
    let inner = boxed(
        &title,
        area.width.min(help::BOX_WIDTH),
        height,
        area,
        buf,
        theme,
    );
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
    let headline = crate::app::confirm::headline(c);
    let width = usize::from(area.width.min(70)).saturating_sub(4).max(20);
    let mut rows: Vec<(String, ratatui::style::Style)> =
        sanitize::wrap(&format!("About to {headline}."), width)
            .into_iter()
            .map(|l| (l, theme.error()))
            .collect();
    // What the server will do (a credential delete), wrapped rather than cut.
    if let Some(note) = &c.note {
        rows.extend(
            sanitize::wrap(note, width)
                .into_iter()
                .map(|l| (l, theme.normal())),
        );
    }
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

pub fn lookup(l: &Lookup, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut rows: Vec<(String, ratatui::style::Style)> = sanitize::wrap(&l.doing, 66)
        .into_iter()
        .map(|t| (t, theme.normal()))
        .collect();
    rows.push(("Esc cancels".into(), theme.muted()));
    let title = format!("{} {}", l.purpose.command(), l.who);
    let inner = boxed(
        title.trim_end(),
        70,
        rows.len() as u16 + 2,
        area,
        buf,
        theme,
    );
    lines(inner, buf, &rows, 0);
}

pub fn picker(p: &Picker, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut rows = vec![(
        format!("{} people match “{}”: which one?", p.hits.len(), p.who),
        theme.normal(),
    )];
    // A window of matches around the selected one.
    let room = area.height.saturating_sub(5).max(1) as usize;
    let top = p.selected.saturating_sub(room.saturating_sub(1));
    for (i, hit) in p.hits.iter().enumerate().skip(top).take(room) {
        let mark = if i == p.selected { "›" } else { " " };
        let style = if i == p.selected {
            theme.selected()
        } else {
            theme.normal()
        };
        rows.push((format!("{mark} {}  {}", hit.label(), hit.what()), style));
    }
    rows.push((
        "j/k move · Enter chooses · Esc cancels".into(),
        theme.muted(),
    ));
    let title = format!("{} {}", p.purpose.command(), p.who);
    let inner = boxed(&title, 76, rows.len() as u16 + 2, area, buf, theme);
    lines(inner, buf, &rows, 0);
}

/// `2026-11-30T21:51:20.111119824Z` as `2026-11-30 21:51:20 UTC`; anything else as sent.
fn readable_time(t: &str) -> String {
    match (t.get(..10), t.get(11..19), t.ends_with('Z')) {
        (Some(d), Some(hms), true) if t.as_bytes().get(10) == Some(&b'T') => {
            format!("{d} {hms} UTC")
        }
        _ => t.to_string(),
    }
}

/// A recovery link or code: shown once, in full, with its expiry; `y`/`c` copy it.
pub fn issued(v: &IssuedView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut rows = vec![(format!("For {}", v.subject), theme.normal())];
    if let Some(at) = &v.issued.expires_at {
        rows.push((format!("Expires {}", readable_time(at)), theme.normal()));
    }
    rows.push((String::new(), theme.normal()));
    if let Some(code) = &v.issued.code {
        rows.push((format!("Code: {code}"), theme.header()));
        rows.push(("Recovery page:".into(), theme.muted()));
    }
    for l in sanitize::wrap(&v.issued.link, 72) {
        rows.push((l, theme.header()));
    }
    rows.push((String::new(), theme.normal()));
    let keys = if v.issued.code.is_some() {
        "c copies the code · y the link · any other key closes (not shown again)"
    } else {
        "y copies the link · any other key closes (it is not shown again)"
    };
    rows.push((keys.into(), theme.muted()));
    let title = format!("New {}", v.what);
    let inner = boxed(&title, 76, rows.len() as u16 + 2, area, buf, theme);
    lines(inner, buf, &rows, 0);
}

pub fn course_choice(c: &CourseChoice, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let who = match &c.name {
        Some(name) => format!("{name} ({})", c.user),
        None => c.user.clone(),
    };
    let of = c
        .client
        .as_deref()
        .map(|client| format!(" of client {client}"))
        .unwrap_or_default();
    let mut rows: Vec<(String, ratatui::style::Style)> = sanitize::wrap(
        &format!("About to delete user {who}{of}. Their courses:"),
        72,
    )
    .into_iter()
    .map(|l| (l, theme.error()))
    .collect();
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
    // Each wraps under itself, so a long name is read whole, not cut.
    for b in blockers {
        for (k, l) in sanitize::wrap(b, 70).into_iter().enumerate() {
            let indent = if k == 0 { "  " } else { "    " };
            rows.push((format!("{indent}{l}"), theme.normal()));
        }
    }
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

/// `:columns`: the list's columns, shown ones first and in order, with the chooser's keys.
pub fn columns(
    c: &crate::app::column_choices::ColumnChooser,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let width = 72u16.min(area.width);
    let text_w = width.saturating_sub(4) as usize;
    let mut rows: Vec<(String, ratatui::style::Style)> = Vec::new();
    let room = area.height.saturating_sub(6).max(1) as usize;
    let top = c.selected.saturating_sub(room.saturating_sub(1));
    for (i, e) in c.entries.iter().enumerate().skip(top).take(room) {
        let mark = if e.shown { "[x]" } else { "[ ]" };
        let kind = match e.column {
            crate::app::column::Shown::Builtin(_) => "",
            crate::app::column::Shown::Path(_) => "  (path)",
        };
        let style = if i == c.selected {
            theme.selected()
        } else if e.shown {
            theme.normal()
        } else {
            theme.muted()
        };
        rows.push((format!("{mark} {}{kind}", e.column.title()), style));
    }
    if let Some(path) = &c.typing {
        rows.push((
            format!("path: {path}▏ (Enter adds, Esc cancels)"),
            theme.normal(),
        ));
    }
    if let Some(problem) = &c.problem {
        rows.push((format!("✗ {problem}"), theme.error()));
    }
    let hint = sanitize::wrap(crate::app::column_chooser::HINT, text_w);
    let height = (rows.len() + hint.len()) as u16 + 2;
    let title = format!("Columns of {} ({})", c.list.title(), c.profile);
    let inner = boxed(&title, width, height, area, buf, theme);
    rows.extend(hint.into_iter().map(|h| (h, theme.muted())));
    lines(inner, buf, &rows, 0);
}
