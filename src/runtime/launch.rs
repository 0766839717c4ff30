//! Starting the dashboard from the command line: profiles from the config file (or the
//! embedded sandbox with demo data when there is none), keymap, logging, the terminal and
//! the signals that end a session.

use std::io::{BufWriter, IsTerminal};
use std::path::PathBuf;

use anyhow::{Context, bail};
use crossterm::event::EventStream;
use futures::StreamExt;

use crate::app::{ErrorInfo, State};
use crate::clipboard::Osc52Env;
use crate::keymap::Keymap;
use crate::ui::Theme;

use super::terminal::RawModeGuard;
use super::{Exit, RunOptions, Signal, run};

/// What the command line asked for.
pub struct LaunchOptions {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub read_only: bool,
}

/// Run the dashboard on this process's terminal; how it ended gives the exit status.
pub async fn dashboard(opts: LaunchOptions) -> anyhow::Result<Exit> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!("the dashboard needs a terminal (stdin and stdout must be a TTY)");
    }
    let opened = super::profiles::open(opts.config.clone(), opts.profile.clone()).await?;
    let (profiles, first, sandbox) = (opened.profiles, opened.first, opened.sandbox);
    let mut local_problems = Vec::new();
    // Before anything is written there: what an older idtui or a wider umask left open is
    // closed, and a link in place of one of our files is named (nothing goes through it).
    let unsafe_paths = crate::local_files::tighten_tree(&crate::logging::state_dir());
    let log_path = crate::logging::log_path();
    let log_refused = unsafe_paths.iter().any(|(p, _)| log_path.starts_with(p));
    local_problems.extend(unsafe_paths.into_iter().map(|(_, e)| e.to_string()));
    let _log = match crate::logging::init() {
        Ok(guard) => Some(guard),
        Err(e) => {
            if !log_refused {
                local_problems.push(format!("logging disabled: {e:#}"));
            }
            None
        }
    };
    for problem in &local_problems {
        tracing::warn!(%problem, "local state");
    }

    let (backends, infos) = super::profiles::backends(&profiles, opts.read_only);
    let (keymap, issues) = Keymap::load(Keymap::user_file().as_deref());
    let prepared = prepare(
        infos,
        keymap,
        &issues,
        opts.read_only,
        first.as_deref(),
        &Places::local(),
        local_problems,
    );
    tracing::info!(
        profiles = profiles.len(),
        read_only = opts.read_only,
        "dashboard starting"
    );

    let size = crossterm::terminal::size().context("cannot read the terminal's size")?;
    let guard = RawModeGuard::enable().context("cannot put the terminal in raw mode")?;
    let result = run(
        BufWriter::new(std::io::stdout()),
        EventStream::new,
        signals(),
        prepared.state,
        backends,
        RunOptions {
            theme: Theme::from_env(),
            read_only: opts.read_only,
            osc52: Osc52Env::from_env(),
            drafts: prepared.drafts,
            audit: crate::audit_log::AuditLog::new(crate::audit_log::AuditLog::default_path()),
            history: prepared.history,
            journals: prepared.journals,
            columns: prepared.columns,
            size,
            stop_process: Some(stop_process),
        },
    )
    .await;
    drop(guard);
    if let Some(s) = sandbox {
        s.stop().await;
    }
    tracing::info!("dashboard stopped");
    result
}

/// Where a dashboard keeps what outlives it. The local dashboard's are the user's own; each
/// key served over SSH has its own under the state directory.
pub struct Places {
    pub drafts: PathBuf,
    pub history: PathBuf,
    pub journals: PathBuf,
    /// The columns chosen with `:columns` (`None`: nowhere to keep them).
    pub columns: Option<PathBuf>,
}

impl Places {
    /// The user's own: state directory and config directory.
    pub fn local() -> Places {
        Places {
            drafts: crate::drafts::DraftStore::default_dir(),
            history: crate::command_history::CommandHistory::default_path(),
            journals: crate::bulk_journal::BulkJournals::default_dir(),
            columns: crate::column_file::ColumnFile::default_path(),
        }
    }
}

/// A dashboard's state at start and the stores it keeps things in.
pub struct Prepared {
    pub state: State,
    pub drafts: crate::drafts::DraftStore,
    pub history: crate::command_history::CommandHistory,
    pub journals: crate::bulk_journal::BulkJournals,
    pub columns: Option<crate::column_file::ColumnFile>,
}

