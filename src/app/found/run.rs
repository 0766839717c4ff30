//! One `:find` run and what each profile answered so far.

use crate::app::model::{ErrorInfo, Hit, Provider};

/// One `:find` and what each profile answered.
#[derive(Debug, Clone, PartialEq)]
pub struct FindRun {
    pub run: u64,
    pub text: String,
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub profile: String,
    pub provider: Provider,
    pub answer: Answer,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Searching,
    Failed(ErrorInfo),
    Hits(Vec<Hit>),
}
