//! Running `:export` (`Effect::Export`): the records are walked page by page through the
//! profile's own backend, as `G` walks (same client, same page size, the page after each
//! read ahead), and written as each page arrives, so memory stays flat at any size. A file
//! is written to a private temporary file next to it (0600, created exclusively, never
//! through a link) and put in place only once complete; an export stopped for any reason
//! (Esc, an error, the dashboard quitting) removes it, so no partial file is ever left. The
//! clipboard (`-`) takes a small export only.
//!
//! Progress goes back as `Action::ExportProgress` a few times a second, the end as
//! `Action::ExportDone`. The app cancels an export by no longer awaiting its seq: the event
//! loop then aborts this task like any read nobody waits for, and dropping it removes the
//! temporary file.
//!
//! `idtui export` runs the same [`run`] in the foreground, and `idtui list --all` walks a
//! list with the same [`Walk`].

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use super::backend::{Backend, Backends};
use super::export_writer::RecordWriter;
use crate::app::export::job::{ExportJob, Exported, Format, Only, Source, Target, Written};
use crate::app::{Action, ErrorInfo, Fields, ListKind, PageCursor, PageData, Row};
use crate::audit_log::AuditLog;

/// Most bytes `:export -` copies: what OSC 52 carries once base64-encoded.
pub const CLIPBOARD_LIMIT: usize = crate::clipboard::MAX_ENCODED_BYTES / 4 * 3;
/// How often progress is reported while records stream in.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);
/// Most tries of one page before an export gives up (waits of 1, 2, 4, 8 s between them).
const TRIES: u32 = 5;
/// Buffer between the records and the file: few, large writes.
const FILE_BUFFER: usize = 256 * 1024;

/// Start `job`; its seq and a handle that stops it (removing its partial file).
pub fn spawn(
    job: ExportJob,
    backends: &Backends,
    audit_trail: &AuditLog,
    tx: &UnboundedSender<Action>,
) -> Option<(u64, AbortHandle)> {
    let seq = job.seq;
    let backends = backends.clone();
    let audit_trail = audit_trail.clone();
    let tx = tx.clone();
    let task = tokio::spawn(async move {
        let progress = {
            let tx = tx.clone();
            move |rows, per_second| {
                let _ = tx.send(Action::ExportProgress {
                    seq,
                    rows,
                    per_second,
                });
            }
        };
        let run = run(job, &backends, &audit_trail, progress);
        let result = std::panic::AssertUnwindSafe(run)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(super::backend::panicked(&*panic)));
        let _ = tx.send(Action::ExportDone { seq, result });
    });
    Some((seq, task.abort_handle()))
}

/// Where pages come from: a profile's backend, or the local audit trail (the lines its
/// viewer is shown: a key that may only read exports its own lines, as `:audit` shows them).
struct Pages {
    backends: Backends,
    audit_trail: AuditLog,
}

impl Pages {
    async fn page(
        &self,
        profile: &str,
        kind: &ListKind,
        search: &Option<String>,
        cursor: PageCursor,
        size: usize,
    ) -> Result<PageData, ErrorInfo> {
        if *kind == ListKind::Audit {
            let trail = &self.audit_trail;
            return super::audit_pages::page(trail.path(), trail.shown_only(), &cursor, size);
        }
        let backend: Arc<dyn Backend> = self.backends.get(profile)?;
        backend
            .list(kind.clone(), search.clone(), cursor, size)
            .await
    }
}

impl Pages {
    /// A page, tried again after a transient failure (a lost answer, a 5xx, a 429 after its
    /// `Retry-After`) as a table's failed page is, `TRIES` times at most: one hiccup must
    /// not end a walk of a million rows.
    async fn page_retried(
        &self,
        profile: &str,
        kind: &ListKind,
        search: &Option<String>,
        cursor: PageCursor,
        size: usize,
    ) -> Result<PageData, ErrorInfo> {
        let mut attempts = 0;
        loop {
            match self.page(profile, kind, search, cursor.clone(), size).await {
                Err(e) if e.transient() && attempts + 1 < TRIES => {
                    attempts += 1;
                    tokio::time::sleep(crate::app::retry::wait(attempts, e.retry_after)).await;
                }
                other => return other,
            }
        }
    }
}

