//! The subcommands that only read: `list`, `get`, `find`, `sessions`, `export`. Records go
//! to stdout in the format `-o` names (a table on a terminal, JSON Lines into a pipe or a
//! file; `output`), notes and errors to stderr. A list streams page by page through the
//! same walk as `:export` (`runtime::export::Walk`), so its length does not matter.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::app::column::{Column, Shown, group};
use crate::app::column_choices;
use crate::app::export::job::{EXTENSIONS, ExportJob, Format, Source, Target, Written};
use crate::app::find::{CORE_SEARCH_HINT, core_searchable};
use crate::app::found::columns::COLUMNS as FOUND_COLUMNS;
use crate::app::found::fields::Found;
use crate::app::model::{ACTIVE_ONLY, Hit, ListKind, RawJson, Row};
use crate::app::provider::{core, headless, kratos};
use crate::app::state::DEFAULT_PAGE_SIZE;
use crate::app::{ErrorInfo, ProfileInfo, Provider};
use crate::cli::{
    ExportArgs, FindArgs, GetArgs, ListArgs, ListName, OutputArgs, OutputFormat, SessionsArgs,
};
use crate::runtime::export::{self as walk_export, Walk};

use super::output::{Printer, Shape, Spec, Stdout};
use super::progress::ProgressLine;
use super::{Code, Ctx, Failure, say, who};

/// How often progress is redrawn on stderr.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

pub async fn list(ctx: &Ctx, args: &ListArgs) -> Result<(), Failure> {
    let (info, kind) = list_on(ctx, args.list)?;
    let search = search_of(&kind, info, args.search.as_deref())?;
    let format = super::output_format(&args.output, ctx);
    let columns = columns_of(kind.columns(), &args.output, format)?;
    let full = walk_size(&kind, info);
    // Without --all, one row more than printed is asked for: whether more remain is then
    // known from the first page.
    let (size, limit) = match args.all {
        true => (full, None),
        false => (args.limit.saturating_add(1).min(full), Some(args.limit)),
    };
    let what = list_name(args.list);
    let (mut walk, mut printer, closed) =
        walk_to_stdout(ctx, info, kind, search, size, format, columns)?;
    let failed = |e: &ErrorInfo| Failure::api(&format!("listing {what} on {}", info.name), e);
    let listed = print_walk(&mut walk, &mut printer, &closed, limit, failed, None).await?;
    let left_out = printer.left_out();
    printer.finish().map_err(output_failed)?;
    if listed.more {
        let more = match listed.total {
            Some(total) if total > listed.seen => format!(" of {}", group(total)),
            _ => "; there are more".into(),
        };
        say(&format!(
            "showing the first {}{more} (--all prints every one; --limit N changes how many)",
            records(listed.seen)
        ));
    }
    note_left_out(left_out);
    Ok(())
}

pub async fn get(ctx: &Ctx, args: &GetArgs) -> Result<(), Failure> {
    let candidates = ctx.candidates(|_| true, "a profile to look in")?;
    let (info, found) = who::resolve_any(
        &ctx.backends,
        &candidates,
        &args.who,
        true,
        who::Copy::Fresh,
    )
    .await?;
    let format = super::output_format(&args.output, ctx);
    let columns = columns_of(found.row.fields.columns(), &args.output, format)?;
    let spec = Spec {
        format,
        shape: Shape::One,
        columns,
        width: super::table_width(ctx),
    };
    let mut printer = Printer::new(Stdout::new(), spec).map_err(output_failed)?;
    printer.record(&found.row).map_err(output_failed)?;
    let left_out = printer.left_out();
    printer.finish().map_err(output_failed)?;
    if left_out > 0 {
        return Err(Failure::error(format!(
            "the record of {} on {} could not be read",
            found.label, info.name
        )));
    }
    Ok(())
}

