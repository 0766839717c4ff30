//! The subcommands that change objects as a bulk change does (`revoke`, `patch`, `set`,
//! `unset`, `delete`): WHO names one object, `--search` every match. Either way the change
//! is a run of the dashboard's bulk machinery (`app::bulk`) driven without a screen
//! (`runtime::unattended`): each object read fresh, its change made from that copy, sent
//! through `settle`, audited and journaled, so a set killed half way is resumed from its
//! journal by the dashboard, and nothing is sent twice. `--dry-run` reads and prints the
//! requests instead; without `--yes` a terminal is asked first, and without a terminal
//! nothing is sent.

use futures::StreamExt;
use serde_json::{Value, json};

use crate::app::bulk::journal::Outcome;
use crate::app::bulk::op::{Op, PRECONDITION_NOT_MET, Prepared, Target};
use crate::app::bulk::plan::Plan;
use crate::app::bulk::run::{CONCURRENCY, Run, Step};
use crate::app::model::{ACTIVE_ONLY, Hit, ListKind, ObjectKind, PageCursor, Provider};
use crate::app::provider::{core, headless, kratos};
use crate::app::state::Count;
use crate::app::{ProfileInfo, State};
use crate::cli::{ChangeArgs, DeleteArgs, OutputArgs, PatchArgs, RevokeArgs, SetArgs, UnsetArgs};
use crate::runtime::export::Walk;
use crate::runtime::unattended::{self, Env};

use super::exit::{Code, Failure};
use super::{Ctx, ask, who};

/// One change subcommand as typed.
struct Request<'a> {
    name: &'static str,
    who: Option<&'a str>,
    search: Option<&'a str>,
    change: &'a ChangeArgs,
    output: &'a OutputArgs,
    /// The providers it works on, and what to say about the others.
    fits: fn(Provider) -> bool,
    only: &'static str,
    /// A Coassemble client can be its object, not only people.
    clients_too: bool,
}

fn kratos_only(p: Provider) -> bool {
    p == Provider::Kratos
}

fn any_provider(_: Provider) -> bool {
    true
}

pub async fn revoke(ctx: &Ctx, args: &RevokeArgs) -> Result<(), Failure> {
    let request = Request {
        name: "revoke",
        who: args.who.as_deref(),
        search: args.whom.search.as_deref(),
        change: &args.change,
        output: &args.output,
        fits: kratos_only,
        only: "sessions are Kratos's",
        clients_too: false,
    };
    act(ctx, request, |_| Ok(Op::RevokeAll)).await
}

pub async fn delete(ctx: &Ctx, args: &DeleteArgs) -> Result<(), Failure> {
    let request = Request {
        name: "delete",
        who: args.who.as_deref(),
        search: args.whom.search.as_deref(),
        change: &args.change,
        output: &args.output,
        fits: any_provider,
        only: "",
        clients_too: true,
    };
    act(ctx, request, |_| Ok(Op::Delete)).await
}

pub async fn patch(ctx: &Ctx, args: &PatchArgs) -> Result<(), Failure> {
    let patch = read_patch(args)?;
    let (tests, patch) = crate::editor::split_preconditions(&patch)
        .map_err(|why| Failure::usage(format!("patch: {why}")))?;
    let request = Request {
        name: "patch",
        who: args.who.as_deref(),
        search: args.whom.search.as_deref(),
        change: &args.change,
        output: &args.output,
        fits: kratos_only,
        only: "JSON Patch is for Kratos identities",
        clients_too: false,
    };
    act(ctx, request, move |_| {
        Ok(Op::Patch {
            tests: tests.clone(),
            patch: patch.clone(),
        })
    })
    .await
}

pub async fn set(ctx: &Ctx, args: &SetArgs) -> Result<(), Failure> {
    let (who, assignment) = who_and(&args.args, args.whom.search.is_some(), "KEY=JSON")?;
    let request = Request {
        name: "set",
        who,
        search: args.whom.search.as_deref(),
        change: &args.change,
        output: &args.output,
        fits: any_provider,
        only: "",
        clients_too: true,
    };
    act(ctx, request, |target| Op::set(target, assignment)).await
}

