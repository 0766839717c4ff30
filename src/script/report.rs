//! What a change subcommand prints on stdout: one record per object it acted on (`id`,
//! `name`, `outcome`, `why`, and for a dry run the request it would send), in the format
//! asked for: a table for people, JSON, JSON lines, CSV or YAML for scripts and tickets.

use std::io::{self, Write};

use serde_json::Value;

use super::output::{safe_json, yaml_of};
use crate::cli::OutputFormat;

/// The columns of a report table, in order, and the field each shows.
const COLUMNS: &[(&str, &str)] = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("CLIENT", "client"),
    ("OUTCOME", "outcome"),
    ("REQUEST", "request"),
    ("CHANGE", "change"),
    ("WHY", "why"),
    ("LINK", "link"),
    ("CODE", "code"),
    ("EXPIRES", "expires_at"),
];

/// Write `records` to `out` as `format` (a CSV's header names the fields, as JSON does).
pub fn write(out: &mut impl Write, format: OutputFormat, records: &[Value]) -> io::Result<()> {
    write_fitted(out, format, records, None)
}

/// As [`write`], a table fitted to `width` columns when given (a terminal's): ids shortened
/// to the 8 characters people recognise first, then the last column cut with `…`.
pub fn write_fitted(
    out: &mut impl Write,
    format: OutputFormat,
    records: &[Value],
    width: Option<usize>,
) -> io::Result<()> {
    match format {
        // Names and reasons come from servers: nothing in them reaches a terminal raw.
        OutputFormat::Json => {
            let text = serde_json::to_vec_pretty(records)?;
            out.write_all(&safe_json(&text))?;
            writeln!(out)
        }
        OutputFormat::Jsonl => {
            for r in records {
                out.write_all(&safe_json(&serde_json::to_vec(r)?))?;
                writeln!(out)?;
            }
            Ok(())
        }
        OutputFormat::Yaml => {
            let text = yaml_of(&Value::Array(records.to_vec()))?;
            out.write_all(text.as_bytes())
        }
        OutputFormat::Csv => {
            let columns = shown(records);
            let mut line = String::new();
            for (i, (_, field)) in columns.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                crate::runtime::export_writer::push_csv_cell(&mut line, field);
            }
            writeln!(out, "{line}")?;
            for r in records {
                line.clear();
                for (i, (_, field)) in columns.iter().enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    crate::runtime::export_writer::push_csv_cell(&mut line, &cell(r, field));
                }
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
        OutputFormat::Table => table(out, records, width),
    }
}

/// The columns some record fills (a dry run adds REQUEST).
fn shown(records: &[Value]) -> Vec<(&'static str, &'static str)> {
    COLUMNS
        .iter()
        .copied()
        .filter(|(_, field)| {
            matches!(*field, "id" | "outcome") || records.iter().any(|r| !cell(r, field).is_empty())
        })
        .collect()
}

/// A field as one line of text a terminal cannot act on (server text included).
fn cell(record: &Value, field: &str) -> String {
    let text = match record.get(field) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    crate::sanitize::clean_line(&text).into_owned()
}

fn table(out: &mut impl Write, records: &[Value], width: Option<usize>) -> io::Result<()> {
    let columns = shown(records);
    let mut rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| columns.iter().map(|(_, f)| cell(r, f)).collect())
        .collect();
    let widths_of = |rows: &[Vec<String>]| -> Vec<usize> {
        columns
            .iter()
            .enumerate()
            .map(|(i, (header, _))| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header.len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    };
    let total =
        |widths: &[usize]| widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    let mut widths = widths_of(&rows);
    if let Some(max) = width
        && total(&widths) > max
    {
        for row in &mut rows {
            row[0] = crate::app::model::short_id(&row[0]);
        }
        widths = widths_of(&rows);
    }
    let last = columns.len().saturating_sub(1);
    let room = width.map(|max| max.saturating_sub(total(&widths[..last]) + 2));
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, c) in cells.into_iter().enumerate() {
            if i < last {
                text.push_str(c);
                let pad = widths[i] - c.chars().count() + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            } else {
                match room {
                    Some(room) if c.chars().count() > room => {
                        text.extend(c.chars().take(room.saturating_sub(1)));
                        text.push('…');
                    }
                    _ => text.push_str(c),
                }
            }
        }
        text
    };
    writeln!(out, "{}", line(columns.iter().map(|(h, _)| *h).collect()))?;
    for r in &rows {
        writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn written(format: OutputFormat, records: &[Value]) -> String {
        let mut out = Vec::new();
        write(&mut out, format, records).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_format_reads_back_as_the_same_records() {
        let records = vec![
            json!({"id": "a1", "name": "ada@example.com", "outcome": "applied", "why": "done"}),
            json!({"id": "b2", "name": "bob, jr", "outcome": "failed", "why": "kratos: 500"}),
        ];
        let json: Vec<Value> =
            serde_json::from_str(&written(OutputFormat::Json, &records)).unwrap();
        assert_eq!(json, records);
        let lines: Vec<Value> = written(OutputFormat::Jsonl, &records)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines, records);
        let yaml: Vec<Value> =
            serde_yaml_ng::from_str(&written(OutputFormat::Yaml, &records)).unwrap();
        assert_eq!(yaml, records);
        let csv = written(OutputFormat::Csv, &records);
        assert_eq!(
            csv.lines().collect::<Vec<_>>(),
            [
                "id,name,outcome,why",
                "a1,ada@example.com,applied,done",
                "b2,\"bob, jr\",failed,kratos: 500"
            ]
        );
    }

    #[test]
    fn a_table_fits_a_terminal_by_shortening_ids_then_cutting_the_last_column() {
        let records = vec![json!({
            "id": "767e3cc1-d67e-51bc-ad2b-449c5eea9782",
            "name": "ada.lovelace@example.com",
            "outcome": "applied",
            "why": "done: patch identity 767e3cc1-d67e-51bc-ad2b-449c5eea9782",
        })];
        let mut out = Vec::new();
        write_fitted(&mut out, OutputFormat::Table, &records, Some(80)).unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{line:?}");
        }
        let row = text.lines().nth(1).unwrap();
        assert!(row.starts_with("767e3cc1  ada.lovelace"), "{text}");
        assert!(row.ends_with('…'), "{text}");
    }

    #[test]
    fn json_and_yaml_escape_what_a_terminal_would_act_on() {
        let records = vec![json!({"id": "a1", "name": "\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}evil"})];
        for format in [OutputFormat::Json, OutputFormat::Jsonl, OutputFormat::Yaml] {
            let text = written(format, &records);
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\u{202e}']),
                "{format:?}: {text:?}"
            );
        }
        let back: Vec<Value> =
            serde_json::from_str(&written(OutputFormat::Json, &records)).unwrap();
        assert_eq!(back, records, "the same value, escaped");
    }

    #[test]
    fn a_table_is_aligned_and_never_carries_a_terminal_escape() {
        let records = vec![
            json!({"id": "a1", "name": "\u{1b}]52;c;ZXZpbA==\u{7}mallory", "outcome": "applied"}),
            json!({"id": "b22", "name": "bob", "outcome": "unchanged", "why": "already so"}),
        ];
        let text = written(OutputFormat::Table, &records);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("ID   NAME"), "{text}");
        let outcome_at = lines[0].find("OUTCOME").unwrap();
        assert_eq!(lines[2].find("unchanged"), Some(outcome_at), "{text}");
    }
}
