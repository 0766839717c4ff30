//! Find: `/` filters the rows in memory by text anywhere in them (any case; `~` first asks for
//! a fuzzy match instead); Enter sends the text to the server where the provider can search
//! (the filter is labelled so the two are never confused).

use std::fmt::Write as _;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::model::Row;

/// A local filter over the loaded rows of one table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalFilter {
    pub query: String,
    /// Indices of matching rows, in table order.
    pub matches: Vec<usize>,
    /// Position in `matches`.
    pub selected: usize,
}

impl LocalFilter {
    pub fn move_by(&mut self, delta: isize) {
        if self.matches.is_empty() {
            return;
        }
        let target = self.selected as isize + delta;
        self.selected = target.clamp(0, self.matches.len() as isize - 1) as usize;
    }

    /// Recompute the matches for `query` over `rows` (index, row).
    pub fn refresh<'a>(&mut self, rows: impl Iterator<Item = (usize, &'a Row)>) {
        let previous = self.matches.get(self.selected).copied();
        self.matches = matches(&self.query, rows);
        self.selected = previous
            .and_then(|p| self.matches.iter().position(|&m| m == p))
            .unwrap_or(0);
    }
}

/// Indices of the rows whose id or cells (as the row's own columns show them) hold `query`:
/// as text anywhere, in any case, in table order (`/ada` keeps Ada, not every row of the
/// `default` schema); after a `~`, fuzzily (smart case), best match first.
pub fn matches<'a>(query: &str, rows: impl Iterator<Item = (usize, &'a Row)>) -> Vec<usize> {
    match query.strip_prefix('~') {
        Some(fuzzy) => fuzzy_matches(fuzzy, rows),
        None => substring_matches(query, rows),
    }
}

/// The text a row is searched in: its id and its cells, written into one buffer (a count or
/// a time is written, not allocated).
fn haystack(row: &Row, into: &mut String) {
    into.clear();
    into.push_str(&row.id);
    for cell in row.cells(row.fields.columns()) {
        let _ = write!(into, " {cell}");
    }
}

fn substring_matches<'a>(query: &str, rows: impl Iterator<Item = (usize, &'a Row)>) -> Vec<usize> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return rows.map(|(i, _)| i).collect();
    }
    let mut text = String::new();
    rows.filter_map(|(i, row)| {
        haystack(row, &mut text);
        text.to_lowercase().contains(&needle).then_some(i)
    })
    .collect()
}

