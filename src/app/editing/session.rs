//! An open editor as the state holds it: what it edits, its text, where it is in its life
//! (loading, editing, checking, in conflict, sending), and its draft file's format.

use crossterm::event::KeyEvent;
use serde_json::Value;

use crate::app::change::types::Field;
use crate::app::model::{ObjectKind, scoped_user};
use crate::app::provider::{core, headless, kratos};
use crate::editor::{DiffLine, EditBuffer, Editor, JsonEditor, JsonPatchEditor};

/// What a save changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget {
    NewIdentity,
    Identity {
        id: String,
    },
    IdentityPatch {
        id: String,
    },
    CoreClaims {
        user: String,
    },
    ClientMetadata {
        client: String,
    },
    /// A Coassemble user (identifiers are unique within a client, so the client goes along).
    HeadlessUser {
        user: String,
        client: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub enum EditorBox {
    Json(JsonEditor),
    Patch(JsonPatchEditor),
}

impl Editor for EditorBox {
    fn buffer(&self) -> &EditBuffer {
        match self {
            EditorBox::Json(e) => e.buffer(),
            EditorBox::Patch(e) => e.buffer(),
        }
    }
}

impl EditorBox {
    pub(super) fn input(&mut self, key: KeyEvent) -> bool {
        match self {
            EditorBox::Json(e) => e.input(key),
            EditorBox::Patch(e) => e.input(key),
        }
    }

    pub(super) fn text(&self) -> String {
        match self {
            EditorBox::Json(e) => e.text(),
            EditorBox::Patch(e) => e.text(),
        }
    }

    pub(super) fn set_error(&mut self, error: Option<String>) {
        match self {
            EditorBox::Json(e) => e.set_error(error),
            EditorBox::Patch(e) => e.set_error(error),
        }
    }

    pub(super) fn set_hint(&mut self, hint: String) {
        match self {
            EditorBox::Json(e) => e.buffer_mut().set_hint(hint),
            EditorBox::Patch(e) => e.buffer_mut().set_hint(hint),
        }
    }

    pub(super) fn paste(&mut self, text: &str) -> bool {
        match self {
            EditorBox::Json(e) => e.paste(text),
            EditorBox::Patch(e) => e.paste(text),
        }
    }

    pub(super) fn restore_draft(&mut self, text: &str) {
        match self {
            EditorBox::Json(e) => e.restore_draft(text),
            EditorBox::Patch(e) => e.restore_draft(text),
        }
    }
}

/// Input that arrived before the editor was ready.
#[derive(Debug, Clone)]
pub(super) enum Typed {
    Key(KeyEvent),
    Paste(String),
}

/// Where an editor is in its life.
#[derive(Debug, Clone)]
pub enum Phase {
    /// Waiting for the fresh copy of the object and for its draft.
    Loading,
    /// The fresh copy could not be read: there is nothing safe to edit.
    Unavailable,
    Editing,
    /// The patch does something hard to undo (removes a credential, deactivates): it was
    /// described and waits for `y` before anything is read or sent.
    ConfirmRisky {
        value: Value,
    },
    /// Reading the object again just before writing (`seq` of that read).
    Checking {
        seq: u64,
        value: Value,
        /// The text as it was at Ctrl-s (typing goes on meanwhile).
        text: String,
    },
    /// The object changed since the base: nothing was sent; the user chooses.
    Conflict(Box<Conflict>),
    /// The change is out as `seq` (see `State::changes`); typing goes on and is kept.
    Sending {
        seq: u64,
    },
}

/// The three-way view: what the server changed since the base, what the user changed.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The server's object as just read.
    pub theirs: Value,
    /// What the user wants to send (a value, or the patch).
    pub mine: Value,
    pub theirs_diff: Vec<DiffLine>,
    pub mine_diff: Vec<DiffLine>,
    /// Paths both changed (or, for a patch, paths it touches that the server changed).
    pub overlaps: Vec<String>,
    /// The answer to a save was lost and the server now holds a third version.
    pub after_lost_answer: bool,
    pub scroll: usize,
}

#[derive(Debug, Clone)]
pub struct EditSession {
    pub target: EditTarget,
    pub editor: EditorBox,
    pub tab: usize,
    pub draft_key: String,
    pub title: String,
    pub phase: Phase,
    /// The object the edit is made from: read when the editor opened, or the one a restored
    /// draft was made from. A save checks that the server still holds it.
    pub base: Option<Value>,
    /// A draft read before the base arrived (`Some(None)`: there is none).
    pub(super) draft: Option<Option<String>>,
    /// `E` was pressed before the editor was ready.
    pub(super) external_when_ready: bool,
    /// Keys typed and text pasted before the editor was ready, replayed once it is.
    pub(super) typeahead: Vec<Typed>,
    /// A patch for every marked identity (`p` on marked rows): Ctrl-s plans it instead of
    /// sending it; the object it opened on only previews it.
    pub bulk: bool,
    /// What the profile's Kratos imports (the examples shown, the checks before a save).
    pub kratos: &'static crate::app::provider::kratos::version::Rules,
}

impl EditSession {
    /// Whether a save of this editor is out or being checked (not settled).
    pub fn saving(&self) -> bool {
        matches!(self.phase, Phase::Checking { .. } | Phase::Sending { .. })
    }
}

/// The first line of a draft file that keeps its base (older drafts are plain text).
const DRAFT_FORMAT: &str = "idtui_draft";

