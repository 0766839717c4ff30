//! Changes in flight, from the moment one is sent until its outcome is known: applied,
//! failed or unknown. One change per object at a time; a lost answer is settled by reading
//! the object again before anything can be sent again; every step goes to the audit trail.

use serde_json::Value;

use super::action::{Done, Effect, Mutation};
use super::audit::{AuditEntry, AuditOutcome};
use super::model::{ErrorInfo, ListKind, ObjectKind, PageCursor, PageData, Provider, Row};
use super::state::{IssuedView, Pending, State};

/// How the answer to a create starts; the new identity's id follows.
pub const CREATED: &str = "created identity ";

/// What a re-read must show for the change to count as applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// A body replaced (PUT) or patched: `field` of the object reads `after` when the change
    /// landed and `before` when it did not.
    Value {
        kind: ObjectKind,
        id: String,
        field: Field,
        before: Value,
        after: Value,
    },
    /// The object no longer exists.
    Gone { kind: ObjectKind, id: String },
    /// Each session reads as inactive (or no longer exists).
    SessionsRevoked { sessions: Vec<String> },
    /// The identity has no active session left.
    NoActiveSession { identity: String },
    /// An identity with these traits can be found by `identifier`.
    Created {
        identifier: Option<String>,
        traits: Value,
    },
    /// A credential (or one link of it) reads as deleted: gone, or, for a password, without
    /// its hash (`credentials::deleted`). `id` is a `credentials::CredentialRef` id.
    CredentialGone { id: String },
    /// No read can tell whether the change landed (credentials imported by a PUT that
    /// changed nothing else: a re-read cannot see a password): a lost answer settles as
    /// unknown at once, releasing the object, and says why.
    Unverifiable { why: String },
    /// The identity's verifiable address `address` reads `verified`.
    AddressVerified {
        identity: String,
        address: String,
        verified: bool,
    },
    /// The session's `expires_at` is no longer `before`.
    Extended {
        session: String,
        before: Option<String>,
    },
    /// Nothing on the server tells whether it landed, and it is not idempotent (a recovery
    /// link or code): a lost answer is reported as unknown at once and never resent; the
    /// user makes another one if needed.
    NotRereadable,
}

/// The part of an object an editor changes, so a re-read compares only that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The fields of a Kratos identity a PUT takes.
    IdentityBody,
    CoreClaims,
    ClientMetadata,
    /// A Coassemble user's `name`, `avatar` and `metadata` (see [`headless_user_body`]).
    HeadlessUser,
}

impl Field {
    pub fn of(self, raw: &Value) -> Value {
        match self {
            Field::IdentityBody => identity_body(raw),
            Field::CoreClaims => raw
                .get("claims")
                .cloned()
                .unwrap_or(Value::Object(Default::default())),
            Field::ClientMetadata => raw
                .get("metadata")
                .cloned()
                .unwrap_or(Value::Object(Default::default())),
            Field::HeadlessUser => headless_user_body(raw),
        }
    }
}

/// What the Coassemble user editor edits: `name` and `avatar` (which Coassemble calls
/// shorthands for `metadata.name` and `metadata.avatar`, so they are read from there when
/// the user has no top-level copy) and the rest of `metadata`. A save sends all three, the
/// whole metadata included: Coassemble's documents disagree on whether `PUT /user` merges
/// metadata or replaces it (the sandbox replaces, as `api/` records), and a full object
/// stores the same result either way.
pub fn headless_user_body(raw: &Value) -> Value {
    let mut metadata = raw
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut shorthand = |key: &str| {
        let inside = metadata.remove(key);
        raw.get(key)
            .filter(|v| !v.is_null())
            .cloned()
            .or(inside)
            .unwrap_or(Value::Null)
    };
    let name = shorthand("name");
    let avatar = shorthand("avatar");
    serde_json::json!({"name": name, "avatar": avatar, "metadata": metadata})
}

