//! JSON as deep as the servers accept it.
//!
//! Ory Kratos decodes and encodes with Go's `encoding/json`, which refuses a document nested
//! more than 10,000 levels and accepts anything up to that, so an identity whose metadata nests
//! thousands of levels is a normal identity there. serde_json stops at 128 levels by default
//! to protect the stack. Here the depth is counted first by a loop that cannot overflow
//! anything, a document deeper than [`MAX_DEPTH`] is refused with that number, and anything
//! else is decoded with serde_json's limit lifted.
//!
//! The cost is stack: decoding, cloning, comparing, printing and dropping a `Value` recurse
//! once per level, about 1 KiB a level in a release build and 3 KiB in a debug one. Every
//! thread that holds records therefore runs on a stack of [`STACK_BYTES`] (the dashboard's
//! main thread and its runtime's threads; see [`on_deep_stack`]). Only the pages a thread
//! touches are ever committed, so a 10,000-level record costs its real depth, not the
//! reservation.

use serde::de::DeserializeOwned;

/// The deepest nesting accepted: Go's `encoding/json` limit, which Kratos reads and writes by.
pub const MAX_DEPTH: usize = 10_000;

/// Most JSON values one document (an answer, a record, or a page decoded into values) may hold. A value costs
/// tens of bytes once decoded against two or three in the text (`{}`, `0,`), so a few MiB of
/// them would take gigabytes; a real identity or page holds thousands.
pub const MAX_VALUES: usize = 1_000_000;

/// The stack reserved for a thread that may hold a record [`MAX_DEPTH`] levels deep.
pub const STACK_BYTES: usize = 256 << 20;

/// A document that could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DeepError {
    #[error("nested {0} levels (more than {MAX_DEPTH})")]
    TooDeep(usize),
    #[error("made of more than {0} JSON values")]
    TooMany(usize),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// How deeply `bytes` nest (brackets outside strings; 0 for a scalar). The text need not be
/// valid JSON: this is a bound taken before decoding, never a check of the syntax.
pub fn depth(bytes: &[u8]) -> usize {
    let mut deepest = 0;
    brackets(bytes, |level, _| {
        deepest = deepest.max(level);
        true
    });
    deepest
}

/// Where `bytes` first open a level past [`MAX_DEPTH`]: the byte offset of that bracket (for
/// an editor to put its cursor on).
pub fn too_deep_at(bytes: &[u8]) -> Option<usize> {
    let mut at = None;
    brackets(bytes, |level, pos| {
        if level > MAX_DEPTH {
            at = Some(pos);
        }
        at.is_none()
    });
    at
}

/// Call `open(level, offset)` for each `{` or `[` outside strings, until it returns false.
fn brackets(bytes: &[u8], mut open: impl FnMut(usize, usize) -> bool) {
    let mut level = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (pos, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                level += 1;
                if !open(level, pos) {
                    return;
                }
            }
            b'}' | b']' => level = level.saturating_sub(1),
            _ => {}
        }
    }
}

/// Decode `bytes` if they nest at most [`MAX_DEPTH`] levels and hold at most [`MAX_VALUES`]
/// values. Run it on a deep stack.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DeepError> {
    let levels = depth(bytes);
    if levels > MAX_DEPTH {
        return Err(DeepError::TooDeep(levels));
    }
    if values_over(bytes, MAX_VALUES) {
        return Err(DeepError::TooMany(MAX_VALUES));
    }
    Ok(decode_unchecked(bytes)?)
}

/// Whether `bytes` hold more than `max` JSON values, counted from the brackets and commas
/// outside strings (a bound, not a syntax check: `{"a":1}` counts as one). Strings are
/// skipped with `memchr`, so this costs far less than decoding.
pub fn values_over(bytes: &[u8], max: usize) -> bool {
    values_in(bytes, max) > max
}

/// How many JSON values `bytes` hold, counted as [`values_over`] does, stopping past `max`.
pub fn values_in(bytes: &[u8], max: usize) -> usize {
    let mut count = 0usize;
    let mut pos = 0;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'"' => {
                pos = string_end(bytes, pos + 1).unwrap_or(bytes.len());
                continue;
            }
            b'{' | b'[' | b',' => {
                count += 1;
                if count > max {
                    return count;
                }
            }
            _ => {}
        }
        pos += 1;
    }
    count
}

/// Where the string whose text starts at `pos` ends (past its closing quote); `None` when
/// `bytes` end inside it. Skips to each quote or backslash with `memchr`.
pub(crate) fn string_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let at = memchr::memchr2(b'"', b'\\', bytes.get(pos..)?)?;
        if bytes[pos + at] == b'"' {
            return Some(pos + at + 1);
        }
        // An escape: the next byte is never the end of the string.
        pos += at + 2;
    }
}

/// As [`from_slice`], for text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, DeepError> {
    from_slice(text.as_bytes())
}

/// Decode with serde_json's depth limit lifted, for bytes whose depth was already bounded
/// (with [`too_deep_at`] or [`depth`]); the whole text must be one value.
pub fn decode_unchecked<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Run `f` on a new thread with a stack of [`STACK_BYTES`] and wait for it: for a program's
/// `main`, and for tests and tools that handle deep records outside the dashboard's threads.
pub fn on_deep_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let thread = std::thread::Builder::new()
        .name("deep-stack".into())
        .stack_size(STACK_BYTES)
        .spawn(f)
        .expect("a thread can be started");
    match thread.join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn values_are_counted_outside_strings_only() {
        let doc = br#"{"a":"x,[{,\",]","b":[1,2,{}],"c":{"d":[]}}"#;
        // `{`, `,`, `[`, `,`, `{`, `,`, `,`, `{`, `[`: strings (escapes too) do not count.
        assert_eq!(values_in(doc, 100), 9);
        assert!(values_over(doc, 8) && !values_over(doc, 9));
        assert_eq!(values_in(b"[{},{},{},{}]", 2), 3, "stops past the bound");
        assert!(matches!(
            from_slice::<Value>(format!("[{}0]", "0,".repeat(MAX_VALUES)).as_bytes()),
            Err(DeepError::TooMany(MAX_VALUES))
        ));
    }

    fn nested(levels: usize) -> String {
        format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(depth(b"1"), 0);
        assert_eq!(depth(br#"{"a":[1,{"b":"]]]}}}[[["}]}"#), 3);
        assert_eq!(depth(br#"["\"[[["]"#), 1);
        assert_eq!(depth(nested(10_000).as_bytes()), 10_000);
        assert_eq!(too_deep_at(nested(10_000).as_bytes()), None);
        assert_eq!(
            too_deep_at(format!(" {}", nested(10_001)).as_bytes()),
            Some(10_001)
        );
    }

    #[test]
    fn ten_thousand_levels_decode_clone_print_and_drop_and_one_more_is_refused() {
        on_deep_stack(|| {
            let v: Value = from_str(&nested(MAX_DEPTH)).unwrap();
            let copy = v.clone();
            assert_eq!(copy, v);
            assert_eq!(serde_json::to_string(&copy).unwrap(), nested(MAX_DEPTH));
            drop((v, copy));
            let err = from_str::<Value>(&nested(MAX_DEPTH + 1)).unwrap_err();
            assert_eq!(err.to_string(), "nested 10001 levels (more than 10000)");
            // Trailing text is refused as serde_json refuses it.
            assert!(matches!(
                from_str::<Value>("[1] 2"),
                Err(DeepError::Json(_))
            ));
        });
    }
}
