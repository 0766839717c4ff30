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

/// Why `purpose` cannot be done on `provider` at all, before anything is looked up. Which
/// providers a command works on is the command table's to say; this says why, in the
/// provider's terms.
pub fn unsupported(provider: Provider, purpose: &Purpose) -> Option<String> {
    let name = purpose.command().trim_start_matches(':');
    if crate::app::command_table::command(name).is_none_or(|c| c.providers.contains(&provider)) {
        return None;
    }
    let system = provider.system();
    Some(match purpose {
        Purpose::Revoke | Purpose::Sessions => {
            format!("{system} has no sessions and no bulk revoke call")
        }
        Purpose::Credentials => format!("{system} users have no credentials here"),
        Purpose::Recovery { .. } => {
            format!("recovery links and codes are Kratos's: {system} has none")
        }
        Purpose::Verify { .. } => {
            format!("verifiable addresses are Kratos's: {system} has none")
        }
        Purpose::Goto => format!(":{name} does not work on {system}"),
    })
}
