//! The JSON editors (`e`: identity, claims, client metadata; `p`: Kratos JSON Patch; `n`: a
//! new identity) as part of the state machine. An editor starts from a fresh read of the
//! object (never a list row) and remembers it as its base; drafts keep that base. Ctrl-s
//! reads the object again and sends nothing if it changed since the base: a three-way view
//! lets the user keep theirs, take the server's or merge. The change itself is sent and
//! settled by `change`; a failed or unknown save keeps the editor and its text.

pub mod outgoing;
pub mod session;

use crossterm::event::{KeyCode, KeyEvent};
use serde_json::Value;

use crate::editor::{JsonEditor, JsonPatchEditor, diff};
use crate::keymap::KeyAction;

use super::action::ObjectFor;
use super::action::{Effect, Mutation};
use super::change::flow::BeforeSend;
use super::change::{self, Change, Expect, Outcome, SentDraft, Stage};
use super::model::{ErrorInfo, Provider, Row, person_label};
use super::state::{Owner, Pane, State};
use crate::app::provider::{core, headless, kratos};
use session::{Typed, draft_text};

pub use session::{Conflict, EditSession, EditTarget, EditorBox, Phase, parse_draft};

const HINT: &str = "Ctrl-s save · Esc close (draft kept) · Ctrl-u/Ctrl-r undo/redo";
const LOADING: &str = "reading the current version from the server…";

fn new_identity_template() -> Value {
    serde_json::json!({
        "schema_id": "default",
        "state": "active",
        "traits": {"email": ""},
        "metadata_public": {},
        "credentials": {},
    })
}

fn write_draft(session: &EditSession, effects: &mut Vec<Effect>) {
    effects.push(Effect::WriteDraft {
        key: session.draft_key.clone(),
        text: draft_text(session),
    });
}

/// `n`: a new Kratos identity from a template, on a Kratos profile.
pub fn open_new(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(tab) = state.tab() else { return };
    match tab.profile.provider {
        Provider::Kratos => {}
        Provider::Core | Provider::Headless => {
            state.flash = Some("n creates Kratos identities".into());
            return;
        }
    }
    let key = format!("{}-new-identity", tab.profile.name);
    start(
        state,
        EditTarget::NewIdentity,
        "new identity".into(),
        key,
        effects,
    );
}

/// `e` (or `p` when `patch`): open an editor for what is in view.
pub fn open(state: &mut State, patch: bool, effects: &mut Vec<Effect>) {
    open_as(state, patch, None, effects)
}

/// `p` on marked identities: one patch for all of them, previewed on the selected one and
/// planned (not sent) by Ctrl-s; `test` operations are allowed, as each one's preconditions.
pub fn open_bulk_patch(state: &mut State, effects: &mut Vec<Effect>) {
    let rows = state.table_rows();
    let marked = state.focused_table().map_or(0, |t| t.marked().len());
    // The preview is on a marked identity: the selected one, or the first marked one loaded.
    if let Some(t) = state.focused_table_mut()
        && !t.selected_row().is_some_and(|r| t.marked().contains(&r.id))
    {
        let first = t
            .loaded_rows()
            .find(|(_, r)| t.marked().contains(&r.id))
            .map(|(i, _)| i);
        if let Some(i) = first {
            t.select(i, rows);
        }
    }
    open_as(state, true, Some(marked), effects);
    if let Some(s) = state.editor.as_mut() {
        s.bulk = true;
    }
}

