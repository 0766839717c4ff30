//! Server data is untrusted: everything shown on the terminal passes through here first so
//! that no control character, escape sequence or bidi override reaches the terminal, and
//! no value is wider or longer than its place on screen.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Shown for a line break inside a single-line value.
const LINE_BREAK: char = '⏎';
/// Opens the visible name of a character that has no picture: `⟨U+200B⟩`.
const NAME_OPEN: char = '⟨';

/// How `c` is shown: as it is, as its control picture, or by its code point.
enum Shown {
    Plain,
    Picture(char),
    Named,
}

/// Characters that print nothing, or print as something they are not: zero-width and
/// other format characters, spaces that look like a plain space, fillers and variation
/// selectors. Each makes two different values look the same (an email with a zero-width
/// space in it reads as the original), so each is shown by its code point.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{a0}' | '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}'
        | '\u{17b4}' | '\u{17b5}' | '\u{180b}'..='\u{180f}' | '\u{2000}'..='\u{200f}'
        | '\u{2028}'..='\u{202f}' | '\u{205f}'..='\u{206f}' | '\u{3000}' | '\u{3164}'
        | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}' | '\u{fff9}'..='\u{fffb}'
        | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e0fff}')
}

fn shown(c: char) -> Shown {
    match c {
        // C0 controls (including ESC, which starts every escape sequence) become their
        // Unicode control pictures: ␀ … ␛ … ␟.
        '\u{0}'..='\u{1f}' => Shown::Picture(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
        '\u{7f}' => Shown::Picture('␡'),
        // C1 controls (0x9b is a one-byte CSI on some terminals), bidi controls (they
        // reorder what the admin sees), and everything invisible.
        '\u{80}'..='\u{9f}' => Shown::Named,
        c if invisible(c) => Shown::Named,
        // The stand-ins themselves (`␛`, `⟨`) print as they are, so that cleaning twice, as
        // a message built from server text and then drawn is, changes nothing more.
        _ => Shown::Plain,
    }
}

fn push_named(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = write!(out, "{NAME_OPEN}U+{:04X}⟩", c as u32);
}

/// Whether `c` must not reach the terminal, a clipboard or a prompt as is: controls, DEL,
/// C1, bidi controls, and invisible or look-alike characters.
pub fn is_unsafe(c: char) -> bool {
    !matches!(shown(c), Shown::Plain)
}

/// `s` with every control character (newlines and tabs included), DEL, C1 control, bidi
/// control and invisible character made visible: a control picture (`␛` for ESC, `␊` for a
/// newline) or the code point (`⟨U+200B⟩`), so nothing that differs is invisible. Cleaning
/// again changes nothing. Borrows when nothing needed replacing. For multi-line text, split
/// into lines first with [`lines`].
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| matches!(shown(c), Shown::Plain)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_visible(out: &mut String, c: char) {
    match shown(c) {
        Shown::Plain => out.push(c),
        Shown::Picture(p) => out.push(p),
        Shown::Named => push_named(out, c),
    }
}

/// Why `text` must not be copied as it is, or `None`. A paste can act on what it carries
/// (an ESC ends a bracketed paste and what follows runs in the shell), and an invisible
/// character hides what was copied. `multi_line` allows line breaks (a JSON document).
pub fn copy_refusal(text: &str, multi_line: bool) -> Option<String> {
    let (at, c) = text
        .char_indices()
        .find(|&(_, c)| is_unsafe(c) && !(multi_line && c == '\n'))?;
    let kind = if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) {
        "a control character"
    } else {
        "an invisible or direction-changing character"
    };
    let mut name = String::new();
    push_named(&mut name, c);
    Some(format!(
        "it holds {name}, {kind}, at character {}: a paste could act on it or hide it",
        text[..at].chars().count() + 1
    ))
}

/// `value` as JSON text with every character that [`is_unsafe`] written as a JSON escape
/// (`\u200b`): the same document, safe to print and to copy. Line breaks are only the
/// pretty-printing's (serde_json escapes those inside strings).
pub fn json_text(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c != '\n' && is_unsafe(c) {
            push_json_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// `c` as a JSON string escape; past U+FFFF as its UTF-16 surrogate pair, as JSON requires.
pub fn push_json_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        let _ = write!(out, "\\u{:04x}", unit);
    }
}

