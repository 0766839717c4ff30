//! A list page read as it streams in, for what the whole-body reader cannot take: a page
//! larger than any answer may be that cannot be asked for smaller (one record alone, or a
//! Coassemble page, whose numbering is by its length). Everything around the items (MATTR's
//! `nextCursor`, say) is kept, and so is every item up to [`MAX_ITEM_BYTES`] while the items
//! kept stay within [`MAX_BODY_BYTES`]; of any other only its first bytes are kept, enough to
//! name it in a row that says why. Its place in the list stays, so the list goes on past it
//! (see [`Skim::assemble`]).

use super::items::{self, Decode, MAX_BODY_BYTES, MAX_ITEM_BYTES, PageError, Split};

/// Most of the page kept outside its items (before and after them).
const MAX_ENVELOPE_BYTES: usize = 1 << 20;
/// What is kept of an item too large to keep: enough for its `id`.
const PREFIX_BYTES: usize = 64 * 1024;

/// One item of a skimmed page.
pub(crate) enum Piece {
    /// Its bytes and nesting depth.
    Whole(Vec<u8>, usize),
    /// Its length and its first bytes.
    TooLarge { len: usize, prefix: Vec<u8> },
    /// Its first bytes: the items before it filled what a page may hold.
    PastBudget(Vec<u8>),
}

/// A page split while it streams: the text before the items array (without its `[`), the
/// items, and the text after it (without its `]`).
pub(crate) struct Skim {
    /// Most items the page may hold.
    max_items: usize,
    /// Only count the items, keeping none of their bytes.
    count_only: bool,
    head: Vec<u8>,
    tail: Vec<u8>,
    pieces: Vec<Piece>,
    /// Bytes of the items kept whole.
    kept: usize,
    phase: Phase,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// At depth 1 of an object envelope: the next string is a key.
    expect_key: bool,
    in_key: bool,
    key: Vec<u8>,
    item: Option<Item>,
}

#[derive(Default, PartialEq)]
enum Phase {
    #[default]
    Head,
    /// Inside the items array, whose items sit at this depth.
    Items(usize),
    Tail,
}

struct Item {
    bytes: Vec<u8>,
    len: usize,
    deepest: usize,
}

/// How many items `partial`, the first bytes of a list page, holds whole; more than `max` is
/// [`PageError::TooMany`]. Only counts, so it holds nothing of the page.
pub(crate) fn count_items(partial: &[u8], max: usize) -> Result<usize, PageError> {
    let mut skim = Skim::new(max);
    skim.count_only = true;
    skim.feed(partial)?;
    Ok(skim.pieces.len())
}