/// The fields of a Kratos identity a PUT takes (the rest is server-managed).
pub fn identity_body(raw: &Value) -> Value {
    let mut body = serde_json::Map::new();
    for key in [
        "schema_id",
        "state",
        "traits",
        "metadata_public",
        "metadata_admin",
        "external_id",
    ] {
        if let Some(v) = raw.get(key).filter(|v| !v.is_null()) {
            body.insert(key.to_string(), v.clone());
        }
    }
    Value::Object(body)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// The request is out; no answer yet.
    Sending,
    /// The answer was lost; re-reads are out (`waiting` answers to come).
    Verifying { waiting: usize, settled: usize },
    /// Neither the answer nor a re-read said whether it landed: nothing is sent to this
    /// object until `r` checks again and finds out.
    Unknown { why: String },
}

/// The editor text a change was saved from (its draft goes once the change is applied).
#[derive(Debug, Clone, PartialEq)]
pub struct SentDraft {
    pub key: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub tab: usize,
    pub profile: String,
    pub provider: Provider,
    pub mutation: Mutation,
    /// Who it is about, as people name them (for the messages when it is over).
    pub subject: Option<String>,
    pub expect: Expect,
    /// What the audit trail records as the change (a patch, a diff, a body).
    pub audit_change: Option<Value>,
    pub draft: Option<SentDraft>,
    pub stage: Stage,
}

impl Change {
    /// The objects this change locks on its profile.
    pub fn objects(&self) -> Vec<String> {
        let mut ids = objects_of(&self.mutation);
        if let (Mutation::CreateIdentity { .. }, Some(d)) = (&self.mutation, &self.draft) {
            ids.push(format!("new:{}", d.key));
        }
        ids
    }

    fn audit(&self, outcome: AuditOutcome) -> AuditEntry {
        AuditEntry::new(
            &self.profile,
            self.provider,
            &self.mutation,
            self.audit_change.as_ref(),
            outcome,
        )
    }
}

/// The ids a mutation writes to.
pub fn objects_of(m: &Mutation) -> Vec<String> {
    match m {
        Mutation::RevokeSession { session } => vec![session.clone()],
        Mutation::RevokeSessions { sessions } => sessions.clone(),
        Mutation::RevokeAllSessions { identity } => vec![format!("sessions-of:{identity}")],
        Mutation::DeleteIdentity { identity }
        | Mutation::DeleteCredential { identity, .. }
        | Mutation::UpdateIdentity { identity, .. }
        | Mutation::PatchIdentity { identity, .. } => vec![identity.clone()],
        Mutation::CreateIdentity { .. } => Vec::new(),
        Mutation::DeleteCoreUser { user }
        | Mutation::UpdateCoreClaims { user, .. }
        | Mutation::DeleteHeadlessUser { user, .. } => vec![user.clone()],
        Mutation::DeleteClient { client } | Mutation::UpdateClientMetadata { client, .. } => {
            vec![client.clone()]
        }
        Mutation::UpdateHeadlessUser { user, .. } => vec![user.clone()],
        Mutation::SetAddressVerified { identity, .. } => vec![identity.clone()],
        Mutation::ExtendSession { session } => vec![session.clone()],
        Mutation::CreateRecoveryLink { identity, .. }
        | Mutation::CreateRecoveryCode { identity, .. } => vec![format!("recovery-of:{identity}")],
    }
}

/// Why nothing may be sent to `object` on `profile` now, if a change to it is unsettled.
pub fn busy(state: &State, profile: &str, object: &str) -> Option<String> {
    let change = state
        .changes
        .values()
        .find(|c| c.profile == profile && c.objects().iter().any(|o| o == object))?;
    let what = change.mutation.describe();
    Some(match &change.stage {
        Stage::Sending => format!("busy: “{what}” is still waiting for its answer"),
        Stage::Verifying { .. } => {
            format!("busy: the answer to “{what}” was lost; checking whether it was applied")
        }
        Stage::Unknown { .. } => format!(
            "refused: whether “{what}” was applied is unknown; r checks again before anything is resent"
        ),
    })
}