/// The state a dashboard starts with over `infos`: its command history, chosen columns,
/// unfinished bulk changes offered to resume, the keymap's and the local files' problems
/// said, and `first` in front.
pub fn prepare(
    infos: Vec<crate::app::ProfileInfo>,
    keymap: Keymap,
    issues: &[crate::keymap::KeymapIssue],
    read_only: bool,
    first: Option<&str>,
    places: &Places,
    mut local_problems: Vec<String>,
) -> Prepared {
    let mut state = State::new(infos, keymap, read_only);
    let history = crate::command_history::CommandHistory::new(&places.history);
    match history.load() {
        Ok(lines) => state.history.seed(lines),
        Err(e) => local_problems.push(format!("command history not read: {e}")),
    }
    let columns = places
        .columns
        .as_ref()
        .map(crate::column_file::ColumnFile::new);
    if let Some(file) = &columns {
        match file.load() {
            Ok(Some(text)) => {
                state.columns = crate::app::column_choices::ColumnChoices::parse(&text);
                if let Some(why) = state.columns.unreadable() {
                    local_problems.push(format!(
                        "{} not read ({why}): lists show their own columns; the file is left as it is",
                        file.path().display()
                    ));
                }
            }
            Ok(None) => {}
            Err(e) => local_problems.push(format!("columns not read: {e}")),
        }
    }
    let journals = crate::bulk_journal::BulkJournals::new(&places.journals);
    let (unfinished, problems) = journals.unfinished();
    local_problems.extend(problems);
    crate::app::bulk::offer_resume(&mut state, unfinished);
    state.report_keymap_issues(issues);
    report_local_problems(&mut state, &local_problems);
    if let Some(p) = first
        && let Some(i) = state.tabs().iter().position(|t| t.profile.name == p)
    {
        state.select_tab(i);
    }
    Prepared {
        state,
        drafts: crate::drafts::DraftStore::new(&places.drafts),
        history,
        journals,
        columns,
    }
}

/// Problems with the local state are shown at start, as the keymap's issues are and ahead
/// of them (a link planted in place of the audit trail matters more than a misspelt key):
/// the first in the status bar, every one under `:error`.
fn report_local_problems(state: &mut State, problems: &[String]) {
    let Some(first) = problems.first() else {
        return;
    };
    let earlier = state.error.take();
    let mut details = problems.join("\n");
    if let Some(e) = &earlier {
        details = format!("{details}\n{}", e.details);
    }
    let line = if problems.len() > 1 || earlier.is_some() {
        format!("{first} (:error for all)")
    } else {
        first.clone()
    };
    state.error = Some(ErrorInfo::new(line, details));
}

/// The signals a session acts on: SIGTERM, SIGHUP (the SSH connection dropped), SIGINT and
/// SIGQUIT end it cleanly; SIGTSTP suspends it as Ctrl-z does; SIGCONT after a stop it did
/// not ask for redraws the screen.
fn signals() -> futures::stream::BoxStream<'static, Signal> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let wanted = [
            (SignalKind::terminate(), Signal::Stop(15)),
            (SignalKind::hangup(), Signal::Stop(1)),
            (SignalKind::interrupt(), Signal::Stop(2)),
            (SignalKind::quit(), Signal::Stop(3)),
            (SignalKind::from_raw(20), Signal::Suspend),
            (SignalKind::from_raw(18), Signal::Continue),
        ];
        let streams = wanted.into_iter().filter_map(|(kind, what)| {
            let s = signal(kind).ok()?;
            Some(
                futures::stream::unfold(s, move |mut s| async move {
                    s.recv().await.map(|()| (what, s))
                })
                .boxed(),
            )
        });
        futures::stream::select_all(streams).boxed()
    }
    #[cfg(not(unix))]
    {
        futures::stream::once(async {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Stop(2)
        })
        .boxed()
    }
}

/// Stop this process until it is continued, as the shell's own Ctrl-Z would. SIGSTOP cannot
/// be caught, so the SIGTSTP handler does not see it again.
///
/// The signal goes to this thread (`raise`), not to the process: a process-directed signal
/// may be taken by any of its threads, and this one could then run on for a moment, long
/// enough to take the terminal back before the stop. Taken here, it stops the whole process
/// before `raise` returns. (No other process of idtui's group needs stopping: a token
/// command runs in a group of its own, and `$EDITOR` is never running during a suspend.)
fn stop_process() {
    #[cfg(unix)]
    crate::sys::stop_this_process();
}