fn open_as(state: &mut State, patch: bool, bulk: Option<usize>, effects: &mut Vec<Effect>) {
    // `who` names the object for people in the editor's title and in the quit question
    // (`ada.lovelace@example.com (767e3cc1)`), the id alone when it has no name.
    let (kind, id, raw, who) = match state.focused() {
        Some(Pane::Table(t)) => match t.selected_row() {
            Some(r) => {
                let kind = t.kind().object();
                (kind, r.id.clone(), r.raw.shared(), person_label(kind, r))
            }
            None => return,
        },
        Some(Pane::Detail(d)) => {
            let who = super::subject::detail_hit(d).label();
            (d.kind, d.id.clone(), d.raw.clone(), who)
        }
        None => return,
    };
    let Some(tab) = state.tab() else { return };
    let profile = tab.profile.name.clone();
    let (target, title, key) =
        match EditTarget::for_object(&profile, kind, &id, &raw, &who, patch, bulk) {
            Ok(made) => made,
            Err(why) => {
                state.flash = Some(why);
                return;
            }
        };
    start(state, target, title, key, effects);
}

/// Show an editor for `target` on the active tab: it is usable once the fresh copy of the
/// object and the saved draft (if any) have both arrived.
fn start(
    state: &mut State,
    target: EditTarget,
    title: String,
    draft_key: String,
    effects: &mut Vec<Effect>,
) {
    let mut placeholder = JsonEditor::placeholder(title.clone(), draft_key.clone());
    placeholder.buffer_mut().set_hint(LOADING);
    let base = match target.object() {
        Some((kind, id)) => {
            let Some(profile) = state.tab().map(|t| t.profile.name.clone()) else {
                return;
            };
            let ticket = state.ask(
                Owner::Editor(draft_key.clone()),
                ObjectFor::EditorBase {
                    key: draft_key.clone(),
                },
            );
            effects.push(Effect::FetchObject {
                ticket,
                profile,
                kind,
                id: id.to_string(),
            });
            None
        }
        None => Some(new_identity_template()),
    };
    state.editor = Some(EditSession {
        target,
        editor: EditorBox::Json(placeholder),
        tab: state.active(),
        draft_key: draft_key.clone(),
        title,
        phase: Phase::Loading,
        base,
        draft: None,
        external_when_ready: false,
        typeahead: Vec::new(),
        bulk: false,
        kratos: super::versions::rules(state),
    });
    effects.push(Effect::LoadDraft { key: draft_key });
}

/// The editor for `target` over `base`, with `text` (a draft) in it when given.
fn build_editor(session: &EditSession, base: &Value, text: Option<&str>) -> EditorBox {
    let mut editor = match &session.target {
        EditTarget::IdentityPatch { .. } => EditorBox::Patch(JsonPatchEditor::new(
            session.title.clone(),
            session.draft_key.clone(),
        )),
        // A new identity starts from the whole template (its empty credentials included).
        EditTarget::NewIdentity => EditorBox::Json(JsonEditor::new(
            session.title.clone(),
            session.draft_key.clone(),
            base.clone(),
        )),
        target => EditorBox::Json(JsonEditor::new(
            session.title.clone(),
            session.draft_key.clone(),
            target.field().of(base),
        )),
    };
    if let Some(text) = text {
        editor.restore_draft(text);
    }
    if let (EditTarget::NewIdentity | EditTarget::Identity { .. }, EditorBox::Json(e)) =
        (&session.target, &mut editor)
    {
        let help = session.kratos.import_help.iter().map(|l| l.to_string());
        e.buffer_mut().set_help(help.collect());
    }
    editor.set_hint(HINT.into());
    editor
}

/// The fresh copy of the object arrived for the editor `key`.
pub fn base_loaded(
    state: &mut State,
    key: &str,
    result: Result<Row, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    if session.draft_key != key || !matches!(session.phase, Phase::Loading) {
        return;
    }
    match result {
        Ok(row) => {
            session.base = Some((*row.raw).clone());
            become_ready(state, effects);
        }
        Err(err) => {
            session.phase = Phase::Unavailable;
            session.editor.set_error(Some(format!(
                "cannot edit: the current version could not be read ({}); Esc closes",
                err.line
            )));
            session.editor.set_hint("Esc close".into());
        }
    }
}

