//! How the subcommands print records (`-o table|json|jsonl|csv|yaml`), one record at a time
//! so a list of any length streams through with flat memory.
//!
//! - `json`, `jsonl`: the server's records whole, as it sent them (`:export`'s writer), with
//!   any character a terminal would act on or hide (a C1 control, a bidi override, a
//!   zero-width space) written as a JSON escape: the same value, nothing invisible.
//! - `yaml`: the same records as YAML (a sequence for a list, a mapping for one object).
//! - `csv`: the columns, as `:export` writes them (cells cleaned, formula leads neutralised).
//! - `table`: the columns for people, every cell cleaned, aligned on the first rows and
//!   fitted to the terminal's width when printing to one; later rows are cut to that layout.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use unicode_width::UnicodeWidthStr;

use crate::app::column::Shown;
use crate::app::model::RawJson;
use crate::app::{Fields, Row};
use crate::cli::OutputFormat;
use crate::runtime::export_writer::{Format, RecordWriter};
use crate::sanitize;

/// Rows a table measures before its layout is fixed (the rest are cut to it).
const MEASURED: usize = 200;
/// Widest a table column grows to its content (a longer cell is cut).
const WIDEST: u16 = 200;
/// Between two table columns.
const GAP: &str = "  ";

/// What is printed: a list of records, or one object (`get`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A JSON array, a YAML sequence, one table row per record.
    List,
    /// The object itself (not in an array), and a table of its fields, one a line.
    One,
}

/// How records are printed.
#[derive(Debug, Clone)]
pub struct Spec {
    pub format: OutputFormat,
    pub shape: Shape,
    /// The columns of a table or a CSV.
    pub columns: Vec<Shown>,
    /// The terminal's width a table is fitted to; `None` (not a terminal): each column as
    /// wide as its content.
    pub width: Option<u16>,
}

/// Writes records in one format; `finish` closes the document.
pub struct Printer<W: Write> {
    out: Out<W>,
    /// Records the server sent that could not be read, left out of the data formats (what
    /// would stand for them is not what the server sent).
    left_out: u64,
}

enum Out<W: Write> {
    Records(RecordWriter<W>),
    Yaml(YamlWriter<W>),
    Table(TableWriter<W>),
    Fields(FieldsWriter<W>),
}

impl<W: Write> Printer<W> {
    pub fn new(out: W, spec: Spec) -> io::Result<Printer<W>> {
        let records = match (spec.format, spec.shape) {
            (OutputFormat::Json, Shape::List) => Some(Format::Json),
            // One object: itself, on its line.
            (OutputFormat::Jsonl, _) | (OutputFormat::Json, Shape::One) => Some(Format::Jsonl),
            (OutputFormat::Csv, _) => Some(Format::Csv),
            (OutputFormat::Yaml | OutputFormat::Table, _) => None,
        };
        let out = match (records, spec.format, spec.shape) {
            (Some(format), _, _) => {
                Out::Records(RecordWriter::new(out, format, spec.columns, false)?)
            }
            (None, OutputFormat::Table, Shape::List) => Out::Table(TableWriter {
                out,
                columns: spec.columns,
                width: spec.width,
                measuring: Vec::new(),
                layout: None,
                written: 0,
            }),
            (None, OutputFormat::Table, Shape::One) => Out::Fields(FieldsWriter {
                out,
                columns: spec.columns,
                width: spec.width,
            }),
            (None, _, shape) => Out::Yaml(YamlWriter {
                out,
                shape,
                written: 0,
            }),
        };
        Ok(Printer { out, left_out: 0 })
    }

    /// Print `row` (an unreadable record only in a table, which says why).
    pub fn record(&mut self, row: &Row) -> io::Result<()> {
        let unreadable = matches!(row.fields, Fields::Unreadable(_));
        match &mut self.out {
            Out::Table(t) => t.record(row),
            Out::Fields(f) => f.record(row),
            _ if unreadable => {
                self.left_out += 1;
                Ok(())
            }
            Out::Records(w) => w.record(&safe_row(row)),
            Out::Yaml(y) => y.record(row),
        }
    }

