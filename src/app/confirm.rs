//! Changes on the server: confirmations that name their target (destructive keys never act
//! in one stroke; bulk and cascading ones need the identifier typed), and what happens when
//! a change comes back.

use crossterm::event::{KeyCode, KeyEvent};

use super::action::{Courses, Effect, Mutation};
use super::change::{self, Change, Outcome};
use super::model::{ListKind, ObjectKind};
use super::state::{Confirm, CourseChoice, Input, Mode, Pane, State};
use super::update::{refresh_detail, refresh_screen};

/// A change is over (answered, or settled by a re-read): report it, hand it to the editor
/// it came from, and reload what shows it.
pub fn finished(state: &mut State, change: &Change, outcome: &Outcome, effects: &mut Vec<Effect>) {
    let tab = change.tab;
    let mutation = &change.mutation;
    let from_editor = super::editing::saved(state, change, outcome, effects);
    match outcome {
        Outcome::Failed(err) if from_editor => {
            state.flash = Some(format!("not saved: {}", err.line))
        }
        Outcome::Failed(err) => {
            // A "lost answer, checking" flash must not outlive the verdict.
            state.flash = None;
            state.error = Some(err.clone());
        }
        Outcome::Unknown(why) => state.flash = Some(why.clone()),
        Outcome::Applied(message) => {
            state.flash = Some(message.clone());
            state.error = None;
            if let Mutation::RevokeSessions { sessions } = mutation {
                super::update::forget_revoked_marks(state, tab, sessions);
            }
            if let Some(id) = edited_identity(mutation) {
                refresh_detail(state, ObjectKind::Identity, &id, effects);
            }
            if let Mutation::DeleteCredential { identity, .. } = mutation {
                super::credentials::leave_deleted_detail(state, tab, identity);
            }
            if let Mutation::DeleteIdentity { .. }
            | Mutation::DeleteCoreUser { .. }
            | Mutation::DeleteClient { .. }
            | Mutation::DeleteHeadlessUser { .. } = mutation
                && let Some(t) = state.tabs.get_mut(tab)
                && t.stack.len() > 1
                && t.screen()
                    .panes
                    .iter()
                    .any(|p| matches!(p, Pane::Detail(_)))
            {
                t.stack.pop();
            }
            // Show the change: reload the lists of the screen the change was made from.
            if tab == state.active {
                refresh_screen(state);
            }
        }
    }
}

fn edited_identity(m: &Mutation) -> Option<String> {
    match m {
        Mutation::UpdateIdentity { identity, .. }
        | Mutation::PatchIdentity { identity, .. }
        | Mutation::DeleteCredential { identity, .. } => Some(identity.clone()),
        _ => None,
    }
}

/// The session row the user is on, when the focused list is a Kratos session list.
fn selected_session(state: &State) -> Option<String> {
    match state.focused()? {
        Pane::Table(t) if matches!(t.kind, ListKind::KratosSessions { .. }) => {
            t.selected_row().map(|r| r.id.clone())
        }
        Pane::Detail(d) if d.kind == ObjectKind::Session => Some(d.id.clone()),
        _ => None,
    }
}

/// The Kratos identity in view: the selected identity row, or the opened identity.
fn identity_in_view(state: &State) -> Option<String> {
    match state.focused()? {
        Pane::Table(t) => match &t.kind {
            ListKind::KratosIdentities => t.selected_row().map(|r| r.id.clone()),
            ListKind::KratosSessions { identity } | ListKind::KratosCredentials { identity } => {
                Some(identity.clone())
            }
            _ => None,
        },
        Pane::Detail(d) if d.kind == ObjectKind::Identity => Some(d.id.clone()),
        Pane::Detail(_) => None,
    }
}

/// Why `mutation` cannot be asked for now: a change to one of its objects is unsettled.
fn busy(state: &State, mutation: &Mutation) -> Option<String> {
    let profile = &state.tab()?.profile.name;
    change::objects_of(mutation)
        .iter()
        .find_map(|o| change::busy(state, profile, o))
}

fn confirm(state: &mut State, mutation: Mutation, type_to_confirm: Option<String>) {
    // Refused before the question, so a second x y on the same session sends nothing.
    if let Some(why) = busy(state, &mutation) {
        state.flash = Some(why);
        return;
    }
    state.mode = Mode::Confirm(Confirm {
        mutation,
        type_to_confirm,
        input: Input::default(),
        note: None,
    });
}

pub fn ask_revoke_session(state: &mut State) {
    // Marked sessions are revoked together; bulk means typing how many.
    let marked: Vec<String> = match state.focused() {
        Some(Pane::Table(t)) if matches!(t.kind, ListKind::KratosSessions { .. }) => {
            t.marked.iter().cloned().collect()
        }
        _ => Vec::new(),
    };
    if !marked.is_empty() {
        let count = marked.len().to_string();
        confirm(
            state,
            Mutation::RevokeSessions { sessions: marked },
            Some(count),
        );
        return;
    }
    match selected_session(state) {
        Some(session) => confirm(state, Mutation::RevokeSession { session }, None),
        None => state.flash = Some("x revokes a session: select one in a Sessions list".into()),
    }
}

