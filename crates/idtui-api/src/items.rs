//! List pages read item by item. A page is split into its items by a scanner that only
//! tracks strings and brackets (no recursion, so no depth limit of its own); each item is
//! then decoded on its own. One unreadable record (nested too deep, too large, invalid
//! UTF-8 or JSON) becomes a [`BadItem`] saying why, and the rest of the page loads.
//!
//! The caps: an item may nest [`MAX_ITEM_DEPTH`] levels, counted from the item, not from
//! the page around it (Go's limit, by which Kratos reads and writes: an identity whose
//! metadata nests 9,999 levels under its own object is accepted by Kratos and reads as a
//! normal row; see [`crate::json`] for the stack this takes), and be [`MAX_ITEM_BYTES`] long.

use serde_json::{Map, Value};

/// Deepest nesting of one item that is decoded.
pub const MAX_ITEM_DEPTH: usize = crate::json::MAX_DEPTH;
/// Largest item that is decoded.
pub const MAX_ITEM_BYTES: usize = 16 * 1024 * 1024;
/// Largest response body accepted; a list page is far smaller, so more means something is
/// wrong and holding it would only exhaust memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Most bytes a page read as it streams may send (past [`MAX_BODY_BYTES`], only a few are
/// kept): beyond it the page is endless or hostile, and reading on only costs time.
pub const MAX_STREAMED_BYTES: usize = 4 * MAX_BODY_BYTES;
/// Most records a page may hold when the request does not say how many it asked for.
pub const MAX_PAGE_ITEMS: usize = 100_000;

/// Most records a page asked for `asked` may hold. Servers round a size up or ignore a small
/// one, hence the slack; far more than asked is what no real server sends, and holding it
/// (twenty million `{}` fit in 60 MB) would take gigabytes.
pub fn item_limit(asked: Option<u64>) -> usize {
    asked.map_or(MAX_PAGE_ITEMS, |n| {
        usize::try_from(n)
            .unwrap_or(usize::MAX)
            .saturating_mul(2)
            .saturating_add(16)
            .min(MAX_PAGE_ITEMS)
    })
}

/// A record of a list page that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadItem {
    /// Its position in the page as served.
    pub index: usize,
    /// Its id, when one could be picked out of it.
    pub id: Option<String>,
    pub reason: String,
}

/// A page split into its envelope (everything but the items: MATTR's `nextCursor`) and its
/// items, each decoded or not.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub envelope: Value,
    pub items: Vec<Result<Value, BadItem>>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PageError {
    /// The body ends in the middle of the page (a cut connection).
    Cut,
    /// Not a JSON array, nor an object with a `data` array.
    Invalid(String),
    /// More records than the page may hold.
    TooMany { limit: usize },
    /// More JSON values than a page decoded as values may hold.
    TooManyValues { limit: usize },
}

/// Split and decode a list body: a JSON array of items, an object whose `data` member is
/// one (its other members form the envelope), or `null` / nothing for an empty page.
pub(crate) fn parse_page(body: &[u8], max_items: usize) -> Result<Parsed, PageError> {
    let (envelope, items) = parse_with(body, max_items, Some(crate::json::MAX_VALUES), decode)?;
    Ok(Parsed { envelope, items })
}

/// As [`parse_page`], keeping each readable item as its bytes (checked for size, depth and
/// UTF-8; a caller decoding it reports invalid JSON itself).
pub(crate) fn parse_page_bytes(body: &[u8], max_items: usize) -> ParsedBytes {
    parse_with(body, max_items, None, keep)
}

pub(crate) type ParsedBytes = Result<(Value, Vec<Result<Box<[u8]>, BadItem>>), PageError>;

pub(crate) type Split<T> = Result<(Value, Vec<Result<T, BadItem>>), PageError>;

/// Makes one item (its index, bytes and depth) into what the page holds.
pub(crate) type Decode<T> = fn((usize, (&[u8], usize))) -> Result<T, BadItem>;

