//! Pure rendering of `State` into a ratatui frame: no state changes, no I/O. Every piece of
//! server text goes through `sanitize` before it reaches the buffer.

pub mod bulk_view;
pub mod conflict_view;
pub mod editor_view;
pub mod overlay;
pub mod table;
pub mod theme;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use crate::app::detail::Detail;
use crate::app::editing::Phase;
use crate::app::state::{Mode, Pane, State};
use crate::app::update::SPINNER;
use crate::sanitize;

pub use theme::Theme;

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    render(state, theme, area, frame.buffer_mut());
    if let Some(session) = &state.editor
        && area.height >= 4
    {
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 4);
        frame.render_widget(ratatui::widgets::Clear, body);
        match &session.phase {
            Phase::Conflict(c) => conflict_view::draw(frame, body, &session.title, c),
            _ => editor_view::draw(frame, body, &session.editor),
        }
        // The question about quitting stays on top of the editor it asks about.
        if let Mode::Quitting { blockers } = &state.mode
            && area.width >= 20
        {
            overlay::quitting(blockers, theme, body, frame.buffer_mut());
        }
    }
}

/// Draw into a buffer (used by `draw`, and by benchmarks without a terminal).
pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.height < 4 || area.width < 20 {
        buf.set_stringn(
            area.x,
            area.y,
            "idtui: terminal too small",
            area.width as usize,
            theme.normal(),
        );
        return;
    }
    let title = Rect::new(area.x, area.y, area.width, 1);
    let strip = Rect::new(area.x, area.y + 1, area.width, 1);
    let body = Rect::new(area.x, area.y + 2, area.width, area.height - 4);
    let footer = Rect::new(area.x, area.bottom() - 2, area.width, 1);
    let status = Rect::new(area.x, area.bottom() - 1, area.width, 1);
    title_bar(state, theme, title, buf);
    pane_strip(state, theme, strip, buf);
    // The bulk change's screen covers the whole body: nothing under it is drawn.
    let covered = matches!(state.mode, Mode::Bulk) && state.bulk.is_some();
    match state.focused().filter(|_| !covered) {
        Some(Pane::Table(t)) => {
            table::draw(t, &state.shown_columns(t), body, buf, theme, state.now)
        }
        Some(Pane::Detail(d)) => detail(d, body, buf, theme),
        None => {}
    }
    footer_line(state, theme, footer, buf);
    // Drawn after the footer: a message too long for one line takes the footer's line too.
    status_bar(state, theme, status, buf);
    match &state.mode {
        Mode::Help { scroll } => overlay::help(state, *scroll, theme, body, buf),
        Mode::ErrorDetail { scroll, error } => overlay::error(error, *scroll, theme, body, buf),
        Mode::Confirm(c) => overlay::confirm(c, theme, body, buf),
        Mode::CourseChoice(c) => overlay::course_choice(c, theme, body, buf),
        Mode::Lookup(l) => overlay::lookup(l, theme, body, buf),
        Mode::Pick(p) => overlay::picker(p, theme, body, buf),
        Mode::Issued(v) => overlay::issued(v, theme, body, buf),
        Mode::Quitting { blockers } => overlay::quitting(blockers, theme, body, buf),
        Mode::BulkPlan(p) => bulk_view::plan(p, theme, body, buf),
        Mode::Bulk => {
            if let Some(run) = &state.bulk {
                bulk_view::run(run, state.now, theme, body, buf);
            }
        }
        Mode::Columns(c) => overlay::columns(c, theme, body, buf),
        _ => {}
    }
}