/// Issue `change` and return its seq, unless an unsettled change holds one of its objects
/// (then say so in the status bar). The audit trail gets a `sent` line first.
pub fn send(state: &mut State, change: Change, effects: &mut Vec<Effect>) -> Option<u64> {
    for object in change.objects() {
        if let Some(why) = busy(state, &change.profile, &object) {
            state.flash = Some(why);
            return None;
        }
    }
    let seq = state.fresh_seq();
    state.pending.insert(
        seq,
        Pending::Mutation {
            tab: change.tab,
            mutation: change.mutation.clone(),
        },
    );
    effects.push(Effect::Audit(change.audit(AuditOutcome::Sent)));
    effects.push(Effect::Mutate {
        seq,
        profile: change.profile.clone(),
        mutation: change.mutation.clone(),
    });
    state.changes.insert(seq, change);
    Some(seq)
}

/// The change a confirmation sends: no editor, and what a re-read must show.
pub fn plain(state: &State, tab: usize, mutation: Mutation) -> Option<Change> {
    let t = state.tabs.get(tab)?;
    let expect = match &mutation {
        Mutation::RevokeSession { session } => Expect::SessionsRevoked {
            sessions: vec![session.clone()],
        },
        Mutation::RevokeSessions { sessions } => Expect::SessionsRevoked {
            sessions: sessions.clone(),
        },
        Mutation::RevokeAllSessions { identity } => Expect::NoActiveSession {
            identity: identity.clone(),
        },
        Mutation::DeleteIdentity { identity } => Expect::Gone {
            kind: ObjectKind::Identity,
            id: identity.clone(),
        },
        Mutation::DeleteCredential {
            identity,
            kind,
            identifier,
        } => Expect::CredentialGone {
            id: super::credentials::CredentialRef::new(identity, kind, identifier.as_deref()).id(),
        },
        Mutation::DeleteCoreUser { user } => Expect::Gone {
            kind: ObjectKind::CoreUser,
            id: user.clone(),
        },
        Mutation::DeleteClient { client } => Expect::Gone {
            kind: ObjectKind::HeadlessClient,
            id: client.clone(),
        },
        Mutation::DeleteHeadlessUser { user, client, .. } => Expect::Gone {
            kind: ObjectKind::HeadlessUser,
            id: super::model::scoped_user(user, client.as_deref()),
        },
        Mutation::SetAddressVerified {
            identity,
            address,
            verified,
        } => Expect::AddressVerified {
            identity: identity.clone(),
            address: address.clone(),
            verified: *verified,
        },
        Mutation::CreateRecoveryLink { .. } | Mutation::CreateRecoveryCode { .. } => {
            Expect::NotRereadable
        }
        // Edits are sent by the editors, which know their base; an extension by `:extend`,
        // which knows the expiry it starts from.
        Mutation::UpdateIdentity { .. }
        | Mutation::PatchIdentity { .. }
        | Mutation::CreateIdentity { .. }
        | Mutation::UpdateCoreClaims { .. }
        | Mutation::UpdateClientMetadata { .. }
        | Mutation::UpdateHeadlessUser { .. }
        | Mutation::ExtendSession { .. } => return None,
    };
    Some(Change {
        tab,
        profile: t.profile.name.clone(),
        provider: t.profile.provider,
        subject: None,
        mutation,
        expect,
        audit_change: None,
        draft: None,
        stage: Stage::Sending,
    })
}

/// How a change ended, for the editor it came from and for the status bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Applied(String),
    Failed(ErrorInfo),
    Unknown(String),
}