pub async fn find(ctx: &Ctx, args: &FindArgs) -> Result<(), Failure> {
    let text = args.text.trim();
    if text.is_empty() {
        return Err(Failure::usage(
            "find what? name an email, id, username or identifier",
        ));
    }
    let format = super::output_format(&args.output, ctx);
    let columns = columns_of(FOUND_COLUMNS, &args.output, format)?;
    // Every profile at once, as `:find` asks them: a slow one holds no one back.
    let asks = ctx.infos.iter().map(|info| async move {
        let answer = match ctx.backends.get(&info.name) {
            Ok(backend) => backend.find(text.to_string()).await,
            Err(e) => Err(e),
        };
        (info, answer)
    });
    let answers = futures::future::join_all(asks).await;
    let spec = Spec {
        format,
        shape: Shape::List,
        columns,
        width: super::table_width(ctx),
    };
    let mut printer = Printer::new(Stdout::new(), spec).map_err(output_failed)?;
    let (mut hits, mut failed) = (0usize, 0usize);
    let mut hints = Vec::new();
    for (info, answer) in &answers {
        match answer {
            Err(e) => {
                failed += 1;
                say(&format!("{}: {}", info.name, e.line));
            }
            Ok(found) => {
                if found.is_empty() && info.provider == Provider::Core && !core_searchable(text) {
                    hints.push(format!("{}: {CORE_SEARCH_HINT}", info.name));
                }
                for hit in found {
                    printer
                        .record(&hit_row(&info.name, hit))
                        .map_err(output_failed)?;
                    hits += 1;
                }
            }
        }
    }
    printer.finish().map_err(output_failed)?;
    if failed > 0 {
        return Err(Failure::error(format!(
            "{failed} of {} profiles could not be searched",
            answers.len()
        )));
    }
    if hits == 0 {
        // Why MATTR found nothing, when it could not have: only once nothing was found.
        for hint in &hints {
            say(hint);
        }
        return Err(Failure::new(
            Code::NotFound,
            format!("nothing matches “{text}” on any profile"),
        ));
    }
    Ok(())
}

pub async fn sessions(ctx: &Ctx, args: &SessionsArgs) -> Result<(), Failure> {
    let candidates = ctx.candidates(|p| p == Provider::Kratos, "sessions are Ory Kratos's")?;
    let (info, found) = who::resolve_any(
        &ctx.backends,
        &candidates,
        &args.who,
        false,
        who::Copy::AsFound,
    )
    .await?;
    let info = &info;
    let kind = ListKind::Kratos(kratos::List::Sessions {
        identity: found.id.clone(),
    });
    let format = super::output_format(&args.output, ctx);
    let columns = columns_of(kind.columns(), &args.output, format)?;
    let search = (!args.all).then(|| ACTIVE_ONLY.to_string());
    let size = walk_size(&kind, info);
    let (mut walk, mut printer, closed) =
        walk_to_stdout(ctx, info, kind, search, size, format, columns)?;
    let failed = |e: &ErrorInfo| {
        Failure::api(
            &format!("listing the sessions of {} on {}", found.label, info.name),
            e,
        )
    };
    let listed = print_walk(&mut walk, &mut printer, &closed, None, failed, None).await?;
    let left_out = printer.left_out();
    printer.finish().map_err(output_failed)?;
    if listed.seen == 0 && format == OutputFormat::Table {
        let which = if args.all { "" } else { "active " };
        say(&format!("{} has no {which}sessions", found.label));
    }
    note_left_out(left_out);
    Ok(())
}

pub async fn export(ctx: &Ctx, args: &ExportArgs) -> Result<(), Failure> {
    let (info, kind) = list_on(ctx, args.list)?;
    let search = search_of(&kind, info, args.search.as_deref())?;
    let page_size = walk_size(&kind, info);
    if args.file == "-" {
        return export_to_stdout(ctx, args, info, kind, search, page_size).await;
    }
    let file = crate::sanitize::clean_line(&args.file).into_owned();
    let format = Format::of_name(&args.file).ok_or_else(|| {
        Failure::usage(format!(
            "cannot tell the format of {file}: name the file {EXTENSIONS}, or - for stdout"
        ))
    })?;
    if let Some(asked) = args.output.format
        && output_format(format) != asked
    {
        return Err(Failure::usage(format!(
            "{file} is written as its extension says ({}); -o chooses the format of - alone",
            format_name(output_format(format))
        )));
    }
    let columns = match &args.output.columns {
        Some(_) => Some(columns_of(
            kind.columns(),
            &args.output,
            output_format(format),
        )?),
        None => None,
    };
    if !args.force && std::fs::symlink_metadata(walk_export::expand_home(&args.file)).is_ok() {
        return Err(Failure::usage(format!(
            "{file} exists: not replaced (--force replaces it)"
        )));
    }
    let job = ExportJob {
        seq: 0,
        target: Target::File {
            path: args.file.clone(),
            replace: args.force,
        },
        format,
        columns,
        source: Source::List {
            profile: info.name.clone(),
            kind,
            search,
            page_size,
            only: None,
        },
    };
    let mut progress = Progress::new(ctx.terminal.stderr);
    let done = walk_export::run(job, &ctx.backends, &ctx.audit, |rows, _| {
        progress.show(rows)
    })
    .await;
    progress.clear();
    let done = done.map_err(|e| failure_of(&e))?;
    let to = match &done.to {
        Written::File(path) => crate::sanitize::clean_line(path).into_owned(),
        Written::Clipboard(_) => file,
    };
    say(&format!("exported {} to {to}", records(done.rows)));
    note_left_out(done.left_out);
    Ok(())
}

