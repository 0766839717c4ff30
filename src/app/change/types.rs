//! What a change in flight is: the mutation, the objects it locks, what a re-read must show
//! for it to count as applied, where it stands, and how it ended.

use serde_json::Value;

use crate::app::audit::{AuditEntry, AuditOutcome};
use crate::app::model::{ErrorInfo, ObjectKind, Provider};
use crate::app::mutation::Mutation;
use crate::app::provider::{core, headless, kratos};

/// How the answer to a create starts; the new identity's id follows.
pub const CREATED: &str = "created identity ";

/// What a re-read must show for the change to count as applied.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// The item of a bulk change it is (the run learns how it ended instead of an editor).
    pub batch: Option<BatchItem>,
    pub stage: Stage,
}

/// Item `item` of the bulk change `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchItem {
    pub run: u64,
    pub item: usize,
}

impl Change {
    /// The objects this change locks on its profile.
    pub fn objects(&self) -> Vec<String> {
        let mut ids = objects_of(&self.mutation);
        if let (Mutation::Kratos(kratos::Change::CreateIdentity { .. }), Some(d)) =
            (&self.mutation, &self.draft)
        {
            ids.push(format!("new:{}", d.key));
        }
        ids
    }

    pub(super) fn audit(&self, outcome: AuditOutcome) -> AuditEntry {
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
        Mutation::Kratos(kratos::Change::RevokeSession { session }) => vec![session.clone()],
        Mutation::Kratos(kratos::Change::RevokeSessions { sessions }) => sessions.clone(),
        Mutation::Kratos(kratos::Change::RevokeAllSessions { identity }) => {
            vec![format!("sessions-of:{identity}")]
        }
        Mutation::Kratos(kratos::Change::DeleteIdentity { identity })
        | Mutation::Kratos(kratos::Change::DeleteCredential { identity, .. })
        | Mutation::Kratos(kratos::Change::UpdateIdentity { identity, .. })
        | Mutation::Kratos(kratos::Change::PatchIdentity { identity, .. }) => {
            vec![identity.clone()]
        }
        Mutation::Kratos(kratos::Change::CreateIdentity { .. }) => Vec::new(),
        Mutation::Core(core::Change::DeleteUser { user })
        | Mutation::Core(core::Change::UpdateClaims { user, .. })
        | Mutation::Headless(headless::Change::DeleteUser { user, .. }) => vec![user.clone()],
        Mutation::Headless(headless::Change::DeleteClient { client })
        | Mutation::Headless(headless::Change::UpdateClientMetadata { client, .. }) => {
            vec![client.clone()]
        }
        Mutation::Headless(headless::Change::UpdateUser { user, .. }) => vec![user.clone()],
        Mutation::Kratos(kratos::Change::SetAddressVerified { identity, .. }) => {
            vec![identity.clone()]
        }
        Mutation::Kratos(kratos::Change::ExtendSession { session }) => vec![session.clone()],
        Mutation::Kratos(kratos::Change::CreateRecoveryLink { identity, .. })
        | Mutation::Kratos(kratos::Change::CreateRecoveryCode { identity, .. }) => {
            vec![format!("recovery-of:{identity}")]
        }
    }
}

/// How a change ended, for the editor it came from and for the status bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Applied(String),
    Failed(ErrorInfo),
    Unknown(String),
}