pub(crate) fn parse_with<T>(
    body: &[u8],
    max_items: usize,
    values: Option<usize>,
    decode: Decode<T>,
) -> Split<T> {
    // Items decoded into values are bounded together too, once their count is known to be
    // within the page's (so that a flood of records is refused by its count, naming it).
    let decode_all = |items: Vec<(&[u8], usize)>| {
        if let Some(limit) = values
            && crate::json::values_over(body, limit)
        {
            return Err(PageError::TooManyValues { limit });
        }
        Ok::<_, PageError>(items.into_iter().enumerate().map(decode).collect())
    };
    let mut s = Scanner { b: body, pos: 0 };
    s.ws();
    let parsed = match s.peek() {
        None => (Value::Null, Vec::new()),
        Some(b'[') => (Value::Array(Vec::new()), decode_all(s.array(max_items)?)?),
        Some(b'{') => {
            let mut envelope = Map::new();
            let mut items = Vec::new();
            for (key, start, end, depth) in s.members()? {
                let value = &body[start..end];
                if key == "data" && value.first() == Some(&b'[') {
                    let mut inner = Scanner {
                        b: &body[..end],
                        pos: start,
                    };
                    items = decode_all(inner.array(max_items)?)?;
                    envelope.insert(key, Value::Array(Vec::new()));
                } else if depth <= MAX_ITEM_DEPTH
                    && let Ok(v) = crate::json::decode_unchecked(value)
                {
                    envelope.insert(key, v);
                }
            }
            (Value::Object(envelope), items)
        }
        Some(_) => {
            let start = s.pos;
            let (end, _) = s.value()?;
            let v: Value = serde_json::from_slice(&body[start..end])
                .map_err(|e| PageError::Invalid(e.to_string()))?;
            (v, Vec::new())
        }
    };
    s.ws();
    if s.pos < body.len() {
        return Err(PageError::Invalid(format!(
            "unexpected text after the page at byte {}",
            s.pos
        )));
    }
    Ok(parsed)
}

/// One item's bytes, checked and kept as bytes.
pub(crate) fn keep((index, (bytes, depth)): (usize, (&[u8], usize))) -> Result<Box<[u8]>, BadItem> {
    check(index, bytes, depth).map(|()| bytes.into())
}

/// One item's bytes and nesting depth, decoded or turned into a [`BadItem`].
pub(crate) fn decode((index, (bytes, depth)): (usize, (&[u8], usize))) -> Result<Value, BadItem> {
    check(index, bytes, depth)?;
    crate::json::decode_unchecked(bytes).map_err(|e| BadItem {
        index,
        id: top_level_id(bytes),
        reason: format!("invalid JSON: {e}"),
    })
}

/// The caps and UTF-8, checked before an item is decoded.
fn check(index: usize, bytes: &[u8], depth: usize) -> Result<(), BadItem> {
    let bad = |reason: String| BadItem {
        index,
        id: top_level_id(bytes),
        reason,
    };
    if bytes.len() > MAX_ITEM_BYTES {
        return Err(too_large(index, bytes.len(), bytes));
    }
    if depth > MAX_ITEM_DEPTH {
        return Err(bad(format!(
            "too deep: nested {depth} levels (more than {MAX_ITEM_DEPTH})"
        )));
    }

    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(bad(format!(
            "invalid UTF-8 at byte {} of the record",
            e.valid_up_to()
        )));
    }
    Ok(())
}

/// An item longer than [`MAX_ITEM_BYTES`], named by its id when `start` (its first bytes, or
/// all of them) holds one.
pub(crate) fn too_large(index: usize, len: usize, start: &[u8]) -> BadItem {
    BadItem {
        index,
        id: top_level_id(start),
        reason: format!(
            "too large: {} MiB (more than {} MiB)",
            len >> 20,
            MAX_ITEM_BYTES >> 20
        ),
    }
}