/// A draft arrived for the open editor.
pub fn draft_loaded(state: &mut State, key: &str, text: Option<String>, effects: &mut Vec<Effect>) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    if session.draft_key != key || session.draft.is_some() {
        return;
    }
    session.draft = Some(text);
    become_ready(state, effects);
}

/// Once both the base and the draft are in, put the editor together.
fn become_ready(state: &mut State, effects: &mut Vec<Effect>) {
    let in_flight = state.changes.values().any(|c| {
        c.draft
            .as_ref()
            .is_some_and(|d| Some(&d.key) == state.editor.as_ref().map(|s| &s.draft_key))
    });
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    let (Some(fresh), Some(draft)) = (session.base.clone(), session.draft.clone()) else {
        return;
    };
    let field = session.target.field();
    let mut warning = None;
    let hint;
    match draft.as_deref().map(parse_draft) {
        None => {
            session.editor = build_editor(session, &fresh, None);
            hint = HINT.to_string();
        }
        Some((text, Some(made_from))) => {
            session.editor = build_editor(session, &made_from, Some(&text));
            if field.of(&made_from) != field.of(&fresh) && session.target.object().is_some() {
                warning = Some(
                    "the server copy changed since this draft was made: Ctrl-s shows both \
                     changes before anything is sent"
                        .to_string(),
                );
            }
            // The draft keeps the base it was made from, so a save compares with that.
            session.base = Some(made_from);
            hint = format!("restored your unsaved draft · {HINT}");
        }
        Some((text, None)) => {
            session.editor = build_editor(session, &fresh, Some(&text));
            hint = format!(
                "restored your unsaved draft (from an older idtui: its base is unknown, check \
                 it against the server copy) · {HINT}"
            );
        }
    }
    session.editor.set_hint(if in_flight {
        format!("your last save of this is still waiting for its answer · {hint}")
    } else {
        hint
    });
    session.editor.set_error(warning);
    session.phase = Phase::Editing;
    let typeahead = std::mem::take(&mut session.typeahead);
    if session.external_when_ready {
        session.external_when_ready = false;
        effects.push(Effect::ExternalEdit {
            key: session.draft_key.clone(),
            text: session.editor.text(),
            prefer_draft: false,
        });
    }
    // Nothing typed while the server was being read is lost, Ctrl-s included: it all
    // happens now, in the order it was typed.
    for typed in typeahead {
        match typed {
            Typed::Key(key) => on_key(state, key, effects),
            Typed::Paste(text) => paste(state, &text, effects),
        }
    }
}

/// `E`: open the same editor as `e` (or `p` on a patch already open) and hand its text to
/// `$EDITOR` once it is ready. What comes back lands in the editor for review; only
/// `Ctrl-s` sends it.
pub fn open_external(state: &mut State, effects: &mut Vec<Effect>) {
    if state.editor.is_none() {
        open(state, false, effects);
    }
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    match session.phase {
        Phase::Loading => session.external_when_ready = true,
        Phase::Unavailable | Phase::Conflict(_) => {}
        _ => effects.push(Effect::ExternalEdit {
            key: session.draft_key.clone(),
            text: session.editor.text(),
            prefer_draft: false,
        }),
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
            // $EDITOR worked on the draft file itself: put the envelope back.
            write_draft(session, effects);
        }
        Ok(text) => {
            session.editor.restore_draft(text.trim_end());
            session.editor.set_error(None);
            session
                .editor
                .set_hint(format!("edited in $EDITOR: review, then {HINT}"));
            write_draft(session, effects);
        }
        Err(why) => session.editor.set_error(Some(why)),
    }
}

