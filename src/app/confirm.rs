//! Changes on the server: confirmations that name their target (destructive keys never act
//! in one stroke; bulk and cascading ones need the identifier typed), and what happens when
//! a change comes back.

use crossterm::event::{KeyCode, KeyEvent};

use super::action::{Courses, Effect, Mutation};
use super::change::{self, Change, Outcome};
use super::model::{ListKind, ObjectKind, Provider, person_label, short_id};
use super::navigate::{forget_revoked_marks, refresh_detail, refresh_screen};
use super::session_count::request_count;
use super::state::{Confirm, Count, CourseChoice, Input, Mode, Pane, State};
use super::subject;
use super::who::purpose::{Purpose, unsupported};
use crate::app::provider::{Delete, Typed, core, headless, kratos};

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
        // Nothing re-reads a recovery link: the error stays up until dismissed.
        Outcome::Unknown(why) if change.expect == change::Expect::NotRereadable => {
            state.error = Some(super::model::ErrorInfo::new(why.clone(), why.clone()))
        }
        Outcome::Unknown(why) => state.flash = Some(why.clone()),
        Outcome::Applied(message) => {
            state.flash = Some(match &change.subject {
                Some(who) if *message == format!("done: {}", mutation.describe()) => {
                    done_line(mutation, who)
                }
                Some(who)
                    if matches!(
                        mutation,
                        Mutation::Kratos(kratos::Change::ExtendSession { .. })
                    ) =>
                {
                    message
                        .replacen("done: extended session", "done: extended the session", 1)
                        .replacen(" until ", &format!(" of {who} until "), 1)
                }
                _ => message.clone(),
            });
            state.error = None;
            match mutation {
                Mutation::Kratos(kratos::Change::RevokeSession { session }) => {
                    state.note_revoked(&change.profile, std::slice::from_ref(session))
                }
                Mutation::Kratos(kratos::Change::RevokeSessions { sessions }) => {
                    state.note_revoked(&change.profile, sessions);
                    forget_revoked_marks(state, tab, sessions);
                }
                _ => {}
            }
            if let Some(id) = edited_identity(mutation) {
                refresh_detail(
                    state,
                    ObjectKind::Kratos(kratos::Object::Identity),
                    &id,
                    effects,
                );
            }
            if let Mutation::Kratos(kratos::Change::DeleteCredential { identity, .. }) = mutation {
                super::credentials::leave_deleted_detail(state, tab, identity);
            }
            if let Mutation::Kratos(kratos::Change::DeleteIdentity { .. })
            | Mutation::Core(core::Change::DeleteUser { .. })
            | Mutation::Headless(headless::Change::DeleteClient { .. })
            | Mutation::Headless(headless::Change::DeleteUser { .. }) = mutation
                && let Some(t) = state.tab_at_mut(tab)
                && t.stack.len() > 1
                && t.screen()
                    .panes
                    .iter()
                    .any(|p| matches!(p, Pane::Detail(_)))
            {
                t.stack.pop();
            }
            // Show the change: reload the lists of the screen the change was made from.
            if tab == state.active() {
                refresh_screen(state);
            }
        }
    }
}

/// The status line after a change to someone, person first.
fn done_line(m: &Mutation, who: &str) -> String {
    match m {
        Mutation::Kratos(kratos::Change::RevokeAllSessions { .. }) => {
            format!("done: revoked all sessions of {who}")
        }
        Mutation::Kratos(kratos::Change::RevokeSession { session }) => {
            format!("done: revoke session {} of {who}", short_id(session))
        }
        Mutation::Kratos(kratos::Change::RevokeSessions { sessions }) => {
            format!("done: revoke {} marked sessions of {who}", sessions.len())
        }
        Mutation::Kratos(kratos::Change::DeleteIdentity { .. }) => {
            format!("done: delete identity {who}")
        }
        Mutation::Core(core::Change::DeleteUser { .. }) => format!("done: delete user {who}"),
        Mutation::Headless(headless::Change::DeleteClient { .. }) => {
            format!("done: delete client {who}")
        }
        Mutation::Kratos(kratos::Change::SetAddressVerified {
            address, verified, ..
        }) => format!(
            "done: {address} is {} on {who}",
            if *verified { "verified" } else { "unverified" }
        ),
        other => format!("done: {} ({who})", other.describe()),
    }
}

