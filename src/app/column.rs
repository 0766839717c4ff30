//! A list's columns as data: each column names its header, how much width it wants, and the
//! function that reads its cell from a row's typed fields. A list is one table of these
//! (`ListKind::columns`), so nothing matches cells to headers by position.

pub use super::cell::{CELL_MAX, Cell, capped};
use super::row::{Fields, Row};

pub mod path;

pub use self::path::JsonPath;

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
        let _ = super::cell::write_time(&mut out, t, 16);
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

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

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
