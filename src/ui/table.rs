//! A table pane: the visible window of rows only, columns fitted to the width.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use crate::app::model::Column;
use crate::app::table::Table;
use crate::sanitize;

use super::theme::Theme;

const GAP: u16 = 1;
/// How wide a bounded column (an id) grows before lower-priority columns get room.
const BOUNDED_FIRST: u16 = 16;

/// Which columns are shown and how wide, for `width` columns of screen. Columns are dropped
/// by priority when even their minimum does not fit; leftover width goes to flexible columns.
pub fn fit_columns(columns: &[Column], natural: &[u16], width: u16) -> Vec<(usize, u16)> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| (columns[i].priority, i));
    let mut shown = Vec::new();
    let mut used = 0u16;
    for i in order {
        let need = columns[i].min + if shown.is_empty() { 0 } else { GAP };
        if used + need <= width {
            used += need;
            shown.push(i);
        }
    }
    shown.sort_unstable();
    let want = |i: usize| {
        let n = natural.get(i).copied().unwrap_or(0).max(columns[i].min);
        if columns[i].max == 0 {
            n
        } else {
            n.min(columns[i].max)
        }
    };
    let mut widths: Vec<(usize, u16)> = shown.iter().map(|&i| (i, columns[i].min)).collect();
    let mut spare = width.saturating_sub(used);
    // Grow towards natural width in priority order, then give the rest to flexible columns.
    // First every column grows towards its content in priority order, bounded ones (ids)
    // only to a recognisable prefix; within a priority, flexible text columns (names,
    // emails) go first. Then bounded columns may grow to their full content.
    let mut by_priority: Vec<usize> = (0..widths.len()).collect();
    by_priority.sort_by_key(|&k| {
        let c = columns[widths[k].0];
        (c.priority, c.max != 0, widths[k].0)
    });
    for cap in [Some(BOUNDED_FIRST), None] {
        for &k in &by_priority {
            let (i, w) = widths[k];
            let limit = match cap {
                Some(cap) if columns[i].max != 0 => want(i).min(cap.max(columns[i].min)),
                _ => want(i),
            };
            let grow = limit.saturating_sub(w).min(spare);
            widths[k].1 += grow;
            spare -= grow;
        }
    }
    let flexible: Vec<usize> = (0..widths.len())
        .filter(|&k| columns[widths[k].0].max == 0)
        .collect();
    if !flexible.is_empty() {
        let each = spare / flexible.len() as u16;
        let mut extra = spare % flexible.len() as u16;
        for k in flexible {
            widths[k].1 += each + u16::from(extra > 0);
            extra = extra.saturating_sub(1);
        }
    }
    widths
}

/// `now` is the state's clock, for the countdown of a page waiting to be tried again.
pub fn draw(table: &Table, area: Rect, buf: &mut Buffer, theme: &Theme, now: Duration) {
    if area.height == 0 {
        return;
    }
    let columns = table.kind().columns();
    let body = area.height.saturating_sub(1) as usize;
    // The rows on screen: either the filtered matches or the table's window.
    let indices: Vec<usize> = match table.filter() {
        Some(f) => {
            let top = f.selected.saturating_sub(body.saturating_sub(1));
            f.matches.iter().copied().skip(top).take(body).collect()
        }
        None => (table.offset()..table.offset() + body)
            .take_while(|&i| i < table.known())
            .collect(),
    };
    let selected = match table.filter() {
        Some(f) => f.matches.get(f.selected).copied(),
        None => Some(table.selected()),
    };
    let mut natural: Vec<u16> = columns.iter().map(|c| c.title.width() as u16).collect();
    let mut filled = vec![false; columns.len()];
    for &i in &indices {
        if let Some(row) = table.row(i) {
            for (k, cell) in row.cells(columns).enumerate() {
                let text = cell.shown();
                let w = sanitize::clean_line(&text).width().min(200) as u16;
                natural[k] = natural[k].max(w);
                filled[k] |= !text.is_empty();
            }
        }
    }
    // A column empty in every row on screen (a field this tenant does not send) gives its
    // width to the others.
    let any_row = filled.iter().any(|&f| f);
    let kept: Vec<usize> = (0..columns.len())
        .filter(|&k| !any_row || filled[k])
        .collect();
    let kept_columns: Vec<Column> = kept.iter().map(|&k| columns[k]).collect();
    let kept_natural: Vec<u16> = kept.iter().map(|&k| natural[k]).collect();
    let fitted: Vec<(usize, u16)> = fit_columns(&kept_columns, &kept_natural, area.width)
        .into_iter()
        .map(|(i, w)| (kept[i], w))
        .collect();
    let mut x = area.x;
    for &(i, w) in &fitted {
        buf.set_stringn(x, area.y, columns[i].title, w as usize, theme.header());
        x += w + GAP;
    }
    for (line, &index) in indices.iter().enumerate() {
        let y = area.y + 1 + line as u16;
        let is_selected = Some(index) == selected;
        let row = table.row(index);
        let is_marked = row.is_some_and(|r| table.marked().contains(&r.id));
        let style = match (is_selected, is_marked) {
            (true, true) => theme.selected().patch(theme.marked()),
            (true, false) => theme.selected(),
            (false, true) => theme.marked(),
            (false, false) => theme.normal(),
        };
        if is_selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), style);
        }
        let Some(row) = row else {
            let (note, style) = if table.page_loaded(index) {
                (
                    "  (no longer on the server; r refreshes)".to_string(),
                    theme.muted(),
                )
            } else if let Some(f) = table.failure_at(index) {
                (
                    format!(
                        "  ✗ {} · {} · Enter: details",
                        f.error.line,
                        f.next_step(now)
                    ),
                    theme.error(),
                )
            } else {
                ("  loading…".to_string(), theme.muted())
            };
            let note = sanitize::cell(&note, area.width as usize);
            let style = if is_selected {
                style.patch(theme.selected())
            } else {
                style
            };
            buf.set_stringn(area.x, y, note, area.width as usize, style);
            continue;
        };
        let mut x = area.x;
        for &(i, w) in &fitted {
            let text = columns[i].of(row).shown();
            let shown = if columns[i].is_id {
                sanitize::id_cell(&text, w as usize)
            } else {
                sanitize::cell(&text, w as usize)
            };
            buf.set_stringn(x, y, shown, w as usize, style);
            x += w + GAP;
        }
    }
    if indices.is_empty() {
        let msg = if let Some(f) = table.failure() {
            format!(
                "could not load: {}  ({} · Enter shows details)",
                f.error.line,
                f.next_step(now)
            )
        } else if table.filter().is_some() {
            "no loaded row matches".to_string()
        } else if table.started() && !table.is_loading() {
            "(empty)".to_string()
        } else {
            "loading…".to_string()
        };
        let style = if table.failure().is_some() {
            theme.error()
        } else {
            theme.muted()
        };
        buf.set_stringn(
            area.x + 1,
            area.y + 1,
            sanitize::clean_line(&msg),
            area.width.saturating_sub(1) as usize,
            style,
        );
    }
}