pub fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    let action = state.keymap.action_for(&key);
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    if let Phase::Conflict(_) = session.phase {
        on_conflict_key(state, key, effects);
        return;
    }
    if let Phase::ConfirmRisky { value } = &session.phase {
        let value = value.clone();
        session.phase = Phase::Editing;
        session.editor.set_error(None);
        if key.code == KeyCode::Char('y') {
            proceed(state, value, effects);
        } else {
            session
                .editor
                .set_hint(format!("not sent: the patch is still here · {HINT}"));
        }
        return;
    }
    match (action, &session.phase) {
        (Some(KeyAction::Back), Phase::Loading | Phase::Unavailable) => state.editor = None,
        (_, Phase::Loading) => session.typeahead.push(Typed::Key(key)),
        (_, Phase::Unavailable) => {}
        (Some(KeyAction::Save), _) => save(state, effects),
        (Some(KeyAction::Back), _) => super::leaving::close_editor(state, effects),
        _ => {
            if session.editor.input(key) {
                if !session.saving() {
                    session.editor.set_error(None);
                }
                write_draft(session, effects);
            }
        }
    }
}

fn save(state: &mut State, effects: &mut Vec<Effect>) {
    // The server's version may have come in since the editor opened.
    let kratos = state
        .editor
        .as_ref()
        .map(|s| super::versions::rules_of(state, s.tab));
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    if let Some(kratos) = kratos {
        session.kratos = kratos;
    }
    if session.saving() {
        state.flash = Some("a save is in flight: keep typing, nothing is lost".into());
        return;
    }
    let Some(base) = session.base.clone() else {
        return;
    };
    if session.bulk {
        return save_bulk_patch(state, effects);
    }
    let value = match &mut session.editor {
        EditorBox::Json(e) => e.check().map_err(|err| err.to_string()),
        EditorBox::Patch(e) => e.validate(),
    };
    let mut value = match value.and_then(|v| session.target.check(&v).map(|()| v)) {
        Ok(v) => v,
        Err(message) => {
            session.editor.set_error(Some(message));
            return;
        }
    };
    if let EditTarget::NewIdentity | EditTarget::Identity { .. } = session.target {
        // Imported credentials are checked as this Kratos would, before anything is sent.
        if let Err(message) = super::credential_import::check(&value, session.kratos) {
            session.editor.set_error(Some(message));
            return;
        }
        super::credential_import::strip_empty(&mut value);
    }
    if let EditorBox::Patch(_) = session.editor {
        let risky = crate::editor::risky_operations(&value, Some(&base));
        if !risky.is_empty() {
            session.editor.set_error(Some(format!(
                "before sending: {} · y sends it, any other key goes back",
                risky.join("; ")
            )));
            session.phase = Phase::ConfirmRisky { value };
            return;
        }
    }
    proceed(state, value, effects);
}

/// Ctrl-s in the patch for marked identities: its plan replaces the editor (the text stays
/// in its draft until the run is planned).
fn save_bulk_patch(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    let EditorBox::Patch(editor) = &session.editor else {
        return;
    };
    let checked = editor
        .parse()
        .map_err(|e| format!("not valid JSON: {e}"))
        .and_then(|v| crate::editor::split_preconditions(&v));
    let (tests, patch) = match checked {
        Ok(split) => split,
        Err(message) => {
            session.editor.set_error(Some(message));
            return;
        }
    };
    let key = session.draft_key.clone();
    state.editor = None;
    effects.push(Effect::DiscardDraft { key });
    super::bulk::plan::propose(state, super::bulk::op::Op::Patch { tests, patch }, effects);
}

