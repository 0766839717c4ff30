//! Pages of the local audit trail for `:audit`, newest line first, read off the UI thread.
//! The file is read backwards from a byte offset in fixed-size chunks, so a page costs the
//! same at the end of a file of any size and never holds more than a page of lines. A
//! page's cursor is the byte offset where the lines still to show end; the file only ever
//! grows at its end, so the cursors of older pages stay valid as lines are appended. A key
//! that may only read is shown its own lines: its pages read past the others' lines, one
//! in memory at a time, so they cost the lines passed but never hold more than a page.

mod backwards;

use std::io;
use std::path::Path;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::audit_pane::{self, AuditLine};
use crate::app::{Action, ErrorInfo, PageCursor, PageData, PageFor, Ticket};
use crate::audit_log::AuditLog;
use backwards::Backwards;

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

/// Up to `size` lines ending before byte `before` (the end of the file when `None`); with
/// `only`, just the lines whose actor has that fingerprint (read past the others, one line
/// in memory at a time). A missing file is an empty trail. Blank lines are skipped.
pub fn read_page(
    path: &Path,
    before: Option<u64>,
    size: usize,
    only: Option<&str>,
) -> io::Result<TrailPage> {
    // Never through a link: the pane would show whatever file it pointed at.
    let mut file = match crate::local_files::open_read(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(TrailPage::default()),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let end = before.map_or(len, |b| b.min(len));
    let size = size.max(1);
    let mut scan = Backwards::new(&mut file, end);
    let mut lines = Vec::with_capacity(size.min(1024));
    while lines.len() < size {
        let Some((start, stop)) = scan.next_span()? else {
            break;
        };
        let n = stop - start;
        let line = if n > MAX_LINE {
            AuditLine::TooLong(n)
        } else {
            let bytes = scan.read(start, stop)?;
            let text = String::from_utf8_lossy(&bytes);
            AuditLine::Text(text.strip_suffix('\r').unwrap_or(&text).to_string())
        };
        if only.is_some_and(|fingerprint| !made_by(&line, fingerprint)) {
            continue;
        }
        lines.push((start, line));
    }
    // A page cut short was read to the start of the file: nothing older is left to show.
    let older = match lines.last() {
        Some(&(start, _)) if lines.len() == size && start > 0 => Some(start),
        _ => None,
    };
    Ok(TrailPage { lines, older })
}

/// Whether `line` is one the key with `fingerprint` made. A line that cannot be read
/// cannot be told to be theirs, so it is not.
fn made_by(line: &AuditLine, fingerprint: &str) -> bool {
    let AuditLine::Text(text) = line else {
        return false;
    };
    // Read as the pane reads it, so the line tested is the line shown.
    crate::api::json::from_str::<serde_json::Value>(text).is_ok_and(|v| {
        v.get("actor")
            .and_then(|a| a.get("fingerprint"))
            .and_then(serde_json::Value::as_str)
            == Some(fingerprint)
    })
}

/// One page of the trail as table rows: every line, or with `only` the lines whose actor
/// has that fingerprint.
pub fn page(
    path: &Path,
    only: Option<&str>,
    cursor: &PageCursor,
    size: usize,
) -> Result<PageData, ErrorInfo> {
    let before = cursor.get::<Before>().map(|b| b.0);
    let TrailPage { lines, older } = read_page(path, before, size, only).map_err(|e| {
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

/// Read a page of `trail` (the lines it shows) on a blocking thread and send it back as
/// `PageLoaded { ticket }`.
pub fn spawn_page(
    trail: AuditLog,
    ticket: Ticket<PageFor>,
    cursor: PageCursor,
    size: usize,
    tx: UnboundedSender<Action>,
) {
    tokio::task::spawn_blocking(move || {
        let result = page(trail.path(), trail.shown_only(), &cursor, size);
        let _ = tx.send(Action::PageLoaded { ticket, result });
    });
}

#[cfg(test)]
mod tests;