/// A walk of a list from its first page to its end, as `:export` (and `G`) walk it: one
/// page at a time, `page_size` rows each, every page tried again after a transient failure.
/// The caller takes each page's rows as they come, so memory holds one page whatever the
/// list's size; `idtui list --all` and `idtui export` walk with it too.
pub struct Walk {
    pages: Pages,
    profile: String,
    kind: ListKind,
    search: Option<String>,
    page_size: usize,
    /// Where the next page starts; `None` once the list has ended.
    cursor: Option<PageCursor>,
}

/// One page of a walk.
#[derive(Debug)]
pub struct WalkPage {
    pub rows: Vec<Row>,
    /// The list's length, when the API reports one.
    pub total: Option<u64>,
}

impl Walk {
    pub fn new(
        backends: &Backends,
        audit_trail: &AuditLog,
        profile: impl Into<String>,
        kind: ListKind,
        search: Option<String>,
        page_size: usize,
    ) -> Walk {
        Walk {
            pages: Pages {
                backends: backends.clone(),
                audit_trail: audit_trail.clone(),
            },
            profile: profile.into(),
            kind,
            search,
            page_size: page_size.max(1),
            cursor: Some(PageCursor::First),
        }
    }

    /// The next page, or `None` once the list has ended (no next page, or an empty one).
    pub async fn next(&mut self) -> Result<Option<WalkPage>, ErrorInfo> {
        let Some(cursor) = self.cursor.take() else {
            return Ok(None);
        };
        let page = self
            .pages
            .page_retried(
                &self.profile,
                &self.kind,
                &self.search,
                cursor,
                self.page_size,
            )
            .await?;
        if !page.rows.is_empty() {
            self.cursor = page.next;
        }
        Ok(Some(WalkPage {
            rows: page.rows,
            total: page.total,
        }))
    }
}

/// Run `job` to its end: the records written to its target (a file only ever whole),
/// `progress(rows, rows_per_second)` told a few times a second while a list is walked.
/// `Effect::Export` runs it as a task; `idtui export` runs it in the foreground.
pub async fn run(
    job: ExportJob,
    backends: &Backends,
    audit_trail: &AuditLog,
    progress: impl FnMut(u64, u64),
) -> Result<Exported, ErrorInfo> {
    let mut sink = Sink::open(&job)?;
    let fail = |e: io::Error| stopped(&sink_name(&job.target), &e.to_string());
    let mut progress = Progress::new(progress);
    let mut left_out = 0;
    let writer = match job.source {
        Source::Rows(rows) => {
            let mut w = writer(&mut sink, job.format, job.columns, rows.first()).map_err(fail)?;
            for row in &rows {
                left_out += write_row(&mut w, row, None).map_err(fail)?;
            }
            w
        }
        Source::Object { profile, kind, id } => {
            let backend = backends.get(&profile)?;
            let row = backend.get(kind, id).await.map_err(|e| failed_read(&e))?;
            let mut w = writer(&mut sink, job.format, job.columns, Some(&row)).map_err(fail)?;
            left_out += write_row(&mut w, &row, None).map_err(fail)?;
            w
        }
        Source::List {
            profile,
            kind,
            search,
            page_size,
            only,
        } => {
            let columns = job
                .columns
                .or_else(|| Some(crate::app::column::Shown::defaults(kind.columns())));
            let mut w = writer(&mut sink, job.format, columns, None).map_err(fail)?;
            let mut walk = Walk::new(backends, audit_trail, profile, kind, search, page_size);
            while let Some(page) = walk.next().await.map_err(|e| failed_read(&e))? {
                for row in &page.rows {
                    left_out += write_row(&mut w, row, only.as_ref()).map_err(fail)?;
                }
                progress.report(w.written());
                let all_marked = only
                    .as_ref()
                    .is_some_and(|o| w.written() as usize >= o.count());
                if all_marked {
                    break;
                }
            }
            w
        }
    };
    let rows = writer.written();
    writer.finish().map_err(fail)?;
    let to = sink.finish().map_err(fail)?;
    Ok(Exported { rows, left_out, to })
}