/// Save a checked `value`: nothing when it changes nothing, refused while another change to
/// the object is unsettled, else read the object again before writing.
fn proceed(state: &mut State, value: Value, effects: &mut Vec<Effect>) {
    let profile = state
        .tab()
        .map(|t| t.profile.name.clone())
        .unwrap_or_default();
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    let Some(base) = session.base.clone() else {
        return;
    };
    let field = session.target.field();
    // Compare meaning, not text: an unchanged document sends nothing.
    if !matches!(
        session.target,
        EditTarget::NewIdentity | EditTarget::IdentityPatch { .. }
    ) && value == field.of(&base)
    {
        session.editor.set_error(None);
        session.editor.set_hint(format!(
            "no change from the version you started from: nothing sent · {HINT}"
        ));
        return;
    }
    let lock = session.target.lock(&session.draft_key);
    if let Some(why) = super::settle::busy(state, &profile, &lock) {
        if let Some(s) = state.editor.as_mut() {
            s.editor.set_error(Some(why));
        }
        return;
    }
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    match session.target.object() {
        Some((kind, id)) => {
            let id = id.to_string();
            let key = session.draft_key.clone();
            let ticket = state.ask(Owner::Editor(key.clone()), ObjectFor::PreSave { key });
            let seq = ticket.seq;
            effects.push(Effect::FetchObject {
                ticket,
                profile,
                kind,
                id,
            });
            if let Some(s) = state.editor.as_mut() {
                let text = s.editor.text();
                s.phase = Phase::Checking { seq, value, text };
                // What the last attempt said no longer holds.
                s.editor.set_error(None);
                s.editor
                    .set_hint("checking the server copy before saving…".into());
            }
        }
        None => {
            let text = session.editor.text();
            send_edit(state, value, text, effects)
        }
    }
}

/// The read just before a save came back: send when the server still holds the base.
pub fn presave_loaded(
    state: &mut State,
    key: &str,
    seq: u64,
    result: Result<Row, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    let (value, text) = match &session.phase {
        Phase::Checking {
            seq: s,
            value,
            text,
        } if *s == seq && session.draft_key == key => (value.clone(), text.clone()),
        _ => return,
    };
    let theirs = match result {
        Ok(row) => (*row.raw).clone(),
        Err(err) => {
            session.phase = Phase::Editing;
            session.editor.set_error(Some(format!(
                "nothing sent: the server copy could not be read before saving ({}); Ctrl-s tries again",
                err.line
            )));
            session.editor.set_hint(HINT.into());
            return;
        }
    };
    let field = session.target.field();
    let base = session.base.clone().unwrap_or(Value::Null);
    // A patch applies to whatever the server holds: it is never "already there".
    let is_patch = matches!(session.target, EditTarget::IdentityPatch { .. });
    let mine = (!is_patch).then_some(&value);
    let check = change::flow::before_send(field, &base, &theirs, mine);
    if check == BeforeSend::Unchanged {
        session.base = Some(theirs);
        send_edit(state, value, text, effects);
        return;
    }
    if check == BeforeSend::AlreadyThere {
        // Someone made the very same change: there is nothing left to send.
        const SAME: &str = "the server already holds exactly your version: nothing sent";
        if session.editor.text() == text {
            effects.push(Effect::DiscardDraft {
                key: session.draft_key.clone(),
            });
            state.editor = None;
            state.flash = Some(SAME.into());
        } else {
            // Typed on after Ctrl-s: that is kept, on top of the server's copy.
            session.base = Some(theirs);
            rebuild(session, None);
            session.phase = Phase::Editing;
            session
                .editor
                .set_hint(format!("{SAME}; what you typed since is kept · {HINT}"));
            write_draft(session, effects);
        }
        return;
    }
    session.phase = Phase::Conflict(Box::new(conflict(session, &base, theirs, value, false)));
}

/// The three-way view of `base` → `theirs` and `base` → `mine`.
fn conflict(
    session: &EditSession,
    base: &Value,
    theirs: Value,
    mine: Value,
    after_lost_answer: bool,
) -> Conflict {
    let field = session.target.field();
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let (b, t) = (field.of(base), field.of(&theirs));
    let mine_after = match &session.editor {
        EditorBox::Patch(p) => p
            .preview(base)
            .map(|v| field.of(&v))
            .unwrap_or_else(|_| b.clone()),
        EditorBox::Json(_) => mine.clone(),
    };
    let merge = super::merge::three_way(&b, &t, &mine_after);
    Conflict {
        theirs_diff: diff(&pretty(&b), &pretty(&t)),
        mine_diff: diff(&pretty(&b), &pretty(&mine_after)),
        overlaps: merge.conflicts,
        theirs,
        mine,
        after_lost_answer,
        scroll: 0,
    }
}