    /// Push what is printed so far out (a table's rows still measured stay held).
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Out::Records(w) => w.flush(),
            Out::Yaml(y) => y.out.flush(),
            Out::Table(t) => t.out.flush(),
            Out::Fields(f) => f.out.flush(),
        }
    }

    /// Records printed so far (a table's measured rows included).
    pub fn written(&self) -> u64 {
        match &self.out {
            Out::Records(w) => w.written(),
            Out::Yaml(y) => y.written,
            Out::Table(t) => t.written + t.measuring.len() as u64,
            Out::Fields(_) => 0,
        }
    }

    /// Unreadable records left out so far.
    pub fn left_out(&self) -> u64 {
        self.left_out
    }

    /// Close the document (a JSON array's `]`, a table's rows still measured) and flush.
    pub fn finish(self) -> io::Result<W> {
        match self.out {
            Out::Records(w) => w.finish(),
            Out::Yaml(y) => y.finish(),
            Out::Table(t) => t.finish(),
            Out::Fields(mut f) => {
                f.out.flush()?;
                Ok(f.out)
            }
        }
    }
}

/// `row` with its JSON made safe to print ([`safe_json`]); itself when it already is.
fn safe_row(row: &Row) -> Cow<'_, Row> {
    let owned;
    let bytes: &[u8] = match row.raw.bytes() {
        Some(b) => b,
        None => {
            owned = serde_json::to_vec(&*row.raw).unwrap_or_default();
            &owned
        }
    };
    match safe_json(bytes) {
        Cow::Borrowed(_) => Cow::Borrowed(row),
        Cow::Owned(safe) => Cow::Owned(Row {
            id: row.id.clone(),
            fields: row.fields.clone(),
            raw: RawJson::from_bytes(safe),
        }),
    }
}

/// JSON text with every character [`sanitize::is_unsafe`] names written as a JSON escape
/// inside strings (`\u200b`, `\u001b`) and as a space between tokens (a tab, a carriage
/// return), line breaks kept: the same value, with nothing a terminal acts on or hides.
/// Borrowed when nothing needed it, which is nearly always.
pub fn safe_json(json: &[u8]) -> Cow<'_, [u8]> {
    let plain = |b: &u8| (0x20..0x7f).contains(b) || *b == b'\n';
    if json.iter().all(plain) {
        return Cow::Borrowed(json);
    }
    let text = String::from_utf8_lossy(json);
    if matches!(text, Cow::Borrowed(_))
        && !text.chars().any(|c| c != '\n' && sanitize::is_unsafe(c))
    {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        let unsafe_char = c != '\n' && sanitize::is_unsafe(c);
        if in_string {
            match c {
                _ if escaped => {
                    escaped = false;
                    if unsafe_char {
                        sanitize::push_json_escape(&mut out, c);
                    } else {
                        out.push(c);
                    }
                }
                '\\' => {
                    escaped = true;
                    out.push(c);
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                c if unsafe_char || c == '\n' => sanitize::push_json_escape(&mut out, c),
                c => out.push(c),
            }
        } else {
            match c {
                '"' => {
                    in_string = true;
                    out.push(c);
                }
                _ if unsafe_char => out.push(' '),
                c => out.push(c),
            }
        }
    }
    Cow::Owned(out.into_bytes())
}

/// YAML: each record as a document of its own (`One`) or an item of one sequence (`List`),
/// written as it comes.
struct YamlWriter<W: Write> {
    out: W,
    shape: Shape,
    written: u64,
}

impl<W: Write> YamlWriter<W> {
    fn record(&mut self, row: &Row) -> io::Result<()> {
        let text = yaml_of(&row.raw)?;
        match self.shape {
            Shape::One => self.out.write_all(text.as_bytes())?,
            Shape::List => {
                let mut item = String::with_capacity(text.len() + 16);
                for (i, line) in text.lines().enumerate() {
                    item.push_str(match (i, line.is_empty()) {
                        (0, _) => "- ",
                        (_, true) => "",
                        (_, false) => "  ",
                    });
                    item.push_str(line);
                    item.push('\n');
                }
                self.out.write_all(item.as_bytes())?;
            }
        }
        self.written += 1;
        Ok(())
    }

