//! The plan of a bulk change as data: what it does, to which objects, and what must be typed
//! to start it (the flow that builds and confirms it is `plan`).

use super::op::{Op, Target};

/// Names the plan lists before "and N more".
pub const FIRST_NAMES: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub tab: usize,
    pub profile: String,
    pub target: Target,
    pub op: Op,
    /// `(id, name)` of each object, in the order they will be changed.
    pub items: Vec<(String, String)>,
    pub concurrency: usize,
    /// What was typed so far to confirm it.
    pub typed: String,
}

impl Plan {
    /// What must be typed to start it.
    pub fn count(&self) -> String {
        self.items.len().to_string()
    }
}
