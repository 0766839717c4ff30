//! `idtui recovery link|code WHO [--expires 30m]`: a Kratos recovery link or code, made
//! through the same lifecycle as the dashboard's `:recovery-link` (asked first, audited;
//! a lost answer is not resent, since what it made cannot be read back) and printed once.

use serde_json::json;

use crate::app::change::{Change, Outcome, Stage, expect_of};
use crate::app::command::looks_like_duration;
use crate::app::model::Provider;
use crate::app::mutation::Mutation;
use crate::app::provider::kratos;
use crate::cli::{RecoveryArgs, RecoveryKind};

use super::exit::{Code, Failure};
use super::settle::{self, Ended};
use super::{Ctx, ask, who};

pub async fn recovery(ctx: &Ctx, args: &RecoveryArgs) -> Result<(), Failure> {
    let candidates = ctx.candidates(
        |p| p == Provider::Kratos,
        "recovery links and codes are Kratos's",
    )?;
    if let Some(e) = &args.expires
        && !looks_like_duration(e)
    {
        return Err(Failure::usage(format!(
            "--expires {e}: expected a duration like 30m, 2h or 1h30m"
        )));
    }
    let (profile, found) = who::resolve_any(
        &ctx.backends,
        &candidates,
        &args.who,
        false,
        who::Copy::AsFound,
    )
    .await?;
    let (identity, expires_in) = (found.id.clone(), args.expires.clone());
    let (mutation, what) = match args.kind {
        RecoveryKind::Link => (
            Mutation::Kratos(kratos::Change::CreateRecoveryLink {
                identity,
                expires_in,
            }),
            "make a recovery link for",
        ),
        RecoveryKind::Code => (
            Mutation::Kratos(kratos::Change::CreateRecoveryCode {
                identity,
                expires_in,
            }),
            "make a recovery code for",
        ),
    };
    let format = super::output_format(&args.output, ctx);
    let name = found.kind.name_of(&found.row).unwrap_or("").to_string();
    let record = |outcome: &str| json!({"id": found.id, "name": name, "outcome": outcome});
    if args.change.dry_run {
        let line = ctx
            .backends
            .get(&profile.name)
            .map(|b| b.request_line(&mutation))
            .map_err(|e| Failure::error(e.line))?;
        let mut r = record("would send");
        r["request"] = format!("{} {}", line.method, line.path).into();
        r["why"] = mutation.describe().into();
        return super::print(format, &[r]);
    }
    super::refuse_if_read_only(ctx, &profile, what, &found.label)?;
    ask::yes_no(ctx, what, &found.label, &profile.name, args.change.yes)?;
    let change = Change {
        tab: 0,
        profile: profile.name.clone(),
        provider: profile.provider,
        expect: expect_of(&mutation).expect("a recovery change has an expectation"),
        mutation,
        subject: Some(found.label.clone()),
        audit_change: None,
        draft: None,
        batch: None,
        stage: Stage::Sending,
    };
    match settle::send(ctx, change).await {
        Ended::Settled(s) => match s.outcome {
            Outcome::Applied(_) => {
                let issued = s
                    .issued
                    .ok_or_else(|| Failure::error("the server answered without a link or code"))?;
                let mut r = record("applied");
                r["link"] = issued.link.into();
                if let Some(code) = issued.code {
                    r["code"] = code.into();
                }
                if let Some(at) = issued.expires_at {
                    r["expires_at"] = at.into();
                }
                super::print(format, &[r])
            }
            Outcome::Failed(e) => Err(Failure::api(what, &e)),
            Outcome::Unknown(why) => Err(Failure::new(Code::Unknown, why)),
        },
        Ended::Unknown(why) => Err(Failure::new(Code::Unknown, why)),
    }
}