/// A writer of `format`; a CSV of one object without columns of its own shows its kind's.
fn writer<'s>(
    sink: &'s mut Sink,
    format: Format,
    columns: Option<Vec<crate::app::column::Shown>>,
    first: Option<&Row>,
) -> io::Result<RecordWriter<&'s mut Sink>> {
    let columns = columns
        .or_else(|| first.map(|r| crate::app::column::Shown::defaults(r.fields.columns())))
        .unwrap_or_default();
    let crlf = !matches!(sink, Sink::Clipboard(_));
    RecordWriter::new(sink, format, columns, crlf)
}

/// Write `row` unless `only` leaves it out; 1 when it is an unreadable record (not written:
/// what stands for it is not what the server sent).
fn write_row(w: &mut RecordWriter<&mut Sink>, row: &Row, only: Option<&Only>) -> io::Result<u64> {
    if only.is_some_and(|o| !o.keeps(&row.id)) {
        return Ok(0);
    }
    if matches!(row.fields, Fields::Unreadable(_)) {
        return Ok(1);
    }
    w.record(row)?;
    Ok(0)
}

fn sink_name(target: &Target) -> String {
    match target {
        Target::File { path, .. } => crate::sanitize::clean_line(path).into_owned(),
        Target::Clipboard => "the clipboard".into(),
    }
}

fn stopped(to: &str, why: &str) -> ErrorInfo {
    let line = format!("export to {to} stopped: {why}; nothing was written");
    ErrorInfo::new(line.clone(), line)
}

/// A page or the object could not be read: the export stops, saying why.
fn failed_read(e: &ErrorInfo) -> ErrorInfo {
    let mut info = e.clone();
    info.line = format!("export stopped, nothing was written: {}", e.line);
    info
}

/// Tells `report` how far an export is, at most every `PROGRESS_EVERY`.
struct Progress<F: FnMut(u64, u64)> {
    report: F,
    started: Instant,
    last: Instant,
}

impl<F: FnMut(u64, u64)> Progress<F> {
    fn new(report: F) -> Progress<F> {
        let now = Instant::now();
        Progress {
            report,
            started: now,
            last: now,
        }
    }

    fn report(&mut self, rows: u64) {
        if self.last.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        (self.report)(rows, (rows as f64 / secs) as u64);
    }
}

/// Where the records are written.
enum Sink {
    File(PartialFile),
    /// `:export -`: gathered in memory up to the clipboard's limit.
    Clipboard(Vec<u8>),
}

impl Sink {
    fn open(job: &ExportJob) -> Result<Sink, ErrorInfo> {
        match &job.target {
            Target::Clipboard => Ok(Sink::Clipboard(Vec::new())),
            Target::File { path, replace } => {
                let fail = |e: io::Error| stopped(&sink_name(&job.target), &e.to_string());
                let target = expand_home(path);
                if !replace && fs::symlink_metadata(&target).is_ok() {
                    let path = crate::sanitize::clean_line(path);
                    let line = format!("{path} exists: not replaced (:export! {path} replaces it)");
                    return Err(ErrorInfo::new(line.clone(), line));
                }
                PartialFile::create(target, *replace, job.seq)
                    .map(Sink::File)
                    .map_err(fail)
            }
        }
    }

