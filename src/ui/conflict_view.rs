//! The three-way view shown when the object changed on the server since an edit started:
//! what the server changed and what the user changed, each against the common base, the
//! places both changed, and the choices. Nothing was sent while it shows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::editing::Conflict;
use crate::editor::{DiffKind, DiffLine};
use crate::sanitize;

use super::editor_view::draw_diff;

/// The choices, as the keys in `app::editing` take them.
pub const CHOICES: &str = "k keep mine (checks again, then sends) · t take theirs · m merge into the editor · Esc back to editing · ↑↓ scroll";

pub fn draw(frame: &mut Frame, area: Rect, title: &str, c: &Conflict) {
    let block = Block::default().borders(Borders::ALL).title(sanitize::fit(
        &format!(" {} · changed on the server ", sanitize::clean_line(title)),
        usize::from(area.width.saturating_sub(2)),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut head = vec![Line::styled(
        if c.after_lost_answer {
            "The answer to your save was lost, and the server now holds a third version: \
             nothing more was sent."
        } else {
            "The server copy changed since you started editing: nothing was sent."
        },
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if c.overlaps.is_empty() {
        head.push(Line::raw(
            "No place was changed by both: merging keeps both changes.",
        ));
    } else {
        head.push(Line::raw(format!(
            "Both changed {} place(s): {}",
            c.overlaps.len(),
            c.overlaps.join("; ")
        )));
    }
    let head_height = 3.min(inner.height.saturating_sub(3));
    let [head_area, body, keys] = Layout::vertical([
        Constraint::Length(head_height),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let head: Vec<Line> = head
        .into_iter()
        .map(|l| Line::styled(sanitize::clean_line(&l.to_string()).into_owned(), l.style))
        .collect();
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), head_area);

    // Side by side when there is room, one above the other otherwise.
    let halves = if body.width >= 100 {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).split(body)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).split(body)
    };
    draw_diff(
        frame,
        halves[0],
        "base → server (theirs)",
        &around_changes(&c.theirs_diff),
        c.scroll,
    );
    draw_diff(
        frame,
        halves[1],
        "base → yours",
        &around_changes(&c.mine_diff),
        c.scroll,
    );

    frame.render_widget(
        Paragraph::new(Line::styled(
            sanitize::cell(CHOICES, usize::from(keys.width)),
            Style::default().add_modifier(Modifier::DIM),
        )),
        keys,
    );
}

/// The changed lines with one unchanged line around each run, so both diffs fit.
fn around_changes(lines: &[DiffLine]) -> Vec<DiffLine> {
    let changed = |i: usize| lines.get(i).is_some_and(|l| l.kind != DiffKind::Unchanged);
    let keep: Vec<DiffLine> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| changed(*i) || changed(i + 1) || (*i > 0 && changed(i - 1)))
        .map(|(_, l)| l.clone())
        .collect();
    if keep.is_empty() {
        vec![DiffLine {
            kind: DiffKind::Unchanged,
            text: "(no change)".into(),
        }]
    } else {
        keep
    }
}
