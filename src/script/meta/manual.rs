//! `idtui man`: one manual page, roff, rendered by `clap_mangen` from the same
//! `Cli::command()` that parses the command line: the page's synopsis and options, then each
//! subcommand's usage, arguments and options under its own heading; then the exit statuses
//! of `exit::TABLE`, the environment and the files. `docs/idtui.1` is this output, committed
//! (a test keeps the two the same).

use std::path::PathBuf;

use clap::{Command, CommandFactory};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use crate::cli::Cli;
use crate::script::exit;

/// The whole page.
pub fn page() -> Vec<u8> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let man = Man::new(cmd.clone()).title("IDTUI").manual("User Commands");
    let mut page = Roff::new().render();
    page += &section(&man, Man::render_title);
    page += &section(&man, Man::render_name_section);
    page += &section(&man, Man::render_synopsis_section);
    page += &section(&man, Man::render_description_section);
    page += &rendered(&description());
    page += &section(&man, Man::render_options_section);
    page += &rendered(&subcommands_intro(&cmd));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        subcommand(&mut page, sub);
    }
    page += &rendered(&exit_status());
    page += &rendered(&environment(&cmd));
    page += &rendered(&files());
    page += &section(&man, Man::render_version_section);
    page.into_bytes()
}

type Render = fn(&Man, &mut dyn std::io::Write) -> std::io::Result<()>;

/// One of `clap_mangen`'s sections, without the preamble every rendering starts with (the
/// page has it once, at its top).
fn section(man: &Man, render: Render) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render(man, &mut out);
    without_preamble(String::from_utf8_lossy(&out).into_owned())
}

/// Our own roff, likewise without the preamble.
fn rendered(roff: &Roff) -> String {
    without_preamble(roff.render())
}

fn without_preamble(text: String) -> String {
    let preamble = Roff::new().render();
    match text.strip_prefix(&preamble) {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// `text` set as paragraphs: a blank line starts a new one.
fn paragraphs(roff: &mut Roff, text: &str) {
    for line in text.lines() {
        if line.trim().is_empty() {
            roff.control("PP", []);
        } else {
            roff.text([roman(line)]);
        }
    }
}

fn description() -> Roff {
    let mut roff = Roff::new();
    roff.control("PP", []);
    paragraphs(
        &mut roff,
        "With no subcommand, idtui opens the dashboard on the profiles of its config file, or, \
         with no config file at all, on an embedded sandbox with demo data. Press ? in the \
         dashboard for its keys; idtui keys prints them.\n\
         \n\
         The subcommands do the dashboard's operations for scripts and runbooks, over the same \
         profiles and with the same checks: data on stdout, one line on stderr when something \
         went wrong, and an exit status that says how it ended (EXIT STATUS below).",
    );
    roff
}

fn subcommands_intro(cmd: &Command) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["SUBCOMMANDS"]);
    let globals: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    roff.text([roman(format!(
        "Each subcommand also takes the options above ({}).",
        globals.join(", ")
    ))]);
    roff
}

/// `sub` (and its own subcommands) under a heading naming it as it is typed: what it does,
/// its usage, and its arguments and options, without the global ones said once above.
fn subcommand(page: &mut String, sub: &Command) {
    let shown = sub.clone().mut_args(|a| {
        if a.is_global_set() || a.get_id() == "help" {
            a.hide(true)
        } else {
            a
        }
    });
    let name = shown
        .get_bin_name()
        .unwrap_or_else(|| shown.get_name())
        .to_string();
    let mut head = Roff::new();
    head.control("SS", [name.as_str()]);
    if let Some(about) = shown.get_long_about().or_else(|| shown.get_about()) {
        paragraphs(&mut head, &about.to_string());
    }
    head.control("PP", []);
    *page += &rendered(&head);
    let man = Man::new(shown.clone());
    *page += &without_headings(&section(&man, Man::render_synopsis_section));
    if shown
        .get_arguments()
        .any(|a| !a.is_hide_set() && (a.is_positional() || a.get_long().is_some()))
    {
        *page += &without_headings(&section(&man, Man::render_options_section));
    }
    for nested in shown.get_subcommands().filter(|s| !s.is_hide_set()) {
        subcommand(page, nested);
    }
}

/// A rendered section's `.SH` lines dropped, for its body to sit under a subcommand's `.SS`.
fn without_headings(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with(".SH"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn exit_status() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman(
        "The dashboard and the subcommands end with one of these (a signal that ends the \
         dashboard gives 128 plus its number, as a shell expects):",
    )]);
    for (code, meaning) in exit::TABLE {
        roff.control("TP", []);
        roff.text([bold(code.to_string())]);
        roff.text([roman(*meaning)]);
    }
    roff
}