    /// Put the file in place (or hand back the text to copy).
    fn finish(self) -> io::Result<Written> {
        match self {
            Sink::File(file) => file.persist().map(Written::File),
            Sink::Clipboard(bytes) => clipboard_text(bytes).map(Written::Clipboard),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::File(f) => f.out.write(buf),
            Sink::Clipboard(bytes) => {
                if bytes.len() + buf.len() > CLIPBOARD_LIMIT {
                    return Err(io::Error::other(too_large()));
                }
                bytes.extend_from_slice(buf);
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::File(f) => f.out.flush(),
            Sink::Clipboard(_) => Ok(()),
        }
    }
}

fn too_large() -> String {
    format!(
        "it is larger than the {} KB the clipboard takes; export to a file instead",
        CLIPBOARD_LIMIT / 1000
    )
}

/// The copied text: JSON's invisible and control characters written as escapes (the same
/// records; CSV cells are cleaned already), so nothing a paste could act on is copied.
fn clipboard_text(bytes: Vec<u8>) -> io::Result<String> {
    let text = String::from_utf8(bytes).map_err(io::Error::other)?;
    if !text
        .chars()
        .any(|c| c != '\n' && crate::sanitize::is_unsafe(c))
    {
        return Ok(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c != '\n' && crate::sanitize::is_unsafe(c) {
            crate::sanitize::push_json_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    if out.len() > CLIPBOARD_LIMIT {
        return Err(io::Error::other(too_large()));
    }
    Ok(out)
}

/// `~` or `~/…` as the home directory.
pub fn expand_home(path: &str) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    match (path, home) {
        ("~", Some(home)) => PathBuf::from(home),
        (p, Some(home)) if p.starts_with("~/") => PathBuf::from(home).join(&p[2..]),
        (p, _) => PathBuf::from(p),
    }
}

/// The temporary file an export is written to, removed when dropped unless put in place.
struct PartialFile {
    temp: PathBuf,
    target: PathBuf,
    replace: bool,
    out: BufWriter<fs::File>,
    placed: bool,
}

impl PartialFile {
    fn create(target: PathBuf, replace: bool, seq: u64) -> io::Result<PartialFile> {
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::other("not a file name"))?
            .to_string_lossy()
            .into_owned();
        let temp =
            target.with_file_name(format!(".{name}.{}-{seq}.idtui-export", std::process::id()));
        let file = crate::local_files::create_new(&temp)?;
        Ok(PartialFile {
            temp,
            target,
            replace,
            out: BufWriter::with_capacity(FILE_BUFFER, file),
            placed: false,
        })
    }

    /// Put the complete file at its target: over an existing one only for `:export!`;
    /// otherwise by a link, which fails rather than replace a file made meanwhile. (Not
    /// synced to disk: an export is read again from the server, not lost work, and a sync of
    /// a gigabyte would double its time.)
    fn persist(mut self) -> io::Result<String> {
        self.out.flush()?;
        if self.replace {
            fs::rename(&self.temp, &self.target)?;
        } else {
            match fs::hard_link(&self.temp, &self.target) {
                Ok(()) => fs::remove_file(&self.temp)?,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(io::Error::other(format!(
                        "{} was created meanwhile",
                        self.target.display()
                    )));
                }
                // A file system without links: checked just before.
                Err(_) if fs::symlink_metadata(&self.target).is_err() => {
                    fs::rename(&self.temp, &self.target)?
                }
                Err(e) => return Err(e),
            }
        }
        self.placed = true;
        Ok(self.target.display().to_string())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.placed {
            // Ours: created exclusively above.
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_expanded_only_at_the_start() {
        let home = std::env::var("HOME").unwrap_or_default();
        if home.is_empty() {
            return;
        }
        assert_eq!(
            expand_home("~/x.csv"),
            std::path::Path::new(&home).join("x.csv")
        );
        assert_eq!(expand_home("a/~/x.csv"), PathBuf::from("a/~/x.csv"));
    }

    #[test]
    fn a_dropped_partial_file_is_removed_and_a_kept_one_does_not_replace() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        let mut partial = PartialFile::create(target.clone(), false, 1).unwrap();
        partial.out.write_all(b"{}\n").unwrap();
        drop(partial);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left");

        let partial = PartialFile::create(target.clone(), false, 2).unwrap();
        fs::write(&target, "theirs").unwrap();
        assert!(partial.persist().is_err());
        assert_eq!(fs::read_to_string(&target).unwrap(), "theirs");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "temp removed");
    }
}