pub fn ask_revoke_all(state: &mut State) {
    match identity_in_view(state) {
        // Bulk: the user types the identity's first 8 characters.
        Some(identity) => {
            let short: String = identity.chars().take(8).collect();
            confirm(state, Mutation::RevokeAllSessions { identity }, Some(short));
        }
        None => state.flash = Some("X revokes all sessions of a Kratos identity".into()),
    }
}

pub fn ask_delete(state: &mut State) {
    let target = match state.focused() {
        Some(Pane::Table(t)) => t
            .selected_row()
            .map(|r| (t.kind.object(), r.id.clone(), r.raw.clone())),
        Some(Pane::Detail(d)) => Some((d.kind, d.id.clone(), d.redacted.clone())),
        None => None,
    };
    let Some((kind, id, raw)) = target else {
        return;
    };
    let short: String = id.chars().take(8).collect();
    match kind {
        // Cascading (sessions and credentials go too): type the start of the id.
        ObjectKind::Identity => confirm(
            state,
            Mutation::DeleteIdentity { identity: id },
            Some(short),
        ),
        ObjectKind::CoreUser => confirm(state, Mutation::DeleteCoreUser { user: id }, Some(short)),
        // Takes every user and course of the client with it: type the whole identifier.
        ObjectKind::HeadlessClient => confirm(
            state,
            Mutation::DeleteClient { client: id.clone() },
            Some(id),
        ),
        ObjectKind::HeadlessUser => {
            if let Some(why) = change::busy(
                state,
                &state
                    .tab()
                    .map(|t| t.profile.name.clone())
                    .unwrap_or_default(),
                &id,
            ) {
                state.flash = Some(why);
                return;
            }
            let client = raw
                .get("clientIdentifier")
                .and_then(|c| c.as_str())
                .map(str::to_string);
            state.mode = Mode::CourseChoice(CourseChoice {
                user: id,
                client,
                reallocate_to: None,
            });
        }
        ObjectKind::Session => state.flash = Some("sessions are revoked with x".into()),
        // Kratos credentials are taken by `credentials::ask_delete` before this.
        ObjectKind::Credential => {
            state.flash = Some("MATTR credentials cannot be deleted from here".into())
        }
        ObjectKind::AuditEntry => state.flash = Some(super::audit_pane::NOT_HERE.into()),
    }
}

/// Keys of the course question: `r` then an identifier and Enter, `d`, `i`; Esc cancels.
pub fn on_course_key(
    state: &mut State,
    mut choice: CourseChoice,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    let courses = match (&mut choice.reallocate_to, key.code) {
        (_, KeyCode::Esc) => {
            state.mode = Mode::Normal;
            state.flash = Some("cancelled".into());
            return;
        }
        (Some(input), KeyCode::Enter) if !input.text.trim().is_empty() => {
            Courses::Reallocate(input.text.trim().to_string())
        }
        (Some(input), KeyCode::Backspace) => {
            input.text.pop();
            state.mode = Mode::CourseChoice(choice);
            return;
        }
        (Some(input), KeyCode::Char(c)) => {
            input.text.push(c);
            state.mode = Mode::CourseChoice(choice);
            return;
        }
        (Some(_), _) => {
            state.mode = Mode::CourseChoice(choice);
            return;
        }
        (None, KeyCode::Char('r')) => {
            choice.reallocate_to = Some(Input::default());
            state.mode = Mode::CourseChoice(choice);
            return;
        }
        (None, KeyCode::Char('d')) => Courses::Delete,
        (None, KeyCode::Char('i')) => Courses::Ignore,
        (None, _) => {
            state.mode = Mode::Normal;
            state.flash = Some("cancelled".into());
            return;
        }
    };
    state.mode = Mode::Normal;
    send(
        state,
        state.active,
        Mutation::DeleteHeadlessUser {
            user: choice.user,
            client: choice.client,
            courses,
        },
        effects,
    );
}

pub fn on_key(state: &mut State, mut c: Confirm, key: KeyEvent, effects: &mut Vec<Effect>) {
    let accept = match (&c.type_to_confirm, key.code) {
        (_, KeyCode::Esc) => {
            state.mode = Mode::Normal;
            state.flash = Some("cancelled".into());
            return;
        }
        (None, KeyCode::Char('y')) => true,
        (None, _) => {
            state.mode = Mode::Normal;
            state.flash = Some("cancelled".into());
            return;
        }
        (Some(expected), KeyCode::Enter) => {
            if c.input.text == *expected {
                true
            } else {
                state.flash = Some(format!("type {expected} to confirm, Esc to cancel"));
                state.mode = Mode::Confirm(c);
                return;
            }
        }
        (Some(_), KeyCode::Backspace) => {
            c.input.text.pop();
            false
        }
        (Some(_), KeyCode::Char(ch)) => {
            c.input.text.push(ch);
            false
        }
        (Some(_), _) => false,
    };
    if !accept {
        state.mode = Mode::Confirm(c);
        return;
    }
    state.mode = Mode::Normal;
    send(state, state.active, c.mutation, effects);
}

/// Send a confirmed change through the profile of tab `tab` (refused while another change
/// to the same object is unsettled; the runtime still checks read-only before it leaves).
pub fn send(state: &mut State, tab: usize, mutation: Mutation, effects: &mut Vec<Effect>) {
    if let Some(change) = change::plain(state, tab, mutation) {
        change::send(state, change, effects);
    }
}
