//! `:export FILE`: what to write and where, decided from what is in view, and the export's
//! life on screen (progress in the status bar, Esc cancels, where it went). The walk and the
//! writing are the runtime's (`runtime::export`); this only asks (`Effect::Export`) and
//! listens (`Action::ExportProgress`, `Action::ExportDone`).
//!
//! What is written: the focused list, all of it (walked on the server page by page, as `G`
//! walks; a server search's results when one is shown), or only its marked rows when some
//! are marked; or, when a detail is focused, the open object read afresh. A list the app
//! builds itself (`:find`, a report) is written from its rows. An export is a read: no
//! audit line; the status bar says where it went and how many rows.

pub mod job;

pub use self::job::Running;
use self::job::{EXTENSIONS, ExportJob, Exported, Format, Only, Source, Target, Written};
use super::action::Effect;
use super::column::group;
use super::model::ErrorInfo;
use super::state::{Owner, Pane, State};
use crate::keymap::KeyAction;

/// `:export ARG` (`replace`: `:export!`). Starts the export, or says why not.
pub fn start(state: &mut State, arg: &str, replace: bool, effects: &mut Vec<Effect>) {
    if let Some(running) = &state.export {
        let line = format!("an export to {} is running (Esc cancels it)", running.to);
        return refuse(state, line);
    }
    let (target, format) = match target_of(arg, replace) {
        Ok(t) => t,
        Err(line) => return refuse(state, line),
    };
    // Over SSH a file would be written on the server, as the server's user, where the
    // session cannot fetch it and must not choose the path (its authorized_keys, say). The
    // clipboard (`:export -`) goes to the client's terminal, as `y` does.
    if matches!(target, Target::File { .. }) && state.remote.is_some() {
        return refuse(
            state,
            "`:export FILE` is not available over SSH: the file would be written on the \
             server (`:export -` copies to your clipboard; `idtui export` writes where you run it)"
                .into(),
        );
    }
    let Some((source, columns)) = source_in_view(state) else {
        return refuse(state, "nothing to export here".into());
    };
    let seq = state.ask(Owner::Nobody, ()).seq;
    let to = match &target {
        Target::File { path, .. } => path.clone(),
        Target::Clipboard => "the clipboard".into(),
    };
    state.export = Some(Running {
        seq,
        to,
        rows: 0,
        per_second: 0,
    });
    state.dirty = true;
    effects.push(Effect::Export(ExportJob {
        seq,
        target,
        format,
        columns,
        source,
    }));
}

fn refuse(state: &mut State, line: String) {
    state.error = Some(ErrorInfo::new(line.clone(), line));
    state.dirty = true;
}

/// Where `arg` sends an export and in which format: `-` (JSON Lines), `-.csv`, `-.json`
/// and `-.jsonl` copy; anything else is a file named by its extension.
fn target_of(arg: &str, replace: bool) -> Result<(Target, Format), String> {
    if arg == "-" {
        return Ok((Target::Clipboard, Format::Jsonl));
    }
    if let Some(ext) = arg.strip_prefix('-')
        && ext.starts_with('.')
    {
        let format = Format::of_name(ext).ok_or_else(|| unknown_format(arg))?;
        return Ok((Target::Clipboard, format));
    }
    let format = Format::of_name(arg).ok_or_else(|| unknown_format(arg))?;
    let target = Target::File {
        path: arg.to_string(),
        replace,
    };
    Ok((target, format))
}

fn unknown_format(arg: &str) -> String {
    let name = crate::sanitize::clean_line(arg);
    format!("cannot tell the format of {name}: name the file {EXTENSIONS}")
}

/// What the focused pane exports, and the columns a CSV of it shows.
fn source_in_view(state: &State) -> Option<(Source, Option<Vec<super::column::Shown>>)> {
    if let Some((rows, columns)) = super::bulk::report_in_view(state) {
        return Some((Source::Rows(rows), Some(columns)));
    }
    let tab = state.tab()?;
    let profile = tab.profile.name.clone();
    match state.focused()? {
        Pane::Detail(d) if d.kind.provider().is_some() => Some((
            Source::Object {
                profile,
                kind: d.kind,
                id: d.id.clone(),
            },
            None,
        )),
        // The dashboard's own objects (an audit line, a `:find` hit) are not read again:
        // their row is in the list below.
        Pane::Detail(d) => {
            let row = tab
                .stack
                .iter()
                .rev()
                .skip(1)
                .flat_map(|s| &s.panes)
                .find_map(|p| match p {
                    Pane::Table(t) => t.loaded_rows().map(|(_, r)| r).find(|r| r.id == d.id),
                    Pane::Detail(_) => None,
                })?;
            Some((Source::Rows(vec![row.clone()]), None))
        }
        Pane::Table(t) => {
            // The columns as shown: the list's own, or those chosen with `:columns`.
            let columns = Some(state.shown_columns(t));
            let marked = t.marked();
            if t.is_local() {
                let rows = t
                    .loaded_rows()
                    .map(|(_, r)| r)
                    .filter(|r| marked.is_empty() || marked.contains(&r.id))
                    .cloned()
                    .collect();
                return Some((Source::Rows(rows), columns));
            }
            let only = (!marked.is_empty()).then(|| {
                let set = marked.clone();
                Only::new(marked.len(), move |id| set.contains(id))
            });
            let source = Source::List {
                profile,
                kind: t.kind().clone(),
                search: t.search().map(str::to_string),
                page_size: t.kind().walk_page_size().unwrap_or(t.page_size()),
                only,
            };
            Some((source, columns))
        }
    }
}

/// Esc while an export runs cancels it: the runtime stops the walk and removes the partial
/// file. Whether the key was taken.
pub fn intercepts(state: &mut State, action: KeyAction) -> bool {
    if action != KeyAction::Back {
        return false;
    }
    let Some(running) = state.export.take() else {
        return false;
    };
    // No longer awaited: the runtime stops the task, which removes its temporary file.
    state.answered(running.seq);
    state.flash = Some(format!(
        "export to {} cancelled after {} rows; nothing was written",
        running.to,
        group(running.rows)
    ));
    true
}

pub fn on_progress(state: &mut State, seq: u64, rows: u64, per_second: u64) {
    if let Some(running) = state.export.as_mut().filter(|r| r.seq == seq) {
        running.rows = rows;
        running.per_second = per_second;
        state.dirty = true;
    }
}

pub fn on_done(
    state: &mut State,
    seq: u64,
    result: Result<Exported, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    if !state.answered(seq) {
        return; // Cancelled meanwhile.
    }
    state.export = None;
    state.dirty = true;
    let done = match result {
        Ok(done) => done,
        Err(e) => {
            state.error = Some(e);
            return;
        }
    };
    let rows = rows_text(done.rows);
    let left_out = match done.left_out {
        0 => String::new(),
        n => format!(" ({} unreadable records left out)", group(n)),
    };
    match done.to {
        Written::File(path) => {
            let path = crate::sanitize::clean_line(&path);
            state.flash = Some(format!("exported {rows} to {path}{left_out}"));
        }
        Written::Clipboard(text) => super::copy::copy_text(
            state,
            text,
            format!("export of {rows}{left_out}"),
            true,
            effects,
        ),
    }
}

/// The status bar's line while an export runs.
pub fn progress_line(running: &Running) -> String {
    format!(
        "exporting to {}: {} · {}/s · Esc cancels",
        crate::sanitize::clean_line(&running.to),
        rows_text(running.rows),
        group(running.per_second)
    )
}

fn rows_text(n: u64) -> String {
    match n {
        1 => "1 row".into(),
        n => format!("{} rows", group(n)),
    }
}