fn edited_identity(m: &Mutation) -> Option<String> {
    match m {
        Mutation::Kratos(kratos::Change::UpdateIdentity { identity, .. })
        | Mutation::Kratos(kratos::Change::PatchIdentity { identity, .. })
        | Mutation::Kratos(kratos::Change::DeleteCredential { identity, .. }) => {
            Some(identity.clone())
        }
        _ => None,
    }
}

/// The session row the user is on (a sessions list or an opened session), with its owner
/// and whether the server showed it inactive.
fn selected_session(state: &State) -> Option<(String, Option<String>, bool)> {
    match state.focused()? {
        Pane::Table(t) if t.kind().is_sessions() => t.selected_row().map(|r| {
            (
                r.id.clone(),
                subject::session_owner(state, t.kind(), &r.raw),
                shown_inactive(&r.raw),
            )
        }),
        Pane::Detail(d) if d.kind == ObjectKind::Kratos(kratos::Object::Session) => Some((
            d.id.clone(),
            subject::session_owner(state, &ListKind::Kratos(kratos::List::Identities), &d.raw),
            shown_inactive(&d.raw),
        )),
        _ => None,
    }
}

/// The server showed the session as revoked (`active: false`). A session past its expiry
/// that still reads active is left to the server: `update` has no wall clock to judge it.
fn shown_inactive(session: &serde_json::Value) -> bool {
    session.get("active") == Some(&serde_json::Value::Bool(false))
}

/// Why a revocation of `session` would send a DELETE for nothing: one from here is still
/// out or was applied, or the server showed it inactive. Says whose it is, when known.
fn nothing_to_revoke(
    state: &State,
    session: &str,
    inactive: bool,
    owner: Option<&str>,
) -> Option<String> {
    let profile = &state.tab()?.profile.name;
    if let Some(why) = super::settle::busy(state, profile, session) {
        return Some(why);
    }
    let what = match owner {
        Some(o) => format!("session {} of {o}", short_id(session)),
        None => format!("session {}", short_id(session)),
    };
    // What matters first: a status bar cuts the end of a long line.
    if state.was_revoked(profile, session) {
        Some(format!(
            "nothing sent: {what} was already revoked from here"
        ))
    } else if inactive {
        Some(format!("nothing sent: {what} is already inactive"))
    } else {
        None
    }
}

/// The Kratos identity in view: the selected identity row, or the opened identity.
fn identity_in_view(state: &State) -> Option<String> {
    match state.focused()? {
        Pane::Table(t) => match t.kind() {
            ListKind::Kratos(kratos::List::Identities) => t.selected_row().map(|r| r.id.clone()),
            ListKind::Kratos(kratos::List::Sessions { identity })
            | ListKind::Kratos(kratos::List::Credentials { identity }) => Some(identity.clone()),
            _ => None,
        },
        Pane::Detail(d) if d.kind == ObjectKind::Kratos(kratos::Object::Identity) => {
            Some(d.id.clone())
        }
        Pane::Detail(_) => None,
    }
}

/// Why `mutation` cannot be asked for now: a change to one of its objects is unsettled.
fn busy(state: &State, mutation: &Mutation) -> Option<String> {
    let profile = &state.tab()?.profile.name;
    change::objects_of(mutation)
        .iter()
        .find_map(|o| super::settle::busy(state, profile, o))
}

/// Ask before `mutation`, naming `subject` (who it is about) and, for a revocation of all
/// of someone's sessions, how many are active. `type_to_confirm`: what must be typed (bulk
/// or cascading changes); otherwise `y` confirms.
pub fn ask(
    state: &mut State,
    mutation: Mutation,
    type_to_confirm: Option<String>,
    subject: Option<String>,
    count: Option<Count>,
) {
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
        subject,
        count,
    });
}

