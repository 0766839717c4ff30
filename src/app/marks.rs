//! The rows marked in a list (`space`, `:mark all|none|invert`): what a bulk change acts on
//! and what `:export` keeps. A mark is the row's id with the name people know it by (for the
//! plan's first names and the report), kept in the order the rows were marked, so a set
//! marked top to bottom is changed top to bottom. Marks are ids, not rows: they outlive the
//! pages the table drops.

use indexmap::IndexMap;

use super::model::PageCursor;
use super::retry::Failure;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// id → name (empty when the row has none).
    ids: IndexMap<String, String>,
}

/// One marked row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

impl Marks {
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Mark `id`, or unmark it when it was marked; whether it is marked now.
    pub fn toggle(&mut self, id: &str, name: &str) -> bool {
        if self.ids.shift_remove(id).is_some() {
            false
        } else {
            self.ids.insert(id.to_string(), name.to_string());
            true
        }
    }

    /// Mark `id` (kept where it was when already marked).
    pub fn mark(&mut self, id: &str, name: &str) {
        if !self.ids.contains_key(id) {
            self.ids.insert(id.to_string(), name.to_string());
        }
    }

    pub fn unmark(&mut self, id: &str) {
        self.ids.shift_remove(id);
    }

    pub fn clear(&mut self) {
        self.ids.clear();
    }

    /// The marked rows, in the order they were marked.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Marked<'_>> {
        self.ids.iter().map(|(id, name)| Marked { id, name })
    }

    /// The marked ids, in the order they were marked.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = &str> {
        self.ids.keys().map(String::as_str)
    }
}

/// `:mark all` under way: the page to read next, and how far it got (see
/// `table::mark_walk`).
#[derive(Debug)]
pub struct MarkWalk {
    /// The page to read next.
    pub(crate) cursor: PageCursor,
    pub(crate) in_flight: bool,
    /// Rows read so far.
    pub(crate) read: usize,
    pub(crate) failure: Option<Failure>,
}

/// A page the walk wants read.
#[derive(Debug, Clone)]
pub struct MarkPage {
    pub cursor: PageCursor,
    pub size: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_keep_the_order_they_were_made_in_and_toggle_off() {
        let mut m = Marks::default();
        assert!(m.toggle("b", "bea@example.com"));
        m.mark("a", "ada@example.com");
        m.mark("b", "again");
        assert!(m.toggle("c", ""));
        assert!(!m.toggle("a", ""));
        let seen: Vec<_> = m.iter().map(|r| (r.id, r.name)).collect();
        assert_eq!(seen, [("b", "bea@example.com"), ("c", "")]);
        assert!(m.contains("c") && !m.contains("a"));
        m.unmark("b");
        assert_eq!(m.ids().collect::<Vec<_>>(), ["c"]);
        m.clear();
        assert!(m.is_empty());
    }
}
