//! One page abstraction over the three pagination schemes: Kratos `Link` headers (keyset and
//! offset tokens), MATTR `nextCursor`, and Coassemble `page`/`length`.

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Provider};

/// One page of a list, and how to get the next one.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `None` at the end of the list.
    pub next: Option<Cursor>,
    /// Total number of rows when the server says (Kratos `X-Total-Count`).
    pub total: Option<u64>,
    /// Records of this page that could not be read (the others are in `items`).
    pub bad: Vec<super::items::BadItem>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            total: self.total,
            bad: self.bad,
        }
    }
}

/// A page's decoded items as `T`s, and the records that could not be read.
pub(crate) fn split_items<I, T>(
    items: Vec<Result<I, super::items::BadItem>>,
    mut item: impl FnMut(I) -> T,
) -> (Vec<T>, Vec<super::items::BadItem>) {
    let mut good = Vec::with_capacity(items.len());
    let mut bad = Vec::new();
    for i in items {
        match i {
            Ok(v) => good.push(item(v)),
            Err(b) => bad.push(b),
        }
    }
    (good, bad)
}

/// The page size to ask for: `0` means the API's default, anything above its maximum is
/// capped (servers clamp silently, which would otherwise hide the real size).
pub(crate) fn page_size(requested: u32, default: u32, max: u32) -> u32 {
    if requested == 0 {
        default
    } else {
        requested.min(max)
    }
}

/// Where a page starts. Opaque to callers: save it, and pass it back to the same list call to
/// fetch the same page again.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor(pub(crate) Position);

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Position {
    First,
    /// Kratos: the query of the server's `next` link (page token, size, filters), replayed as is.
    Link(Vec<(String, String)>),
    /// MATTR: the server's `nextCursor`.
    Token(String),
    /// Coassemble: zero-based page number.
    Number(u64),
}

impl Cursor {
    /// The start of any list.
    pub fn first() -> Self {
        Cursor(Position::First)
    }

    pub fn is_first(&self) -> bool {
        self.0 == Position::First
    }
}

/// The error for a cursor passed to a list of another provider than the one it came from.
pub(crate) fn foreign_cursor(provider: Provider) -> ApiError {
    ApiError::config(provider, "this cursor belongs to another provider's list")
}

impl Default for Cursor {
    fn default() -> Self {
        Self::first()
    }
}

/// One entry of an RFC 8288 `Link` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub target: String,
    pub rel: String,
}

/// Parse a `Link` header (`<url>; rel="next",<url>; rel="first"`). Kratos joins links with a
/// bare comma, and URLs may themselves contain commas, so entries are split on `<` … `>`
/// rather than on commas. Malformed entries are skipped.
pub fn parse_link_header(value: &str) -> Vec<Link> {
    let mut links = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            break;
        };
        let target = after[..close].trim().to_owned();
        let params_and_more = &after[close + 1..];
        // Parameters run until the next entry starts.
        let params_end = next_entry_start(params_and_more);
        let params = &params_and_more[..params_end];
        for rel in rel_values(params) {
            links.push(Link {
                target: target.clone(),
                rel,
            });
        }
        rest = &params_and_more[params_end..];
    }
    links
}

/// Offset of the `,` (followed by optional spaces and `<`) that starts the next entry.
fn next_entry_start(s: &str) -> usize {
    let mut in_quotes = false;
    for (i, ch) in s.char_indices() {
        match ch {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes && s[i + 1..].trim_start().starts_with('<') => return i,
            _ => {}
        }
    }
    s.len()
}

/// The relation types of one entry's parameters; `rel` may list several, space separated.
fn rel_values(params: &str) -> Vec<String> {
    params
        .split(';')
        .filter_map(|p| {
            let (key, value) = p.split_once('=')?;
            if !key.trim().eq_ignore_ascii_case("rel") {
                return None;
            }
            Some(value.trim().trim_matches('"').to_owned())
        })
        .flat_map(|v| {
            v.split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The URL a link points at. Servers behind a path prefix (an Ory Network project URL, a
/// reverse proxy at `/kratos`) still emit links rooted at their own `/admin/…`, so an
/// absolute-path link is placed under the base URL's path prefix unless it already starts
/// with it. Absolute URLs are taken as they are.
pub fn resolve_link(base: &Url, target: &str) -> Option<Url> {
    if let Ok(abs) = Url::parse(target) {
        return Some(abs);
    }
    let prefix = base.path().trim_end_matches('/');
    if target.starts_with('/') && !target.starts_with("//") {
        let already = prefix.is_empty()
            || target == prefix
            || target.starts_with(&format!("{prefix}/"))
            || target.starts_with(&format!("{prefix}?"));
        let joined = if already {
            target.to_owned()
        } else {
            format!("{prefix}{target}")
        };
        return base.join(&joined).ok();
    }
    let mut dir = base.clone();
    if !dir.path().ends_with('/') {
        let p = format!("{}/", dir.path());
        dir.set_path(&p);
    }
    dir.join(target).ok()
}

/// The query pairs of the `next` link, as a cursor; `None` when there is no next link.
pub(crate) fn next_from_link_header(base: &Url, header: Option<&str>) -> Option<Cursor> {
    let link = parse_link_header(header?)
        .into_iter()
        .find(|l| l.rel == "next")?;
    let url = resolve_link(base, &link.target)?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Some(Cursor(Position::Link(pairs)))
}
