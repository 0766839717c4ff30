//! One cell of a table, typed so a list sorts by value, and how it is drawn.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// Longest text kept in a cell: a table cell never needs more than a screen's width, and a
/// megabyte-long trait must not be measured and cut on every frame.
pub const CELL_MAX: usize = 512;

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
pub(crate) fn write_time(out: &mut impl fmt::Write, t: &str, end: usize) -> fmt::Result {
    match (t.get(..10), t.get(11..end)) {
        (Some(d), Some(rest)) if t.as_bytes().get(10) == Some(&b'T') => {
            write!(out, "{d} {rest}")
        }
        _ => out.write_str(t),
    }
}

/// `s` capped to what a cell keeps, without a copy when it already fits.
pub fn capped(s: String) -> String {
    match crate::sanitize::cap(&s, CELL_MAX) {
        Cow::Borrowed(_) => s,
        Cow::Owned(c) => c,
    }
}