fn fuzzy_matches<'a>(query: &str, rows: impl Iterator<Item = (usize, &'a Row)>) -> Vec<usize> {
    if query.trim().is_empty() {
        return rows.map(|(i, _)| i).collect();
    }
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut text = String::new();
    let mut scored: Vec<(u32, usize)> = rows
        .filter_map(|(i, row)| {
            haystack(row, &mut text);
            pattern
                .score(Utf32Str::new(&text, &mut buf), &mut matcher)
                .map(|score| (score, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// What `/` then Enter says on MATTR for text it cannot search for.
pub const CORE_SEARCH_HINT: &str =
    "MATTR searches key=value claims (given_name=Jamie) or a whole email";

/// A whole email address (one `@` with text on both sides, no spaces).
pub fn looks_like_email(text: &str) -> bool {
    let t = text.trim();
    !t.contains(char::is_whitespace)
        && !t.contains('=')
        && t.split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('@'))
}

/// Whether MATTR's search can take `text`: claims as `key=value`, or an email (searched as
/// the `email` claim).
pub fn core_searchable(text: &str) -> bool {
    text.contains('=') || looks_like_email(text)
}

/// What a Kratos identity search means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KratosQuery {
    /// A UUID: fetch that identity.
    Id(String),
    /// `ext:VALUE` (or `external:VALUE`): look up by external id.
    ExternalId(String),
    /// Anything else: a credential identifier (email or username), exact match.
    Identifier(String),
}

impl KratosQuery {
    pub fn parse(text: &str) -> Option<KratosQuery> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        for prefix in ["ext:", "external:"] {
            if let Some(rest) = text.strip_prefix(prefix) {
                let rest = rest.trim();
                return (!rest.is_empty()).then(|| KratosQuery::ExternalId(rest.to_string()));
            }
        }
        if uuid::Uuid::parse_str(text).is_ok() {
            return Some(KratosQuery::Id(text.to_ascii_lowercase()));
        }
        Some(KratosQuery::Identifier(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::app::provider::kratos::Identity;

    fn rows() -> Vec<Row> {
        ["jane@example.com", "bob@example.org", "janet@corp.io"]
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let fields = Identity {
                    name: e.to_string(),
                    ..Identity::default()
                };
                Row::new(format!("id-{i}"), fields, json!({}))
            })
            .collect()
    }

    #[test]
    fn the_filter_keeps_rows_holding_the_text_in_any_case_in_table_order() {
        let rows = rows();
        let m = matches("JAN", rows.iter().enumerate());
        assert_eq!(m, vec![0, 2]);
        // Letters scattered over a row are no match (the fuzzy matcher took `exorg` for bob).
        assert!(matches("exorg", rows.iter().enumerate()).is_empty());
        assert_eq!(matches("example.org", rows.iter().enumerate()), vec![1]);
        // The id is searched too.
        assert_eq!(matches("id-2", rows.iter().enumerate()), vec![2]);
        let all = matches("  ", rows.iter().enumerate());
        assert_eq!(all, vec![0, 1, 2]);
    }

    #[test]
    fn a_tilde_asks_for_the_fuzzy_match_best_first() {
        let rows = rows();
        let m = matches("~jan", rows.iter().enumerate());
        assert_eq!(m, vec![0, 2]);
        // An exact word beats a scattered match further up the table.
        let m = matches("~janet", rows.iter().enumerate());
        assert_eq!(m[0], 2);
        let m = matches("~exorg", rows.iter().enumerate());
        assert_eq!(m, vec![1]);
    }

    #[test]
    fn refresh_keeps_the_selected_row_when_it_still_matches() {
        let rows = rows();
        let mut f = LocalFilter {
            query: "ja".into(),
            ..Default::default()
        };
        f.refresh(rows.iter().enumerate());
        let second = f.matches[1];
        f.move_by(1);
        assert_eq!(f.matches[f.selected], second);
        f.query = "janet".into();
        f.refresh(rows.iter().enumerate());
        assert_eq!(f.matches, vec![2]);
        assert_eq!(f.selected, 0);
    }

    #[test]
    fn mattr_takes_claims_or_an_email_and_nothing_else() {
        assert!(core_searchable("given_name=Jamie"));
        assert!(core_searchable("jamie@example.com"));
        assert!(!core_searchable("Jamie"));
        assert!(!core_searchable("jamie @example.com"));
        assert!(!core_searchable("@example.com"));
        assert!(looks_like_email(" a@b "));
        assert!(!looks_like_email("a@b@c"));
    }

    #[test]
    fn kratos_queries_are_classified() {
        assert_eq!(
            KratosQuery::parse(" 9F3C1C36-5B0B-4C4B-9B8E-1B2A3C4D5E6F "),
            Some(KratosQuery::Id(
                "9f3c1c36-5b0b-4c4b-9b8e-1b2a3c4d5e6f".into()
            ))
        );
        assert_eq!(
            KratosQuery::parse("ext:crm-42"),
            Some(KratosQuery::ExternalId("crm-42".into()))
        );
        assert_eq!(
            KratosQuery::parse("jane@example.com"),
            Some(KratosQuery::Identifier("jane@example.com".into()))
        );
        assert_eq!(KratosQuery::parse("ext:  "), None);
        assert_eq!(KratosQuery::parse(""), None);
    }
}
