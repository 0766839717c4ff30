//! The `:` command line's history: the last commands run, oldest first, none twice in a row,
//! and where Up/Down has got to while walking it.

/// Most commands remembered.
const MAX: usize = 100;

#[derive(Debug, Default)]
pub struct History {
    lines: std::collections::VecDeque<String>,
    /// The line Up/Down shows (`None`: a new line is being typed). Always indexes `lines`.
    at: Option<usize>,
}

impl History {
    /// Start from the commands of earlier runs, oldest first (the newest `MAX` are kept).
    pub fn seed(&mut self, lines: impl IntoIterator<Item = String>) {
        for line in lines {
            self.record(&line);
        }
        self.at = None;
    }

    /// Remember a command that was run, and start the next walk from the newest.
    pub fn record(&mut self, line: &str) {
        self.at = None;
        if self.lines.back().map(String::as_str) != Some(line) {
            self.lines.push_back(line.to_owned());
            if self.lines.len() > MAX {
                self.lines.pop_front();
            }
        }
    }

    /// A new line is being typed: the next Up starts from the newest command.
    pub fn rewind(&mut self) {
        self.at = None;
    }

    /// Up: the command before the one shown (the newest first), or `None` with none.
    pub fn older(&mut self) -> Option<&str> {
        let at = match self.at {
            Some(p) => p.saturating_sub(1),
            None => self.lines.len().checked_sub(1)?,
        };
        self.at = Some(at);
        self.lines.get(at).map(String::as_str)
    }

    /// Down: the command after the one shown, or `None` past the newest (an empty line).
    pub fn newer(&mut self) -> Option<&str> {
        match self.at {
            Some(p) if p + 1 < self.lines.len() => {
                self.at = Some(p + 1);
                self.lines.get(p + 1).map(String::as_str)
            }
            _ => {
                self.at = None;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_and_down_walk_the_commands_run_with_no_repeat_and_a_bounded_length() {
        let mut h = History::default();
        assert_eq!(h.older(), None);
        for line in ["a", "b", "b", "c"] {
            h.record(line);
        }
        assert_eq!(h.older(), Some("c"));
        assert_eq!(h.older(), Some("b"));
        assert_eq!(h.older(), Some("a"));
        assert_eq!(h.older(), Some("a"), "stays on the oldest");
        assert_eq!(h.newer(), Some("b"));
        assert_eq!(h.newer(), Some("c"));
        assert_eq!(h.newer(), None, "past the newest: a new line");
        assert_eq!(h.older(), Some("c"));
        for n in 0..150 {
            h.record(&n.to_string());
        }
        assert_eq!(h.older(), Some("149"), "recording starts the walk afresh");
        for _ in 0..200 {
            h.older();
        }
        assert_eq!(h.older(), Some("50"), "the oldest of the last hundred");
    }
}