/// The answer to a change came back.
pub fn on_answer(
    state: &mut State,
    seq: u64,
    result: Result<Done, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    state.pending.remove(&seq);
    let Some(change) = state.changes.remove(&seq) else {
        return;
    };
    state.dirty = true;
    match result {
        Ok(done) => {
            let issued = done.issued.map(|issued| IssuedView {
                subject: change
                    .subject
                    .clone()
                    .unwrap_or_else(|| change.mutation.describe()),
                what: issued_kind(&change.mutation),
                issued,
            });
            settle(state, change, Outcome::Applied(done.message), None, effects);
            if let Some(view) = issued {
                super::issued::show(state, view);
            }
        }
        Err(err) if err.outcome_unknown() && change.expect == Expect::NotRereadable => {
            // The status line leads with what matters; the audit trail and `:error` keep
            // the whole story.
            let what = match &change.subject {
                Some(who) => format!("{} for {who}", issued_kind(&change.mutation)),
                None => change.mutation.describe(),
            };
            let why = format!(
                "{what}: outcome unknown, nothing resent (its answer was lost: {}); one may \
                 have been made, but it cannot be read back or shown: make another if needed \
                 (an earlier one stays valid until it expires)",
                err.line
            );
            settle(state, change, Outcome::Unknown(why), None, effects);
        }
        Err(err) if err.outcome_unknown() => {
            state.flash = Some(format!(
                "the answer to “{}” was lost ({}): reading it again to learn whether it was applied…",
                change.mutation.describe(),
                err.line
            ));
            start_verifying(state, seq, change, effects);
        }
        Err(err) => settle(state, change, Outcome::Failed(err), None, effects),
    }
}

/// What a recovery mutation makes, for messages.
fn issued_kind(m: &Mutation) -> &'static str {
    match m {
        Mutation::CreateRecoveryCode { .. } => "recovery code",
        _ => "recovery link",
    }
}

/// `r`: check again every change whose outcome is still unknown.
pub fn recheck_unknown(state: &mut State, effects: &mut Vec<Effect>) {
    let unknown: Vec<u64> = state
        .changes
        .iter()
        .filter(|(_, c)| matches!(c.stage, Stage::Unknown { .. }))
        .map(|(seq, _)| *seq)
        .collect();
    for seq in unknown {
        if let Some(change) = state.changes.remove(&seq) {
            start_verifying(state, seq, change, effects);
        }
    }
}

/// Read again what tells whether `change` landed; a change no read can tell about is
/// unknown at once.
fn start_verifying(state: &mut State, seq: u64, mut change: Change, effects: &mut Vec<Effect>) {
    if let Expect::Unverifiable { why } = &change.expect {
        let why = format!("outcome unknown: “{}” ({why})", change.mutation.describe());
        return settle(
            state,
            change,
            Outcome::Unknown(why),
            Some("re-read"),
            effects,
        );
    }
    let waiting = probe(state, seq, &change, effects);
    change.stage = Stage::Verifying {
        waiting,
        settled: 0,
    };
    state.changes.insert(seq, change);
    if waiting == 0 {
        on_verify(
            state,
            seq,
            Verdict::CannotTell("there is no identifier to look it up by".into()),
            effects,
        );
    }
}

/// Ask for the reads that tell whether `change` landed; returns how many answers to expect.
fn probe(state: &mut State, change_seq: u64, change: &Change, effects: &mut Vec<Effect>) -> usize {
    let profile = change.profile.clone();
    let mut get = |state: &mut State, kind: ObjectKind, id: &str| {
        let seq = state.fresh_seq();
        state
            .pending
            .insert(seq, Pending::Verify { change: change_seq });
        effects.push(Effect::FetchObject {
            seq,
            profile: profile.clone(),
            kind,
            id: id.to_string(),
        });
    };
    match &change.expect {
        Expect::Value { kind, id, .. } | Expect::Gone { kind, id } => {
            get(state, *kind, id);
            1
        }
        Expect::CredentialGone { id } => {
            get(state, ObjectKind::Credential, id);
            1
        }
        Expect::Unverifiable { .. } => 0,
        Expect::SessionsRevoked { sessions } => {
            for s in sessions {
                get(state, ObjectKind::Session, s);
            }
            sessions.len()
        }
        Expect::NoActiveSession { identity } => {
            list(
                state,
                change_seq,
                change,
                effects,
                ListKind::KratosSessions {
                    identity: identity.clone(),
                },
                None,
            );
            1
        }
        Expect::AddressVerified { identity, .. } => {
            get(state, ObjectKind::Identity, identity);
            1
        }
        Expect::Extended { session, .. } => {
            get(state, ObjectKind::Session, session);
            1
        }
        Expect::NotRereadable => 0,
        Expect::Created { identifier, .. } => match identifier {
            Some(id) => {
                list(
                    state,
                    change_seq,
                    change,
                    effects,
                    ListKind::KratosIdentities,
                    Some(id.clone()),
                );
                1
            }
            None => 0,
        },
    }
}

