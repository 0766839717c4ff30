//! The subcommands for scripts and runbooks (`idtui list|get|find|sessions|revoke|patch|set|
//! unset|edit|delete|recovery|export|completions|man|config`): the dashboard's operations
//! without a screen, over the same profiles and clients, with changes made through the same
//! lifecycle (a fresh read, the conflict check, `settle`'s rules for a lost answer, the
//! audit trail, the journal of a set). Data goes to stdout, one clean line of error to
//! stderr, and the exit status says how it ended (`exit`).

pub mod changes;
pub mod ctx;
pub mod exit;
pub mod meta;
pub mod output;
pub mod reads;
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
        Command::Edit(args) => changes::edit(&ctx, &args).await,
        Command::Recovery(args) => changes::recovery(&ctx, &args).await,
        Command::Sandbox(_)
        | Command::Keys
        | Command::Completions(_)
        | Command::Man
        | Command::Config(_) => unreachable!("run by main or above"),
    };
    ctx.close().await;
    result
}
