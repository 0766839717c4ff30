//! A table pane: the visible window of rows only, columns fitted to the width.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use crate::app::column::Shown;
use crate::app::table::{Fresh, SortKey, Sorted, Table, Watch};
use crate::sanitize;

use super::theme::Theme;

const GAP: u16 = 1;
/// How wide a bounded column (an id) grows before lower-priority columns get room.
const BOUNDED_FIRST: u16 = 16;

/// Which columns are shown and how wide, for `width` columns of screen. Columns are dropped
/// by priority when even their minimum does not fit; leftover width goes to flexible columns.
pub fn fit_columns(columns: &[Shown], natural: &[u16], width: u16) -> Vec<(usize, u16)> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| (columns[i].priority(), i));
    let mut shown = Vec::new();
    let mut used = 0u16;
    for i in order {
        let need = columns[i].min() + if shown.is_empty() { 0 } else { GAP };
        if used + need <= width {
            used += need;
            shown.push(i);
        }
    }
    shown.sort_unstable();
    let want = |i: usize| {
        let n = natural.get(i).copied().unwrap_or(0).max(columns[i].min());
        if columns[i].max() == 0 {
            n
        } else {
            n.min(columns[i].max())
        }
    };
    let mut widths: Vec<(usize, u16)> = shown.iter().map(|&i| (i, columns[i].min())).collect();
    let mut spare = width.saturating_sub(used);
    // Grow towards natural width in priority order, then give the rest to flexible columns.
    // First every column grows towards its content in priority order, bounded ones (ids)
    // only to a recognisable prefix; within a priority, flexible text columns (names,
    // emails) go first. Then bounded columns may grow to their full content.
    let mut by_priority: Vec<usize> = (0..widths.len()).collect();
    by_priority.sort_by_key(|&k| {
        let c = &columns[widths[k].0];
        (c.priority(), c.max() != 0, widths[k].0)
    });
    for cap in [Some(BOUNDED_FIRST), None] {
        for &k in &by_priority {
            let (i, w) = widths[k];
            let limit = match cap {
                Some(cap) if columns[i].max() != 0 => want(i).min(cap.max(columns[i].min())),
                _ => want(i),
            };
            let grow = limit.saturating_sub(w).min(spare);
            widths[k].1 += grow;
            spare -= grow;
        }
    }
    let flexible: Vec<usize> = (0..widths.len())
        .filter(|&k| columns[widths[k].0].max() == 0)
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

/// What a marked row shows at its left edge, and the width kept for it while rows are marked.
pub const MARK_GLYPH: &str = "✓";
const MARK_GUTTER: u16 = 2;