/// Keys of the three-way view: `k` keep mine, `t` take theirs, `m` merge, Esc back.
fn on_conflict_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    let action = state.keymap.action_for(&key);
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    let Phase::Conflict(c) = &mut session.phase else {
        return;
    };
    let c = (**c).clone();
    let is_patch = matches!(session.target, EditTarget::IdentityPatch { .. });
    let field = session.target.field();
    match (key.code, action) {
        (KeyCode::Char('k'), _) => {
            // Mine over theirs: the server's version becomes the base, and the save starts
            // again (so a third change in between is caught too).
            session.base = Some(c.theirs.clone());
            rebuild(session, None);
            session.phase = Phase::Editing;
            write_draft(session, effects);
            save(state, effects);
        }
        (KeyCode::Char('t'), _) => {
            effects.push(Effect::DiscardDraft {
                key: session.draft_key.clone(),
            });
            if is_patch {
                state.editor = None;
                state.flash = Some("took the server's version: your patch was dropped".into());
                return;
            }
            session.base = Some(c.theirs.clone());
            session.editor = build_editor(session, &c.theirs, None);
            session.editor.set_hint(format!(
                "you now edit the server's version; your changes were dropped · {HINT}"
            ));
            session.phase = Phase::Editing;
        }
        (KeyCode::Char('m'), _) => {
            let base = session.base.clone().unwrap_or(Value::Null);
            session.base = Some(c.theirs.clone());
            if is_patch {
                // A patch merges by applying it to the server's version: review, then save.
                rebuild(session, None);
            } else {
                let merged =
                    super::merge::three_way(&field.of(&base), &field.of(&c.theirs), &c.mine);
                let text = serde_json::to_string_pretty(&merged.merged).unwrap_or_default();
                rebuild(session, Some(&text));
            }
            let summary = if c.overlaps.is_empty() {
                "merged onto the server's version with no conflict: review, then Ctrl-s".to_string()
            } else {
                format!(
                    "merged; both changed {} place(s), yours kept: {}",
                    c.overlaps.len(),
                    c.overlaps.join("; ")
                )
            };
            session.editor.set_error(Some(summary));
            session.phase = Phase::Editing;
            write_draft(session, effects);
        }
        (_, Some(KeyAction::MoveDown)) => {
            if let Phase::Conflict(c) = &mut session.phase {
                c.scroll += 1;
            }
        }
        (_, Some(KeyAction::MoveUp)) => {
            if let Phase::Conflict(c) = &mut session.phase {
                c.scroll = c.scroll.saturating_sub(1);
            }
        }
        (KeyCode::Esc | KeyCode::Char('e'), _) => {
            session.phase = Phase::Editing;
            session.editor.set_hint(format!(
                "nothing sent: the server changed since you started; Ctrl-s shows it again · {HINT}"
            ));
        }
        _ => {}
    }
}

/// Rebuild the editor over the session's (new) base, keeping its text unless `text` is given.
fn rebuild(session: &mut EditSession, text: Option<&str>) {
    let base = session.base.clone().unwrap_or(Value::Null);
    let text = text
        .map(str::to_string)
        .unwrap_or_else(|| session.editor.text());
    session.editor = build_editor(session, &base, Some(&text));
}

