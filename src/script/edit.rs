//! `idtui edit WHO`: the part of the object the dashboard's `e` edits (a Kratos identity,
//! MATTR claims, Coassemble metadata or user), read fresh and opened in `$VISUAL` /
//! `$EDITOR`, then saved as the editor saves: nothing when nothing changed, a read just
//! before sending, and a refusal (exit 4) when someone else changed it meanwhile. The text
//! lives in a private draft file while it is edited; when it cannot be saved it stays
//! there, with the copy it was made from, and the next `idtui edit WHO` starts from it and
//! is checked against that copy.

use serde_json::{Value, json};

use crate::app::change::flow::{BeforeSend, before_send};
use crate::app::change::{Change, Outcome, Stage};
use crate::app::editing::EditTarget;
use crate::app::editing::outgoing::outgoing;
use crate::cli::{EditArgs, OutputFormat};
use crate::drafts::DraftStore;
use crate::runtime::external_editor;

use super::exit::{Code, Failure};
use super::settle::{self, Ended};
use super::{Ctx, ask, who};

pub async fn edit(ctx: &Ctx, args: &EditArgs) -> Result<(), Failure> {
    let candidates = ctx.candidates(|_| true, "")?;
    let (profile, found) = who::resolve_any(
        &ctx.backends,
        &candidates,
        &args.who,
        true,
        who::Copy::Fresh,
    )
    .await?;
    let (target, title, key) = EditTarget::for_object(
        &profile.name,
        found.kind,
        &found.row.id,
        &found.row.raw,
        &found.label,
        false,
        None,
    )
    .map_err(|why| Failure::usage(why.trim_start_matches("e: ").to_string()))?;
    if !args.change.dry_run {
        super::refuse_if_read_only(ctx, &profile, "edit", &found.label)?;
    }
    let drafts = DraftStore::new(DraftStore::default_dir());
    let (key, base_key) = (format!("cli-{key}"), format!("cli-{key}.base"));
    let field = target.field();
    let kept = |why: String| {
        Failure::error(format!(
            "{why}; your text is kept in {} and the next `idtui edit` of {} starts from it",
            drafts.path_for(&key).display(),
            found.label
        ))
    };
    // An edit an earlier run could not save is where this one starts, judged against the
    // copy it was made from.
    let leftover = match (drafts.load(&key), drafts.load(&base_key)) {
        (Ok(Some(text)), Ok(Some(base))) => serde_json::from_str::<Value>(&base)
            .ok()
            .map(|base| (base, text)),
        _ => None,
    };
    let (base, start) = match leftover {
        Some((base, text)) => {
            super::say(&format!(
                "starting from the unsaved edit of {} left by an earlier run ({})",
                found.label,
                drafts.path_for(&key).display()
            ));
            (base, text)
        }
        None => {
            let base = (*found.row.raw).clone();
            let text = serde_json::to_string_pretty(&field.of(&base)).unwrap_or_default() + "\n";
            (base, text)
        }
    };
    drafts
        .save(&base_key, &base.to_string())
        .map_err(|e| Failure::error(format!("cannot keep the copy being edited: {e}")))?;
    super::say(&format!(
        "editing {title} in `{}`",
        external_editor::editor_command()
    ));
    let text = external_editor::edit(&drafts, &key, &start, false)
        .await
        .map_err(Failure::error)?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| kept(format!("not valid JSON ({e}): nothing sent")))?;
    target
        .check(&value)
        .map_err(|why| kept(format!("{why}: nothing sent")))?;
    let discard = || {
        let _ = drafts.discard(&key);
        let _ = drafts.discard(&base_key);
    };
    if value == field.of(&base) {
        discard();
        super::say("no change from the version read: nothing sent");
        return Ok(());
    }
    let out = outgoing(&target, &base, value.clone(), None);
    let backend = ctx
        .backends
        .get(&profile.name)
        .map_err(|e| Failure::error(e.line))?;
    if args.change.dry_run {
        let line = backend.request_line(&out.mutation);
        let record = json!({
            "id": found.id,
            "name": found.kind.name_of(&found.row).unwrap_or(""),
            "outcome": "would send",
            "request": format!("{} {}", line.method, line.path),
            "change": crate::app::audit::redact_change(&out.audit_change),
            "why": out.mutation.describe(),
        });
        let format = if ctx.terminal.stdout {
            OutputFormat::Table
        } else {
            OutputFormat::Jsonl
        };
        super::print(format, &[super::changes::unscoped(record)])?;
        super::say(&kept("--dry-run: nothing sent".into()).line);
        return Ok(());
    }
    // The read just before sending: someone else's change is never overwritten.
    let theirs = backend
        .get(found.kind, found.id.clone())
        .await
        .map_err(|e| match e.status {
            Some(404) => Failure::new(
                Code::NotFound,
                format!("{} was deleted meanwhile: nothing sent", found.label),
            ),
            _ => kept(format!(
                "nothing sent: the server copy could not be read before saving ({})",
                e.line
            )),
        })?;
    match before_send(field, &base, &theirs.raw, Some(&value)) {
        BeforeSend::Unchanged => {}
        BeforeSend::AlreadyThere => {
            discard();
            super::say("the server already holds exactly your version: nothing sent");
            return Ok(());
        }
        BeforeSend::Conflict => {
            let theirs_changes =
                crate::app::merge::changes(&field.of(&base), &field.of(&theirs.raw));
            let said = serde_json::to_string(&crate::app::audit::redact_change(&Value::Array(
                theirs_changes,
            )))
            .unwrap_or_default();
            let mut failure = kept(format!(
                "{} changed on the server since it was read ({said}): nothing sent",
                found.label
            ));
            failure.code = Code::Conflict;
            return Err(failure);
        }
    }
    let changes = crate::app::merge::changes(&field.of(&base), &value);
    super::say(&format!(
        "your change: {}",
        serde_json::to_string(&crate::app::audit::redact_change(&Value::Array(changes)))
            .unwrap_or_default()
    ));
    if let Err(refused) = ask::yes_no(
        ctx,
        "save the edit of",
        &found.label,
        &profile.name,
        args.change.yes,
    ) {
        return Err(kept(refused.line));
    }
    let change = Change {
        tab: 0,
        profile: profile.name.clone(),
        provider: profile.provider,
        mutation: out.mutation,
        subject: Some(found.label.clone()),
        expect: out.expect,
        audit_change: (!out.audit_change.is_null()).then_some(out.audit_change),
        draft: None,
        batch: None,
        stage: Stage::Sending,
    };
    match settle::send(ctx, change).await {
        Ended::Settled(s) => match s.outcome {
            Outcome::Applied(message) => {
                discard();
                super::say(&format!("saved {}: {message}", found.label));
                Ok(())
            }
            Outcome::Failed(e) => {
                let mut failure = kept(format!("not saved: {}", e.line));
                failure.code = match e.status {
                    Some(404) => Code::NotFound,
                    Some(409) => Code::Conflict,
                    _ => Code::Error,
                };
                Err(failure)
            }
            Outcome::Unknown(why) => {
                let mut failure = kept(why);
                failure.code = Code::Unknown;
                Err(failure)
            }
        },
        Ended::Unknown(why) => {
            let mut failure = kept(why);
            failure.code = Code::Unknown;
            Err(failure)
        }
    }
}