    fn finish(mut self) -> io::Result<W> {
        if self.shape == Shape::List && self.written == 0 {
            self.out.write_all(b"[]\n")?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `value` as YAML text ending in a line break. The YAML library writes a bidi override or a
/// zero-width space as it is (they are printable to YAML); a record holding one is written
/// in YAML's flow style instead, where every string is quoted and such characters escaped.
pub fn yaml_of(value: &serde_json::Value) -> io::Result<String> {
    let text = serde_yaml_ng::to_string(value).map_err(io::Error::other)?;
    if !text.chars().any(|c| c != '\n' && sanitize::is_unsafe(c)) {
        return Ok(text);
    }
    let mut flow = String::with_capacity(text.len() + 16);
    push_flow(&mut flow, value);
    flow.push('\n');
    Ok(flow)
}

/// `value` in YAML's flow style (JSON's shape), strings double-quoted with YAML's escapes.
fn push_flow(out: &mut String, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => push_yaml_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_flow(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_yaml_string(out, key);
                out.push_str(": ");
                push_flow(out, item);
            }
            out.push('}');
        }
    }
}

/// A YAML double-quoted string: `\uXXXX` (or `\UXXXXXXXX` past U+FFFF, as YAML has no
/// surrogate pairs) for every character that is not plainly visible.
fn push_yaml_string(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if sanitize::is_unsafe(c) && (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if sanitize::is_unsafe(c) => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The cells of `row` in `columns`, cleaned for one line of a terminal.
fn cells(columns: &[Shown], row: &Row) -> Vec<String> {
    columns
        .iter()
        .map(|c| sanitize::clean_line(&c.of(row).shown()).into_owned())
        .collect()
}

/// A table: the first [`MEASURED`] rows are held to measure the columns, then printed with
/// the header; every row after is printed as it comes, cut to the same layout.
struct TableWriter<W: Write> {
    out: W,
    columns: Vec<Shown>,
    width: Option<u16>,
    /// Cleaned cells of the rows held while measuring.
    measuring: Vec<Vec<String>>,
    /// Which columns are shown and how wide, once fixed.
    layout: Option<Vec<(usize, u16)>>,
    written: u64,
}

impl<W: Write> TableWriter<W> {
    fn record(&mut self, row: &Row) -> io::Result<()> {
        let cells = cells(&self.columns, row);
        match &self.layout {
            Some(layout) => {
                let line = table_line(&self.columns, layout, &cells);
                self.written += 1;
                writeln!(self.out, "{line}")
            }
            None => {
                self.measuring.push(cells);
                if self.measuring.len() >= MEASURED {
                    self.lay_out()?;
                }
                Ok(())
            }
        }
    }

    /// Fix the layout on the rows held, and print the header and them.
    fn lay_out(&mut self) -> io::Result<()> {
        let titles: Vec<String> = self
            .columns
            .iter()
            .map(|c| sanitize::clean_line(c.title()).into_owned())
            .collect();
        let layout = layout(&self.columns, &titles, &self.measuring, self.width);
        let mut text = table_line(&self.columns, &layout, &titles);
        text.push('\n');
        for cells in self.measuring.drain(..) {
            text.push_str(&table_line(&self.columns, &layout, &cells));
            text.push('\n');
            self.written += 1;
        }
        self.layout = Some(layout);
        self.out.write_all(text.as_bytes())
    }

    fn finish(mut self) -> io::Result<W> {
        if self.layout.is_none() {
            self.lay_out()?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The columns shown and their widths: each as wide as its title and widest cell (up to
/// [`WIDEST`]); fitted to `width` when there is one, as the dashboard fits a table to the
/// screen (columns empty in every row give their room to the others, the least needed go
/// first when even their minimum does not fit).
fn layout(
    columns: &[Shown],
    titles: &[String],
    rows: &[Vec<String>],
    width: Option<u16>,
) -> Vec<(usize, u16)> {
    let natural: Vec<u16> = (0..columns.len())
        .map(|k| {
            let widest = rows.iter().map(|r| r[k].width()).max().unwrap_or(0);
            widest.max(titles[k].width()).min(WIDEST as usize) as u16
        })
        .collect();
    let Some(width) = width else {
        return natural.into_iter().enumerate().collect();
    };
    let kept: Vec<usize> = (0..columns.len())
        .filter(|&k| rows.is_empty() || rows.iter().any(|r| !r[k].is_empty()))
        .collect();
    let kept_columns: Vec<Shown> = kept.iter().map(|&k| columns[k].clone()).collect();
    let kept_natural: Vec<u16> = kept.iter().map(|&k| natural[k]).collect();
    // `fit_columns` counts one space between columns; a table printed for people has two,
    // so the room of the extra space is set aside first.
    let fit = |room: u16| crate::ui::table::fit_columns(&kept_columns, &kept_natural, room);
    let first = fit(width);
    let extra = (first.len().saturating_sub(1) * (GAP.len() - 1)) as u16;
    fit(width.saturating_sub(extra))
        .into_iter()
        .map(|(k, w)| (kept[k], w.min(natural[kept[k]].max(columns[kept[k]].min()))))
        .collect()
}

/// One line of a table: each shown cell cut (an id in its middle) and padded to its width.
fn table_line(columns: &[Shown], layout: &[(usize, u16)], cells: &[String]) -> String {
    let mut line = String::new();
    for (n, &(k, w)) in layout.iter().enumerate() {
        if n > 0 {
            line.push_str(GAP);
        }
        let w = usize::from(w);
        let cell = if columns[k].is_id() {
            sanitize::fit_middle(&cells[k], w)
        } else {
            sanitize::fit(&cells[k], w)
        };
        let pad = w.saturating_sub(cell.width());
        line.push_str(&cell);
        line.extend(std::iter::repeat_n(' ', pad));
    }
    line.truncate(line.trim_end().len());
    line
}

/// One object as a table: a line per column, its title then its value.
struct FieldsWriter<W: Write> {
    out: W,
    columns: Vec<Shown>,
    width: Option<u16>,
}

impl<W: Write> FieldsWriter<W> {
    fn record(&mut self, row: &Row) -> io::Result<()> {
        let titles: Vec<String> = self
            .columns
            .iter()
            .map(|c| sanitize::clean_line(c.title()).into_owned())
            .collect();
        let title_width = titles.iter().map(|t| t.width()).max().unwrap_or(0);
        let room = self.width.map(|w| {
            usize::from(w)
                .saturating_sub(title_width + GAP.len())
                .max(8)
        });
        let mut text = String::new();
        for (title, cell) in titles.iter().zip(cells(&self.columns, row)) {
            let value = match room {
                Some(room) => sanitize::fit(&cell, room),
                None => cell,
            };
            let pad = title_width - title.width();
            let line = format!("{title}{}{GAP}{value}", " ".repeat(pad));
            text.push_str(line.trim_end());
            text.push('\n');
        }
        self.out.write_all(text.as_bytes())
    }
}

/// Standard output, buffered, noting when the reader has gone (`idtui list | head`): then
/// the rest is dropped quietly and the walk can stop early.
pub struct Stdout {
    out: BufWriter<io::Stdout>,
    closed: Arc<AtomicBool>,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout {
            out: BufWriter::with_capacity(64 * 1024, io::stdout()),
            closed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A flag that turns true once the reader has gone.
    pub fn closed(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.closed)
    }

    fn gone(&self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.store(true, Ordering::Relaxed);
                Ok(())
            }
            other => other,
        }
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Stdout::new()
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        let result = self.out.write_all(buf);
        self.gone(result).map(|()| buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed.load(Ordering::Relaxed) {
            return Ok(());
        }
        let result = self.out.flush();
        self.gone(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::provider::kratos;
    use serde_json::{Value, json};

    fn identity(id: &str, name: &str, raw: &str) -> Row {
        let fields = kratos::Identity {
            name: name.to_string(),
            state: "active".into(),
            ..Default::default()
        };
        Row::new(id, fields, RawJson::from_bytes(raw.as_bytes().to_vec()))
    }

    fn printed(format: OutputFormat, shape: Shape, width: Option<u16>, rows: &[Row]) -> String {
        let spec = Spec {
            format,
            shape,
            columns: Shown::defaults(kratos::columns::IDENTITIES),
            width,
        };
        let mut p = Printer::new(Vec::new(), spec).unwrap();
        for r in rows {
            p.record(r).unwrap();
        }
        String::from_utf8(p.finish().unwrap()).unwrap()
    }

    #[test]
    fn json_keeps_the_servers_bytes_and_escapes_only_what_a_terminal_would_act_on() {
        let plain = r#"{"id":"a", "traits":{"email":"ada@example.com","name":"Zoë"}}"#;
        assert!(matches!(safe_json(plain.as_bytes()), Cow::Borrowed(_)));
        let hostile = "{\"n\":\"evil\u{202e}txt\u{9b}\",\t\"k\\\"\u{200b}\":1}\n";
        let safe = String::from_utf8(safe_json(hostile.as_bytes()).into_owned()).unwrap();
        assert_eq!(
            safe,
            "{\"n\":\"evil\\u202etxt\\u009b\", \"k\\\"\\u200b\":1}\n"
        );
        let a: Value = serde_json::from_str(hostile).unwrap();
        let b: Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(a, b, "the same value");
    }

    #[test]
    fn a_list_is_an_array_in_json_and_one_object_is_itself() {
        let rows = [
            identity("a", "ada@example.com", r#"{"id":"a"}"#),
            identity("b", "bob@example.com", r#"{"id":"b"}"#),
        ];
        let list: Value =
            serde_json::from_str(&printed(OutputFormat::Json, Shape::List, None, &rows)).unwrap();
        assert_eq!(list, json!([{"id":"a"},{"id":"b"}]));
        let one = printed(OutputFormat::Json, Shape::One, None, &rows[..1]);
        assert_eq!(one, "{\"id\":\"a\"}\n");
        let lines = printed(OutputFormat::Jsonl, Shape::List, None, &rows);
        assert_eq!(lines, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
    }

    #[test]
    fn yaml_is_a_sequence_of_the_records_and_parses_back() {
        let rows = [
            identity(
                "a",
                "ada",
                r#"{"id":"a","traits":{"note":"two\nlines","tags":["x","y"]},"n":1}"#,
            ),
            identity(
                "b",
                "bob",
                r#"{"id":"b","evil":"x\u202ey\u200b\ud83d\ude00"}"#,
            ),
        ];
        let text = printed(OutputFormat::Yaml, Shape::List, None, &rows);
        assert!(
            !text.chars().any(|c| c != '\n' && sanitize::is_unsafe(c)),
            "{text}"
        );
        let back: Value = serde_yaml_ng::from_str(&text).unwrap();
        let want: Vec<Value> = rows.iter().map(|r| (*r.raw).clone()).collect();
        assert_eq!(back, Value::Array(want));
        let empty: Value =
            serde_yaml_ng::from_str(&printed(OutputFormat::Yaml, Shape::List, None, &[])).unwrap();
        assert_eq!(empty, json!([]));
        let one = printed(OutputFormat::Yaml, Shape::One, None, &rows[..1]);
        let back: Value = serde_yaml_ng::from_str(&one).unwrap();
        assert_eq!(back, *rows[0].raw);
    }

    #[test]
    fn a_table_is_aligned_cleaned_and_fitted_to_the_width() {
        let rows = [
            identity("1111", "\u{1b}[31mred\u{1b}[0m", "{}"),
            identity("2222", "a-much-longer-name@example.com", "{}"),
        ];
        let text = printed(OutputFormat::Table, Shape::List, None, &rows);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("␛[31mred␛[0m"), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("ID    EMAIL / USERNAME"), "{text}");
        // Aligned in terminal columns (the header is ASCII: its bytes are its columns).
        let at = lines[0].find("STATE").unwrap();
        let state = |line: &str| line.chars().skip(at).take(6).collect::<String>();
        assert_eq!(state(lines[1]), "active", "{text}");
        assert_eq!(state(lines[2]), "active", "{text}");
        let narrow = printed(OutputFormat::Table, Shape::List, Some(30), &rows);
        for line in narrow.lines() {
            assert!(line.width() <= 30, "{line:?} wider than 30");
        }
    }

    #[test]
    fn a_table_of_one_object_is_its_fields_one_a_line() {
        let row = identity("1111", "ada@example.com", "{}");
        let text = printed(OutputFormat::Table, Shape::One, None, &[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.contains(&"ID                1111"), "{text}");
        assert!(
            lines.contains(&"EMAIL / USERNAME  ada@example.com"),
            "{text}"
        );
    }

    #[test]
    fn unreadable_records_are_left_out_of_data_and_said_in_a_table() {
        let bad = Row::new(
            "x",
            crate::app::row::Unreadable {
                why: "✗ unreadable record: bad".into(),
            },
            json!({"id": "x", "unreadable": "bad"}),
        );
        let spec = |format| Spec {
            format,
            shape: Shape::List,
            columns: Shown::defaults(kratos::columns::IDENTITIES),
            width: None,
        };
        let mut p = Printer::new(Vec::new(), spec(OutputFormat::Jsonl)).unwrap();
        p.record(&bad).unwrap();
        assert_eq!(p.left_out(), 1);
        assert!(p.finish().unwrap().is_empty());
        let mut p = Printer::new(Vec::new(), spec(OutputFormat::Table)).unwrap();
        p.record(&bad).unwrap();
        let text = String::from_utf8(p.finish().unwrap()).unwrap();
        assert!(text.contains("unreadable record: bad"), "{text}");
    }
}
