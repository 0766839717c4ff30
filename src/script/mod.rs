//! The subcommands for scripts and runbooks (`idtui list|get|find|sessions|revoke|patch|set|
//! unset|edit|delete|recovery|export|completions|man|config`): the dashboard's operations
//! without a screen, over the same profiles and clients, with changes made through the same
//! lifecycle (a fresh read, the conflict check, `settle`'s rules for a lost answer, the
//! audit trail, the journal of a set). Data goes to stdout, one clean line of error to
//! stderr, and the exit status says how it ended (`exit`).

pub mod ask;
pub mod changes;
pub mod ctx;
pub mod edit;
pub mod exit;
pub mod meta;
pub mod output;
pub mod progress;
pub mod reads;
pub mod recovery;
pub mod report;
pub mod settle;
pub mod who;

use crate::cli::Command;

pub use ctx::{Ctx, Global};
pub use exit::{Code, Failure};

/// Run one subcommand (not `sandbox` or `keys`, which `main` runs) and return its exit
/// status, having said on stderr why when it is not 0.
pub async fn run(command: Command, global: Global) -> i32 {
    match dispatch(command, global).await {
        Ok(()) => Code::Done.status(),
        Err(failure) => {
            say(&failure.line);
            failure.code.status()
        }
    }
}

/// One line on stderr, cleaned of anything a terminal would act on (server text is quoted
/// in errors).
pub fn say(line: &str) {
    let line = crate::sanitize::clean_line(line);
    eprintln!("idtui: {line}");
}

/// The format records are printed in: `-o`, else a table on a terminal and JSON lines into
/// a pipe or a file.
pub fn output_format(output: &crate::cli::OutputArgs, ctx: &Ctx) -> crate::cli::OutputFormat {
    output.format.unwrap_or(if ctx.terminal.stdout {
        crate::cli::OutputFormat::Table
    } else {
        crate::cli::OutputFormat::Jsonl
    })
}

/// Print `records` on stdout as `format`.
pub fn print(
    format: crate::cli::OutputFormat,
    records: &[serde_json::Value],
) -> Result<(), Failure> {
    let width = std::io::IsTerminal::is_terminal(&std::io::stdout())
        .then(|| crossterm::terminal::size().ok())
        .flatten()
        .map(|(w, _)| usize::from(w));
    let mut out = std::io::stdout().lock();
    report::write_fitted(&mut out, format, records, width)
        .map_err(|e| Failure::error(format!("cannot write the output: {e}")))
}

/// Refuse `does` to `whom` under `--read-only` or the profile's `read_only = true`, before
/// anything is asked or sent (the same refusal holds below, where requests are issued).
pub fn refuse_if_read_only(
    ctx: &Ctx,
    profile: &crate::app::ProfileInfo,
    does: &str,
    whom: &str,
) -> Result<(), Failure> {
    if !ctx.read_only && !profile.read_only {
        return Ok(());
    }
    Err(Failure::error(format!(
        "read-only: refused to {does} {whom} on {} ({}); nothing sent",
        profile.name,
        if ctx.read_only {
            "--read-only"
        } else {
            "read_only = true in its profile"
        },
    )))
}

/// The terminal's width a table is fitted to, when stdout is one.
pub fn table_width(ctx: &Ctx) -> Option<u16> {
    ctx.terminal.stdout.then(|| {
        crossterm::terminal::size()
            .ok()
            .map(|(w, _)| w)
            .filter(|&w| w > 0)
            .unwrap_or(80)
    })
}

async fn dispatch(command: Command, global: Global) -> Result<(), Failure> {
    // Those that read nothing from a server need no profiles.
    match command {
        Command::Completions(args) => return meta::completions(&global, &args),
        Command::Man => return meta::man(),
        Command::Config(args) => return meta::config(&global, &args).await,
        _ => {}
    }
    let ctx = Ctx::open(&global).await?;
    let result = match command {
        Command::List(args) => reads::list(&ctx, &args).await,
        Command::Get(args) => reads::get(&ctx, &args).await,
        Command::Find(args) => reads::find(&ctx, &args).await,
        Command::Sessions(args) => reads::sessions(&ctx, &args).await,
        Command::Export(args) => reads::export(&ctx, &args).await,
        Command::Revoke(args) => changes::revoke(&ctx, &args).await,
        Command::Patch(args) => changes::patch(&ctx, &args).await,
        Command::Set(args) => changes::set(&ctx, &args).await,
        Command::Unset(args) => changes::unset(&ctx, &args).await,
        Command::Delete(args) => changes::delete(&ctx, &args).await,
        Command::Edit(args) => edit::edit(&ctx, &args).await,
        Command::Recovery(args) => recovery::recovery(&ctx, &args).await,
        Command::Sandbox(_)
        | Command::Serve(_)
        | Command::Keys
        | Command::Completions(_)
        | Command::Man
        | Command::Config(_) => unreachable!("run by main or above"),
    };
    ctx.close().await;
    result
}