impl EditTarget {
    /// The object an edit starts from and is checked against (none for a create), as the
    /// runtime reads it.
    pub fn object(&self) -> Option<(ObjectKind, String)> {
        match self {
            EditTarget::NewIdentity => None,
            EditTarget::Identity { id } | EditTarget::IdentityPatch { id } => {
                Some((ObjectKind::Kratos(kratos::Object::Identity), id.clone()))
            }
            EditTarget::CoreClaims { user } => {
                Some((ObjectKind::Core(core::Object::User), user.clone()))
            }
            EditTarget::ClientMetadata { client } => Some((
                ObjectKind::Headless(headless::Object::Client),
                client.clone(),
            )),
            EditTarget::HeadlessUser { user, client } => Some((
                ObjectKind::Headless(headless::Object::User),
                scoped_user(user, client.as_deref()),
            )),
        }
    }

    /// What editing `kind`/`id` (`raw`, named `who` for people) on `profile` edits, the
    /// editor's title and its draft key: the whole identity, or a JSON Patch of it (`patch`,
    /// for `bulk` marked identities when given), MATTR claims, Coassemble metadata or user.
    pub fn for_object(
        profile: &str,
        kind: ObjectKind,
        id: &str,
        raw: &Value,
        who: &str,
        patch: bool,
        bulk: Option<usize>,
    ) -> Result<(EditTarget, String, String), String> {
        let id = id.to_string();
        Ok(match (kind, patch) {
            (ObjectKind::Kratos(kratos::Object::Identity), false) => (
                EditTarget::Identity { id: id.clone() },
                format!("identity {who}"),
                format!("{profile}-identity-{id}"),
            ),
            (ObjectKind::Kratos(kratos::Object::Identity), true) => match bulk {
                Some(n) => (
                    EditTarget::IdentityPatch { id: id.clone() },
                    format!(
                        "JSON Patch for the {n} marked identities (previewed on {who}; test ops: \
                         preconditions each must meet)"
                    ),
                    format!("{profile}-bulk-patch"),
                ),
                None => (
                    EditTarget::IdentityPatch { id: id.clone() },
                    format!("JSON Patch for identity {who}"),
                    format!("{profile}-patch-{id}"),
                ),
            },
            (ObjectKind::Core(core::Object::User), false) => (
                EditTarget::CoreClaims { user: id.clone() },
                format!("claims of user {who}"),
                format!("{profile}-claims-{id}"),
            ),
            (ObjectKind::Headless(headless::Object::Client), false) => (
                EditTarget::ClientMetadata { client: id.clone() },
                format!("metadata of client {who}"),
                format!("{profile}-client-{id}"),
            ),
            (ObjectKind::Headless(headless::Object::User), false) => {
                let client = raw
                    .get("clientIdentifier")
                    .and_then(Value::as_str)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string);
                let (title, key) = match &client {
                    Some(c) => (
                        format!("user {who} of client {c}"),
                        format!("{profile}-user-{c}-{id}"),
                    ),
                    None => (format!("user {who}"), format!("{profile}-user-{id}")),
                };
                (
                    EditTarget::HeadlessUser {
                        user: id.clone(),
                        client,
                    },
                    title,
                    key,
                )
            }
            (_, true) => return Err("p: JSON Patch applies to Kratos identities".into()),
            _ => return Err(format!("e: a {} cannot be edited here", kind.label())),
        })
    }

    /// The id the change locks (see `change::objects_of`).
    pub(super) fn lock(&self, draft_key: &str) -> String {
        match self {
            EditTarget::NewIdentity => format!("new:{draft_key}"),
            EditTarget::Identity { id } | EditTarget::IdentityPatch { id } => id.clone(),
            EditTarget::CoreClaims { user } | EditTarget::HeadlessUser { user, .. } => user.clone(),
            EditTarget::ClientMetadata { client } => client.clone(),
        }
    }

    /// The part of the object the edit is about.
    pub fn field(&self) -> Field {
        match self {
            EditTarget::NewIdentity | EditTarget::Identity { .. } => Field::IdentityBody,
            EditTarget::IdentityPatch { .. } => Field::IdentityBody,
            EditTarget::CoreClaims { .. } => Field::CoreClaims,
            EditTarget::ClientMetadata { .. } => Field::ClientMetadata,
            EditTarget::HeadlessUser { .. } => Field::HeadlessUser,
        }
    }

    /// What the document must look like beyond being JSON (the editor says why not).
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let EditTarget::HeadlessUser { .. } = self else {
            return Ok(());
        };
        let Some(doc) = value.as_object() else {
            return Err("a user is an object: {\"name\", \"avatar\", \"metadata\"}".into());
        };
        for (k, v) in doc {
            match (k.as_str(), v) {
                ("name" | "avatar", Value::String(_) | Value::Null) => {}
                ("metadata", Value::Object(_)) => {}
                ("name" | "avatar", _) => return Err(format!("{k} must be a string or null")),
                ("metadata", _) => return Err("metadata must be an object".into()),
                (other, _) => {
                    return Err(format!(
                        "{other}: only name, avatar and metadata can be changed here"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The draft as written to disk: the text and the base it was made from.
pub(super) fn draft_text(session: &EditSession) -> String {
    serde_json::json!({
        DRAFT_FORMAT: 1,
        "base": session.base,
        "text": session.editor.text(),
    })
    .to_string()
}

/// A draft file's text and base (`None`: a plain-text draft from an older version).
pub fn parse_draft(file: &str) -> (String, Option<Value>) {
    match crate::api::json::from_str::<Value>(file) {
        Ok(v) if v.get(DRAFT_FORMAT).is_some() => (
            v.get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            v.get("base").filter(|b| !b.is_null()).cloned(),
        ),
        _ => (file.to_string(), None),
    }
}
