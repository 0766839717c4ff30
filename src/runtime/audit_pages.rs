//! Pages of the local audit trail for `:audit`, newest line first, read off the UI thread.
//! The file is read backwards from a byte offset in fixed-size chunks, so a page costs the
//! same at the end of a file of any size and never holds more than a page of lines. A
//! page's cursor is the byte offset where the lines still to show end; the file only ever
//! grows at its end, so the cursors of older pages stay valid as lines are appended.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc::UnboundedSender;

use crate::app::audit_pane::{self, AuditLine};
use crate::app::{Action, ErrorInfo, PageCursor, PageData, PageFor, Ticket};

/// Bytes read at a time while looking for line breaks.
const CHUNK: usize = 64 * 1024;
/// Longest line kept in memory; a longer one is shown as a row saying so.
pub const MAX_LINE: u64 = 256 * 1024;

/// Where a page of the trail ends (exclusive byte offset); the first page ends at the end
/// of the file as it is when the page is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Before(u64);

/// Lines read from the trail, newest first.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TrailPage {
    /// Each line with the byte offset it starts at.
    pub lines: Vec<(u64, AuditLine)>,
    /// Where the older lines end, if there are any.
    pub older: Option<u64>,
}

/// Up to `size` lines ending before byte `before` (the end of the file when `None`).
/// A missing file is an empty trail. Blank lines are skipped.
pub fn read_page(path: &Path, before: Option<u64>, size: usize) -> io::Result<TrailPage> {
    // Never through a link: the pane would show whatever file it pointed at.
    let mut file = match crate::local_files::open_read(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(TrailPage::default()),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let end = before.map_or(len, |b| b.min(len));
    let size = size.max(1);
    // Line spans [start, end), newest first, found by scanning back for '\n'.
    let mut spans: Vec<(u64, u64)> = Vec::new();
    let mut line_end = end;
    let mut pos = end;
    let mut buf = vec![0u8; CHUNK];
    'scan: while pos > 0 {
        let n = CHUNK.min(usize::try_from(pos).unwrap_or(CHUNK));
        let start = pos - n as u64;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf[..n])?;
        for i in (0..n).rev() {
            if buf[i] == b'\n' {
                let at = start + i as u64;
                if at + 1 < line_end {
                    spans.push((at + 1, line_end));
                    if spans.len() == size {
                        break 'scan;
                    }
                }
                line_end = at;
            }
        }
        pos = start;
    }
    if spans.len() < size && line_end > 0 && pos == 0 {
        spans.push((0, line_end));
    }
    let older = spans.last().map(|&(s, _)| s).filter(|&s| s > 0);
    let mut lines = Vec::with_capacity(spans.len());
    for (start, stop) in spans {
        let n = stop - start;
        if n > MAX_LINE {
            lines.push((start, AuditLine::TooLong(n)));
            continue;
        }
        let mut bytes = vec![0u8; n as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut bytes)?;
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
        lines.push((start, AuditLine::Text(text)));
    }
    Ok(TrailPage { lines, older })
}

/// One page of the trail as table rows.
pub fn page(path: &Path, cursor: &PageCursor, size: usize) -> Result<PageData, ErrorInfo> {
    let before = cursor.get::<Before>().map(|b| b.0);
    let TrailPage { lines, older } = read_page(path, before, size).map_err(|e| {
        let line = format!("cannot read the audit trail: {e}");
        ErrorInfo::new(line.clone(), line)
    })?;
    Ok(PageData {
        rows: lines
            .iter()
            .map(|(offset, line)| audit_pane::row(*offset, line))
            .collect(),
        next: older.map(|n| PageCursor::wrap(Before(n))),
        total: None,
    })
}

/// Read a page on a blocking thread and send it back as `PageLoaded { ticket }`.
pub fn spawn_page(
    path: PathBuf,
    ticket: Ticket<PageFor>,
    cursor: PageCursor,
    size: usize,
    tx: UnboundedSender<Action>,
) {
    tokio::task::spawn_blocking(move || {
        let result = page(&path, &cursor, size);
        let _ = tx.send(Action::PageLoaded { ticket, result });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn texts(lines: &[(u64, AuditLine)]) -> Vec<String> {
        lines
            .iter()
            .map(|(_, l)| match l {
                AuditLine::Text(t) => t.clone(),
                AuditLine::TooLong(n) => format!("<{n}>"),
            })
            .collect()
    }

    #[test]
    fn pages_run_newest_first_and_their_cursors_survive_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut f = std::fs::File::create(&path).unwrap();
        for i in 0..10 {
            writeln!(f, "line {i}").unwrap();
        }
        let TrailPage {
            lines: first,
            older: next,
        } = read_page(&path, None, 4).unwrap();
        assert_eq!(texts(&first), ["line 9", "line 8", "line 7", "line 6"]);
        assert_eq!(first[0].0, 63, "each row knows where its line starts");
        // Lines appended meanwhile do not move the older pages.
        writeln!(f, "line 10").unwrap();
        let TrailPage {
            lines: second,
            older: next,
        } = read_page(&path, next, 4).unwrap();
        assert_eq!(texts(&second), ["line 5", "line 4", "line 3", "line 2"]);
        let TrailPage {
            lines: third,
            older: next,
        } = read_page(&path, next, 4).unwrap();
        assert_eq!(texts(&third), ["line 1", "line 0"]);
        assert_eq!(next, None);
        let top = read_page(&path, None, 1).unwrap().lines;
        assert_eq!(texts(&top), ["line 10"]);
    }

    #[test]
    fn missing_file_blank_lines_no_final_newline_and_long_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        assert_eq!(read_page(&path, None, 10).unwrap(), TrailPage::default());
        let long = "x".repeat(MAX_LINE as usize + 1);
        std::fs::write(&path, format!("a\n\n{long}\r\nb\n\nc")).unwrap();
        let TrailPage { lines, older: next } = read_page(&path, None, 10).unwrap();
        assert_eq!(
            texts(&lines),
            ["c", "b", &format!("<{}>", MAX_LINE + 2), "a"]
        );
        assert_eq!(next, None);
    }

    #[test]
    fn paging_through_many_chunks_yields_every_line_once_newest_first() {
        // Lines longer than a chunk and many chunks: the spans still line up.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..3000 {
            let pad = "p".repeat((i * 37) % 300);
            writeln!(f, "{i} {pad}").unwrap();
        }
        drop(f);
        let mut before = None;
        let mut seen = 0;
        loop {
            let TrailPage { lines, older: next } = read_page(&path, before, 100).unwrap();
            for (_, line) in &lines {
                let AuditLine::Text(t) = line else { panic!() };
                let n: usize = t.split(' ').next().unwrap().parse().unwrap();
                assert_eq!(n, 2999 - seen);
                seen += 1;
            }
            if next.is_none() {
                break;
            }
            before = next;
        }
        assert_eq!(seen, 3000);
    }
}