fn list(
    state: &mut State,
    change_seq: u64,
    change: &Change,
    effects: &mut Vec<Effect>,
    list: ListKind,
    search: Option<String>,
) {
    let seq = state.fresh_seq();
    state
        .pending
        .insert(seq, Pending::Verify { change: change_seq });
    effects.push(Effect::FetchPage {
        seq,
        profile: change.profile.clone(),
        list,
        search,
        cursor: PageCursor::First,
        size: 250,
    });
}

/// What one re-read says about a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Applied,
    NotApplied,
    /// The object holds something else: neither the change nor the state before it.
    Neither(Value),
    /// The read itself failed.
    CannotTell(String),
}

/// Judge a re-read of one object (`None`: it does not exist).
pub fn judge_object(expect: &Expect, read: Result<Option<&Value>, &ErrorInfo>) -> Verdict {
    let raw = match read {
        Ok(raw) => raw,
        Err(e) => return Verdict::CannotTell(e.line.clone()),
    };
    match (expect, raw) {
        (Expect::Gone { .. }, None) => Verdict::Applied,
        (Expect::Gone { .. }, Some(_)) => Verdict::NotApplied,
        (Expect::SessionsRevoked { .. }, None) => Verdict::Applied,
        (Expect::SessionsRevoked { .. }, Some(s)) => {
            if s.get("active").and_then(Value::as_bool) == Some(false) {
                Verdict::Applied
            } else {
                Verdict::NotApplied
            }
        }
        (
            Expect::Value {
                field,
                before,
                after,
                ..
            },
            Some(raw),
        ) => {
            let now = field.of(raw);
            if now == *after {
                Verdict::Applied
            } else if now == *before {
                Verdict::NotApplied
            } else {
                Verdict::Neither(raw.clone())
            }
        }
        (Expect::Value { .. }, None) => Verdict::CannotTell("the object no longer exists".into()),
        (Expect::CredentialGone { id }, read) => {
            match super::credentials::CredentialRef::parse(id) {
                Some(target) if super::credentials::deleted(&target, read) => Verdict::Applied,
                Some(_) => Verdict::NotApplied,
                None => Verdict::CannotTell(format!("not a credential: {id}")),
            }
        }
        (Expect::Unverifiable { why }, _) => Verdict::CannotTell(why.clone()),
        (
            Expect::AddressVerified {
                address, verified, ..
            },
            Some(raw),
        ) => {
            let found = raw
                .get("verifiable_addresses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|a| {
                    a.get("value")
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.eq_ignore_ascii_case(address))
                });
            match found
                .and_then(|a| a.get("verified"))
                .and_then(Value::as_bool)
            {
                Some(v) if v == *verified => Verdict::Applied,
                Some(_) => Verdict::NotApplied,
                None => Verdict::CannotTell(format!("the identity has no address {address}")),
            }
        }
        (Expect::Extended { before, .. }, Some(raw)) => {
            let now = raw.get("expires_at").and_then(Value::as_str);
            match (before, now) {
                (Some(b), Some(n)) if b == n => Verdict::NotApplied,
                (Some(_), Some(_)) => Verdict::Applied,
                _ => Verdict::CannotTell("the expiry before the change is unknown".into()),
            }
        }
        (Expect::AddressVerified { .. } | Expect::Extended { .. }, None) => {
            Verdict::CannotTell("it no longer exists".into())
        }
        (Expect::NotRereadable, _) => Verdict::CannotTell("nothing reads it back".into()),
        (Expect::NoActiveSession { .. } | Expect::Created { .. }, _) => {
            Verdict::CannotTell("not a list answer".into())
        }
    }
}

