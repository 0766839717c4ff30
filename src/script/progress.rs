//! One line of progress on stderr, redrawn in place, when stderr is a terminal: the export's
//! and the set's lines alike.

/// The line and whether it is on screen.
#[derive(Debug, Default)]
pub struct ProgressLine {
    on: bool,
    last: Option<String>,
}

impl ProgressLine {
    /// A line that is drawn only when `on` (stderr is a terminal a person watches).
    pub fn new(on: bool) -> ProgressLine {
        ProgressLine { on, last: None }
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Draw `line` over the last one, unless it says the same.
    pub fn show(&mut self, line: String) {
        if !self.on || self.last.as_ref() == Some(&line) {
            return;
        }
        eprint!("\r\x1b[2K{line}");
        self.last = Some(line);
    }

    /// Wipe the line (what follows takes its place).
    pub fn clear(&mut self) {
        if self.last.take().is_some() {
            eprint!("\r\x1b[2K");
        }
    }

    /// Leave the line as it stands, and go on below it.
    pub fn keep(&mut self) {
        if self.last.take().is_some() {
            eprintln!();
        }
    }
}
