//! The exit status of a subcommand, as the README and the man page document it, and the one
//! clean line said on stderr when it is not 0.

use crate::app::ErrorInfo;

/// What a subcommand's exit status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    Done = 0,
    Error = 1,
    /// A bad command line, or a change refused without `--yes` and without a terminal.
    Usage = 2,
    NotFound = 3,
    /// The object changed since it was read (`edit`, a `patch` whose `test` ops fail).
    Conflict = 4,
    /// The answer was lost and a re-read could not tell whether the change landed.
    Unknown = 5,
    /// A set where some items failed; the report says which.
    Partial = 6,
}

impl Code {
    pub fn status(self) -> i32 {
        self as i32
    }
}

/// The documented table, for the man page's EXIT STATUS and `--help`.
pub const TABLE: &[(i32, &str)] = &[
    (0, "done"),
    (
        1,
        "error (the server refused, a connection failed, a config problem)",
    ),
    (
        2,
        "usage, or a change refused without --yes where there is no terminal to ask",
    ),
    (3, "not found (no one matches WHO, or the object is gone)"),
    (
        4,
        "conflict: the object changed since it was read (edit, patch with test ops)",
    ),
    (
        5,
        "outcome unknown: the answer was lost and a re-read could not tell",
    ),
    (
        6,
        "partly done: some items of a set failed (the report says which)",
    ),
];

/// The table as the end of `idtui --help` shows it.
pub fn help_text() -> String {
    let mut text = String::from("Exit status:");
    for (code, meaning) in TABLE {
        text.push_str(&format!("\n  {code}  {meaning}"));
    }
    text
}

/// A subcommand that did not end with 0: its status and the line said on stderr.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}")]
pub struct Failure {
    pub code: Code,
    pub line: String,
}

impl Failure {
    pub fn new(code: Code, line: impl Into<String>) -> Failure {
        Failure {
            code,
            line: line.into(),
        }
    }

    pub fn usage(line: impl Into<String>) -> Failure {
        Failure::new(Code::Usage, line)
    }

    pub fn error(line: impl Into<String>) -> Failure {
        Failure::new(Code::Error, line)
    }

    /// A server's or client's error: 404 is "not found", a lost answer to a read is an
    /// error (nothing was changed by it).
    pub fn api(what: &str, e: &ErrorInfo) -> Failure {
        let code = match e.status {
            Some(404) => Code::NotFound,
            _ => Code::Error,
        };
        Failure::new(code, format!("{what}: {}", e.line))
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::error(format!("{e:#}"))
    }
}

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Failure {
        Failure::error(e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::error(e.to_string())
    }
}
