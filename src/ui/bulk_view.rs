//! A bulk change on screen: its plan (a box asking for the count) and its run (a progress
//! bar with counts, rate and ETA over the report, one line per item with its outcome).

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Widget};
use unicode_width::UnicodeWidthStr;

use super::overlay::{boxed, lines};
use super::table::group;
use super::theme::Theme;
use crate::app::bulk::journal::Outcome;
use crate::app::bulk::proposal::{FIRST_NAMES, Plan};
use crate::app::bulk::run::{Run, Status, Step};
use crate::sanitize;

pub fn plan(p: &Plan, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width.min(76)).saturating_sub(4).max(20);
    let wrap = |text: &str, style| {
        sanitize::wrap(text, width)
            .into_iter()
            .map(move |l| (l, style))
            .collect::<Vec<_>>()
    };
    let n = p.items.len();
    let mut rows = wrap(
        &format!(
            "{} {} on {}: {}.",
            group(n),
            p.target.plural(),
            p.profile,
            p.op.describe(&p.target)
        ),
        theme.error(),
    );
    let names: Vec<String> = p
        .items
        .iter()
        .take(FIRST_NAMES)
        .map(|(id, name)| {
            let name = if name.is_empty() { id } else { name };
            sanitize::clean_line(name).into_owned()
        })
        .collect();
    let more = match n.saturating_sub(FIRST_NAMES) {
        0 => String::new(),
        m => format!(" and {} more", group(m)),
    };
    rows.extend(wrap(
        &format!("First: {}{more}.", names.join(", ")),
        theme.normal(),
    ));
    rows.extend(wrap(
        &format!(
            "Each is read fresh and changed from that copy, {} at a time, one change per \
             object; a lost answer is settled by reading it. Left out, each with its reason \
             in the report: those gone from the server, those already so (unchanged), and \
             those the server refuses. A journal lets it resume after a crash.",
            p.concurrency
        ),
        theme.muted(),
    ));
    rows.push((
        format!("Type {} and Enter to start, Esc to cancel:", p.count()),
        theme.normal(),
    ));
    rows.push((format!("> {}▏", p.typed), theme.normal()));
    let title = format!("Bulk change: {}", p.op.command());
    let inner = boxed(&title, 78, rows.len() as u16 + 2, area, buf, theme);
    lines(inner, buf, &rows, 0);
}

/// `[████████░░░░░░░░] 230/500`
fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(width);
    format!("[{}{}]", "█".repeat(filled), "░".repeat(width - filled))
}

fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s / 60) % 60),
    }
}

/// The progress line: counts, rate and what happens next.
pub fn progress(run: &Run, now: Duration) -> String {
    let c = &run.counts;
    let total = run.len();
    let settled = c.settled();
    let mut line = format!(
        "{}/{} · done {} · failed {} · skipped {}",
        group(settled),
        group(total),
        group(c.done()),
        group(c.failed),
        group(c.skipped)
    );
    if c.unknown > 0 {
        line.push_str(&format!(" · unknown {}", group(c.unknown)));
    }
    if c.not_sent > 0 {
        line.push_str(&format!(" · not sent {}", group(c.not_sent)));
    }
    if let Some(rate) = run.rate(now).filter(|_| run.status == Status::Running) {
        let left = total.saturating_sub(settled) as f64 / rate;
        line.push_str(&format!(
            " · {rate:.0}/s · ETA {}",
            duration(Duration::from_secs_f64(left))
        ));
    }
    line
}

fn status_line(run: &Run, now: Duration) -> String {
    match run.status {
        Status::Running => match run.paused_until.filter(|&t| t > now) {
            Some(t) => format!(
                "rate limited: waiting {} as the server asked · Esc pauses",
                duration(t - now)
            ),
            None => "running · Esc pauses".into(),
        },
        Status::Paused => {
            let out = match run.in_flight {
                0 => String::new(),
                n => format!("{n} still settling · "),
            };
            format!("paused · {out}Enter resumes · s stops (the rest is not sent) · Esc hides")
        }
        Status::Interrupted => {
            let lost = match run.unsettled() {
                0 => String::new(),
                n => format!(", {n} sent without an answer (read first)"),
            };
            format!(
                "interrupted by a crash or a dropped connection{lost} · Enter resumes · s stops"
            )
        }
        Status::Finished { stopped: false } => {
            "finished · Esc closes · :bulk shows it again".into()
        }
        Status::Finished { stopped: true } => "stopped · Esc closes · :bulk shows it again".into(),
    }
}

fn outcome_style(outcome: &Outcome, theme: &Theme) -> ratatui::style::Style {
    match outcome {
        Outcome::Applied(_) => theme.normal(),
        Outcome::Unchanged(_) | Outcome::Skipped(_) | Outcome::NotSent(_) => theme.muted(),
        Outcome::Failed(_) | Outcome::Unknown(_) => theme.error(),
    }
}

/// The run's screen over the whole body: title, bar, counts, status, then the report.
pub fn run(run: &Run, now: Duration, theme: &Theme, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    if area.height < 5 {
        return;
    }
    let w = area.width as usize;
    let title = format!(
        "Bulk change on {}, {} {}: {}",
        run.profile,
        group(run.len()),
        run.target.plural(),
        run.op.describe(&run.target),
    );
    let bar_width = w.saturating_sub(2).min(60);
    let header = [
        (title, theme.header()),
        (
            bar(run.counts.settled(), run.len(), bar_width),
            theme.normal(),
        ),
        (progress(run, now), theme.normal()),
        (status_line(run, now), theme.muted()),
    ];
    for (k, (text, style)) in header.iter().enumerate() {
        let text = sanitize::fit(&sanitize::clean_line(text), w);
        buf.set_stringn(area.x, area.y + k as u16, text, w, *style);
    }
    let list = Rect::new(area.x, area.y + 5, area.width, area.height - 5);
    let room = list.height as usize;
    let top = run.selected.saturating_sub(room.saturating_sub(1));
    // Names line up over the lines on screen (a very long one is cut).
    let name_width = run
        .items
        .iter()
        .skip(top)
        .take(room)
        .map(|i| sanitize::clean_line(i.label()).width())
        .max()
        .unwrap_or(0)
        .min(40);
    for (k, item) in run.items.iter().enumerate().skip(top).take(room) {
        let (label, why, style) = match &item.step {
            Step::Done(o) => (o.label(), o.why().to_string(), outcome_style(o, theme)),
            Step::Pending if item.unsettled.is_some() => (
                "to check",
                "sent before the stop; read first".into(),
                theme.muted(),
            ),
            Step::Pending => ("pending", String::new(), theme.muted()),
            Step::Reading => ("reading", String::new(), theme.normal()),
            Step::Changing { .. } => ("sending", String::new(), theme.normal()),
            Step::Waiting { until } => (
                "retrying",
                format!("in {}", duration(until.saturating_sub(now))),
                theme.muted(),
            ),
        };
        let mark = if k == run.selected { "›" } else { " " };
        let name = sanitize::fit(&sanitize::clean_line(item.label()), name_width);
        let pad = name_width.saturating_sub(name.width());
        let text = format!("{mark} {label:<9} {name}{}  {why}", " ".repeat(pad));
        let style = if k == run.selected {
            style.patch(theme.selected())
        } else {
            style
        };
        let y = list.y + (k - top) as u16;
        buf.set_stringn(
            list.x,
            y,
            sanitize::fit(&sanitize::clean_line(&text), w),
            w,
            style,
        );
    }
}
