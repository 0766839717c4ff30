//! Server data is untrusted: everything shown on the terminal passes through here first so
//! that no control character, escape sequence or bidi override reaches the terminal, and
//! no value is wider or longer than its place on screen.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Shown in place of a character that must not reach the terminal and has no picture.
const REPLACEMENT: char = '\u{FFFD}';
/// Shown for a line break inside a single-line value.
const LINE_BREAK: char = '⏎';

/// The visible stand-in for `c`, or `None` when `c` is safe to print as is.
fn replacement(c: char) -> Option<char> {
    match c {
        // C0 controls (including ESC, which starts every escape sequence) become their
        // Unicode control pictures: ␀ … ␛ … ␟.
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('␡'),
        // C1 controls: 0x9b is a one-byte CSI on some terminals.
        '\u{80}'..='\u{9f}' => Some(REPLACEMENT),
        // Bidi embeddings, overrides, isolates and marks can reorder what the admin sees
        // (an id that reads differently from what it is).
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some(REPLACEMENT),
        '\u{200e}' | '\u{200f}' | '\u{061c}' => Some(REPLACEMENT),
        // Line and paragraph separators break some terminals' line accounting.
        '\u{2028}' | '\u{2029}' => Some(REPLACEMENT),
        _ => None,
    }
}

/// Whether `c` must not reach the terminal as is (controls, DEL, C1, bidi controls).
pub fn is_unsafe(c: char) -> bool {
    replacement(c).is_some()
}

/// `s` with every control character (newlines and tabs included), DEL, C1 control and bidi
/// control replaced by a visible placeholder (`␛` for ESC, `␊` for a newline, `�` for
/// the others). Borrows when nothing needed replacing. For multi-line text, split into
/// lines first with [`lines`].
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| replacement(c).is_some()) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| replacement(c).unwrap_or(c)).collect())
}

/// Like [`clean`], for a value shown on one line (a table cell, a title): a tab becomes a
/// space and each line break (`\n`, `\r\n` or `\r`) becomes `⏎`.
pub fn clean_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| replacement(c).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => out.push(' '),
            '\n' => out.push(LINE_BREAK),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push(LINE_BREAK);
            }
            c => out.push(replacement(c).unwrap_or(c)),
        }
    }
    Cow::Owned(out)
}

/// Multi-line text as cleaned lines: split on `\n` (a trailing `\r` is dropped) and tabs
/// expanded to the next multiple of four columns.
pub fn lines(s: &str) -> impl Iterator<Item = Cow<'_, str>> {
    s.split('\n').map(|line| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.contains('\t') {
            return clean(line);
        }
        let mut expanded = String::with_capacity(line.len() + 8);
        for c in line.chars() {
            if c == '\t' {
                let pad = 4 - expanded.width() % 4;
                expanded.extend(std::iter::repeat_n(' ', pad));
            } else {
                expanded.push(c);
            }
        }
        Cow::Owned(clean(&expanded).into_owned())
    })
}

/// Display width of `c` in terminal columns (0 for anything without a width).
fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// `s` cut to at most `width` terminal columns, ending in `…` when it was cut. Wide
/// characters (CJK, most emoji) count as two columns and are never split. Expects text
/// that was already cleaned; see [`cell`].
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let budget = width - 1; // one column for the ellipsis
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        let w = char_width(c);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `lead` then as much of the end of `s` as fits in `width` columns, after an ellipsis when
/// the start of `s` is cut: a line typed at its end (the `:` line) keeps the cursor in view.
pub fn fit_end(lead: &str, s: &str, width: usize) -> String {
    let whole = format!("{lead}{s}");
    if whole.width() <= width {
        return whole;
    }
    let budget = width.saturating_sub(lead.width() + 1);
    let mut out = format!("{lead}…");
    out.push_str(&tail(s, budget));
    fit(&out, width)
}

/// As much of the end of `s` as fits in `budget` columns.
fn tail(s: &str, budget: usize) -> String {
    let mut used = 0;
    let mut tail: Vec<char> = Vec::new();
    for c in s.chars().rev() {
        let w = char_width(c);
        if used + w > budget {
            break;
        }
        used += w;
        tail.push(c);
    }
    tail.into_iter().rev().collect()
}

/// `s` cut or padded with spaces to exactly `width` columns (aligned help columns).
pub fn fit_pad(s: &str, width: usize) -> String {
    let mut out = fit(s, width);
    let pad = width.saturating_sub(out.width());
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// Text for a terminal that is not ours to draw on (stdout, stderr, the shell after exit):
/// every line cleaned as [`clean`] does, line breaks kept. Everything idtui prints passes
/// through here, wherever it came from (the network, argv, config, keybindings).
pub fn text(s: &str) -> String {
    lines(s).collect::<Vec<_>>().join("\n")
}

/// Untrusted single-line text made safe and cut to `width` columns.
pub fn cell(s: &str, width: usize) -> String {
    fit(&clean_line(s), width)
}

/// `s` cut to `width` columns by eliding its middle: for identifiers, whose ends tell them
/// apart (time-ordered UUIDv7s and counter-derived ids share long prefixes).
pub fn fit_middle(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width < 2 {
        return fit(s, width);
    }
    let budget = width - 1;
    let head_budget = budget.div_ceil(2);
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        if used + char_width(c) > head_budget {
            break;
        }
        used += char_width(c);
        head.push(c);
    }
    head.push('…');
    head.push_str(&tail(s, budget - used));
    head
}

