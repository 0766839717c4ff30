//! What a WHO argument is looked up for, and which providers can do it at all.

use crate::app::model::Provider;

/// What the person is looked up for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Goto,
    Sessions,
    Credentials,
    Revoke,
    Recovery {
        code: bool,
        expires_in: Option<String>,
    },
    Verify {
        verified: bool,
        address: Option<String>,
    },
}

impl Purpose {
    /// The command, for messages.
    pub fn command(&self) -> &'static str {
        match self {
            Purpose::Goto => ":goto",
            Purpose::Sessions => ":sessions",
            Purpose::Credentials => ":credentials",
            Purpose::Revoke => ":revoke",
            Purpose::Recovery { code: false, .. } => ":recovery-link",
            Purpose::Recovery { code: true, .. } => ":recovery-code",
            Purpose::Verify { verified: true, .. } => ":verify",
            Purpose::Verify {
                verified: false, ..
            } => ":unverify",
        }
    }
}

/// Why `purpose` cannot be done on `provider` at all, before anything is looked up.
pub fn unsupported(provider: Provider, purpose: &Purpose) -> Option<String> {
    let system = provider.system();
    let no_sessions = || format!("{system} has no sessions and no bulk revoke call");
    match (provider, purpose) {
        (Provider::Kratos, _) | (_, Purpose::Goto) => None,
        (_, Purpose::Revoke | Purpose::Sessions) => Some(no_sessions()),
        (Provider::Core, Purpose::Credentials) => None,
        (_, Purpose::Credentials) => Some(format!("{system} users have no credentials here")),
        (_, Purpose::Recovery { .. }) => Some(format!(
            "recovery links and codes are Kratos's: {system} has none"
        )),
        (_, Purpose::Verify { .. }) => Some(format!(
            "verifiable addresses are Kratos's: {system} has none"
        )),
    }
}