/// What the question says, person first: `revoke all 2 active sessions of
/// nguyen.an@example.vn (48602316)`.
pub fn headline(c: &Confirm) -> String {
    let who = c.subject.as_deref();
    let of = |what: String| match who {
        Some(w) => format!("{what} of {w}"),
        None => what,
    };
    match &c.mutation {
        Mutation::Kratos(kratos::Change::RevokeAllSessions { identity }) => {
            let who = who.map_or_else(|| format!("identity {identity}"), str::to_string);
            match &c.count {
                Some(Count::Known {
                    active: 1,
                    more: false,
                }) => format!("revoke the only active session of {who}"),
                Some(Count::Known { active, more }) => {
                    let plus = if *more { "+" } else { "" };
                    format!("revoke ALL {active}{plus} active sessions of {who}")
                }
                Some(Count::Counting(_)) => {
                    format!("revoke ALL sessions of {who} (counting the active ones…)")
                }
                Some(Count::Failed(why)) => {
                    format!("revoke ALL sessions of {who} (they could not be counted: {why})")
                }
                None => format!("revoke ALL sessions of {who}"),
            }
        }
        Mutation::Kratos(kratos::Change::RevokeSession { session }) => {
            of(format!("revoke session {session}"))
        }
        Mutation::Kratos(kratos::Change::RevokeSessions { sessions }) => {
            of(format!("revoke {} marked sessions", sessions.len()))
        }
        Mutation::Kratos(kratos::Change::DeleteIdentity { .. }) => match who {
            Some(w) => format!("delete identity {w} with its sessions and credentials"),
            None => c.mutation.describe(),
        },
        Mutation::Core(core::Change::DeleteUser { .. }) => match who {
            Some(w) => format!("delete user {w}"),
            None => c.mutation.describe(),
        },
        Mutation::Headless(headless::Change::DeleteClient { .. }) => match who {
            Some(w) => format!("delete client {w} with all its users and courses"),
            None => c.mutation.describe(),
        },
        Mutation::Kratos(kratos::Change::CreateRecoveryLink { expires_in, .. })
        | Mutation::Kratos(kratos::Change::CreateRecoveryCode { expires_in, .. }) => {
            let what = if matches!(
                c.mutation,
                Mutation::Kratos(kratos::Change::CreateRecoveryLink { .. })
            ) {
                "link"
            } else {
                "code"
            };
            let valid = expires_in.as_deref().map_or(
                "for the server's default time (1h unless configured)".to_string(),
                |e| format!("for {e}"),
            );
            match who {
                Some(w) => format!("create a recovery {what} for {w}, valid {valid}"),
                None => format!("{}, valid {valid}", c.mutation.describe()),
            }
        }
        Mutation::Kratos(kratos::Change::SetAddressVerified {
            address,
            verified,
            identity,
        }) => {
            let state = if *verified { "verified" } else { "unverified" };
            let who = who.map_or_else(|| format!("identity {identity}"), str::to_string);
            format!("mark {address} as {state} on {who}")
        }
        other => other.describe(),
    }
}

pub fn ask_revoke_session(state: &mut State) {
    let profile = state
        .tab()
        .map(|t| t.profile.name.clone())
        .unwrap_or_default();
    // Marked sessions are revoked together; bulk means typing how many. Those already
    // revoked (shown inactive, or revoked from here) are left out: sending them again does
    // nothing on the server, and the count typed would overstate what goes.
    let marked: Option<(Vec<String>, usize, Option<String>)> = match state.focused() {
        Some(Pane::Table(t)) if t.kind().is_sessions() && !t.marked().is_empty() => {
            let inactive: Vec<&str> = t
                .loaded_rows()
                .filter(|(_, r)| t.marked().contains(&r.id) && shown_inactive(&r.raw))
                .map(|(_, r)| r.id.as_str())
                .collect();
            let (live, done): (Vec<String>, Vec<String>) =
                t.marked().ids().map(str::to_string).partition(|id| {
                    !inactive.contains(&id.as_str()) && !state.was_revoked(&profile, id)
                });
            let owners = t
                .loaded_rows()
                .filter(|(_, r)| live.contains(&r.id))
                .filter_map(|(_, r)| subject::session_owner(state, t.kind(), &r.raw))
                .collect();
            Some((live, done.len(), subject::owners(owners)))
        }
        _ => None,
    };
    if let Some((sessions, left_out, owners)) = marked {
        if sessions.is_empty() {
            state.flash = Some(format!(
                "nothing sent: the {left_out} marked sessions are already inactive"
            ));
            return;
        }
        let count = sessions.len().to_string();
        ask(
            state,
            Mutation::Kratos(kratos::Change::RevokeSessions { sessions }),
            Some(count),
            owners,
            None,
        );
        if let Mode::Confirm(c) = &mut state.mode
            && left_out > 0
        {
            c.note = Some(format!(
                "{left_out} marked sessions already inactive are left out."
            ));
        }
        return;
    }
    match selected_session(state) {
        Some((session, owner, inactive)) => {
            if let Some(why) = nothing_to_revoke(state, &session, inactive, owner.as_deref()) {
                state.flash = Some(why);
                return;
            }
            ask(
                state,
                Mutation::Kratos(kratos::Change::RevokeSession { session }),
                None,
                owner,
                None,
            )
        }
        None => {
            let provider = state.tab().map(|t| t.profile.provider);
            state.flash = Some(match provider {
                Some(p @ (Provider::Core | Provider::Headless)) => {
                    unsupported(p, &Purpose::Revoke).unwrap_or_default()
                }
                Some(Provider::Kratos) | None => {
                    "x revokes a session: select one in a Sessions list (or :all-sessions)".into()
                }
            });
        }
    }
}

