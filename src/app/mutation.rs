//! A change on the server (`Mutation`) and what its answer brings back (`Done`, `Issued`):
//! plain data, named by effects, changes in flight and the audit trail alike. Each provider's
//! changes are its own (`provider::<name>::change`); this is their registry.

pub use super::provider::headless::change::Courses;

/// A change on the server: one of a provider's. Every one is refused in read-only mode by
/// the runtime.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Mutation {
    Kratos(super::provider::kratos::change::Change),
    Core(super::provider::core::change::Change),
    Headless(super::provider::headless::change::Change),
}

impl Mutation {
    /// What is about to happen, naming the target (confirmations and messages).
    pub fn describe(&self) -> String {
        match self {
            Mutation::Kratos(c) => c.describe(),
            Mutation::Core(c) => c.describe(),
            Mutation::Headless(c) => c.describe(),
        }
    }
}

/// A change's answer: a line for the status bar, and what it issued, if anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub message: String,
    pub issued: Option<Issued>,
}

impl From<String> for Done {
    fn from(message: String) -> Done {
        Done {
            message,
            issued: None,
        }
    }
}

impl From<&str> for Done {
    fn from(message: &str) -> Done {
        Done::from(message.to_string())
    }
}

/// A secret a change made for a person to use: a recovery link, and a code with it. Shown
/// once in its own box and copied on request; never in the status bar, the audit trail or a
/// log (`Debug` hides it).
#[derive(Clone, PartialEq)]
pub struct Issued {
    pub link: String,
    pub code: Option<String>,
    pub expires_at: Option<String>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("link", &"<hidden>")
            .field("code", &self.code.as_ref().map(|_| "<hidden>"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
