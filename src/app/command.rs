//! The `:` command line: commands, Tab completion (commands, profiles, ids) and history.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Effect;
use super::command_table::{COMMANDS, Cmd, WHO_HELP, command};
use super::model::{ErrorInfo, ListKind, ObjectKind};
use super::navigate::{refresh_screen, switch_tab};
use super::state::{Input, Mode, Pane, Screen, State};
use super::subject;
use super::who::{self, Purpose};
use crate::app::provider::{core, kratos};

pub fn on_key(state: &mut State, mut input: Input, key: KeyEvent, effects: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            super::bulk::command_closed(state);
        }
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            let line = input.text.trim().to_string();
            if !line.is_empty() {
                state.history.record(&line);
                effects.push(Effect::RememberCommand(line.clone()));
                execute(state, &line, effects);
            }
            super::bulk::command_closed(state);
        }
        KeyCode::Tab => {
            if let Some(done) = complete(state, &input.text) {
                input.text = done;
            }
            // Several ways on: say which (until the next key), as a shell lists them.
            let choices = candidates(state, &input.text);
            if choices.len() > 1 {
                state.flash = Some(choices_line(&choices));
            }
            state.mode = Mode::Command(input);
        }
        KeyCode::Up => {
            if let Some(line) = state.history.older() {
                input.text = line.to_owned();
            }
            state.mode = Mode::Command(input);
        }
        KeyCode::Down => {
            input.text = state.history.newer().unwrap_or_default().to_owned();
            state.mode = Mode::Command(input);
        }
        KeyCode::Backspace => {
            if input.text.pop().is_none() {
                state.mode = Mode::Normal;
            } else {
                state.mode = Mode::Command(input);
            }
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.text.clear();
            state.mode = Mode::Command(input);
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.text.push(c);
            state.mode = Mode::Command(input);
        }
        _ => state.mode = Mode::Command(input),
    }
}

fn unknown(state: &mut State, msg: String) {
    state.error = Some(ErrorInfo::new(msg.clone(), msg));
}

pub fn execute(state: &mut State, line: &str, effects: &mut Vec<Effect>) {
    let (name, arg) = match line.split_once(char::is_whitespace) {
        Some((c, a)) => (c, a.trim()),
        None => (line, ""),
    };
    let Some(spec) = command(name) else {
        let names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        unknown(
            state,
            format!("unknown command `{name}`; try {}", names.join(", ")),
        );
        return;
    };
    // Commands that change something are refused before anything is looked up.
    if spec
        .changes
        .is_some_and(|what| super::read_only::refuse_change(state, what))
    {
        return;
    }
    if spec.needs_arg && arg.is_empty() {
        usage(state, spec.name);
        return;
    }
    match spec.id {
        Cmd::Quit => super::leaving::request_quit(state, effects),
        Cmd::Help => state.mode = Mode::Help { scroll: 0 },
        Cmd::Mark => super::marking::command(state, arg),
        Cmd::Bulk => super::bulk::show(state),
        Cmd::Set | Cmd::Unset | Cmd::State => {
            super::bulk::plan::command(state, spec.id, arg, effects)
        }
        Cmd::Error => match state.current_error() {
            Some(error) => {
                state.mode = Mode::ErrorDetail {
                    scroll: 0,
                    error: Box::new(error.clone()),
                }
            }
            None => state.flash = Some("no error to show".into()),
        },
        Cmd::Refresh => refresh_screen(state),
        Cmd::Audit => super::audit_pane::open(state),
        Cmd::Profile => match state.tabs().iter().position(|t| t.profile.name == arg) {
            Some(i) => switch_tab(state, i),
            None => unknown(
                state,
                format!(
                    "no profile `{arg}`; open: {}",
                    state.profile_names().join(", ")
                ),
            ),
        },
        Cmd::Goto => who::start(state, Purpose::Goto, arg, effects),
        Cmd::Revoke => who::start(state, Purpose::Revoke, arg, effects),
        Cmd::Find => super::found::start(state, arg, effects),
        Cmd::Sessions if !arg.is_empty() => who::start(state, Purpose::Sessions, arg, effects),
        Cmd::Credentials if !arg.is_empty() => {
            who::start(state, Purpose::Credentials, arg, effects)
        }
        Cmd::Sessions | Cmd::Credentials => focus_child(state, spec.name, effects),
        Cmd::AllSessions => all_sessions(state, arg),
        Cmd::Extend => super::sessions::extend(state, effects),
        Cmd::RecoveryLink | Cmd::RecoveryCode => {
            recovery(state, spec.id == Cmd::RecoveryCode, arg, effects)
        }
        Cmd::Verify | Cmd::Unverify => verify(state, spec.id == Cmd::Verify, arg, effects),
        Cmd::Sort => super::sorting::command(state, arg),
        Cmd::Columns => super::column_chooser::open(state),
        Cmd::Watch => super::watch::command(state, arg),
        Cmd::Export => super::export::start(state, arg, name.ends_with('!'), effects),
    }
}