/// `columns` are the ones the list shows (its own, or those chosen with `:columns`); `now`
/// is the state's clock, for the countdown of a page waiting to be tried again.
pub fn draw(
    table: &Table,
    columns: &[Shown],
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    now: Duration,
) {
    if area.height == 0 {
        return;
    }
    let body = area.height.saturating_sub(1) as usize;
    // The rows on screen: the filtered matches, the sorted rows or the table's window.
    let indices: Vec<usize> = match (table.filter(), table.sorted_view()) {
        (Some(f), _) => {
            let top = f.selected.saturating_sub(body.saturating_sub(1));
            f.matches.iter().copied().skip(top).take(body).collect()
        }
        (None, Some(s)) => (s.offset()..s.offset() + body)
            .take_while(|&i| i < s.rows().len())
            .collect(),
        (None, None) => (table.offset()..table.offset() + body)
            .take_while(|&i| i < table.known())
            .collect(),
    };
    let selected = match (table.filter(), table.sorted_view()) {
        (Some(f), _) => f.matches.get(f.selected).copied(),
        (None, Some(s)) => Some(s.selected()),
        (None, None) => Some(table.selected()),
    };
    let sorted_by = table.sorted_view().map(|s| s.key());
    let mut natural: Vec<u16> = columns
        .iter()
        .map(|c| (c.title().width() + 2 * usize::from(sort_arrow(sorted_by, c).is_some())) as u16)
        .collect();
    let mut filled = vec![false; columns.len()];
    for &i in &indices {
        if let Some(row) = table.shown_row(i) {
            for (k, cell) in columns.iter().map(|c| c.of(row)).enumerate() {
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
    let kept_columns: Vec<Shown> = kept.iter().map(|&k| columns[k].clone()).collect();
    let kept_natural: Vec<u16> = kept.iter().map(|&k| natural[k]).collect();
    // Marked rows carry a glyph as well as the style, so marks read without colour.
    let gutter = if table.marked().is_empty() && table.mark_walk_read().is_none() {
        0
    } else {
        MARK_GUTTER
    };
    // A watched list keeps its last two columns for the glyph of a new or changed row.
    let watch = table.watching();
    let glyph_w = if watch.is_some() { 2 } else { 0 };
    let fitted: Vec<(usize, u16)> = fit_columns(
        &kept_columns,
        &kept_natural,
        area.width.saturating_sub(gutter + glyph_w),
    )
    .into_iter()
    .map(|(i, w)| (kept[i], w))
    .collect();
    let mut x = area.x + gutter;
    for &(i, w) in &fitted {
        let title = match sort_arrow(sorted_by, &columns[i]) {
            Some(arrow) if columns[i].title().width() + 2 <= w as usize => {
                format!("{} {arrow}", columns[i].title())
            }
            // A narrow column keeps its arrow: the title gives way to it.
            Some(arrow) => {
                let room = (w as usize).saturating_sub(1);
                let mut cut = String::new();
                for ch in columns[i].title().chars() {
                    if cut.width() + ch.to_string().width() > room {
                        break;
                    }
                    cut.push(ch);
                }
                format!("{cut}{arrow}")
            }
            None => columns[i].title().to_string(),
        };
        buf.set_stringn(x, area.y, title, w as usize, theme.header());
        x += w + GAP;
    }
    for (line, &index) in indices.iter().enumerate() {
        let y = area.y + 1 + line as u16;
        let is_selected = Some(index) == selected;
        let row = table.shown_row(index);
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
        if is_marked {
            buf.set_stringn(area.x, y, MARK_GLYPH, gutter as usize, style);
        }
        let mut x = area.x + gutter;
        for &(i, w) in &fitted {
            let text = columns[i].of(row).shown();
            let shown = if columns[i].is_id() {
                sanitize::id_cell(&text, w as usize)
            } else {
                sanitize::cell(&text, w as usize)
            };
            buf.set_stringn(x, y, shown, w as usize, style);
            x += w + GAP;
        }
        if let Some(fresh) = watch.and_then(|w| w.fresh(&row.id)) {
            let glyph = match fresh {
                Fresh::New => "+",
                Fresh::Changed => "~",
            };
            let line = Rect::new(area.x, y, area.width.saturating_sub(glyph_w), 1);
            buf.set_style(line, theme.fresh());
            buf.set_stringn(area.right() - 1, y, glyph, 1, style.patch(theme.fresh()));
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

/// `↑` or `↓` after the header of the column the rows are sorted by.
fn sort_arrow(key: Option<&SortKey>, column: &Shown) -> Option<&'static str> {
    key.filter(|k| k.column.title() == column.title())
        .map(|k| if k.desc { "↓" } else { "↑" })
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
        None if let Some(sorted) = table.sorted_view() => sorted_footer(table, sorted),
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
    } else if table.sorted_view().is_some() {
        // The sort's own words say whether more rows are on the server.
    } else if table.has_more() {
        out.push_str("  · more below");
    } else {
        out.push_str("  · end");
    }
    if let Some(read) = table.mark_walk_read() {
        let step = table
            .mark_walk_failure()
            .map(|f| format!(", {}", f.next_step(now)))
            .unwrap_or_default();
        out.push_str(&format!(
            "  · marking all: {} rows read{step} (Esc stops)",
            group(read)
        ));
    }
    if !table.marked().is_empty() {
        out.push_str(&format!("  · {} marked", group(table.marked().len())));
    }
    if let Some(s) = table.search() {
        out.push_str(&format!("  · search “{s}” (Esc clears)"));
    }
    if let Some(w) = table.watching() {
        out.push_str(&watch_footer(w, now));
    }
    out
}

/// `  · watching every 5s · refreshed 3s ago`; a beat skipped while a request was out says
/// so.
fn watch_footer(w: &Watch, now: Duration) -> String {
    let every = w.every().as_secs();
    let when = match w.refreshed() {
        Some(at) => format!("refreshed {}s ago", now.saturating_sub(at).as_secs()),
        None => "not refreshed yet".to_string(),
    };
    let skipped = match w.skipped() {
        0 => String::new(),
        _ => " (waiting for the last request)".to_string(),
    };
    format!("  · watching every {every}s · {when}{skipped}")
}

/// `sorted by CREATED desc: 3 of 3,200 loaded rows of 1,000,000 · G loads all`: where the
/// selection is among the sorted rows, and whether they are the whole list.
fn sorted_footer(table: &Table, sorted: &Sorted) -> String {
    let key = sorted.key();
    let column = key.column.title();
    let dir = if key.desc { " desc" } else { "" };
    let n = sorted.rows().len();
    let pos = if n == 0 {
        "0".to_string()
    } else {
        group(sorted.selected() + 1)
    };
    let of = match table.total() {
        Some(t) => format!(" of {}", group(t as usize)),
        None if table.has_more() => " (more on the server)".to_string(),
        None => String::new(),
    };
    let head = format!("sorted by {column}{dir}: {pos} of {}", group(n));
    if sorted.capped() {
        format!("{head} rows{of} (a sort holds no more)")
    } else if table.walking() {
        format!("{head} loaded rows{of}")
    } else if table.has_more() {
        format!("{head} loaded rows{of} · G loads all")
    } else {
        head
    }
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
        let cols = Shown::defaults(ListKind::Kratos(kratos::List::Identities).columns());
        let cols = &cols[..];
        let natural = [36, 24, 6, 7, 16, 30];
        let wide = fit_columns(cols, &natural, 200);
        assert_eq!(wide.len(), cols.len());
        let total: u16 = wide.iter().map(|(_, w)| w + GAP).sum::<u16>() - GAP;
        assert_eq!(total, 200);
        let narrow = fit_columns(cols, &natural, 40);
        let names: Vec<&str> = narrow.iter().map(|(i, _)| cols[*i].title()).collect();
        assert!(names.contains(&"ID") && names.contains(&"EMAIL / USERNAME"));
        assert!(!names.contains(&"METADATA"), "{names:?}");
        let total: u16 = narrow.iter().map(|(_, w)| w + GAP).sum::<u16>() - GAP;
        assert!(total <= 40);
    }

    #[test]
    fn a_sorted_footer_says_how_many_rows_are_sorted_and_how_to_load_all() {
        use crate::app::model::{PageCursor, PageData, Row};
        use crate::app::table::SortKey;
        let row = |i: usize| {
            Row::new(
                format!("id{i:04}"),
                kratos::Identity {
                    name: format!("u{i}@example.com"),
                    created: format!("2026-01-01T00:00:{:02}Z", (i * 7) % 60),
                    ..Default::default()
                },
                serde_json::json!({}),
            )
        };
        let mut t = Table::new(ListKind::Kratos(kratos::List::Identities), 1, 1600);
        t.wants(20, Duration::ZERO);
        t.apply(
            0,
            PageData {
                rows: (0..1600).map(row).collect(),
                next: Some(PageCursor::wrap(1600usize)),
                total: Some(1_000_000),
            },
            20,
        );
        let created = SortKey {
            column: Shown::Builtin(&kratos::columns::IDENTITIES[4]),
            desc: true,
        };
        t.sort(Some(created.clone()), 20);
        t.select(2, 20);
        assert_eq!(
            footer(&t, Duration::ZERO),
            "sorted by CREATED desc: 3 of 1,600 loaded rows of 1,000,000 · G loads all"
        );
        let mut whole = Table::new(ListKind::Kratos(kratos::List::Identities), 1, 10);
        whole.wants(20, Duration::ZERO);
        whole.apply(
            0,
            PageData {
                rows: (0..4).map(row).collect(),
                next: None,
                total: None,
            },
            20,
        );
        whole.sort(Some(created), 20);
        assert_eq!(
            footer(&whole, Duration::ZERO),
            "sorted by CREATED desc: 4 of 4"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1234), "1,234");
        assert_eq!(group(10_000_000), "10,000,000");
    }
}