pub async fn unset(ctx: &Ctx, args: &UnsetArgs) -> Result<(), Failure> {
    let (who, key) = who_and(&args.args, args.whom.search.is_some(), "KEY")?;
    let request = Request {
        name: "unset",
        who,
        search: args.whom.search.as_deref(),
        change: &args.change,
        output: &args.output,
        fits: any_provider,
        only: "",
        clients_too: true,
    };
    act(ctx, request, |target| Op::unset(target, key)).await
}

/// `WHO ARG`, or `ARG` alone with `--search`.
fn who_and<'a>(
    args: &'a [String],
    search: bool,
    arg: &str,
) -> Result<(Option<&'a str>, &'a str), Failure> {
    match (args, search) {
        ([who, value], false) => Ok((Some(who), value)),
        ([value], true) => Ok((None, value)),
        ([_], false) => Err(Failure::usage(format!(
            "expected WHO {arg} (or {arg} with --search TEXT)"
        ))),
        (_, true) => Err(Failure::usage(format!(
            "with --search, give {arg} alone (--search names who)"
        ))),
        _ => Err(Failure::usage(format!("expected WHO {arg}"))),
    }
}

/// The JSON Patch of `--file` (or stdin for `-`) or of the `--op`s.
fn read_patch(args: &PatchArgs) -> Result<Value, Failure> {
    let parse = |text: &str, from: &str| {
        serde_json::from_str::<Value>(text)
            .map_err(|e| Failure::usage(format!("patch: {from} is not valid JSON: {e}")))
    };
    if let Some(file) = &args.file {
        let text = if file.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())?
        } else {
            std::fs::read_to_string(file).map_err(|e| {
                Failure::usage(format!("patch: cannot read {}: {e}", file.display()))
            })?
        };
        return parse(&text, &file.display().to_string());
    }
    let mut ops = Vec::new();
    for op in &args.op {
        match parse(op, "--op")? {
            Value::Array(many) => ops.extend(many),
            one => ops.push(one),
        }
    }
    Ok(Value::Array(ops))
}

/// The whole of a change subcommand: who, the op, the plan, the question, the run, the
/// report.
async fn act(
    ctx: &Ctx,
    request: Request<'_>,
    make_op: impl Fn(&Target) -> Result<Op, String>,
) -> Result<(), Failure> {
    let (profile, target, items) = choose(ctx, &request).await?;
    let op = make_op(&target).map_err(|why| Failure::usage(format!("{}: {why}", request.name)))?;
    if let Some(why) = op.unsupported(&target) {
        return Err(Failure::usage(format!("{}: {why}", request.name)));
    }
    let single = request.search.is_none();
    if items.is_empty() {
        return Err(Failure::new(
            Code::NotFound,
            format!(
                "nothing matches “{}” on {}: nothing sent",
                request.search.unwrap_or_default(),
                profile.name
            ),
        ));
    }
    let format = super::output_format(request.output, ctx);
    if request.change.dry_run {
        let records = dry_run(ctx, &profile, &target, &op, &items).await;
        super::print(format, &records)?;
        return Ok(());
    }
    let mut does = does(&op);
    if op == Op::RevokeAll
        && single
        && let [(id, name)] = items.as_slice()
    {
        match active_sessions(ctx, &profile, id).await {
            Some((0, _)) => {
                let record = json!({"id": id, "name": name, "outcome": "unchanged",
                    "why": "no active session: nothing sent"});
                super::print(format, &[record])?;
                super::say(&format!(
                    "revoke: {} has no active session; nothing sent",
                    crate::app::model::named(id, name)
                ));
                return Ok(());
            }
            Some((n, more)) => does = revoking(n, more),
            None => {}
        }
    }
    super::refuse_if_read_only(ctx, &profile, &does, &count_of(&items, &target))?;
    let plan = Plan {
        tab: ctx
            .infos
            .iter()
            .position(|i| i.name == profile.name)
            .unwrap_or(0),
        profile: profile.name.clone(),
        target,
        op,
        items,
        concurrency: profile.concurrency.unwrap_or(CONCURRENCY),
        typed: String::new(),
    };
    ask::confirm(ctx, &plan, &does, single, request.change.yes)?;
    let (run, ended) = execute(ctx, plan, request.name).await;
    let records = report(&run);
    super::print(format, &records)?;
    if let Some(line) = ended.journal_error {
        return Err(Failure::error(line));
    }
    if ended.abandoned {
        return Err(Failure::new(
            Code::Unknown,
            "stopped without waiting for the changes still out: the next `idtui` start \
             offers the set from its journal, and reads those before sending anything",
        ));
    }
    verdict(&run, request.name, single, ended.interrupted)
}

