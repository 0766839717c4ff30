//! The subcommands about idtui itself: `completions`, `man`, `config check`.

use crate::cli::{CompletionsArgs, ConfigArgs};

use super::{Failure, Global};

pub fn completions(_global: &Global, _args: &CompletionsArgs) -> Result<(), Failure> {
    Err(Failure::error("completions: being built"))
}

pub fn man() -> Result<(), Failure> {
    Err(Failure::error("man: being built"))
}

pub async fn config(_global: &Global, _args: &ConfigArgs) -> Result<(), Failure> {
    Err(Failure::error("config check: being built"))
}
