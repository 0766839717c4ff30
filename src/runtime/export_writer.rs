//! The formats `:export` writes, one record at a time into any `Write`, so an export of any
//! size streams: JSON Lines (each record's bytes as the server sent them, one per line), one
//! JSON array (the same records, opened before the first and closed after the last, never
//! built in memory) and CSV (RFC 4180) of the columns in view.
//!
//! A CSV cell is made safe for the spreadsheet that opens it: control, invisible and
//! direction-changing characters are shown as `sanitize` shows them on screen (a newline as
//! `⏎`), and a cell a spreadsheet would read as a formula (it starts with `= + - @`, a tab
//! or a carriage return) gets a leading `'`, as OWASP advises against CSV injection.

use std::io::{self, Write};

use crate::app::Row;
use crate::app::column::Shown;

/// What to write, named by the file's extension.
pub use crate::app::export::job::Format;

/// Writes records in one format; `finish` closes the document (the JSON array's `]`).
pub struct RecordWriter<W: Write> {
    out: W,
    format: Format,
    columns: Vec<Shown>,
    /// Line end between CSV records: CRLF in a file, as RFC 4180 says; LF where a carriage
    /// return would be refused (a clipboard copy).
    line_end: &'static str,
    written: u64,
}

impl<W: Write> RecordWriter<W> {
    /// A writer of `format` over `out`; CSV writes its header line (the columns' titles) now.
    pub fn new(out: W, format: Format, columns: Vec<Shown>, crlf: bool) -> io::Result<Self> {
        let mut writer = RecordWriter {
            out,
            format,
            columns,
            line_end: if crlf { "\r\n" } else { "\n" },
            written: 0,
        };
        match format {
            Format::Csv => {
                let titles: Vec<String> = writer
                    .columns
                    .iter()
                    .map(|c| c.title().to_string())
                    .collect();
                writer.csv_line(titles.iter().map(String::as_str))?;
            }
            Format::Json => writer.out.write_all(b"[")?,
            Format::Jsonl => {}
        }
        Ok(writer)
    }

    /// Records written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// One record: its JSON as the server sent it (`json`), or its cells for CSV.
    pub fn record(&mut self, row: &Row) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                write_one_line(&mut self.out, &json_of(row))?;
                self.out.write_all(b"\n")?;
            }
            Format::Json => {
                self.out
                    .write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
                write_one_line(&mut self.out, &json_of(row))?;
            }
            Format::Csv => {
                let cells: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| c.of(row).shown().into_owned())
                    .collect();
                self.csv_line(cells.iter().map(String::as_str))?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Push what is written so far to the output (a page printed as it comes).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Close the document and hand back the output, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == Format::Json {
            self.out
                .write_all(if self.written == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.out)
    }

    fn csv_line<'a>(&mut self, cells: impl Iterator<Item = &'a str>) -> io::Result<()> {
        let mut line = String::new();
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                line.push(',');
            }
            push_csv_cell(&mut line, cell);
        }
        line.push_str(self.line_end);
        self.out.write_all(line.as_bytes())
    }
}

/// The record's JSON text: the bytes the server sent when the row kept them, else the
/// record written out (a row built from a decoded value).
fn json_of(row: &Row) -> std::borrow::Cow<'_, [u8]> {
    match row.raw.bytes() {
        Some(bytes) => std::borrow::Cow::Borrowed(bytes),
        None => std::borrow::Cow::Owned(serde_json::to_vec(&*row.raw).unwrap_or_default()),
    }
}

/// A record on one line. A line break can only be whitespace between a record's tokens (JSON
/// escapes those inside strings), so a pretty-printed record becomes one line by making each
/// a space: the same JSON value, and a compact record's bytes are untouched.
fn write_one_line(out: &mut impl Write, json: &[u8]) -> io::Result<()> {
    if !json.iter().any(|&b| b == b'\n' || b == b'\r') {
        return out.write_all(json);
    }
    let flat: Vec<u8> = json
        .iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
        .collect();
    out.write_all(&flat)
}

/// Characters a spreadsheet reads as the start of a formula.
const FORMULA_LEADS: [char; 4] = ['=', '+', '-', '@'];

/// One CSV cell: cleaned as the screen shows it, a formula's lead neutralised with `'`, and
/// quoted (quotes doubled) when it holds a comma, a quote or a line break.
pub fn push_csv_cell(out: &mut String, raw: &str) {
    let cleaned = crate::sanitize::clean_line(raw);
    let formula = raw.starts_with(['\t', '\r']) || cleaned.starts_with(FORMULA_LEADS);
    let needs_quotes = formula || cleaned.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in cleaned.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if needs_quotes {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::column::{Cell, Column};
    use crate::app::model::RawJson;
    use crate::app::row::{Fields, Unreadable};

    fn name(row: &Row) -> Cell<'_> {
        match &row.fields {
            Fields::Unreadable(u) => Cell::text(&u.why),
            _ => Cell::Empty,
        }
    }

    const COLUMNS: &[Column] = &[
        Column::id("ID", 8, 36, 0, crate::app::column::row_id),
        Column::new("NAME", 8, 0, 0, name),
    ];

    fn row(id: &str, cell: &str, json: &[u8]) -> Row {
        let why = cell.to_string();
        Row::new(id, Unreadable { why }, RawJson::from_bytes(json.to_vec()))
    }

    fn written(format: Format, rows: &[Row], crlf: bool) -> String {
        let mut w = RecordWriter::new(Vec::new(), format, Shown::defaults(COLUMNS), crlf).unwrap();
        for r in rows {
            w.record(r).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn jsonl_keeps_each_records_bytes_on_its_own_line() {
        let rows = [
            row("a", "", br#"{"id":"a",  "n":1}"#),
            row("b", "", b"{\n  \"id\": \"b\"\n}"),
        ];
        assert_eq!(
            written(Format::Jsonl, &rows, true),
            "{\"id\":\"a\",  \"n\":1}\n{   \"id\": \"b\" }\n"
        );
    }

    #[test]
    fn json_is_one_array_of_the_records_also_when_empty() {
        let rows = [
            row("a", "", br#"{"id":"a"}"#),
            row("b", "", br#"{"id":"b"}"#),
        ];
        let text = written(Format::Json, &rows, true);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, serde_json::json!([{"id":"a"},{"id":"b"}]));
        let empty: serde_json::Value =
            serde_json::from_str(&written(Format::Json, &[], true)).unwrap();
        assert_eq!(empty, serde_json::json!([]));
    }

    #[test]
    fn csv_quotes_cleans_and_neutralises_formulas() {
        let rows = [
            row("a", "=cmd|' /C calc'!A0", b"{}"),
            row("b", "say \"hi\", then\nbye", b"{}"),
            row("c", "\u{1b}[31mred\u{200b}", b"{}"),
            row("d", "\t+1", b"{}"),
            row("e", "-2", b"{}"),
            row("f", "@SUM(A1)", b"{}"),
            row("g", "plain", b"{}"),
        ];
        assert_eq!(
            written(Format::Csv, &rows, true),
            "ID,NAME\r\n\
             a,\"'=cmd|' /C calc'!A0\"\r\n\
             b,\"say \"\"hi\"\", then⏎bye\"\r\n\
             c,␛[31mred⟨U+200B⟩\r\n\
             d,\"' +1\"\r\n\
             e,\"'-2\"\r\n\
             f,\"'@SUM(A1)\"\r\n\
             g,plain\r\n"
        );
        assert!(written(Format::Csv, &rows[..1], false).ends_with("\"\n"));
    }
}