/// The profile, the list and the objects a change subcommand acts on: WHO's one, or every
/// match of `--search`.
async fn choose(
    ctx: &Ctx,
    request: &Request<'_>,
) -> Result<(ProfileInfo, Target, Vec<(String, String)>), Failure> {
    Ok(match (request.who, request.search) {
        (Some(who), None) => {
            let candidates = ctx.candidates(request.fits, request.only)?;
            let (profile, found) = who::resolve_any(
                &ctx.backends,
                &candidates,
                who,
                request.clients_too,
                who::Copy::AsFound,
            )
            .await?;
            let target = target_of(found.kind).ok_or_else(|| {
                Failure::usage(format!(
                    "{} is a {}: not something to change here",
                    found.label,
                    found.kind.label()
                ))
            })?;
            let name = found.kind.name_of(&found.row).unwrap_or("").to_string();
            (profile, target, vec![(found.id, name)])
        }
        (None, Some(text)) => {
            let profile = ctx.profile_for(request.fits, request.only)?.clone();
            let target = search_target(profile.provider);
            let items = matches(ctx, &profile, &target, text).await?;
            (profile, target, items)
        }
        _ => return Err(Failure::usage("name WHO, or --search TEXT for every match")),
    })
}

/// What a revoke of `n` (or more) active sessions does, for its question.
fn revoking(n: u64, more: bool) -> String {
    let plural = if n == 1 && !more {
        "session"
    } else {
        "sessions"
    };
    format!(
        "revoke the {n}{} active {plural} of",
        if more { "+" } else { "" }
    )
}

/// How many active sessions `identity` has (and whether there may be more), when the server
/// says; as the dashboard counts them before `:revoke` asks.
async fn active_sessions(ctx: &Ctx, profile: &ProfileInfo, identity: &str) -> Option<(u64, bool)> {
    let backend = ctx.backends.get(&profile.name).ok()?;
    let list = ListKind::Kratos(kratos::List::Sessions {
        identity: identity.to_string(),
    });
    let page = backend
        .list(list, Some(ACTIVE_ONLY.to_string()), PageCursor::First, 250)
        .await
        .ok()?;
    match crate::app::session_count::count_of(&page) {
        Count::Known { active, more } => Some((active, more)),
        Count::Counting(_) | Count::Failed(_) => None,
    }
}

/// What `op` does, for questions and messages: "set metadata_public.plan to \"pro\" on".
fn does(op: &Op) -> String {
    match op {
        Op::RevokeAll => "revoke every active session of".into(),
        Op::Delete => "delete".into(),
        Op::State { active } => format!(
            "set the state {} on",
            if *active { "active" } else { "inactive" }
        ),
        Op::Patch { tests, patch } => {
            let n = patch.as_array().map_or(0, Vec::len);
            let ops = if n == 1 { "operation" } else { "operations" };
            match tests.len() {
                0 => format!("apply a JSON Patch of {n} {ops} to"),
                t => format!("apply a JSON Patch of {n} {ops} (after {t} tests) to"),
            }
        }
        Op::Set {
            metadata,
            key,
            value,
        } => format!("set {}.{key} to {value} on", metadata.name()),
        Op::Unset { metadata, key } => format!("remove {}.{key} from", metadata.name()),
    }
}

