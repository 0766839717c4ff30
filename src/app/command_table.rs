//! The `:` commands as data: one table from which completion, help, the read-only refusal,
//! the providers a command works on and dispatch (an exhaustive match on [`Cmd`]) derive.

use super::model::Provider;

/// Which command a line names: dispatch matches on it exhaustively, so a command added to
/// [`COMMANDS`] does not build until it is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    AllSessions,
    Audit,
    Bulk,
    Columns,
    Credentials,
    Error,
    Export,
    Extend,
    Find,
    Goto,
    Help,
    Mark,
    Profile,
    Quit,
    RecoveryCode,
    RecoveryLink,
    Refresh,
    Revoke,
    Sessions,
    Set,
    Sort,
    State,
    Unset,
    Unverify,
    Verify,
    Watch,
}

/// One command of the `:` line: everything completion, help, the read-only refusal and
/// dispatch know of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    pub id: Cmd,
    pub name: &'static str,
    /// Other names it answers to (`:q`).
    pub aliases: &'static [&'static str],
    /// `WHO`, `[WHO] [EXPIRES]`…; empty when it takes none.
    pub args: &'static str,
    pub about: &'static str,
    /// Its argument names a person, so Tab completes it from the loaded rows.
    pub takes_who: bool,
    /// It needs its argument: without one, it shows its usage.
    pub needs_arg: bool,
    /// What it changes on the server, for the read-only refusal (`None`: it only reads).
    pub changes: Option<&'static str>,
    /// The providers whose profiles it works on; on another it says why not and asks nothing.
    pub providers: &'static [Provider],
}

const ALL_PROVIDERS: &[Provider] = &[Provider::Kratos, Provider::Core, Provider::Headless];
const KRATOS: &[Provider] = &[Provider::Kratos];

const fn cmd(id: Cmd, name: &'static str, args: &'static str, about: &'static str) -> CommandSpec {
    CommandSpec {
        id,
        name,
        aliases: &[],
        args,
        about,
        takes_who: false,
        needs_arg: false,
        changes: None,
        providers: ALL_PROVIDERS,
    }
}

const fn who_cmd(
    id: Cmd,
    name: &'static str,
    args: &'static str,
    about: &'static str,
) -> CommandSpec {
    CommandSpec {
        takes_who: true,
        ..cmd(id, name, args, about)
    }
}

impl CommandSpec {
    const fn needing_arg(self) -> Self {
        CommandSpec {
            needs_arg: true,
            ..self
        }
    }

    const fn changing(self, what: &'static str) -> Self {
        CommandSpec {
            changes: Some(what),
            ..self
        }
    }

    const fn also(self, aliases: &'static [&'static str]) -> Self {
        CommandSpec { aliases, ..self }
    }

    const fn only(self, providers: &'static [Provider]) -> Self {
        CommandSpec { providers, ..self }
    }
}

/// What a WHO argument may be, for help.
pub const WHO_HELP: &str = "WHO: an email, username, id, id prefix (of loaded rows), external id \
     (ext:ID) or Coassemble identifier; several matches open a picker";

