//! What `:export` asks the runtime to do (`Effect::Export`) and what comes back: plain data,
//! below `State`, so the effect and the actions can carry it.

use std::fmt;
use std::sync::Arc;

use crate::app::column::Shown;

use crate::app::model::{ListKind, ObjectKind, Row};

/// The format of an export, named by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One record per line, each as the server sent it.
    Jsonl,
    /// One JSON array of the records.
    Json,
    /// The columns in view, RFC 4180.
    Csv,
}

/// The extensions an export knows, for messages and help.
pub const EXTENSIONS: &str = ".jsonl, .json or .csv";

impl Format {
    /// The format `name` asks for by its extension (any case), if it is one of the three.
    pub fn of_name(name: &str) -> Option<Format> {
        let (_, ext) = name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "jsonl" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Where an export goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file, as typed (`~` is expanded by the runtime); `replace` allows an existing one
    /// to be replaced (`:export!`).
    File { path: String, replace: bool },
    /// The clipboard / tmux buffer (`:export -`), refused over a size limit.
    Clipboard,
}

/// Which records an export writes.
#[derive(Debug, Clone)]
pub enum Source {
    /// A list on the server (or the audit trail), walked to its end page by page as `G`
    /// walks it; `only` keeps the marked rows alone.
    List {
        profile: String,
        kind: ListKind,
        search: Option<String>,
        page_size: usize,
        only: Option<Only>,
    },
    /// One object, read afresh.
    Object {
        profile: String,
        kind: ObjectKind,
        id: String,
    },
    /// Rows the app holds itself (a list it built: `:find` results, a report).
    Rows(Vec<Row>),
}

/// The rows a walk keeps (the marked ones), and how many there are, so it can stop once it
/// has them all. Asked by id only: whatever set the marks are kept in answers it.
#[derive(Clone)]
pub struct Only {
    keeps: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    count: usize,
}

impl Only {
    pub fn new(count: usize, keeps: impl Fn(&str) -> bool + Send + Sync + 'static) -> Only {
        Only {
            keeps: Arc::new(keeps),
            count,
        }
    }

    pub fn keeps(&self, id: &str) -> bool {
        (self.keeps)(id)
    }

    pub fn count(&self) -> usize {
        self.count
    }
}

impl fmt::Debug for Only {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Only({} marked)", self.count)
    }
}

/// One export to run.
#[derive(Debug, Clone)]
pub struct ExportJob {
    /// Its request seq: the runtime stops it (and removes its partial file) once the app no
    /// longer waits for it.
    pub seq: u64,
    pub target: Target,
    pub format: Format,
    /// The columns a CSV shows; `None`: those of the object's own kind.
    pub columns: Option<Vec<Shown>>,
    pub source: Source,
}

/// How an export ended well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub rows: u64,
    /// Records the server sent that could not be read (not written).
    pub left_out: u64,
    pub to: Written,
}

/// Where the records went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The file, its path as written (`~` expanded).
    File(String),
    /// The text to copy (`:export -`), already within the limit and free of controls.
    Clipboard(String),
}

/// The export running, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub seq: u64,
    /// Where it goes, as typed (`clipboard` for `-`).
    pub to: String,
    pub rows: u64,
    pub per_second: u64,
}
