//! The JSON editors (`e`: identity, claims, client metadata; `p`: Kratos JSON Patch) as part
//! of the state machine: opening one loads its draft, every change is written as a draft,
//! Ctrl-s saves through a mutating `Effect`, and a failed save keeps the editor open with
//! the error so nothing typed is lost.

use crossterm::event::KeyEvent;
use serde_json::{Map, Value};

use crate::editor::{EditBuffer, Editor, JsonEditor, JsonPatchEditor};
use crate::keymap::KeyAction;

use super::action::{Effect, Mutation};
use super::model::ObjectKind;
use super::state::{Pane, State};

/// What a save changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget {
    NewIdentity,
    Identity { id: String },
    IdentityPatch { id: String },
    CoreClaims { user: String },
    ClientMetadata { client: String },
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
    fn input(&mut self, key: KeyEvent) -> bool {
        match self {
            EditorBox::Json(e) => e.input(key),
            EditorBox::Patch(e) => e.input(key),
        }
    }

    fn text(&self) -> String {
        match self {
            EditorBox::Json(e) => e.text(),
            EditorBox::Patch(e) => e.text(),
        }
    }

    fn is_dirty(&self) -> bool {
        match self {
            EditorBox::Json(e) => e.is_dirty(),
            EditorBox::Patch(e) => e.is_dirty(),
        }
    }

    fn set_error(&mut self, error: Option<String>) {
        match self {
            EditorBox::Json(e) => e.set_error(error),
            EditorBox::Patch(e) => e.set_error(error),
        }
    }

    fn set_hint(&mut self, hint: String) {
        match self {
            EditorBox::Json(e) => e.buffer_mut().set_hint(hint),
            EditorBox::Patch(e) => e.buffer_mut().set_hint(hint),
        }
    }

    fn restore_draft(&mut self, text: &str) {
        match self {
            EditorBox::Json(e) => e.restore_draft(text),
            EditorBox::Patch(e) => e.restore_draft(text),
        }
    }
}

#[derive(Debug, Clone)]
pub struct EditSession {
    pub target: EditTarget,
    pub editor: EditorBox,
    pub tab: usize,
    pub draft_key: String,
    /// A save is in flight.
    pub saving: bool,
}

const HINT: &str = "Ctrl-s save · Esc close (draft kept until saved)";

/// The fields of a Kratos identity a PUT takes (the rest is server-managed).
fn identity_body(raw: &Value) -> Value {
    let mut body = Map::new();
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

/// `n`: a new Kratos identity from a template, on a Kratos profile.
pub fn open_new(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(tab) = state.tab() else { return };
    if tab.profile.provider != super::model::Provider::Kratos {
        state.flash = Some("n creates Kratos identities".into());
        return;
    }
    let profile = tab.profile.name.clone();
    let template = serde_json::json!({
        "schema_id": "default",
        "state": "active",
        "traits": {"email": ""},
        "metadata_public": {},
    });
    let editor = EditorBox::Json(JsonEditor::new(
        "new identity",
        format!("{profile}-new-identity"),
        template,
    ));
    start(state, EditTarget::NewIdentity, editor, effects);
}

/// `e` (or `p` when `patch`): open an editor for what is in view.
pub fn open(state: &mut State, patch: bool, effects: &mut Vec<Effect>) {
    let (kind, id, raw) = match state.focused() {
        Some(Pane::Table(t)) => match t.selected_row() {
            Some(r) => (t.kind.object(), r.id.clone(), (*r.raw).clone()),
            None => return,
        },
        Some(Pane::Detail(d)) => (d.kind, d.id.clone(), (*d.raw).clone()),
        None => return,
    };
    let Some(tab) = state.tab() else { return };
    let profile = tab.profile.name.clone();
    let (target, editor) = match (kind, patch) {
        (ObjectKind::Identity, false) => (
            EditTarget::Identity { id: id.clone() },
            EditorBox::Json(JsonEditor::new(
                format!("identity {id}"),
                format!("{profile}-identity-{id}"),
                identity_body(&raw),
            )),
        ),
        (ObjectKind::Identity, true) => (
            EditTarget::IdentityPatch { id: id.clone() },
            EditorBox::Patch(JsonPatchEditor::new(
                format!("JSON Patch for identity {id}"),
                format!("{profile}-patch-{id}"),
            )),
        ),
        (ObjectKind::CoreUser, false) => (
            EditTarget::CoreClaims { user: id.clone() },
            EditorBox::Json(JsonEditor::new(
                format!("claims of user {id}"),
                format!("{profile}-claims-{id}"),
                raw.get("claims")
                    .cloned()
                    .unwrap_or(Value::Object(Map::new())),
            )),
        ),
        (ObjectKind::HeadlessClient, false) => (
            EditTarget::ClientMetadata { client: id.clone() },
            EditorBox::Json(JsonEditor::new(
                format!("metadata of client {id}"),
                format!("{profile}-client-{id}"),
                raw.get("metadata")
                    .cloned()
                    .unwrap_or(Value::Object(Map::new())),
            )),
        ),
        (_, true) => {
            state.flash = Some("p: JSON Patch applies to Kratos identities".into());
            return;
        }
        _ => {
            state.flash = Some(format!("e: a {} cannot be edited here", kind.label()));
            return;
        }
    };
    start(state, target, editor, effects);
}

/// Show `editor` for `target` on the active tab and ask for its saved draft.
fn start(state: &mut State, target: EditTarget, mut editor: EditorBox, effects: &mut Vec<Effect>) {
    editor.set_hint(HINT.into());
    let draft_key = editor.buffer().target_key().to_string();
    state.editor = Some(EditSession {
        target,
        editor,
        tab: state.active,
        draft_key: draft_key.clone(),
        saving: false,
    });
    effects.push(Effect::LoadDraft { key: draft_key });
}

/// `E`: open the same editor as `e` (or `p` on a patch already open) and hand its text to
/// `$EDITOR`. What comes back lands in the editor for review; only `Ctrl-s` sends it.
pub fn open_external(state: &mut State, effects: &mut Vec<Effect>) {
    if state.editor.is_none() {
        open(state, false, effects);
    }
    if let Some(session) = state.editor.as_ref() {
        effects.push(Effect::ExternalEdit {
            key: session.draft_key.clone(),
            text: session.editor.text(),
            prefer_draft: !session.editor.is_dirty(),
        });
    }
}

/// `$EDITOR` closed. Its text replaces the editor's (kept as a draft) unless the editor was
/// closed or moved to another object meanwhile.
pub fn external_edited(
    state: &mut State,
    key: &str,
    result: Result<String, String>,
    effects: &mut Vec<Effect>,
) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    if session.draft_key != key {
        return;
    }
    match result {
        Ok(text) if text.trim_end() == session.editor.text().trim_end() => {
            session
                .editor
                .set_hint(format!("$EDITOR made no change · {HINT}"));
        }
        Ok(text) => {
            session.editor.restore_draft(text.trim_end());
            session.editor.set_error(None);
            session
                .editor
                .set_hint(format!("edited in $EDITOR: review, then {HINT}"));
            effects.push(draft_write(session));
        }
        Err(why) => session.editor.set_error(Some(why)),
    }
}

