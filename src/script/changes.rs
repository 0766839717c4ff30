//! The subcommands that change: `revoke`, `patch`, `set`, `unset`, `delete`, `edit`,
//! `recovery`.

use crate::cli::{DeleteArgs, EditArgs, PatchArgs, RecoveryArgs, RevokeArgs, SetArgs, UnsetArgs};

use super::{Ctx, Failure};

pub async fn revoke(_ctx: &Ctx, _args: &RevokeArgs) -> Result<(), Failure> {
    Err(Failure::error("revoke: being built"))
}

pub async fn patch(_ctx: &Ctx, _args: &PatchArgs) -> Result<(), Failure> {
    Err(Failure::error("patch: being built"))
}

pub async fn set(_ctx: &Ctx, _args: &SetArgs) -> Result<(), Failure> {
    Err(Failure::error("set: being built"))
}

pub async fn unset(_ctx: &Ctx, _args: &UnsetArgs) -> Result<(), Failure> {
    Err(Failure::error("unset: being built"))
}

pub async fn delete(_ctx: &Ctx, _args: &DeleteArgs) -> Result<(), Failure> {
    Err(Failure::error("delete: being built"))
}

pub async fn edit(_ctx: &Ctx, _args: &EditArgs) -> Result<(), Failure> {
    Err(Failure::error("edit: being built"))
}

pub async fn recovery(_ctx: &Ctx, _args: &RecoveryArgs) -> Result<(), Failure> {
    Err(Failure::error("recovery: being built"))
}