/// Send the checked `value`: the change, what a re-read must show, and the draft it is from.
fn send_edit(state: &mut State, value: Value, text: String, effects: &mut Vec<Effect>) {
    let Some(session) = state.editor.as_ref() else {
        return;
    };
    let Some(t) = state.tab_at(session.tab) else {
        return;
    };
    let base = session.base.clone().unwrap_or(Value::Null);
    let patched = match &session.editor {
        EditorBox::Patch(p) => p.preview(&base).map(|v| session.target.field().of(&v)).ok(),
        EditorBox::Json(_) => None,
    };
    let out = outgoing::outgoing(&session.target, &base, value, patched);
    let change = Change {
        tab: session.tab,
        profile: t.profile.name.clone(),
        provider: t.profile.provider,
        subject: None,
        mutation: out.mutation,
        expect: out.expect,
        audit_change: Some(out.audit_change),
        draft: Some(SentDraft {
            key: session.draft_key.clone(),
            text,
        }),
        batch: None,
        stage: Stage::Sending,
    };
    sent(state, change, effects);
}

fn sent(state: &mut State, change: Change, effects: &mut Vec<Effect>) {
    match super::settle::send(state, change, effects) {
        Some(seq) => {
            if let Some(s) = state.editor.as_mut() {
                s.phase = Phase::Sending { seq };
                s.editor
                    .set_hint("saving… (keep typing: what you type now is kept)".into());
            }
        }
        None => {
            if let Some(s) = state.editor.as_mut() {
                s.phase = Phase::Editing;
                s.editor.set_error(state.flash.clone());
            }
        }
    }
}

/// The open editor, when it is the one `change` was saved from.
fn editor_of<'a>(state: &'a mut State, change: &Change) -> Option<&'a mut EditSession> {
    let key = &change.draft.as_ref()?.key;
    state.editor.as_mut().filter(|s| &s.draft_key == key)
}

/// A save is over. Applied: its draft goes (whether or not the editor is still open), and
/// the editor closes unless the user typed on meanwhile. Failed: the text and draft stay.
/// Returns whether the change came from an editor.
pub fn saved(
    state: &mut State,
    change: &Change,
    outcome: &Outcome,
    effects: &mut Vec<Effect>,
) -> bool {
    let Some(draft) = &change.draft else {
        return false;
    };
    let open = editor_of(state, change).is_some();
    if let (Outcome::Applied(_), Some(session)) = (outcome, editor_of(state, change))
        && matches!(session.phase, Phase::Loading)
    {
        // Reopened while the save was out: its draft and base are from before the save.
        effects.push(Effect::DiscardDraft {
            key: draft.key.clone(),
        });
        restart_loading(state, effects);
        return true;
    }
    match outcome {
        Outcome::Applied(_) if open => {
            let Some(session) = editor_of(state, change) else {
                return true;
            };
            if session.editor.text() == draft.text {
                effects.push(Effect::DiscardDraft {
                    key: draft.key.clone(),
                });
                state.editor = None;
            } else if let (
                Mutation::Kratos(kratos::Change::CreateIdentity { body }),
                Outcome::Applied(message),
            ) = (&change.mutation, outcome)
            {
                // Typed during a create: what was typed now edits the identity just made, so
                // the next Ctrl-s can only update it, never create a second one.
                effects.push(Effect::DiscardDraft {
                    key: draft.key.clone(),
                });
                let id = message.strip_prefix(change::CREATED).unwrap_or_default();
                let mut base = body.clone();
                base["id"] = Value::String(id.to_string());
                session.target = EditTarget::Identity { id: id.to_string() };
                session.title = format!("identity {id}");
                session.draft_key = format!("{}-identity-{id}", change.profile);
                session.base = Some(base);
                rebuild(session, None);
                session.phase = Phase::Editing;
                session.editor.set_hint(format!(
                    "created; what you typed since now edits the new identity · {HINT}"
                ));
                write_draft(session, effects);
            } else {
                // Typed during the save: keep it, as a new edit on top of what was saved.
                if let (Expect::Value { field, after, .. }, Some(base)) =
                    (&change.expect, session.base.as_mut())
                {
                    outgoing::put_field(*field, base, after);
                }
                rebuild(session, None);
                session.phase = Phase::Editing;
                session.editor.set_hint(format!(
                    "saved; what you typed since is kept as a new change · {HINT}"
                ));
                write_draft(session, effects);
            }
        }
        Outcome::Applied(_) => effects.push(Effect::DiscardDraft {
            key: draft.key.clone(),
        }),
        Outcome::Failed(err) => {
            if let Some(session) = editor_of(state, change) {
                session.phase = Phase::Editing;
                session.editor.set_error(Some(err.line.clone()));
                session
                    .editor
                    .set_hint(format!("not saved; your text is kept · {HINT}"));
            }
        }
        Outcome::Unknown(why) => {
            if let Some(session) = editor_of(state, change)
                && !matches!(session.phase, Phase::Conflict(_))
            {
                session.phase = Phase::Editing;
                session.editor.set_error(Some(why.clone()));
                session
                    .editor
                    .set_hint(format!("your text is kept · {HINT}"));
            }
        }
    }
    true
}