/// A draft arrived for the open editor: put it in unless the user already typed.
pub fn draft_loaded(state: &mut State, key: &str, text: Option<String>) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    if session.draft_key != key || session.editor.is_dirty() {
        return;
    }
    if let Some(text) = text {
        session.editor.restore_draft(&text);
        session
            .editor
            .set_hint(format!("restored your unsaved draft · {HINT}"));
    }
}

pub fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    let action = state.keymap.action_for(&key);
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    match action {
        Some(KeyAction::Save) => save(state, effects),
        Some(KeyAction::Back) => super::leaving::close_editor(state, effects),
        _ => {
            if session.editor.input(key) {
                session.editor.set_error(None);
                effects.push(draft_write(session));
            }
        }
    }
}

fn save(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    if session.saving {
        return;
    }
    let value = match &mut session.editor {
        EditorBox::Json(e) => e.check().map_err(|err| err.to_string()),
        EditorBox::Patch(e) => e.validate(),
    };
    let value = match value {
        Ok(v) => v,
        Err(message) => {
            session.editor.set_error(Some(message));
            return;
        }
    };
    let mutation = match session.target.clone() {
        EditTarget::NewIdentity => Mutation::CreateIdentity { body: value },
        EditTarget::Identity { id } => Mutation::UpdateIdentity {
            identity: id,
            body: value,
        },
        EditTarget::IdentityPatch { id } => Mutation::PatchIdentity {
            identity: id,
            patch: value,
        },
        EditTarget::CoreClaims { user } => Mutation::UpdateCoreClaims {
            user,
            claims: value,
        },
        EditTarget::ClientMetadata { client } => Mutation::UpdateClientMetadata {
            client,
            metadata: value,
        },
    };
    session.saving = true;
    session.editor.set_hint("saving…".into());
    let tab = session.tab;
    super::confirm::send(state, tab, mutation, effects);
}

/// A save finished: close on success (dropping the draft), keep everything on failure.
/// Returns whether the result belonged to the open editor.
pub fn saved(
    state: &mut State,
    mutation: &Mutation,
    result: &Result<String, super::model::ErrorInfo>,
    effects: &mut Vec<Effect>,
) -> bool {
    let Some(session) = state.editor.as_mut() else {
        return false;
    };
    let ours = session.saving
        && match (&session.target, mutation) {
            (EditTarget::NewIdentity, Mutation::CreateIdentity { .. }) => true,
            (EditTarget::Identity { id }, Mutation::UpdateIdentity { identity, .. })
            | (EditTarget::IdentityPatch { id }, Mutation::PatchIdentity { identity, .. }) => {
                id == identity
            }
            (EditTarget::CoreClaims { user }, Mutation::UpdateCoreClaims { user: u, .. }) => {
                user == u
            }
            (
                EditTarget::ClientMetadata { client },
                Mutation::UpdateClientMetadata { client: c, .. },
            ) => client == c,
            _ => false,
        };
    if !ours {
        return false;
    }
    session.saving = false;
    match result {
        Ok(_) => {
            effects.push(Effect::DiscardDraft {
                key: session.draft_key.clone(),
            });
            state.editor = None;
        }
        Err(err) => {
            session.editor.set_error(Some(err.line.clone()));
            session
                .editor
                .set_hint(format!("not saved; your text is kept · {HINT}"));
        }
    }
    true
}

/// The draft write for the open editor's text as it is now. Every draft the editor keeps
/// is written through here (keys, paste, `$EDITOR`).
pub fn draft_write(session: &EditSession) -> Effect {
    Effect::WriteDraft {
        key: session.draft_key.clone(),
        text: session.editor.text(),
    }
}

/// Pasted text goes into the open editor as it is (no auto-indent on its lines): one
/// edit, one draft write.
pub fn paste(state: &mut State, text: &str, effects: &mut Vec<Effect>) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    let changed = match &mut session.editor {
        EditorBox::Json(e) => e.paste(text),
        EditorBox::Patch(e) => e.paste(text),
    };
    if changed {
        session.editor.set_error(None);
        effects.push(draft_write(session));
    }
}
