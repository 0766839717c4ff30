//! Asking before a change, and showing a run's progress, on the terminal a person is at
//! (stderr, stdin); with no terminal and no `--yes`, nothing is sent.

use std::io::{BufRead, Write};

use crate::app::bulk::plan::{FIRST_NAMES, Plan};
use crate::app::bulk::run::Run;

use super::Ctx;
use super::exit::Failure;
use super::progress::ProgressLine;
use crate::app::model::named;

/// Ask before `plan` (`does` it to its objects) unless `yes`: one object is a y/N
/// question, a set shows the plan and wants its count typed, as the dashboard's does.
pub fn confirm(ctx: &Ctx, plan: &Plan, does: &str, single: bool, yes: bool) -> Result<(), Failure> {
    if single && let [(id, name)] = plan.items.as_slice() {
        return yes_no(ctx, does, &named(id, name), &plan.profile, yes);
    }
    let n = plan.items.len();
    let whom = format!("{n} {}", plan.target.plural());
    if yes {
        return Ok(());
    }
    if !ctx.terminal.can_ask() {
        return Err(refused(does, &whom, &plan.profile));
    }
    let mut text = format!(
        "{} {whom} on {}\n(each read fresh first, {} at a time):\n",
        capitalised(does),
        plan.profile,
        plan.concurrency
    );
    for (id, name) in plan.items.iter().take(FIRST_NAMES) {
        text.push_str(&format!("  {}\n", named(id, name)));
    }
    if n > FIRST_NAMES {
        text.push_str(&format!("  … and {} more\n", n - FIRST_NAMES));
    }
    text.push_str(&format!("Type {n} to start, anything else cancels: "));
    if answer(&text)? == n.to_string() {
        Ok(())
    } else {
        Err(Failure::usage("cancelled: nothing sent"))
    }
}

/// Ask before one change (`does` to `whom` on `profile`) unless `yes`.
pub fn yes_no(ctx: &Ctx, does: &str, whom: &str, profile: &str, yes: bool) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !ctx.terminal.can_ask() {
        return Err(refused(does, whom, profile));
    }
    let question = format!("{} {whom} on {profile}? [y/N] ", capitalised(does));
    if matches!(answer(&question)?.as_str(), "y" | "Y" | "yes" | "Yes") {
        Ok(())
    } else {
        Err(Failure::usage("cancelled: nothing sent"))
    }
}

/// Say `question` on stderr (cleaned: it quotes names from the server) and read a line.
fn answer(question: &str) -> Result<String, Failure> {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(crate::sanitize::text(question).as_bytes());
    let _ = err.flush();
    drop(err);
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

fn refused(does: &str, whom: &str, profile: &str) -> Failure {
    Failure::usage(format!(
        "refused: this would {does} {whom} on {profile} and there is no terminal to ask: \
         nothing sent (--yes does it without asking, --dry-run shows the requests)"
    ))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A run's progress on one line of stderr, redrawn in place, when stderr is a terminal.
pub struct Progress {
    line: ProgressLine,
    /// The subcommand, leading the line.
    name: String,
}

impl Progress {
    pub fn new(terminal: bool, name: &str) -> Progress {
        Progress {
            line: ProgressLine::new(terminal),
            name: name.to_string(),
        }
    }

    pub fn show(&mut self, run: &Run) {
        if !self.line.is_on() || run.len() < 2 {
            return;
        }
        let c = &run.counts;
        self.line.show(format!(
            "{}: {}/{} · {} done · {} failed · {} skipped{}",
            self.name,
            c.settled(),
            run.len(),
            c.done(),
            c.failed,
            c.skipped,
            if run.paused_until.is_some() {
                " · held by the server (429)"
            } else {
                ""
            }
        ));
    }

    pub fn done(&mut self) {
        self.line.keep();
    }
}