/// Like [`clean`], for a value shown on one line (a table cell, a title): a tab becomes a
/// space and each line break (`\n`, `\r\n` or `\r`) becomes `⏎`.
pub fn clean_line(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| matches!(shown(c), Shown::Plain)) {
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
            c => push_visible(&mut out, c),
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

/// `text` cut into lines of at most `width` columns, at spaces where it can and anywhere in
/// a word longer than a line (a link). Cleaned of control characters first.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let text = clean_line(text);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut line_w = 0;
    for word in text.split(' ') {
        let word_w: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
        if line_w > 0 && line_w + 1 + word_w > width {
            out.push(std::mem::take(&mut line));
            line_w = 0;
        }
        if line_w > 0 {
            line.push(' ');
            line_w += 1;
        }
        for ch in word.chars() {
            let w = ch.width().unwrap_or(0);
            if line_w + w > width {
                out.push(std::mem::take(&mut line));
                line_w = 0;
            }
            line.push(ch);
            line_w += w;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
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
            || invisible(c)
    }

    #[test]
    fn escape_sequences_become_visible_text() {
        assert_eq!(clean("a\x1b[31mred\x1b[0m"), "a␛[31mred␛[0m");
        assert_eq!(clean("osc\x1b]52;c;aGk=\x07"), "osc␛]52;c;aGk=␇");
        assert_eq!(clean("c1\u{9b}2J"), "c1⟨U+009B⟩2J");
        assert_eq!(clean("del\x7f"), "del␡");
    }

    #[test]
    fn bidi_overrides_are_replaced() {
        assert_eq!(clean("abc\u{202e}fed"), "abc⟨U+202E⟩fed");
        assert_eq!(clean("\u{2066}x\u{2069}"), "⟨U+2066⟩x⟨U+2069⟩");
    }

    #[test]
    fn invisible_characters_are_named_so_a_spoof_never_looks_like_the_original() {
        let real = "ada.lovelace@example.com";
        for spoof in [
            "ada.love\u{200b}lace@example.com",
            "ada.love\u{200d}lace@example.com",
            "ada.love\u{2060}lace@example.com",
            "\u{feff}ada.lovelace@example.com",
            "ada.lovelace@example.com\u{e0041}",
            "ada.lovelace@example\u{ad}.com",
        ] {
            assert_ne!(clean_line(spoof), real, "{spoof:?}");
            assert!(clean_line(spoof).contains("⟨U+"), "{}", clean_line(spoof));
        }
        assert_eq!(
            clean("ada.love\u{200b}lace@example.com"),
            "ada.love⟨U+200B⟩lace@example.com"
        );
        // Each invisible character keeps its own name.
        assert_ne!(
            clean("a\u{200b}b"),
            clean("a\u{200c}b"),
            "two different invisibles differ"
        );
    }

    #[test]
    fn copies_of_controls_and_invisibles_are_refused_and_json_escapes_them() {
        let hostile = "ok-id\u{1b}[201~\rtouch PWNED\r";
        let why = copy_refusal(hostile, false).unwrap();
        assert!(
            why.contains("⟨U+001B⟩") && why.contains("character 6"),
            "{why}"
        );
        assert!(copy_refusal("a\u{200b}b", false).is_some());
        assert!(copy_refusal("line\nbreak", false).is_some());
        assert_eq!(copy_refusal("line\nbreak", true), None);
        assert_eq!(
            copy_refusal("0c3fad74-a8df-4a2d-8e75-f2d356b41300", false),
            None
        );

        let v = serde_json::json!({"id": hostile, "n": "x\u{202e}\u{7f}\u{85}\u{e0041}y"});
        let text = json_text(&v);
        assert_eq!(copy_refusal(&text, true), None, "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v, "the same document");
        assert!(
            text.contains("\\u202e") && text.contains("\\udb40\\udc41"),
            "{text}"
        );
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
        fn cleaning_twice_changes_nothing_more(s in any::<String>()) {
            let once = clean_line(&s).into_owned();
            prop_assert_eq!(clean_line(&once), once.as_str());
            let once = clean(&s).into_owned();
            prop_assert_eq!(clean(&once), once.as_str());
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