/// `X`: ask at once (the identity's first 8 characters must be typed) and count its active
/// sessions meanwhile; the question shows the count when it comes.
pub fn ask_revoke_all(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(identity) = identity_in_view(state) else {
        let provider = state.tab().map(|t| t.profile.provider);
        state.flash = Some(match provider {
            Some(p @ (Provider::Core | Provider::Headless)) => {
                unsupported(p, &Purpose::Revoke).unwrap_or_default()
            }
            Some(Provider::Kratos) | None => {
                "X revokes all sessions of a Kratos identity: select one".into()
            }
        });
        return;
    };
    let mutation = Mutation::Kratos(kratos::Change::RevokeAllSessions {
        identity: identity.clone(),
    });
    if let Some(why) = busy(state, &mutation) {
        state.flash = Some(why);
        return;
    }
    let Some(profile) = state.tab().map(|t| t.profile.name.clone()) else {
        return;
    };
    let label = subject::identity_label(state, &identity);
    let seq = request_count(state, &profile, &identity, effects);
    ask(
        state,
        mutation,
        Some(short_id(&identity)),
        Some(label),
        Some(Count::Counting(seq)),
    );
}

pub fn ask_delete(state: &mut State) {
    let Some(hit) = subject::in_view(state) else {
        return;
    };
    // In an identity's sessions or credentials, `d` is about the row, not the identity.
    let (kind, id) = match state.focused() {
        Some(Pane::Table(t)) if hit.kind != t.kind().object() => (t.kind().object(), String::new()),
        _ => (hit.kind, hit.row.id.clone()),
    };
    let label = Some(person_label(hit.kind, &hit.row));
    let delete = match kind {
        ObjectKind::Kratos(o) => o.delete(&id),
        ObjectKind::Core(o) => o.delete(&id),
        ObjectKind::Headless(o) => o.delete(&id),
        ObjectKind::AuditEntry => Delete::Refused(super::audit_pane::NOT_HERE),
        ObjectKind::Hit => Delete::Refused(super::found::OPEN_FIRST),
    };
    match delete {
        Delete::Ask { mutation, typed } => {
            let typed = match typed {
                Typed::Start => short_id(&id),
                Typed::Whole => id,
            };
            ask(state, mutation, Some(typed), label, None)
        }
        Delete::ChooseCourses => {
            if let Some(why) = super::settle::busy(
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
            let client = hit
                .row
                .raw
                .get("clientIdentifier")
                .and_then(|c| c.as_str())
                .map(str::to_string);
            let name = hit
                .kind
                .name_of(&hit.row)
                .filter(|n| !n.is_empty() && *n != id)
                .map(str::to_string);
            state.mode = Mode::CourseChoice(CourseChoice {
                user: id,
                client,
                name,
                reallocate_to: None,
            });
        }
        Delete::Refused(why) => state.flash = Some(why.into()),
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
        state.active(),
        Mutation::Headless(headless::Change::DeleteUser {
            user: choice.user,
            client: choice.client,
            courses,
        }),
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
    if let Some(mut change) = super::settle::plain(state, state.active(), c.mutation) {
        change.subject = c.subject;
        super::settle::send(state, change, effects);
    }
}

/// Send a confirmed change through the profile of tab `tab` (refused while another change
/// to the same object is unsettled; the runtime still checks read-only before it leaves).
pub fn send(state: &mut State, tab: usize, mutation: Mutation, effects: &mut Vec<Effect>) {
    if let Some(change) = super::settle::plain(state, tab, mutation) {
        super::settle::send(state, change, effects);
    }
}
