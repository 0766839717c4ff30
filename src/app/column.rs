//! A list's columns as data: each column names its header, how much width it wants, and the
//! function that reads its cell from a row's typed fields. A list is one table of these
//! (`ListKind::columns`), so nothing matches cells to headers by position.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use super::row::{Fields, Row};

pub mod path;

pub use self::path::JsonPath;

/// Longest text kept in a cell: a table cell never needs more than a screen's width, and a
/// megabyte-long trait must not be measured and cut on every frame.
pub const CELL_MAX: usize = 512;

/// A table column: a title, how much width it wants, and how to read its cell.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    /// Never narrower than this (the column is hidden instead when it does not fit).
    pub min: u16,
    /// Never wider than this; 0 means "takes what is left".
    pub max: u16,
    /// Lower numbers survive longer when the terminal is narrow.
    pub priority: u8,
    /// An identifier: when cut, its middle is elided so rows that share a prefix (UUIDv7,
    /// counter-derived ids) still look different.
    pub is_id: bool,
    /// The cell of a row in this column.
    pub cell: for<'r> fn(&'r Row) -> Cell<'r>,
}

impl Column {
    pub const fn new(
        title: &'static str,
        min: u16,
        max: u16,
        priority: u8,
        cell: for<'r> fn(&'r Row) -> Cell<'r>,
    ) -> Column {
        Column {
            title,
            min,
            max,
            priority,
            is_id: false,
            cell,
        }
    }

    /// A column of identifiers (cut in the middle).
    pub const fn id(
        title: &'static str,
        min: u16,
        max: u16,
        priority: u8,
        cell: for<'r> fn(&'r Row) -> Cell<'r>,
    ) -> Column {
        Column {
            is_id: true,
            ..Column::new(title, min, max, priority, cell)
        }
    }

    /// This column's cell of `row`.
    pub fn of<'r>(&self, row: &'r Row) -> Cell<'r> {
        (self.cell)(row)
    }
}

/// A column a table shows: one of its list's own, or one read from the record by a path
/// (`:columns`). A list's own stay `'static` data; only a chosen path carries any.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    Builtin(&'static Column),
    Path(Box<JsonPath>),
}

impl PartialEq for Column {
    fn eq(&self, other: &Column) -> bool {
        self.title == other.title
    }
}

/// How wide a path column may be: values are short (names, flags, plans) but unknown.
const PATH_MIN: u16 = 6;
const PATH_MAX_WIDTH: u16 = 40;
/// Given room after the list's own columns but before its catch-all METADATA.
const PATH_PRIORITY: u8 = 3;

impl Shown {
    /// The header: a list column's title, or the path as written.
    pub fn title(&self) -> &str {
        match self {
            Shown::Builtin(c) => c.title,
            Shown::Path(p) => p.text(),
        }
    }

    pub fn min(&self) -> u16 {
        match self {
            Shown::Builtin(c) => c.min,
            Shown::Path(_) => PATH_MIN,
        }
    }

    pub fn max(&self) -> u16 {
        match self {
            Shown::Builtin(c) => c.max,
            Shown::Path(_) => PATH_MAX_WIDTH,
        }
    }

    pub fn priority(&self) -> u8 {
        match self {
            Shown::Builtin(c) => c.priority,
            Shown::Path(_) => PATH_PRIORITY,
        }
    }

    pub fn is_id(&self) -> bool {
        matches!(self, Shown::Builtin(c) if c.is_id)
    }

    pub fn of<'r>(&self, row: &'r Row) -> Cell<'r> {
        match self {
            Shown::Builtin(c) => c.of(row),
            Shown::Path(p) => p.cell(row),
        }
    }

    /// The columns a list shows when none were chosen.
    pub fn defaults(columns: &'static [Column]) -> Vec<Shown> {
        columns.iter().map(Shown::Builtin).collect()
    }
}

impl Row {
    /// Its cells as its list's `columns` show them, in their order.
    pub fn cells<'r>(&'r self, columns: &'r [Column]) -> impl Iterator<Item = Cell<'r>> + 'r {
        columns.iter().map(move |c| c.of(self))
    }
}