/// `usage: :revoke WHO`, from the command table.
fn usage(state: &mut State, name: &str) {
    if let Some(c) = command(name) {
        let line = format!("usage: :{} {} ({})", c.name, c.args, c.about);
        state.error = Some(ErrorInfo::new(
            line.clone(),
            format!("{line}\n\n{WHO_HELP}"),
        ));
    }
}

/// `:all-sessions [all]`: every Kratos session (active only unless `all`), as a pane.
fn all_sessions(state: &mut State, arg: &str) {
    let Some(provider) = state.tab().map(|t| t.profile.provider) else {
        return;
    };
    if let Some(why) = who::unsupported(provider, &Purpose::Sessions) {
        state.flash = Some(format!(":all-sessions: {why}"));
        return;
    }
    let active_only = match arg {
        "" | "active" => true,
        "all" => false,
        other => {
            return unknown(
                state,
                format!(":all-sessions takes `all` or nothing, not `{other}`"),
            );
        }
    };
    let kind = ListKind::Kratos(kratos::List::AllSessions { active_only });
    let table = state.new_table(kind.clone());
    if let Some(tab) = state.tab_mut() {
        tab.stack.push(Screen {
            title: kind.title().to_string(),
            panes: vec![Pane::Table(table)],
            focus: 0,
            back_to: None,
        });
    }
}

/// Whether `text` reads as a Go duration (`30m`, `1h30m`, `1.5h`): Kratos' `expires_in`.
pub fn looks_like_duration(text: &str) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            rest = &frac[n..];
        }
        let Some(unit) = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .into_iter()
            .find(|u| rest.starts_with(u))
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

/// `:recovery-link [WHO] [EXPIRES]`, `:recovery-code [WHO] [EXPIRES]`.
fn recovery(state: &mut State, code: bool, arg: &str, effects: &mut Vec<Effect>) {
    let words: Vec<&str> = arg.split_whitespace().collect();
    let (who, expires_in) = match words.as_slice() {
        [] => (None, None),
        [one] if looks_like_duration(one) => (None, Some(one.to_string())),
        [one] => (Some(*one), None),
        [who, expires] if looks_like_duration(expires) => (Some(*who), Some(expires.to_string())),
        _ => {
            return usage(
                state,
                if code {
                    "recovery-code"
                } else {
                    "recovery-link"
                },
            );
        }
    };
    let purpose = Purpose::Recovery { code, expires_in };
    match who {
        Some(who) => who::start(state, purpose, who, effects),
        None => in_view(state, purpose, effects),
    }
}

/// `:verify [ADDRESS|WHO]`, `:unverify [ADDRESS|WHO]`: an address of the identity in view,
/// or a person looked up (whose address it is when WHO is one).
fn verify(state: &mut State, verified: bool, arg: &str, effects: &mut Vec<Effect>) {
    let here =
        subject::in_view(state).filter(|h| h.kind == ObjectKind::Kratos(kratos::Object::Identity));
    let own = here
        .as_ref()
        .is_some_and(|h| !arg.is_empty() && who::choose_address(&h.row.raw, Some(arg), "").is_ok());
    let address = (!arg.is_empty()).then(|| arg.to_string());
    match (here, own) {
        (Some(hit), true) => {
            who::start_with(state, Purpose::Verify { verified, address }, hit, effects)
        }
        (_, false) if !arg.is_empty() => who::start(
            state,
            Purpose::Verify {
                verified,
                address: None,
            },
            arg,
            effects,
        ),
        _ => in_view(state, Purpose::Verify { verified, address }, effects),
    }
}

/// Go on with the identity in view, for a command given without WHO.
fn in_view(state: &mut State, purpose: Purpose, effects: &mut Vec<Effect>) {
    match subject::in_view(state).filter(|h| h.kind == ObjectKind::Kratos(kratos::Object::Identity))
    {
        Some(hit) => who::start_with(state, purpose, hit, effects),
        None => {
            let provider = state.tab().map(|t| t.profile.provider);
            match provider.and_then(|p| who::unsupported(p, &purpose)) {
                Some(why) => state.flash = Some(format!("{}: {why}", purpose.command())),
                None => usage(state, purpose.command().trim_start_matches(':')),
            }
        }
    }
}

