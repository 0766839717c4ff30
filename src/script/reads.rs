//! The subcommands that only read: `list`, `get`, `find`, `sessions`, `export`.

use crate::cli::{ExportArgs, FindArgs, GetArgs, ListArgs, SessionsArgs};

use super::{Ctx, Failure};

pub async fn list(_ctx: &Ctx, _args: &ListArgs) -> Result<(), Failure> {
    Err(Failure::error("list: being built"))
}

pub async fn get(_ctx: &Ctx, _args: &GetArgs) -> Result<(), Failure> {
    Err(Failure::error("get: being built"))
}

pub async fn find(_ctx: &Ctx, _args: &FindArgs) -> Result<(), Failure> {
    Err(Failure::error("find: being built"))
}

pub async fn sessions(_ctx: &Ctx, _args: &SessionsArgs) -> Result<(), Failure> {
    Err(Failure::error("sessions: being built"))
}

pub async fn export(_ctx: &Ctx, _args: &ExportArgs) -> Result<(), Failure> {
    Err(Failure::error("export: being built"))
}