impl Skim {
    pub fn new(max_items: usize) -> Self {
        Skim {
            max_items,
            count_only: false,
            head: Vec::new(),
            tail: Vec::new(),
            pieces: Vec::new(),
            kept: 0,
            phase: Phase::default(),
            depth: 0,
            in_string: false,
            escaped: false,
            expect_key: false,
            in_key: false,
            key: Vec::new(),
            item: None,
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), PageError> {
        for &b in chunk {
            match self.phase {
                Phase::Head => self.head_byte(b),
                Phase::Items(at) => self.item_byte(b, at),
                Phase::Tail => self.tail_byte(b),
            }
            // Checked as the items end, not at the end of the chunk: a chunk of `{},` holds
            // thousands of them.
            if self.pieces.len() > self.max_items {
                return Err(PageError::TooMany {
                    limit: self.max_items,
                });
            }
        }
        if self.head.len() + self.tail.len() > MAX_ENVELOPE_BYTES {
            return Err(PageError::Invalid(format!(
                "more than {} MiB around the items",
                MAX_ENVELOPE_BYTES >> 20
            )));
        }
        Ok(())
    }

    /// The page, once the body has ended whole.
    fn finish(self) -> Result<Skim, PageError> {
        if self.in_string || self.depth != 0 || self.item.is_some() {
            return Err(PageError::Cut);
        }
        Ok(self)
    }

    /// The page's envelope and items, as the whole-body reader gives them, an item too
    /// large to keep being a [`items::BadItem`] in its place.
    pub fn assemble<T>(self, decode: Decode<T>) -> Split<T> {
        let Skim {
            head: mut envelope,
            pieces,
            tail,
            ..
        } = self.finish()?;
        envelope.extend_from_slice(b"[]");
        envelope.extend_from_slice(&tail);
        let (envelope, _) = items::parse_with(&envelope, 0, None, decode)?;
        let items = pieces
            .into_iter()
            .enumerate()
            .map(|(index, piece)| match piece {
                Piece::Whole(bytes, depth) => decode((index, (&bytes, depth))),
                Piece::TooLarge { len, prefix } => Err(items::too_large(index, len, &prefix)),
                Piece::PastBudget(prefix) => Err(items::BadItem {
                    index,
                    id: items::top_level_id(&prefix),
                    reason: format!(
                        "not kept: the page holds more than {} MiB",
                        MAX_BODY_BYTES >> 20
                    ),
                }),
            })
            .collect();
        Ok((envelope, items))
    }

    /// Whether the items kept whole hold more than `max` JSON values between them (see
    /// [`crate::json::MAX_VALUES`]), for a page that is to be decoded into values.
    pub fn values_over(&self, max: usize) -> bool {
        let mut total = 0;
        for piece in &self.pieces {
            if let Piece::Whole(bytes, _) = piece {
                total += crate::json::values_in(bytes, max - total);
                if total > max {
                    return true;
                }
            }
        }
        false
    }

    /// Strings are skipped alike everywhere; whether `b` was part of one.
    fn string_byte(&mut self, b: u8) -> bool {
        if !self.in_string {
            return false;
        }
        if self.escaped {
            self.escaped = false;
        } else if b == b'\\' {
            self.escaped = true;
        } else if b == b'"' {
            self.in_string = false;
        }
        true
    }

    fn head_byte(&mut self, b: u8) {
        if self.string_byte(b) {
            if self.in_key {
                if self.in_string {
                    self.key.push(b);
                } else {
                    self.in_key = false;
                }
            }
            if !self.count_only {
                self.head.push(b);
            }
            return;
        }
        let items_open = b == b'['
            && (self.depth == 0 || (self.depth == 1 && !self.expect_key && self.key == b"data"));
        if items_open {
            self.depth += 1;
            self.phase = Phase::Items(self.depth);
            return;
        }
        match b {
            b'"' => {
                self.in_string = true;
                if self.depth == 1 && self.expect_key {
                    self.in_key = true;
                    self.key.clear();
                }
            }
            b'{' | b'[' => {
                self.depth += 1;
                self.expect_key = self.depth == 1 && b == b'{';
            }
            b'}' | b']' => self.depth = self.depth.saturating_sub(1),
            b':' if self.depth == 1 => self.expect_key = false,
            b',' if self.depth == 1 => self.expect_key = true,
            _ => {}
        }
        if !self.count_only {
            self.head.push(b);
        }
    }

    fn tail_byte(&mut self, b: u8) {
        if !self.string_byte(b) {
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        if !self.count_only {
            self.tail.push(b);
        }
    }

    fn item_byte(&mut self, b: u8, at: usize) {
        if self.item.is_none() {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b',' => {}
                b']' => {
                    self.depth -= 1;
                    self.phase = Phase::Tail;
                }
                _ => {
                    self.item = Some(Item {
                        bytes: Vec::new(),
                        len: 0,
                        deepest: 0,
                    });
                    self.item_byte(b, at);
                }
            }
            return;
        }
        let was_string = self.in_string;
        let mut deeper = None;
        let ends = if self.string_byte(b) {
            // A string item ends with its closing quote.
            self.depth == at && was_string && !self.in_string
        } else {
            match b {
                b'"' => {
                    self.in_string = true;
                    false
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    deeper = Some(self.depth - at);
                    false
                }
                b'}' | b']' if self.depth > at => {
                    self.depth -= 1;
                    self.depth == at
                }
                // A scalar item ends at what follows it, which is not part of it.
                b'}' | b']' | b',' | b' ' | b'\t' | b'\n' | b'\r' if self.depth == at => {
                    self.end_item();
                    return self.item_byte(b, at);
                }
                _ => false,
            }
        };
        let item = self.item.as_mut().expect("an item is open");
        if let Some(d) = deeper {
            item.deepest = item.deepest.max(d);
        }
        item.len += 1;
        if !self.count_only && item.bytes.len() <= MAX_ITEM_BYTES {
            item.bytes.push(b);
        }
        if ends {
            self.end_item();
        }
    }

    fn end_item(&mut self) {
        let Some(mut item) = self.item.take() else {
            return;
        };
        let piece = if item.len > MAX_ITEM_BYTES {
            item.bytes.truncate(PREFIX_BYTES);
            Piece::TooLarge {
                len: item.len,
                prefix: item.bytes,
            }
        } else if self.kept + item.len > MAX_BODY_BYTES {
            item.bytes.truncate(PREFIX_BYTES);
            Piece::PastBudget(item.bytes)
        } else {
            self.kept += item.len;
            Piece::Whole(item.bytes, item.deepest)
        };
        self.pieces.push(piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skim(body: &[u8], chunk: usize) -> (String, Vec<String>, String) {
        let mut s = Skim::new(items::MAX_PAGE_ITEMS);
        for c in body.chunks(chunk) {
            s.feed(c).unwrap();
        }
        let Skim {
            head, pieces, tail, ..
        } = s.finish().unwrap();
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
        let pieces = pieces
            .iter()
            .map(|p| match p {
                Piece::Whole(b, d) => format!("{}@{d}", text(b)),
                Piece::TooLarge { len, .. } => format!("large {len}"),
                Piece::PastBudget(_) => "past".into(),
            })
            .collect();
        (text(&head), pieces, text(&tail))
    }

    #[test]
    fn items_envelopes_and_scalars_are_split_in_any_chunking() {
        for chunk in [1, 3, 1000] {
            assert_eq!(
                skim(br#"[{"id":"a","s":"]},"}, [[1]] ,"x\"]" , 7]"#, chunk),
                (
                    String::new(),
                    vec![
                        r#"{"id":"a","s":"]},"}@1"#.to_string(),
                        "[[1]]@2".into(),
                        r#""x\"]"@0"#.into(),
                        "7@0".into()
                    ],
                    String::new()
                )
            );
            assert_eq!(
                skim(
                    br#"{"nextCursor":"c","x":{"data":[1]},"data":[{"a":[]}],"n":2}"#,
                    chunk
                ),
                (
                    r#"{"nextCursor":"c","x":{"data":[1]},"data":"#.to_string(),
                    vec![r#"{"a":[]}@2"#.to_string()],
                    r#","n":2}"#.into()
                )
            );
        }
    }

    #[test]
    fn an_item_past_the_cap_keeps_its_length_and_first_bytes_and_cut_bodies_are_cut() {
        let mut body = br#"{"data":[{"id":"big","blob":""#.to_vec();
        body.resize(body.len() + MAX_ITEM_BYTES, b'x');
        body.extend_from_slice(br#""}],"nextCursor":"c2"}"#);
        let mut s = Skim::new(items::MAX_PAGE_ITEMS);
        for c in body.chunks(1 << 16) {
            s.feed(c).unwrap();
        }
        let Skim {
            head, pieces, tail, ..
        } = s.finish().unwrap();
        assert_eq!(
            (head.as_slice(), tail.as_slice()),
            (&br#"{"data":"#[..], &br#","nextCursor":"c2"}"#[..])
        );
        match &pieces[..] {
            [Piece::TooLarge { len, prefix }] => {
                assert_eq!(*len, br#"{"id":"big","blob":""#.len() + MAX_ITEM_BYTES + 2);
                assert_eq!(prefix.len(), PREFIX_BYTES);
                assert!(prefix.starts_with(br#"{"id":"big""#));
            }
            _ => panic!("one large piece"),
        }
        // Items that fit one by one but not all together: the ones past the budget are named.
        let item = format!(r#"{{"id":"i","b":"{}"}}"#, "x".repeat(MAX_ITEM_BYTES - 20));
        let page = format!("[{item},{item},{item},{item},{item}]");
        let mut s = Skim::new(items::MAX_PAGE_ITEMS);
        s.feed(page.as_bytes()).unwrap();
        let kinds: Vec<bool> = s
            .finish()
            .unwrap()
            .pieces
            .iter()
            .map(|p| matches!(p, Piece::Whole(..)))
            .collect();
        assert_eq!(kinds, [true, true, true, true, false]);
        let mut s = Skim::new(items::MAX_PAGE_ITEMS);
        s.feed(br#"[{"id":"a"},{"id":"#).unwrap();
        assert!(matches!(s.finish(), Err(PageError::Cut)));
    }
}