/// One cell, typed so a list can be sorted by it: text as the server sent it (cleaned where
/// drawn), times as their RFC 3339 text (which sorts), counts as numbers, flags as flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'r> {
    Text(Cow<'r, str>),
    /// Shown to the minute: `2024-02-08 05:13`.
    Time(&'r str),
    /// Shown to the second: `2024-02-08 05:13:17`.
    TimeToSecond(&'r str),
    /// A count, blank when the server gave none.
    Count(Option<u64>),
    /// Shown as `yes` or `no`.
    Flag(bool),
    Empty,
}

impl<'r> Cell<'r> {
    pub fn text(s: &'r str) -> Cell<'r> {
        Cell::Text(Cow::Borrowed(s))
    }

    /// The text drawn for it (untrusted: the renderer cleans it). Only a time or a count
    /// is written out; text is lent.
    pub fn shown(&self) -> Cow<'r, str> {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Flag(true) => Cow::Borrowed("yes"),
            Cell::Flag(false) => Cow::Borrowed("no"),
            Cell::Count(None) | Cell::Empty => Cow::Borrowed(""),
            Cell::Time(_) | Cell::TimeToSecond(_) | Cell::Count(Some(_)) => {
                Cow::Owned(self.to_string())
            }
        }
    }

    /// The order a list sorted by this column shows: counts by number, times by their
    /// RFC 3339 text (in UTC, as the servers send them, that is their order in time), flags
    /// false first, text by text in any case; blanks first. Cells of different types (an unreadable
    /// record among others) go by their shown text.
    pub fn order(&self, other: &Cell<'_>) -> Ordering {
        match (self, other) {
            (Cell::Count(a), Cell::Count(b)) => a.cmp(b),
            (Cell::Flag(a), Cell::Flag(b)) => a.cmp(b),
            // In any case (`José` among the lowercase emails, not before them), then by
            // the exact text; compared char by char, with no copy, as a sort compares often.
            (Cell::Text(a), Cell::Text(b)) => a
                .chars()
                .flat_map(char::to_lowercase)
                .cmp(b.chars().flat_map(char::to_lowercase))
                .then_with(|| a.cmp(b)),
            (Cell::Time(a) | Cell::TimeToSecond(a), Cell::Time(b) | Cell::TimeToSecond(b)) => {
                a.cmp(b)
            }
            _ => self.shown().cmp(&other.shown()),
        }
    }
}

/// Written without an allocation, so a filter can put every cell of every loaded row in
/// one buffer.
impl fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(t) => f.write_str(t),
            Cell::Time(t) => write_time(f, t, 16),
            Cell::TimeToSecond(t) => write_time(f, t, 19),
            Cell::Count(Some(n)) => write!(f, "{n}"),
            Cell::Flag(true) => f.write_str("yes"),
            Cell::Flag(false) => f.write_str("no"),
            Cell::Count(None) | Cell::Empty => Ok(()),
        }
    }
}

/// An RFC 3339 time with a space for its `T`, up to `end` (16: the minute, 19: the second);
/// any other text as it is.
fn write_time(out: &mut impl fmt::Write, t: &str, end: usize) -> fmt::Result {
    match (t.get(..10), t.get(11..end)) {
        (Some(d), Some(rest)) if t.as_bytes().get(10) == Some(&b'T') => {
            write!(out, "{d} {rest}")
        }
        _ => out.write_str(t),
    }
}

/// The row's id (capped like any cell text: only the stored id is whole).
pub fn row_id(row: &Row) -> Cell<'_> {
    Cell::Text(crate::sanitize::cap(&row.id, CELL_MAX))
}

/// Why a record could not be read, in the column that names a record; blank otherwise.
pub fn why(row: &Row) -> Cell<'_> {
    match &row.fields {
        Fields::Unreadable(u) => Cell::text(&u.why),
        _ => Cell::Empty,
    }
}

/// The cells of an unreadable record alone (a filter reads a row by its own columns): its
/// id, and why. In a list, each list's columns put these where its id and name go.
pub const UNREADABLE: &[Column] = &[
    Column::id("ID", 8, 36, 0, row_id),
    Column::new("WHY", 12, 0, 0, why),
];

/// `2024-02-08T05:13:17.037Z` as `2024-02-08 05:13`.
pub fn short_time(t: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(t) = t {
        // Writing to a String does not fail.
        let _ = write_time(&mut out, t, 16);
    }
    out
}

/// `1234567` as `1,234,567` (the footer's counts, an export's rows).
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `s` capped to what a cell keeps, without a copy when it already fits.
pub fn capped(s: String) -> String {
    match crate::sanitize::cap(&s, CELL_MAX) {
        Cow::Borrowed(_) => s,
        Cow::Owned(c) => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_as_text_and_sort_by_their_type() {
        assert_eq!(
            Cell::Time("2024-02-08T05:13:17.037Z").shown(),
            "2024-02-08 05:13"
        );
        assert_eq!(
            Cell::TimeToSecond("2024-02-08T05:13:17.037Z").shown(),
            "2024-02-08 05:13:17"
        );
        assert_eq!(Cell::Count(Some(12)).to_string(), "12");
        assert_eq!(Cell::Count(None).shown(), "");
        assert_eq!(Cell::Flag(true).shown(), "yes");
        assert_eq!(
            Cell::Count(Some(9)).order(&Cell::Count(Some(10))),
            Ordering::Less
        );
        assert_eq!(
            Cell::Count(None).order(&Cell::Count(Some(0))),
            Ordering::Less
        );
        assert_eq!(
            Cell::Time("2024-02-08T05:13:17Z").order(&Cell::Time("2025-01-01T00:00:00Z")),
            Ordering::Less
        );
        assert_eq!(Cell::text("b").order(&Cell::text("a")), Ordering::Greater);
        assert_eq!(
            Cell::text("José").order(&Cell::text("katherine")),
            Ordering::Less
        );
    }
}