/// Focus the Sessions/Credentials pane of the opened object, opening the selected row first
/// when the user is still on a list.
fn focus_child(state: &mut State, which: &str, effects: &mut Vec<Effect>) {
    let wanted = |kind: &ListKind| match which {
        "sessions" => matches!(kind, ListKind::Kratos(kratos::List::Sessions { .. })),
        _ => matches!(
            kind,
            ListKind::Kratos(kratos::List::Credentials { .. })
                | ListKind::Core(core::List::Credentials { .. })
        ),
    };
    let find = |state: &State| {
        state.tab().and_then(|t| {
            t.screen()
                .panes
                .iter()
                .position(|p| matches!(p, Pane::Table(t) if wanted(t.kind())))
        })
    };
    if find(state).is_none()
        && let Some(Pane::Table(t)) = state.focused()
        && let Some(row) = t.selected_row().cloned()
    {
        let kind = t.kind().object();
        super::navigate::open_object(state, kind, &row);
        super::navigate::refresh_detail(state, kind, &row.id, effects);
    }
    match (find(state), state.tab_mut()) {
        (Some(i), Some(tab)) => tab.screen_mut().focus = i,
        _ => unknown(state, format!(":{which}: nothing here has {which}")),
    }
}

/// The completed line for `text`, or `None` when nothing (or nothing unique) completes.
/// With several candidates the longest common prefix is returned.
pub fn complete(state: &State, text: &str) -> Option<String> {
    let (head, candidates) = completions(state, text)?;
    let first = candidates.first()?;
    let common = candidates.iter().fold(first.clone(), |acc, c| {
        acc.chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    Some(format!("{head}{common}"))
}

/// What Tab could complete `text` to, each whole (`revoke`, `recovery-link`), when there is
/// more than the text itself.
pub fn candidates(state: &State, text: &str) -> Vec<String> {
    completions(state, text)
        .map(|(_, c)| c.into_iter().map(|c| c.trim_end().to_string()).collect())
        .unwrap_or_default()
}

/// Most candidates named in the status line; the rest are counted.
const CHOICES_SHOWN: usize = 8;

/// `4 match: recovery-code  recovery-link  refresh  revoke`.
fn choices_line(choices: &[String]) -> String {
    let shown = choices
        .iter()
        .take(CHOICES_SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("  ");
    let more = choices.len().saturating_sub(CHOICES_SHOWN);
    let rest = if more > 0 {
        format!("  … {more} more")
    } else {
        String::new()
    };
    format!("{} match: {shown}{rest}", choices.len())
}

/// The text kept before what is completed, and the completions of what follows it.
fn completions(state: &State, text: &str) -> Option<(String, Vec<String>)> {
    let (head, candidates): (String, Vec<String>) = match text.split_once(' ') {
        None => (
            String::new(),
            COMMANDS
                .iter()
                .filter(|c| c.name.starts_with(text))
                .map(|c| format!("{} ", c.name))
                .collect(),
        ),
        Some(("profile", arg)) => (
            "profile ".into(),
            state
                .profile_names()
                .into_iter()
                .filter(|p| p.starts_with(arg))
                .collect(),
        ),
        Some(("sort", arg)) => ("sort ".into(), super::sorting::candidates(state, arg)),
        // The last word of a WHO command (`:recovery-link WHO 2h` completes WHO only
        // while it is typed).
        Some((cmd, arg)) if command(cmd).is_some_and(|c| c.takes_who) && !arg.contains(' ') => {
            (format!("{cmd} "), who_candidates(state, arg))
        }
        Some(_) => return None,
    };
    Some((head, candidates))
}

/// Names (emails, usernames) and ids of the rows loaded on the active profile that start
/// with `prefix`, without repeats.
fn who_candidates(state: &State, prefix: &str) -> Vec<String> {
    let Some(tab) = state.tab() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let tables = tab
        .stack
        .iter()
        .flat_map(|s| s.panes.iter())
        .filter_map(|p| match p {
            Pane::Table(t) => Some(t),
            Pane::Detail(_) => None,
        });
    for t in tables {
        let kind = t.kind().object();
        if !kind.named_by_who() {
            continue;
        }
        for (_, row) in t.loaded_rows() {
            let name = kind.name_of(row);
            for c in name.into_iter().chain(std::iter::once(row.id.as_str())) {
                if !c.is_empty() && c.starts_with(prefix) && !out.iter().any(|o| o == c) {
                    out.push(c.to_string());
                }
            }
            if out.len() >= 1000 {
                return out;
            }
        }
    }
    out
}