/// The walk of `kind` (narrowed by `search`) on `info`, a printer of its records on stdout,
/// and the flag that says stdout was closed (`| head`).
#[allow(clippy::too_many_arguments, reason = "each part of a list walk, named")]
fn walk_to_stdout(
    ctx: &Ctx,
    info: &ProfileInfo,
    kind: ListKind,
    search: Option<String>,
    page_size: usize,
    format: OutputFormat,
    columns: Vec<crate::app::column::Shown>,
) -> Result<
    (
        Walk,
        Printer<Stdout>,
        std::sync::Arc<std::sync::atomic::AtomicBool>,
    ),
    Failure,
> {
    let walk = Walk::new(
        &ctx.backends,
        &ctx.audit,
        &info.name,
        kind,
        search,
        page_size,
    );
    let out = Stdout::new();
    let closed = out.closed();
    let spec = Spec {
        format,
        shape: Shape::List,
        columns,
        width: super::table_width(ctx),
    };
    let printer = Printer::new(out, spec).map_err(output_failed)?;
    Ok((walk, printer, closed))
}

/// `idtui export LIST -`: the whole list on stdout, in the `-o` format (JSON Lines unless
/// told), walked as an export to a file is.
async fn export_to_stdout(
    ctx: &Ctx,
    args: &ExportArgs,
    info: &ProfileInfo,
    kind: ListKind,
    search: Option<String>,
    page_size: usize,
) -> Result<(), Failure> {
    let format = args.output.format.unwrap_or(OutputFormat::Jsonl);
    let columns = columns_of(kind.columns(), &args.output, format)?;
    let what = list_name(args.list);
    let (mut walk, mut printer, closed) =
        walk_to_stdout(ctx, info, kind, search, page_size, format, columns)?;
    // Progress only where it does not mix with the records on one screen.
    let mut progress = Progress::new(ctx.terminal.stderr && !ctx.terminal.stdout);
    let failed = |e: &ErrorInfo| {
        Failure::api(
            &format!("export stopped: listing {what} on {}", info.name),
            e,
        )
    };
    let walked = print_walk(
        &mut walk,
        &mut printer,
        &closed,
        None,
        failed,
        Some(&mut progress),
    )
    .await;
    progress.clear();
    walked?;
    let written = printer.written();
    let left_out = printer.left_out();
    printer.finish().map_err(output_failed)?;
    say(&format!("exported {} to stdout", records(written)));
    note_left_out(left_out);
    Ok(())
}

/// How far a walk printed.
#[derive(Debug, Default)]
struct Listed {
    /// Records taken from the pages (unreadable ones too).
    seen: u64,
    /// The limit stopped it with records left.
    more: bool,
    total: Option<u64>,
}