/// `idtui  kratos │ core │ headless    profile@host  READ-ONLY`
fn title_bar(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme.bar());
    let mut x = area.x;
    let end = area.right();
    // Over SSH, whose session this is: on a shared bastion several people run one.
    let me = match &state.remote {
        Some(r) => format!(" idtui · {} ", sanitize::cell(&r.name, 20)),
        None => " idtui ".to_string(),
    };
    x = buf
        .set_stringn(x, area.y, me, (end - x) as usize, theme.bar())
        .0;
    for (i, tab) in state.tabs().iter().enumerate() {
        let label = format!(" {} ", sanitize::clean_line(&tab.profile.name));
        let style = if i == state.active() {
            theme.bar().patch(theme.active_tab())
        } else {
            theme.bar()
        };
        if x >= end {
            break;
        }
        x = buf
            .set_stringn(x, area.y, label, (end - x) as usize, style)
            .0;
        if i + 1 < state.tabs().len() && x < end {
            x = buf
                .set_stringn(x, area.y, "│", (end - x) as usize, theme.bar())
                .0;
        }
    }
    let Some(tab) = state.tab() else { return };
    // The version its server said (`Ory Kratos v1.3.1`), once read.
    let system = match crate::app::versions::label(state) {
        Some(v) => format!(
            "{} {}",
            tab.profile.provider.system(),
            sanitize::cell(v, 16)
        ),
        None => tab.profile.provider.system().to_string(),
    };
    // The demo data served with no config is said as such: nobody should take it for a
    // tenant.
    let host = match &state.remote {
        Some(r) if r.demo => "demo sandbox".into(),
        _ => sanitize::clean_line(&tab.profile.host),
    };
    let mut right = format!(" {system} · {host} ");
    let room = end.saturating_sub(x + 1) as usize;
    // Which setting makes it read-only, or at least that it is, as far as room allows.
    let badge = crate::app::read_only::level(state).map_or("", |l| {
        [l.badge(), " READ-ONLY "]
            .into_iter()
            .find(|b| b.width() <= room)
            .unwrap_or("")
    });
    let badge_w = badge.width();
    if right.width() + badge_w > room {
        right = sanitize::fit(&right, room.saturating_sub(badge_w));
    }
    let start = end - (right.width() + badge_w) as u16;
    buf.set_stringn(start, area.y, &right, right.width(), theme.bar());
    if !badge.is_empty() {
        buf.set_stringn(end - badge_w as u16, area.y, badge, badge_w, theme.badge());
    }
}

/// Breadcrumbs of the drill-down stack, then the panes of the current screen.
fn pane_strip(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(tab) = state.tab() else { return };
    let end = area.right();
    let mut x = area.x;
    let crumbs: Vec<String> = tab.stack[..tab.stack.len() - 1]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i == 0 {
                let screen = &tab.stack[0];
                screen.panes[screen.focus].title()
            } else {
                s.title.clone()
            }
        })
        .collect();
    for crumb in crumbs {
        let text = format!("{} › ", sanitize::cell(&crumb, 30));
        x = buf
            .set_stringn(
                x,
                area.y,
                text,
                end.saturating_sub(x) as usize,
                theme.muted(),
            )
            .0;
    }
    let screen = tab.screen();
    for (i, pane) in screen.panes.iter().enumerate() {
        if x >= end {
            break;
        }
        let label = format!("[{}]", sanitize::cell(&pane.title(), 40));
        let style = if i == screen.focus {
            theme.active_tab()
        } else {
            theme.muted()
        };
        x = buf
            .set_stringn(x, area.y, label, end.saturating_sub(x) as usize, style)
            .0;
        x = buf
            .set_stringn(
                x,
                area.y,
                " ",
                end.saturating_sub(x) as usize,
                theme.normal(),
            )
            .0;
    }
}

fn detail(d: &Detail, area: Rect, buf: &mut Buffer, theme: &Theme) {
    for (k, line) in d
        .lines
        .iter()
        .skip(d.scroll)
        .take(area.height as usize)
        .enumerate()
    {
        let y = area.y + k as u16;
        let mut x = area.x;
        for (tok, text) in line {
            if x >= area.right() {
                break;
            }
            let text = sanitize::clean_line(text);
            x = buf
                .set_stringn(x, y, text, (area.right() - x) as usize, theme.tok(*tok))
                .0;
        }
    }
}