/// Judge a re-read list (sessions of an identity, identities found by identifier).
pub fn judge_list(expect: &Expect, rows: &[Row]) -> Verdict {
    match expect {
        Expect::NoActiveSession { .. } => {
            let active = rows
                .iter()
                .any(|r| r.raw.get("active").and_then(Value::as_bool) != Some(false));
            if active {
                Verdict::NotApplied
            } else {
                Verdict::Applied
            }
        }
        Expect::Created { traits, .. } => {
            if rows.iter().any(|r| r.raw.get("traits") == Some(traits)) {
                Verdict::Applied
            } else {
                Verdict::NotApplied
            }
        }
        _ => Verdict::CannotTell("not an object answer".into()),
    }
}

/// A re-read came back for the change sent as `change_seq`.
pub fn on_verify(state: &mut State, change_seq: u64, verdict: Verdict, effects: &mut Vec<Effect>) {
    let Some(mut change) = state.changes.remove(&change_seq) else {
        return;
    };
    state.dirty = true;
    let Stage::Verifying { waiting, settled } = change.stage.clone() else {
        state.changes.insert(change_seq, change);
        return;
    };
    match verdict {
        Verdict::Applied if waiting > 1 => {
            change.stage = Stage::Verifying {
                waiting: waiting - 1,
                settled: settled + 1,
            };
            state.changes.insert(change_seq, change);
        }
        Verdict::Applied => {
            let message = format!(
                "done: {} (checked by reading it again)",
                change.mutation.describe()
            );
            settle(
                state,
                change,
                Outcome::Applied(message),
                Some("re-read"),
                effects,
            );
        }
        Verdict::NotApplied if settled > 0 || waiting > 1 => {
            // Some of several sessions were revoked: say how far it got, nothing is unknown.
            let total = settled + waiting;
            let mut err = ErrorInfo::new(
                format!(
                    "{}: not all applied (checked by reading again; some of {total} still active)",
                    change.mutation.describe()
                ),
                "re-read after a lost answer",
            );
            err.status = None;
            settle(
                state,
                change,
                Outcome::Failed(err),
                Some("re-read"),
                effects,
            );
        }
        Verdict::NotApplied => {
            let line = format!(
                "not applied: {} (the answer was lost; reading it again shows no change)",
                change.mutation.describe()
            );
            let err = ErrorInfo::new(line.clone(), line);
            settle(
                state,
                change,
                Outcome::Failed(err),
                Some("re-read"),
                effects,
            );
        }
        Verdict::Neither(theirs) => {
            // Someone else changed it too: it cannot be told, but the server copy is known
            // now, so the editor shows it against the user's version instead of resending.
            let why = format!(
                "whether “{}” was applied cannot be told: the server now holds another version",
                change.mutation.describe()
            );
            super::editing::show_server_version(state, &change, theirs);
            settle(
                state,
                change,
                Outcome::Unknown(why),
                Some("re-read"),
                effects,
            );
        }
        Verdict::CannotTell(why) => {
            let why = format!(
                "outcome unknown: “{}” ({why}); r checks again, nothing is resent until then",
                change.mutation.describe()
            );
            effects.push(Effect::Audit(change.audit(AuditOutcome::Unknown)));
            state.flash = Some(why.clone());
            super::editing::outcome_unknown(state, &change, &why);
            change.stage = Stage::Unknown { why };
            state.changes.insert(change_seq, change);
        }
    }
}