/// Print every record `walk` brings, or the first `limit`; each page flushed as it comes,
/// so a reader sees a long list start at once. Stops early when the reader has gone.
async fn print_walk(
    walk: &mut Walk,
    printer: &mut Printer<Stdout>,
    closed: &AtomicBool,
    limit: Option<usize>,
    failed: impl Fn(&ErrorInfo) -> Failure,
    mut progress: Option<&mut Progress>,
) -> Result<Listed, Failure> {
    let mut listed = Listed::default();
    'pages: while let Some(page) = walk.next().await.map_err(|e| failed(&e))? {
        listed.total = page.total.or(listed.total);
        for row in &page.rows {
            if limit.is_some_and(|l| listed.seen >= l as u64) {
                listed.more = true;
                break 'pages;
            }
            printer.record(row).map_err(output_failed)?;
            listed.seen += 1;
        }
        printer.flush().map_err(output_failed)?;
        if closed.load(Ordering::Relaxed) {
            break;
        }
        if let Some(p) = progress.as_deref_mut() {
            p.show(listed.seen);
        }
    }
    Ok(listed)
}

/// The list `name` names on a profile of `provider`, if it has one.
fn list_kind(name: ListName, provider: Provider) -> Option<ListKind> {
    match (name, provider) {
        (ListName::Identities, Provider::Kratos) => {
            Some(ListKind::Kratos(kratos::List::Identities))
        }
        (ListName::Sessions, Provider::Kratos) => {
            Some(ListKind::Kratos(kratos::List::AllSessions {
                active_only: true,
            }))
        }
        (ListName::Users, Provider::Core) => Some(ListKind::Core(core::List::Users)),
        (ListName::Users, Provider::Headless) => {
            Some(ListKind::Headless(headless::List::Users { client: None }))
        }
        (ListName::Clients, Provider::Headless) => {
            Some(ListKind::Headless(headless::List::Clients))
        }
        (ListName::Identities | ListName::Sessions, Provider::Core | Provider::Headless)
        | (ListName::Users, Provider::Kratos)
        | (ListName::Clients, Provider::Kratos | Provider::Core) => None,
    }
}

/// Whose list `name` is, for the error when the profile has none.
fn whose(name: ListName) -> String {
    match name {
        ListName::Identities => format!("identities are {}'s", kratos::SYSTEM),
        ListName::Sessions => format!("sessions are {}'s", kratos::SYSTEM),
        ListName::Users => format!("users are {}'s or {}'s", core::SYSTEM, headless::SYSTEM),
        ListName::Clients => format!("clients are {}'s", headless::SYSTEM),
    }
}

fn list_name(name: ListName) -> &'static str {
    match name {
        ListName::Identities => "identities",
        ListName::Users => "users",
        ListName::Clients => "clients",
        ListName::Sessions => "sessions",
    }
}

/// The profile a list is read on, and the list there.
fn list_on(ctx: &Ctx, name: ListName) -> Result<(&ProfileInfo, ListKind), Failure> {
    let info = ctx.profile_for(|p| list_kind(name, p).is_some(), &whose(name))?;
    let kind = list_kind(name, info.provider).ok_or_else(|| {
        Failure::usage(format!(
            "profile {} is {}: {}",
            info.name,
            info.provider.system(),
            whose(name)
        ))
    })?;
    Ok((info, kind))
}

/// `--search TEXT` for `kind`, refused where the provider cannot search that list (or, on
/// MATTR, that text).
fn search_of(
    kind: &ListKind,
    info: &ProfileInfo,
    search: Option<&str>,
) -> Result<Option<String>, Failure> {
    let Some(text) = search.map(str::trim) else {
        return Ok(None);
    };
    if text.is_empty() {
        return Err(Failure::usage("--search is empty"));
    }
    if kind.server_search_hint().is_none() {
        return Err(Failure::usage(format!(
            "{} on {} cannot be searched",
            kind.title().to_lowercase(),
            info.provider.system()
        )));
    }
    if info.provider == Provider::Core && !core_searchable(text) {
        return Err(Failure::usage(CORE_SEARCH_HINT));
    }
    Ok(Some(text.to_string()))
}

/// Rows per page while walking `kind`: the most its provider serves, else the profile's
/// page size (a list paged by number keeps one size).
pub(super) fn walk_size(kind: &ListKind, info: &ProfileInfo) -> usize {
    kind.walk_page_size()
        .unwrap_or(info.page_size.unwrap_or(DEFAULT_PAGE_SIZE))
        .max(1)
}