/// The footer line: position, whether more rows exist, filter or search in effect, and a
/// failed page's countdown. It says what is true at `now`, never what was.
pub fn footer(table: &Table, now: Duration) -> String {
    let known = table.known();
    let count = match table.total() {
        Some(t) => group(t as usize),
        None if table.has_more() => format!("{}+", group(known)),
        None => group(known),
    };
    let mut out = match table.filter() {
        Some(f) => format!(
            "filter “{}”: {} of {} loaded rows",
            f.query,
            if f.matches.is_empty() {
                "0".to_string()
            } else {
                format!("{} of {}", f.selected + 1, f.matches.len())
            },
            group(table.rows_in_memory()),
        ),
        None if !table.started() => match table.failure() {
            Some(f) => format!("could not load · {}", f.next_step(now)),
            None => "loading…".to_string(),
        },
        None if known == 0 => format!("0 of {count}"),
        None => format!("{} of {count}", group(table.selected() + 1)),
    };
    if !table.started() {
        return out;
    }
    if table.is_refreshing() {
        out.push_str("  · refreshing…");
    }
    let failure = table.failure();
    if table.walking() {
        match failure {
            // Short enough for 80 columns with a 7-digit count.
            Some(f) => out.push_str(&format!(" · to the end: {} (Esc stops)", f.next_step(now))),
            None => out.push_str(&format!(
                "  loading to the end… {} rows (Esc stops)",
                group(known)
            )),
        }
    } else if let Some(f) = failure {
        out.push_str(&format!("  · ✗ a page failed: {}", f.next_step(now)));
    } else if table.has_more() {
        out.push_str("  · more below");
    } else {
        out.push_str("  · end");
    }
    if !table.marked().is_empty() {
        out.push_str(&format!("  · {} marked", table.marked().len()));
    }
    if let Some(s) = table.search() {
        out.push_str(&format!("  · search “{s}” (Esc clears)"));
    }
    out
}

/// `1234567` as `1,234,567`.
pub fn group(n: usize) -> String {
    crate::app::column::group(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::model::ListKind;
    use crate::app::provider::kratos;

    #[test]
    fn columns_fit_the_width_and_low_priority_ones_go_first() {
        let cols = ListKind::Kratos(kratos::List::Identities).columns();
        let natural = [36, 24, 6, 7, 16, 30];
        let wide = fit_columns(cols, &natural, 200);
        assert_eq!(wide.len(), cols.len());
        let total: u16 = wide.iter().map(|(_, w)| w + GAP).sum::<u16>() - GAP;
        assert_eq!(total, 200);
        let narrow = fit_columns(cols, &natural, 40);
        let names: Vec<&str> = narrow.iter().map(|(i, _)| cols[*i].title).collect();
        assert!(names.contains(&"ID") && names.contains(&"EMAIL / USERNAME"));
        assert!(!names.contains(&"METADATA"), "{names:?}");
        let total: u16 = narrow.iter().map(|(_, w)| w + GAP).sum::<u16>() - GAP;
        assert!(total <= 40);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1234), "1,234");
        assert_eq!(group(10_000_000), "10,000,000");
    }
}