/// Read the open editor's object again and forget its draft (it was just saved).
fn restart_loading(state: &mut State, effects: &mut Vec<Effect>) {
    let profile = state
        .tab()
        .map(|t| t.profile.name.clone())
        .unwrap_or_default();
    let Some(key) = state.editor.as_ref().map(|s| s.draft_key.clone()) else {
        return;
    };
    // A read already out may answer with the copy from before the save: drop it.
    state.withdraw(|owner| *owner == Owner::Editor(key.clone()));
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    session.draft = Some(None);
    session.base = None;
    match session.target.object() {
        Some((kind, id)) => {
            let id = id.to_string();
            let ticket = state.ask(Owner::Editor(key.clone()), ObjectFor::EditorBase { key });
            effects.push(Effect::FetchObject {
                ticket,
                profile,
                kind,
                id,
            });
        }
        None => {
            session.base = Some(new_identity_template());
            become_ready(state, effects);
        }
    }
}

/// A change from the open editor could not be settled: say so in the editor (saving it again
/// is refused until `r` finds out).
pub fn outcome_unknown(state: &mut State, change: &Change, why: &str) {
    if let Some(session) = editor_of(state, change) {
        session.phase = Phase::Editing;
        session.editor.set_error(Some(why.to_string()));
    }
}

/// The answer to a save was lost and the server now holds neither the base nor the change:
/// show the three-way view instead of guessing.
pub fn show_server_version(state: &mut State, change: &Change, theirs: Value) {
    let Some(session) = editor_of(state, change) else {
        return;
    };
    let base = session.base.clone().unwrap_or(Value::Null);
    let mine = match &change.mutation {
        Mutation::Kratos(kratos::Change::UpdateIdentity { body: v, .. })
        | Mutation::Kratos(kratos::Change::PatchIdentity { patch: v, .. })
        | Mutation::Core(core::Change::UpdateClaims { claims: v, .. })
        | Mutation::Headless(headless::Change::UpdateClientMetadata { metadata: v, .. })
        | Mutation::Headless(headless::Change::UpdateUser { body: v, .. }) => v.clone(),
        _ => return,
    };
    let c = conflict(session, &base, theirs, mine, true);
    session.phase = Phase::Conflict(Box::new(c));
}

/// Pasted text goes into the open editor as it is (no auto-indent on its lines): one edit,
/// one draft write. Only where typing goes in too (not while loading or choosing).
pub fn paste(state: &mut State, text: &str, effects: &mut Vec<Effect>) {
    let Some(session) = state.editor.as_mut() else {
        return;
    };
    match session.phase {
        Phase::Editing | Phase::Checking { .. } | Phase::Sending { .. } => {}
        Phase::Loading => {
            session.typeahead.push(Typed::Paste(text.to_string()));
            return;
        }
        Phase::Unavailable | Phase::Conflict(_) | Phase::ConfirmRisky { .. } => return,
    }
    let changed = session.editor.paste(text);
    if changed {
        if !session.saving() {
            session.editor.set_error(None);
        }
        write_draft(session, effects);
    }
}