/// "3 identities" or "ada@example.com".
fn count_of(items: &[(String, String)], target: &Target) -> String {
    match items {
        [(id, name)] if name.is_empty() => id.clone(),
        [(_, name)] => name.clone(),
        _ => format!("{} {}", items.len(), target.plural()),
    }
}

/// What a bulk change calls the list an object of `kind` is on.
fn target_of(kind: ObjectKind) -> Option<Target> {
    Some(match kind {
        ObjectKind::Kratos(kratos::Object::Identity) => Target::KratosIdentities,
        ObjectKind::Core(core::Object::User) => Target::CoreUsers,
        ObjectKind::Headless(headless::Object::Client) => Target::HeadlessClients,
        ObjectKind::Headless(headless::Object::User) => Target::HeadlessUsers,
        _ => return None,
    })
}

/// The people `--search` looks among on a provider (on Coassemble, TEXT names a client:
/// its users, as its API lists them).
fn search_target(provider: Provider) -> Target {
    match provider {
        Provider::Kratos => Target::KratosIdentities,
        Provider::Core => Target::CoreUsers,
        Provider::Headless => Target::HeadlessUsers,
    }
}

fn list_of(target: &Target) -> ListKind {
    match target {
        Target::KratosIdentities => ListKind::Kratos(kratos::List::Identities),
        Target::CoreUsers => ListKind::Core(core::List::Users),
        Target::HeadlessClients => ListKind::Headless(headless::List::Clients),
        Target::HeadlessUsers => ListKind::Headless(headless::List::Users { client: None }),
    }
}

/// `(id, name)` of every object the provider's search for `text` finds, walked as `:mark all`
/// and `idtui list --all` walk (every page tried again after a transient failure).
async fn matches(
    ctx: &Ctx,
    profile: &ProfileInfo,
    target: &Target,
    text: &str,
) -> Result<Vec<(String, String)>, Failure> {
    let kind = target.object();
    let list = list_of(target);
    let size = super::reads::walk_size(&list, profile);
    let mut walk = Walk::new(
        &ctx.backends,
        &ctx.audit,
        &profile.name,
        list,
        Some(text.to_string()),
        size,
    );
    let mut items = Vec::new();
    while let Some(page) = walk
        .next()
        .await
        .map_err(|e| Failure::api(&format!("searching {} for “{text}”", profile.name), &e))?
    {
        for row in page.rows {
            let name = kind.name_of(&row).unwrap_or("").to_string();
            let id = who::object_id(&Hit { kind, row });
            items.push((id, name));
        }
    }
    Ok(items)
}

/// Each item read fresh and its change made, as the run would make it, without sending it.
async fn dry_run(
    ctx: &Ctx,
    profile: &ProfileInfo,
    target: &Target,
    op: &Op,
    items: &[(String, String)],
) -> Vec<Value> {
    let Ok(backend) = ctx.backends.get(&profile.name) else {
        return Vec::new();
    };
    let kind = target.object();
    let concurrency = profile.concurrency.unwrap_or(CONCURRENCY).max(1);
    futures::stream::iter(items.iter().cloned())
        .map(|(id, name)| {
            let backend = backend.clone();
            async move {
                let record = |outcome: &str, why: String| {
                    json!({"id": id, "name": name, "outcome": outcome, "why": why})
                };
                let row = match backend.get(kind, id.clone()).await {
                    Ok(row) => row,
                    Err(e) if e.status == Some(404) => {
                        return record("skipped", crate::app::bulk::GONE.into());
                    }
                    Err(e) => return record("failed", format!("cannot read it: {}", e.line)),
                };
                match op.prepare(target, &id, &row.raw) {
                    Prepared::Send(out) => {
                        let line = backend.request_line(&out.mutation);
                        let mut r = record("would send", String::new());
                        r["request"] = format!("{} {}", line.method, line.path).into();
                        if !out.audit_change.is_null() {
                            r["change"] = crate::app::audit::redact_change(&out.audit_change);
                        }
                        r
                    }
                    Prepared::AlreadyThere(why) => record("unchanged", why),
                    Prepared::Skip(why) => record("skipped", why),
                }
            }
        })
        .buffered(concurrency)
        .map(unscoped)
        .collect()
        .await
}