fn entry(roff: &mut Roff, name: &str, text: &str) {
    roff.control("TP", []);
    roff.text([bold(name)]);
    roff.text([roman(text)]);
}

fn environment(cmd: &Command) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    entry(
        &mut roff,
        "XDG_CONFIG_HOME",
        "Where the config files are looked for, in idtui/ under it (default ~/.config; a \
         relative value is ignored).",
    );
    entry(
        &mut roff,
        "XDG_STATE_HOME",
        "Where idtui keeps its state, in idtui/ under it (default ~/.local/state).",
    );
    entry(
        &mut roff,
        crate::logging::LOG_ENV,
        "What the dashboard writes to its log, as a filter such as debug or idtui::api=trace \
         (default info).",
    );
    entry(
        &mut roff,
        "VISUAL, EDITOR",
        "The editor of idtui edit and of the dashboard's external editor: $VISUAL, else \
         $EDITOR, else vi.",
    );
    entry(
        &mut roff,
        "HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
        "Proxies for the requests to the APIs.",
    );
    entry(
        &mut roff,
        "NO_COLOR",
        "Set and not empty: the dashboard draws without colours.",
    );
    for (path, arg) in env_args(cmd) {
        if let (Some(var), Some(long)) = (arg.get_env(), arg.get_long()) {
            entry(
                &mut roff,
                &var.to_string_lossy(),
                &format!("The value of --{long} of {path}, kept out of the process list."),
            );
        }
    }
    entry(
        &mut roff,
        "token_env, client_secret_env",
        "A profile's secret is read from the environment variable these keys of the config \
         name.",
    );
    roff
}

/// The arguments anywhere in `cmd` that read an environment variable, with the command
/// they belong to.
fn env_args(cmd: &Command) -> Vec<(String, clap::Arg)> {
    let mut found = Vec::new();
    let path = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    for arg in cmd.get_arguments().filter(|a| a.get_env().is_some()) {
        found.push((path.to_string(), arg.clone()));
    }
    for sub in cmd.get_subcommands() {
        found.extend(env_args(sub));
    }
    found
}

/// The last part of `path` (the name the code gives the file), or `fallback`.
fn name_of(path: Option<PathBuf>, fallback: &str) -> String {
    path.as_deref().and_then(|p| p.file_name()).map_or_else(
        || fallback.to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn files() -> Roff {
    let config = "$XDG_CONFIG_HOME/idtui/";
    let state = "$XDG_STATE_HOME/idtui/";
    let mut roff = Roff::new();
    roff.control("SH", ["FILES"]);
    let file = |roff: &mut Roff, dir: &str, name: String, text: &str| {
        roff.control("TP", []);
        roff.text([italic(format!("{dir}{name}"))]);
        roff.text([roman(text)]);
    };
    file(
        &mut roff,
        config,
        name_of(crate::config::Config::default_path(), "config.toml"),
        "The profiles, one [profiles.NAME] table each, secrets named only by reference \
         (token_env, token_file, token_command). --config names another file. With no config \
         file at all idtui uses an embedded sandbox with demo data. idtui config check \
         checks it.",
    );
    file(
        &mut roff,
        config,
        name_of(crate::keymap::Keymap::user_file(), "keybindings.toml"),
        "Keys bound to other actions than the defaults; idtui keys prints the effective map.",
    );
    file(
        &mut roff,
        config,
        name_of(
            crate::column_file::ColumnFile::default_path(),
            "columns.toml",
        ),
        "The columns chosen in the dashboard.",
    );
    file(
        &mut roff,
        state,
        String::new(),
        "idtui's state: directories 0700 and files 0600 whatever the umask, never reached \
         through a symbolic link.",
    );
    file(
        &mut roff,
        state,
        name_of(
            Some(crate::audit_log::AuditLog::default_path()),
            "audit.jsonl",
        ),
        "The audit trail: one JSON line per change sent, by the dashboard or a subcommand.",
    );
    file(
        &mut roff,
        state,
        name_of(
            Some(crate::bulk_journal::BulkJournals::default_dir()),
            "bulk",
        ) + "/",
        "The journals of changes made to a set of identities or users, from which an \
         interrupted one resumes and which keep any item from being changed twice.",
    );
    file(
        &mut roff,
        state,
        name_of(Some(crate::drafts::DraftStore::default_dir()), "drafts") + "/",
        "Edits not saved yet; a draft is kept until it is saved or discarded.",
    );
    file(
        &mut roff,
        state,
        name_of(Some(crate::logging::log_path()), "idtui.log"),
        "The dashboard's log.",
    );
    file(
        &mut roff,
        state,
        name_of(
            Some(crate::command_history::CommandHistory::default_path()),
            "history",
        ),
        "The history of the dashboard's command line.",
    );
    roff
}