fn footer_line(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (text, style) = match &state.mode {
        Mode::Find(input) => {
            let hint = state
                .focused_table()
                .and_then(|t| match t.kind() {
                    // What this Kratos can look up (v1.x: no external ids).
                    crate::app::ListKind::Kratos(_) => t
                        .kind()
                        .server_search_hint()
                        .map(|_| crate::app::versions::rules(state).search_hint()),
                    other => other.server_search_hint(),
                })
                .map(|h| format!("   (Enter searches the server: {h})"))
                .unwrap_or_else(|| "   (filters loaded rows)".into());
            (format!("/{}▏{hint}", input.text), theme.normal())
        }
        Mode::Quitting { .. } => (String::new(), theme.normal()),
        _ if state.editor.is_some() => (
            state.editor.as_ref().map(editor_footer).unwrap_or_default(),
            theme.muted(),
        ),
        // Typed at its end: a line longer than the screen shows its end.
        Mode::Command(input) => (
            sanitize::fit_end(
                ":",
                &format!("{}▏", sanitize::clean_line(&input.text)),
                area.width as usize,
            ),
            theme.normal(),
        ),
        Mode::Confirm(_)
        | Mode::CourseChoice(_)
        | Mode::Lookup(_)
        | Mode::Pick(_)
        | Mode::Issued(_)
        | Mode::BulkPlan(_) => (String::new(), theme.normal()),
        // Over SSH a file would be the server's: the report goes to the clipboard instead.
        Mode::Bulk if state.remote.is_some() => (
            "j/k scroll the report · :export - copies it · Esc pauses or closes".into(),
            theme.muted(),
        ),
        Mode::Bulk => (
            "j/k scroll the report · :export FILE writes it · Esc pauses or closes".into(),
            theme.muted(),
        ),
        _ => match state.focused() {
            Some(Pane::Table(t)) => (table::footer(t, state.now), theme.muted()),
            Some(Pane::Detail(d)) => (
                format!(
                    "line {} of {}  · y copy id · Y copy JSON · Tab next pane · Esc back",
                    d.scroll + 1,
                    d.lines.len()
                ),
                theme.muted(),
            ),
            None => (String::new(), theme.normal()),
        },
    };
    let text = sanitize::clean_line(&text);
    buf.set_stringn(
        area.x,
        area.y,
        sanitize::fit(&text, area.width as usize),
        area.width as usize,
        style,
    );
}

/// What the keys of an editor do, as `update` does them. While editing, Esc closes in one
/// press, and unsaved text stays as a draft that the same key brings back.
fn editor_footer(session: &crate::app::editing::EditSession) -> String {
    use crate::editor::Editor;
    match session.phase {
        Phase::Conflict(_) => {
            "nothing was sent · choose: k keep mine · t take theirs · m merge · Esc back".into()
        }
        Phase::Loading => "reading the current version from the server…".into(),
        Phase::Unavailable => "nothing to edit · Esc closes".into(),
        Phase::ConfirmRisky { .. } => {
            "nothing sent yet · y sends it · any other key goes back".into()
        }
        Phase::Checking { .. } => "checking the server copy before saving…".into(),
        Phase::Sending { .. } => "saving… keep typing: what you type now is kept".into(),
        Phase::Editing if session.editor.buffer().is_dirty() => format!(
            "editing · Ctrl-s saves · Esc closes, keeping your draft ({} reopens it)",
            crate::app::leaving::reopen_key(session)
        ),
        Phase::Editing => "editing · Ctrl-s saves · Esc closes".into(),
    }
}

/// The spinner, the last message (a flash or an error) and the key hint. A message longer
/// than one line wraps onto the footer's line above, so a user at 80 columns reads all of
/// it; longer still, its second line ends in `…` (an error's `:error` shows it whole).
fn status_bar(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme.bar());
    let mut x = area.x;
    let end = area.right();
    let spin = if state.busy() {
        format!(" {} ", SPINNER[state.spinner % SPINNER.len()])
    } else {
        "   ".into()
    };
    x = buf
        .set_stringn(x, area.y, spin, (end - x) as usize, theme.bar())
        .0;
    let hint = " ? help  : command  q quit ";
    let room = (end - x) as usize;
    let (message, style) = if let Some(flash) = &state.flash {
        (flash.clone(), theme.bar())
    } else if let Some(running) = &state.export {
        (crate::app::export::progress_line(running), theme.bar())
    } else if let Some(err) = state.current_error() {
        (
            format!("✗ {}  (:error)", err.line),
            theme.bar().patch(theme.error()),
        )
    } else {
        (String::new(), theme.bar())
    };
    let hint_w = if message.width() + hint.width() <= room {
        hint.width()
    } else {
        0
    };
    if hint_w == 0 && message.width() > room && area.y > 0 {
        let lines = sanitize::wrap(&message, room);
        if lines.len() > 1 {
            let above = Rect::new(area.x, area.y - 1, area.width, 1);
            buf.set_style(above, theme.bar());
            let blank = " ".repeat(area.width as usize);
            buf.set_stringn(area.x, above.y, blank, area.width as usize, theme.bar());
            buf.set_stringn(x, above.y, &lines[0], room, style);
            let rest = lines[1..].join(" ");
            buf.set_stringn(x, area.y, sanitize::cell(&rest, room), room, style);
            return;
        }
    }
    let msg = sanitize::cell(&message, room - hint_w);
    buf.set_stringn(x, area.y, &msg, room - hint_w, style);
    if hint_w > 0 {
        buf.set_stringn(end - hint_w as u16, area.y, hint, hint_w, theme.bar());
    }
}