/// Run the plan with no screen; progress on stderr when it is a terminal.
async fn execute(ctx: &Ctx, plan: Plan, name: &str) -> (Run, unattended::Ended) {
    let mut state = State::new(
        ctx.infos.clone(),
        crate::keymap::Keymap::defaults(),
        ctx.read_only,
    );
    state.select_tab(plan.tab);
    let mut effects = Vec::new();
    crate::app::bulk::plan::begin(&mut state, plan, &mut effects);
    let env = Env {
        backends: &ctx.backends,
        audit: &ctx.audit,
        journals: &ctx.journals,
        read_only: ctx.read_only,
    };
    let mut progress = ask::Progress::new(ctx.terminal.stderr, name);
    let ended = unattended::drive(&mut state, effects, &env, |run| progress.show(run)).await;
    progress.done();
    let run = state.bulk.take().map(|b| *b).expect("begun above");
    (run, ended)
}

/// The run's report, one record per item.
fn report(run: &Run) -> Vec<Value> {
    run.report().into_iter().map(unscoped).collect()
}

/// A Coassemble user's id as people and its API name it: the identifier, and its client
/// beside it (the id inside idtui carries both).
pub fn unscoped(mut record: Value) -> Value {
    let id = record["id"].as_str().unwrap_or("").to_string();
    if let (user, Some(client)) = crate::app::model::split_scoped_user(&id) {
        record["id"] = user.into();
        record["client"] = client.into();
    }
    record
}

/// The exit status of a run: one object says how it ended; a set is done, partly done or
/// unknown.
fn verdict(run: &Run, op: &str, single: bool, interrupted: bool) -> Result<(), Failure> {
    let c = &run.counts;
    if single && let [item] = run.items.as_slice() {
        let Step::Done(outcome) = &item.step else {
            return Err(Failure::new(
                Code::Unknown,
                format!("{op} on {}: not settled", item.label()),
            ));
        };
        let line = format!(
            "{op} on {}: {}: {}",
            item.label(),
            outcome.label(),
            outcome.why()
        );
        return match outcome {
            Outcome::Applied(_) | Outcome::Unchanged(_) => {
                super::say(&line);
                Ok(())
            }
            Outcome::Skipped(why) if why == crate::app::bulk::GONE => {
                Err(Failure::new(Code::NotFound, line))
            }
            Outcome::Skipped(why) if why.starts_with(PRECONDITION_NOT_MET) => {
                Err(Failure::new(Code::Conflict, line))
            }
            Outcome::Unknown(_) => Err(Failure::new(Code::Unknown, line)),
            Outcome::Skipped(_) | Outcome::Failed(_) | Outcome::NotSent(_) => {
                Err(Failure::error(line))
            }
        };
    }
    let mut summary = format!("{op}: {} of {} done", c.done(), run.len());
    let parts = [(c.applied, "applied"), (c.unchanged, "unchanged")];
    let done: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !done.is_empty() {
        summary.push_str(&format!(" ({})", done.join(", ")));
    }
    for (n, what) in [
        (c.failed, "failed"),
        (c.skipped, "skipped"),
        (c.unknown, "unknown"),
        (c.not_sent, "not sent"),
    ] {
        if n > 0 {
            summary.push_str(&format!(", {n} {what}"));
        }
    }
    if c.unknown > 0 {
        return Err(Failure::new(Code::Unknown, summary));
    }
    if c.failed > 0 || c.not_sent > 0 || interrupted {
        let code = if c.done() == 0 {
            Code::Error
        } else {
            Code::Partial
        };
        return Err(Failure::new(code, summary));
    }
    super::say(&summary);
    Ok(())
}