/// The page answer to a verification list read.
pub fn on_verify_page(
    state: &mut State,
    change_seq: u64,
    result: Result<PageData, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    let verdict = match (&result, state.changes.get(&change_seq)) {
        (Ok(page), Some(c)) => judge_list(&c.expect, &page.rows),
        (Err(e), _) => Verdict::CannotTell(e.line.clone()),
        (_, None) => return,
    };
    on_verify(state, change_seq, verdict, effects);
}

/// The object answer to a verification read (a 404 means it is gone).
pub fn on_verify_object(
    state: &mut State,
    change_seq: u64,
    result: Result<Row, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    let Some(c) = state.changes.get(&change_seq) else {
        return;
    };
    let verdict = match &result {
        Ok(row) => judge_object(&c.expect, Ok(Some(&row.raw))),
        Err(e) if e.status == Some(404) => judge_object(&c.expect, Ok(None)),
        Err(e) => judge_object(&c.expect, Err(e)),
    };
    on_verify(state, change_seq, verdict, effects);
}

/// The change is over: record it, tell the editor it came from (or drop its draft when the
/// editor is gone), and show the result.
fn settle(
    state: &mut State,
    change: Change,
    outcome: Outcome,
    via: Option<&'static str>,
    effects: &mut Vec<Effect>,
) {
    let (audit, message) = match &outcome {
        Outcome::Applied(m) => (AuditOutcome::Applied, Some(m.clone())),
        Outcome::Failed(e) => (AuditOutcome::Failed, Some(e.line.clone())),
        Outcome::Unknown(why) => (AuditOutcome::Unknown, Some(why.clone())),
    };
    let mut entry = change.audit(audit);
    entry.via = via;
    entry.message = message;
    if let Outcome::Failed(e) = &outcome {
        entry.request_id = e.request_id.clone();
    }
    effects.push(Effect::Audit(entry));
    super::confirm::finished(state, &change, &outcome, effects);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_reread_tells_applied_from_not_applied_from_neither() {
        let expect = Expect::Value {
            kind: ObjectKind::Identity,
            id: "i".into(),
            field: Field::IdentityBody,
            before: json!({"state": "active"}),
            after: json!({"state": "inactive"}),
        };
        let read = |state: &str| {
            judge_object(
                &expect,
                Ok(Some(&json!({"id": "i", "state": state, "updated_at": "x"}))),
            )
        };
        assert_eq!(read("inactive"), Verdict::Applied);
        assert_eq!(read("active"), Verdict::NotApplied);
        assert!(matches!(read("banned"), Verdict::Neither(_)));
        let err = ErrorInfo::new("timeout", "");
        assert!(matches!(
            judge_object(&expect, Err(&err)),
            Verdict::CannotTell(_)
        ));
    }

    #[test]
    fn deletes_and_revokes_are_applied_when_the_object_is_gone_or_inactive() {
        let gone = Expect::Gone {
            kind: ObjectKind::Identity,
            id: "i".into(),
        };
        assert_eq!(judge_object(&gone, Ok(None)), Verdict::Applied);
        assert_eq!(
            judge_object(&gone, Ok(Some(&json!({})))),
            Verdict::NotApplied
        );
        let revoked = Expect::SessionsRevoked {
            sessions: vec!["s".into()],
        };
        assert_eq!(
            judge_object(&revoked, Ok(Some(&json!({"active": false})))),
            Verdict::Applied
        );
        assert_eq!(
            judge_object(&revoked, Ok(Some(&json!({"active": true})))),
            Verdict::NotApplied
        );
        let created = Expect::Created {
            identifier: Some("a@b".into()),
            traits: json!({"email": "a@b"}),
        };
        let row = Row::new("x", vec![], json!({"traits": {"email": "a@b"}}));
        assert_eq!(judge_list(&created, &[row]), Verdict::Applied);
        assert_eq!(judge_list(&created, &[]), Verdict::NotApplied);
    }
}