/// The `id` (or Coassemble `identifier` / `clientIdentifier`) string member at the top of
/// an object, read without decoding the rest; of an object cut short, from the members
/// before the cut.
pub(crate) fn top_level_id(item: &[u8]) -> Option<String> {
    let mut s = Scanner { b: item, pos: 0 };
    s.ws();
    if s.peek() != Some(b'{') {
        return None;
    }
    let mut members = Vec::new();
    if let Err(PageError::Invalid(_)) = s.members_into(&mut members) {
        return None;
    }
    ["id", "identifier", "clientIdentifier"]
        .iter()
        .find_map(|want| {
            let (_, start, end, _) = members.iter().find(|(k, ..)| k == want)?;
            let raw = &item[*start..*end];
            let inner = raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
            (!inner.contains(&b'\\')).then(|| String::from_utf8_lossy(inner).into_owned())
        })
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), PageError> {
        self.ws();
        match self.peek() {
            Some(x) if x == c => {
                self.pos += 1;
                Ok(())
            }
            Some(x) => Err(PageError::Invalid(format!(
                "expected `{}` at byte {}, found `{}`",
                c as char, self.pos, x as char
            ))),
            None => Err(PageError::Cut),
        }
    }

    /// Skip one value; its end and nesting depth (0 for a scalar).
    fn value(&mut self) -> Result<(usize, usize), PageError> {
        self.ws();
        let start = self.pos;
        let (mut depth, mut deepest) = (0usize, 0usize);
        loop {
            let Some(c) = self.peek() else {
                // A scalar may end the body (`null`); anything else was cut.
                return if depth == 0 && self.pos > start {
                    Ok((self.pos, deepest))
                } else {
                    Err(PageError::Cut)
                };
            };
            match c {
                b'"' => self.string()?,
                b'{' | b'[' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                    self.pos += 1;
                }
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    self.pos += 1;
                }
                b'}' | b']' | b',' if depth == 0 => {
                    return Ok((self.pos, deepest));
                }
                b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return Ok((self.pos, deepest)),
                _ => self.pos += 1,
            }
            if depth == 0 && matches!(c, b'"' | b'}' | b']') {
                return Ok((self.pos, deepest));
            }
        }
    }

    /// Skip a string starting at `"`.
    fn string(&mut self) -> Result<(), PageError> {
        match crate::json::string_end(self.b, self.pos + 1) {
            Some(end) => {
                self.pos = end;
                Ok(())
            }
            None => {
                self.pos = self.b.len();
                Err(PageError::Cut)
            }
        }
    }

    /// The items of the array starting here, with their depths; more than `max` is an error.
    fn array(&mut self, max: usize) -> Result<Vec<(&'a [u8], usize)>, PageError> {
        self.expect(b'[')?;
        let mut out = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(out);
        }
        loop {
            self.ws();
            let start = self.pos;
            let (end, depth) = self.value()?;
            if end == start {
                return Err(PageError::Invalid(format!("empty item at byte {start}")));
            }
            if out.len() == max {
                return Err(PageError::TooMany { limit: max });
            }
            out.push((&self.b[start..end], depth));
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(c) => {
                    return Err(PageError::Invalid(format!(
                        "expected `,` or `]` at byte {}, found `{}`",
                        self.pos, c as char
                    )));
                }
                None => return Err(PageError::Cut),
            }
        }
    }

    /// The members of the object starting here: key, value span and depth.
    fn members(&mut self) -> Result<Vec<(String, usize, usize, usize)>, PageError> {
        let mut out = Vec::new();
        self.members_into(&mut out)?;
        Ok(out)
    }

    /// As [`Self::members`], into `out`, which keeps the members read before an error.
    fn members_into(
        &mut self,
        out: &mut Vec<(String, usize, usize, usize)>,
    ) -> Result<(), PageError> {
        self.expect(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.ws();
            let key_start = self.pos;
            if self.peek() != Some(b'"') {
                return Err(match self.peek() {
                    None => PageError::Cut,
                    Some(_) => PageError::Invalid(format!("expected a key at byte {key_start}")),
                });
            }
            self.string()?;
            let key: String = serde_json::from_slice(&self.b[key_start..self.pos])
                .map_err(|e| PageError::Invalid(format!("bad key: {e}")))?;
            self.expect(b':')?;
            self.ws();
            let start = self.pos;
            let (end, depth) = self.value()?;
            out.push((key, start, end, depth));
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => {
                    return Err(PageError::Invalid(format!(
                        "expected `,` or `}}` at byte {}",
                        self.pos
                    )));
                }
                None => return Err(PageError::Cut),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
    }

    fn parse_page_any(body: &[u8]) -> Result<Parsed, PageError> {
        parse_page(body, MAX_PAGE_ITEMS)
    }

    #[test]
    fn every_readable_item_loads_and_each_unreadable_one_says_why() {
        // Kratos accepts metadata nesting 9,999 levels under the identity (Go's 10,000 for
        // the whole request body): such a record is a normal row, one level more is not.
        let deep = format!(r#"{{"id":"deep","m":{}}}"#, nested(MAX_ITEM_DEPTH));
        let ok_deep = format!(r#"{{"id":"fine","m":{}}}"#, nested(MAX_ITEM_DEPTH - 1));
        let mut body = format!(r#"[{{"id":"a","s":"x,]}}\"y"}}, {deep}, {ok_deep}, "#).into_bytes();
        body.extend_from_slice(b"{\"id\":\"bad-utf8\",\"n\":\"\xff\"}, {\"id\":\"b\"}]");
        crate::json::on_deep_stack(move || {
            let page = parse_page(&body, MAX_PAGE_ITEMS).unwrap();
            assert_eq!(page.items.len(), 5);
            assert_eq!(page.items[0].as_ref().unwrap()["s"], "x,]}\"y");
            let bad = page.items[1].as_ref().unwrap_err();
            assert_eq!((bad.index, bad.id.as_deref()), (1, Some("deep")));
            assert_eq!(
                bad.reason, "too deep: nested 10001 levels (more than 10000)",
                "{}",
                bad.reason
            );
            let fine = page.items[2].as_ref().unwrap();
            assert_eq!(fine["id"], "fine");
            assert_eq!(
                crate::json::depth(fine.to_string().as_bytes()),
                MAX_ITEM_DEPTH
            );
            let bad = page.items[3].as_ref().unwrap_err();
            assert_eq!(bad.id.as_deref(), Some("bad-utf8"));
            assert!(bad.reason.starts_with("invalid UTF-8"), "{}", bad.reason);
            assert_eq!(page.items[4].as_ref().unwrap()["id"], "b");
        });
    }

    #[test]
    fn envelopes_keep_their_other_members_and_cut_bodies_are_cut() {
        let page = parse_page_any(br#"{"data":[{"id":1},{"id":2}],"nextCursor":"c2"}"#).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.envelope["nextCursor"], "c2");
        assert_eq!(parse_page_any(b"").unwrap().items.len(), 0);
        assert_eq!(parse_page_any(b"null").unwrap().envelope, Value::Null);
        assert_eq!(parse_page_any(b"[]").unwrap().items.len(), 0);
        assert_eq!(
            parse_page_any(br#"[{"id":1},{"id":"#).unwrap_err(),
            PageError::Cut
        );
        assert_eq!(
            parse_page_any(br#"{"data":[1,2"#).unwrap_err(),
            PageError::Cut
        );
        assert!(matches!(
            parse_page_any(b"[1 2]"),
            Err(PageError::Invalid(_))
        ));
        assert_eq!(
            parse_page_any(b"[1, -2.5e3, true, null]")
                .unwrap()
                .items
                .len(),
            4
        );
    }
}