/// The columns a table or a CSV shows: `--columns` (a list's headers in any case, or paths
/// into the record such as `traits.name.last`), else the list's own, as the dashboard
/// shows them.
fn columns_of(
    own: &'static [Column],
    output: &OutputArgs,
    format: OutputFormat,
) -> Result<Vec<Shown>, Failure> {
    let Some(names) = &output.columns else {
        return Ok(Shown::defaults(own));
    };
    if !matches!(format, OutputFormat::Table | OutputFormat::Csv) {
        return Err(Failure::usage(format!(
            "--columns chooses the columns of table and csv output; {} prints the server's \
             records whole",
            format_name(format)
        )));
    }
    let mut columns = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let column = column_choices::resolve(own, name).ok_or_else(|| {
            let why = crate::app::column::JsonPath::parse(name)
                .err()
                .unwrap_or_default();
            let headers: Vec<&str> = own.iter().map(|c| c.title).collect();
            Failure::usage(format!(
                "no column “{name}” ({why}): name one of {} or a path like traits.name.last",
                headers.join(", ")
            ))
        })?;
        columns.push(column);
    }
    if columns.is_empty() {
        return Err(Failure::usage("--columns names no column"));
    }
    Ok(columns)
}

/// The `-o` format a file's extension names.
fn output_format(format: Format) -> OutputFormat {
    match format {
        Format::Jsonl => OutputFormat::Jsonl,
        Format::Json => OutputFormat::Json,
        Format::Csv => OutputFormat::Csv,
    }
}

fn format_name(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Table => "table",
        OutputFormat::Json => "json",
        OutputFormat::Jsonl => "jsonl",
        OutputFormat::Csv => "csv",
        OutputFormat::Yaml => "yaml",
    }
}

/// A line of `find`'s output: the hit on its profile, and the server's record whole in
/// `record` (`{"profile", "kind", "id", "client"?, "record"}`).
fn hit_row(profile: &str, hit: &Hit) -> Row {
    let string = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut json = format!(
        "{{\"profile\":{},\"kind\":{},\"id\":{},",
        string(profile),
        string(hit.kind.label()),
        string(&hit.row.id)
    );
    if let Some(client) = hit.client() {
        json.push_str(&format!("\"client\":{},", string(client)));
    }
    json.push_str("\"record\":");
    let mut bytes = json.into_bytes();
    match hit.row.raw.bytes() {
        Some(record) => bytes.extend_from_slice(record),
        None => bytes.extend(serde_json::to_vec(&*hit.row.raw).unwrap_or_default()),
    }
    bytes.push(b'}');
    let found = Found {
        profile: profile.to_string(),
        id: hit.row.id.clone(),
        name: hit.kind.name_of(&hit.row).unwrap_or_default().to_string(),
        what: hit.what(),
    };
    Row::new(
        format!("{profile}/{}", hit.row.id),
        found,
        RawJson::from_bytes(bytes),
    )
}

/// `1 record`, `1,234 records`.
fn records(n: u64) -> String {
    match n {
        1 => "1 record".into(),
        n => format!("{} records", group(n)),
    }
}

fn note_left_out(n: u64) {
    if n > 0 {
        say(&format!(
            "{} the server sent could not be read and were left out",
            records(n)
        ));
    }
}

/// Writing stdout failed (a full disk; a reader that has gone is not a failure).
fn output_failed(e: io::Error) -> Failure {
    Failure::error(format!("cannot write the output: {e}"))
}

/// An export's own error line (it says already what stopped and that nothing was written).
fn failure_of(e: &ErrorInfo) -> Failure {
    let code = match e.status {
        Some(404) => Code::NotFound,
        _ => Code::Error,
    };
    Failure::new(code, e.line.clone())
}

/// `exporting… 12,345 records (4,100/s)` redrawn on stderr while a walk runs, when stderr
/// is a terminal; cleared before the final line.
struct Progress {
    line: ProgressLine,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(on: bool) -> Progress {
        let now = Instant::now();
        Progress {
            line: ProgressLine::new(on),
            started: now,
            last: now,
        }
    }

    fn show(&mut self, rows: u64) {
        if !self.line.is_on() || self.last.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let per_second = (rows as f64 / secs) as u64;
        self.line.show(format!(
            "exporting… {} ({}/s)",
            records(rows),
            group(per_second)
        ));
    }

    fn clear(&mut self) {
        self.line.clear();
    }
}