/// Untrusted identifier made safe and cut to `width` columns, keeping both ends.
pub fn id_cell(s: &str, width: usize) -> String {
    fit_middle(&clean_line(s), width)
}

/// `s` limited to about `max_bytes`: when longer, it is cut at a character boundary and a
/// note saying how much was left out is appended (so the result may exceed `max_bytes` by
/// the length of that note). Keeps a single huge server value from flooding memory and
/// the screen.
pub fn cap(s: &str, max_bytes: usize) -> Cow<'_, str> {
    if s.len() <= max_bytes {
        return Cow::Borrowed(s);
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}… [{} more bytes]", &s[..end], s.len() - end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_end_keeps_the_typed_end_of_a_long_line_in_view() {
        assert_eq!(fit_end(":", "abc", 10), ":abc");
        assert_eq!(fit_end(":", "abcdefghij", 6), ":…ghij");
        assert_eq!(fit_end(":", "漢字漢字", 6), ":…漢字");
        assert_eq!(fit_end(":", "abc", 1), "…");
    }

    #[test]
    fn fit_middle_keeps_both_ends_of_an_id() {
        let a = "0c3fad74-a8df-4a2d-8e75-f2d356b41300";
        let b = "0c3fad74-a8df-4a2d-8e75-f2d356b41318";
        let (fa, fb) = (fit_middle(a, 16), fit_middle(b, 16));
        assert_eq!(fa, "0c3fad74…6b41300");
        assert_ne!(fa, fb, "ids sharing a prefix stay distinguishable");
        assert_eq!(fa.width(), 16);
        assert_eq!(fit_middle("short", 16), "short");
        assert_eq!(fit_middle("abc", 1), "…");
    }
    use proptest::prelude::*;

    fn is_terminal_control(c: char) -> bool {
        (c as u32) < 0x20
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    }

    #[test]
    fn escape_sequences_become_visible_text() {
        assert_eq!(clean("a\x1b[31mred\x1b[0m"), "a␛[31mred␛[0m");
        assert_eq!(clean("osc\x1b]52;c;aGk=\x07"), "osc␛]52;c;aGk=␇");
        assert_eq!(clean("c1\u{9b}2J"), "c1\u{FFFD}2J");
        assert_eq!(clean("del\x7f"), "del␡");
    }

    #[test]
    fn bidi_overrides_are_replaced() {
        assert_eq!(clean("abc\u{202e}fed"), "abc\u{FFFD}fed");
        assert_eq!(clean("\u{2066}x\u{2069}"), "\u{FFFD}x\u{FFFD}");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(clean("plain ünïcödé 名前 🙂"), Cow::Borrowed(_)));
        assert!(matches!(clean_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn clean_line_folds_breaks_and_tabs() {
        assert_eq!(clean_line("a\tb\r\nc\nd\re"), "a b⏎c⏎d⏎e");
        assert_eq!(clean("a\nb\tc"), "a␊b␉c");
    }

    #[test]
    fn lines_split_and_expand_tabs() {
        let got: Vec<_> = lines("a\tb\r\n\x1b[2J\n").collect();
        assert_eq!(got, ["a   b", "␛[2J", ""]);
    }

    #[test]
    fn fit_counts_display_columns() {
        assert_eq!(fit("hello", 5), "hello");
        assert_eq!(fit("hello world", 8), "hello w…");
        assert_eq!(fit("名前名前", 5), "名前…");
        assert_eq!(fit("名前名前", 4), "名…");
        assert_eq!(fit("🙂🙂🙂", 4), "🙂…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(cell("a\x1bbcdef", 4), "a␛b…");
    }

    #[test]
    fn cap_cuts_on_a_char_boundary() {
        assert_eq!(cap("short", 10), "short");
        let capped = cap("ééééé", 3);
        assert_eq!(capped, "é… [8 more bytes]");
    }

    proptest! {
        #[test]
        fn clean_never_emits_a_control(s in any::<String>()) {
            prop_assert!(!clean(&s).chars().any(is_terminal_control));
            prop_assert!(!clean_line(&s).chars().any(is_terminal_control));
            for line in lines(&s) {
                prop_assert!(!line.chars().any(is_terminal_control));
            }
        }

        #[test]
        fn fit_never_exceeds_the_width(s in "\\PC{0,40}", width in 0usize..30) {
            let cleaned = clean_line(&s);
            let fitted = fit(&cleaned, width);
            prop_assert!(fitted.width() <= width);
            if cleaned.width() <= width {
                prop_assert_eq!(fitted, cleaned.into_owned());
            }
        }
    }
}