/// Commands the command line knows (completion, help, refusal and dispatch), in alphabetical
/// order.
pub const COMMANDS: &[CommandSpec] = &[
    cmd(
        Cmd::AllSessions,
        "all-sessions",
        "[all]",
        "all Kratos sessions (active unless all)",
    )
    .only(KRATOS),
    cmd(
        Cmd::Audit,
        "audit",
        "",
        "the changes sent from here (audit.jsonl)",
    ),
    cmd(
        Cmd::Bulk,
        "bulk",
        "",
        "the bulk change: progress, pause (Esc), resume (Enter), report",
    ),
    cmd(
        Cmd::Columns,
        "columns",
        "",
        "choose, order and add columns (paths like traits.name.last) of the list",
    ),
    who_cmd(
        Cmd::Credentials,
        "credentials",
        "[WHO]",
        "credentials of WHO (or of the selection)",
    )
    .only(&[Provider::Kratos, Provider::Core]),
    cmd(Cmd::Error, "error", "", "the last error in full"),
    cmd(
        Cmd::Export,
        "export",
        "FILE",
        "write the list in view (whole, walked), the marked rows or the open object to FILE \
         (.jsonl, .json, .csv); refuses an existing FILE (:export! replaces it); - copies",
    )
    .also(&["export!"])
    .needing_arg(),
    cmd(
        Cmd::Extend,
        "extend",
        "",
        "extend the selected session (Kratos)",
    )
    .changing("extending sessions")
    .only(KRATOS),
    who_cmd(
        Cmd::Find,
        "find",
        "TEXT",
        "search every profile; Enter opens a hit",
    )
    .needing_arg(),
    who_cmd(
        Cmd::Goto,
        "goto",
        "WHO",
        "open a person (or a Coassemble client)",
    )
    .needing_arg(),
    cmd(Cmd::Help, "help", "", "this help"),
    cmd(
        Cmd::Mark,
        "mark",
        "all|none|invert",
        "mark every row on the server (all), clear the marks, or invert them over loaded rows",
    )
    .needing_arg(),
    cmd(Cmd::Profile, "profile", "NAME", "switch to another profile"),
    cmd(Cmd::Quit, "quit", "", "leave (asks if a draft is unsaved)").also(&["q"]),
    who_cmd(
        Cmd::RecoveryCode,
        "recovery-code",
        "[WHO] [EXPIRES]",
        "a Kratos recovery code; EXPIRES like 30m or 2h (default: the server's, 1h)",
    )
    .changing("creating recovery links and codes")
    .only(KRATOS),
    who_cmd(
        Cmd::RecoveryLink,
        "recovery-link",
        "[WHO] [EXPIRES]",
        "a Kratos recovery link; EXPIRES like 30m or 2h (default: the server's, 1h)",
    )
    .changing("creating recovery links and codes")
    .only(KRATOS),
    cmd(Cmd::Refresh, "refresh", "", "reload the panes in place"),
    who_cmd(
        Cmd::Revoke,
        "revoke",
        "WHO",
        "revoke all active sessions of WHO (y)",
    )
    .needing_arg()
    .changing("revoking sessions")
    .only(KRATOS),
    who_cmd(
        Cmd::Sessions,
        "sessions",
        "[WHO]",
        "sessions of WHO (or of the selection)",
    )
    .only(KRATOS),
    cmd(
        Cmd::Set,
        "set",
        "KEY=JSON",
        "set a metadata key on the marked rows (or the selection); Kratos: public.KEY or admin.KEY",
    )
    .needing_arg()
    .changing("changing metadata"),
    cmd(
        Cmd::Sort,
        "sort",
        "[COLUMN [desc]|none]",
        "sort the loaded rows by a column header (o next column, O reverses)",
    ),
    cmd(
        Cmd::State,
        "state",
        "active|inactive",
        "set the Kratos state of the marked identities (or the selection)",
    )
    .needing_arg()
    .changing("changing identity states")
    .only(KRATOS),
    cmd(
        Cmd::Unset,
        "unset",
        "KEY",
        "remove a metadata key from the marked rows (or the selection)",
    )
    .needing_arg()
    .changing("changing metadata"),
    who_cmd(
        Cmd::Unverify,
        "unverify",
        "[ADDRESS|WHO]",
        "mark a Kratos address unverified",
    )
    .changing("marking addresses")
    .only(KRATOS),
    who_cmd(
        Cmd::Verify,
        "verify",
        "[ADDRESS|WHO]",
        "mark a Kratos address verified",
    )
    .changing("marking addresses")
    .only(KRATOS),
    cmd(
        Cmd::Watch,
        "watch",
        "[SECONDS]",
        "refresh the list in place every N seconds (default 5; Esc stops)",
    ),
];

/// The command named `name` (or one of its aliases), if there is one.
pub fn command(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}
