//! `update(&mut State, Action) -> Vec<Effect>`: every behaviour of the dashboard, with no I/O.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::keymap::KeyAction;

use super::action::{Action, Effect, FindFor, ObjectFor, PageFor, Ticket};
use super::command;
use super::detail::Detail;
use super::find::LocalFilter;
use super::model::{ErrorInfo, ListKind, Row};
use super::navigate::{open_object, refilter, refresh_detail, refresh_screen, switch_tab};
use super::state::{Input, Mode, Owner, Pane, State};
use crate::app::provider::core;

/// Spinner frames; the runtime ticks only while something is in flight.
pub const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    // An error already on screen when a question opens is about something else: under the
    // question it would read as the question's own refusal.
    let old_error = (!state.mode.asks()).then(|| state.error.clone()).flatten();
    match action {
        Action::Key(key) => {
            if key.kind == KeyEventKind::Release {
                return effects;
            }
            state.dirty = true;
            let before = where_am_i(state);
            on_key(state, key, &mut effects);
            // An error reported about one pane does not hold for another one (or another
            // profile); the new pane's own failure, if any, shows instead.
            if where_am_i(state) != before {
                state.error = None;
                super::watch::left(state);
            }
        }
        Action::Paste(text) => super::paste::on_paste(state, &text, &mut effects),
        Action::Resize(w, h) => {
            state.width = w;
            state.height = h;
            let rows = state.table_rows();
            if let Some(t) = state.focused_table_mut() {
                t.scroll_into_view(rows);
            }
            state.dirty = true;
        }
        Action::Tick => {
            if state.busy() {
                state.spinner = (state.spinner + 1) % SPINNER.len();
                state.dirty = true;
            }
            // A retry countdown on screen moves on.
            if state.next_wake().is_some() {
                state.dirty = true;
            }
            super::watch::on_tick(state);
        }
        Action::PageLoaded { ticket, result } => on_page(state, ticket, result, &mut effects),
        Action::ObjectLoaded { ticket, result } => on_object(state, ticket, result, &mut effects),
        Action::MutationDone { seq, result } => {
            let report = super::settle::on_answer(state, seq, result, &mut effects);
            reported(state, report, &mut effects);
        }
        Action::Found { ticket, result } if state.answered(ticket.seq) => match ticket.purpose {
            FindFor::Lookup => super::who::on_found(state, ticket.seq, result, &mut effects),
            FindFor::Hits { run, profile } => super::found::on_hits(state, run, &profile, result),
        },
        // Withdrawn: nobody waits for it any more.
        Action::Found { .. } => {}
        Action::VersionRead { profile, result } => super::versions::read(state, &profile, result),
        Action::DraftLoaded { key, text } => {
            super::editing::draft_loaded(state, &key, text, &mut effects);
            state.dirty = true;
        }
        Action::ExternalEdited { key, result } => {
            super::editing::external_edited(state, &key, result, &mut effects);
            state.dirty = true;
        }
        Action::Notice(text) => {
            state.flash = Some(text);
            state.dirty = true;
        }
        Action::EffectFailed(err) => {
            state.error = Some(err);
            state.dirty = true;
        }
        Action::Terminate => {
            state.quit = true;
            effects.push(Effect::Quit);
        }
        Action::ExportProgress {
            seq,
            rows,
            per_second,
        } => super::export::on_progress(state, seq, rows, per_second),
        Action::ExportDone { seq, result } => {
            super::export::on_done(state, seq, result, &mut effects)
        }
    }
    if old_error.is_some() && state.mode.asks() && state.error == old_error {
        state.error = None;
    }
    if !state.quit {
        super::issued::show_waiting(state);
        super::bulk::pump(state, &mut effects);
        request_pages(state, &mut effects);
    }
    super::versions::ask_once(state, &mut effects);
    super::leaving::track_drafts(state, &effects);
    forget_orphan_reads(state);
    effects
}

/// Page reads for a table that is gone (left, or reset under a new uid) are no longer
/// waited for: the runtime cancels what is no longer in flight.
fn forget_orphan_reads(state: &mut State) {
    let live: std::collections::HashSet<u64> = state
        .tabs()
        .iter()
        .flat_map(|t| &t.stack)
        .flat_map(|s| &s.panes)
        .filter_map(|p| match p {
            Pane::Table(t) => Some(t.uid()),
            Pane::Detail(_) => None,
        })
        .collect();
    state.withdraw(|owner| matches!(owner, Owner::Table(table) if !live.contains(table)));
}

/// Show what the change lifecycle reports, if anything.
fn reported(state: &mut State, report: Option<super::settle::Report>, effects: &mut Vec<Effect>) {
    if let Some(report) = report {
        super::settled::reported(state, report, effects);
    }
}

/// The pane in front: profile, drill-down depth, focused pane.
fn where_am_i(state: &State) -> (usize, usize, usize) {
    let (depth, focus) = state
        .tab()
        .map_or((0, 0), |t| (t.stack.len(), t.screen().focus));
    (state.active(), depth, focus)
}

/// Ask for every page the current screen's tables want (first pages, prefetch, refetch).
pub fn request_pages(state: &mut State, effects: &mut Vec<Effect>) {
    let view_rows = state.table_rows();
    let now = state.now;
    let Some(tab) = state.tab_mut() else {
        return;
    };
    let profile = tab.profile.name.clone();
    // Every page wanted: its table, what it is for, the list and search, cursor and size.
    let mut wants = Vec::new();
    for pane in &mut tab.screen_mut().panes {
        if let Pane::Table(t) = pane {
            let (table, list, search) = (t.uid(), t.kind().clone(), t.search().map(str::to_owned));
            let mut want = |purpose, cursor, size| {
                wants.push((table, purpose, list.clone(), search.clone(), cursor, size));
            };
            if let Some(w) = t.mark_walk_want(now) {
                want(PageFor::MarkAll { table }, w.cursor, w.size);
            }
            for w in t.wants(view_rows, now) {
                let page = w.page;
                want(PageFor::Table { table, page }, w.cursor, w.size);
            }
        }
    }
    for (uid, purpose, list, search, cursor, size) in wants {
        let ticket = state.ask(Owner::Table(uid), purpose);
        effects.push(Effect::FetchPage {
            ticket,
            profile: profile.clone(),
            list,
            search,
            cursor,
            size,
        });
    }
}

fn on_page(
    state: &mut State,
    ticket: Ticket<PageFor>,
    result: Result<super::model::PageData, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    // Withdrawn (the table was reset or closed): drop it.
    if !state.answered(ticket.seq) {
        return;
    }
    let (table, page) = match ticket.purpose {
        PageFor::Table { table, page } => (table, page),
        PageFor::Verify { change } => {
            let report = super::settle::on_verify_page(state, change, result, effects);
            return reported(state, report, effects);
        }
        PageFor::SessionCount => return super::who::on_count(state, ticket.seq, result),
        PageFor::MarkAll { table } => return mark_page(state, table, result),
    };
    state.dirty = true;
    let rows = state.table_rows();
    let now = state.now;
    let Some(t) = state.table_by_uid(table) else {
        return;
    };
    match result {
        Ok(data) => {
            t.apply(page, data, rows);
            if let Some(mut f) = t.take_filter() {
                f.refresh(t.loaded_rows());
                t.set_filter(Some(f));
            }
        }
        // Kept on the table's page, not in `state.error`: the status bar shows it while
        // that table is in front and it still holds (see `State::current_error`).
        Err(err) => t.fail(page, err, now),
    }
}

/// A page of `:mark all` arrived (or failed).
fn mark_page(state: &mut State, table: u64, result: Result<super::model::PageData, ErrorInfo>) {
    state.dirty = true;
    let now = state.now;
    let Some(t) = state.table_by_uid(table) else {
        return;
    };
    match result {
        Ok(data) => {
            t.mark_walk_page(data);
            if t.mark_walk_read().is_none() {
                let n = t.marked().len();
                state.flash = Some(format!("{n} marked: every row of the list"));
            }
        }
        Err(err) => {
            if let Some(why) = t.mark_walk_failed(err, now) {
                state.flash = Some(why);
            }
        }
    }
}

fn on_object(
    state: &mut State,
    ticket: Ticket<ObjectFor>,
    result: Result<Row, ErrorInfo>,
    effects: &mut Vec<Effect>,
) {
    if !state.answered(ticket.seq) {
        return;
    }
    state.dirty = true;
    match (ticket.purpose, result) {
        (ObjectFor::Verify { change }, result) => {
            let report = super::settle::on_verify_object(state, change, result, effects);
            reported(state, report, effects);
        }
        (ObjectFor::Bulk { batch }, result) => super::bulk::on_read(state, batch, result, effects),
        (ObjectFor::EditorBase { key }, result) => {
            super::editing::base_loaded(state, &key, result, effects)
        }
        (ObjectFor::CredentialCheck { tab, target }, result) => {
            super::credentials::check_loaded(state, tab, &target, result)
        }
        (ObjectFor::PreSave { key }, result) => {
            super::editing::presave_loaded(state, &key, ticket.seq, result, effects)
        }
        (ObjectFor::Refresh { tab, kind, id }, Ok(row)) => {
            // Replace the detail in place (the user may have scrolled; keep the position).
            let details = state
                .tab_at_mut(tab)
                .into_iter()
                .flat_map(|t| t.stack.iter_mut())
                .flat_map(|s| s.panes.iter_mut());
            for pane in details {
                if let Pane::Detail(d) = pane
                    && d.kind == kind
                    && d.id == id
                {
                    let scroll = d.scroll;
                    *d = Detail::new(kind, &id, &d.title, &row.raw);
                    d.scroll = scroll.min(d.lines.len().saturating_sub(1));
                }
            }
        }
        (ObjectFor::Refresh { tab, kind, id }, Err(err)) => {
            // Only worth saying while that detail is still open.
            let open = state.tab_at(tab).is_some_and(|t| {
                t.stack
                    .iter()
                    .flat_map(|s| &s.panes)
                    .any(|p| matches!(p, Pane::Detail(d) if d.kind == kind && d.id == id))
            });
            if open {
                state.error = Some(err);
            }
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    if super::leaving::is_ctrl_c(&key) {
        super::leaving::on_ctrl_c(state, effects);
        return;
    }
    state.flash = None;
    if matches!(state.mode, Mode::Quitting { .. }) {
        super::leaving::on_question_key(state, key, effects);
        return;
    }
    // Suspending works from anywhere, an editor included: drafts are written first.
    if state.keymap.action_for(&key) == Some(KeyAction::Suspend) {
        effects.push(Effect::Suspend);
        return;
    }
    if state.editor.is_some() {
        super::editing::on_key(state, key, effects);
        return;
    }
    match state.mode.clone() {
        Mode::Normal => on_normal_key(state, key, effects),
        Mode::Find(input) => on_find_key(state, input, key),
        Mode::Command(input) => command::on_key(state, input, key, effects),
        Mode::Help { scroll } => super::help::on_key(state, scroll, &key),
        Mode::ErrorDetail { scroll, error } => {
            state.mode = match state.keymap.action_for(&key) {
                Some(KeyAction::MoveDown) => Mode::ErrorDetail {
                    scroll: scroll + 1,
                    error,
                },
                Some(KeyAction::MoveUp) => Mode::ErrorDetail {
                    scroll: scroll.saturating_sub(1),
                    error,
                },
                _ => Mode::Normal,
            }
        }
        Mode::Confirm(confirm) => super::confirm::on_key(state, confirm, key, effects),
        Mode::BulkPlan(plan) => super::bulk::plan::on_key(state, plan, key, effects),
        Mode::Bulk => super::bulk::on_key(state, &key, effects),
        Mode::CourseChoice(choice) => super::confirm::on_course_key(state, choice, key, effects),
        Mode::Lookup(_) => super::who::on_lookup_key(state, key),
        Mode::Pick(picker) => super::who::on_pick_key(state, picker, key, effects),
        Mode::Issued(view) => super::issued::on_key(state, view, key, effects),
        Mode::Quitting { .. } => super::leaving::on_question_key(state, key, effects),
        Mode::Columns(c) => super::column_chooser::on_key(state, c, key, effects),
    }
}

fn on_normal_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(action) = state.keymap.action_for(&key) else {
        profile_by_number(state, &key);
        return;
    };
    // Esc while an export runs cancels it, wherever the dashboard is.
    if super::export::intercepts(state, action)
        || super::audit_pane::refuses(state, action)
        || super::read_only::refuse(state, action)
        || super::found::intercepts(state, action, effects)
        || super::bulk::plan::intercepts(state, action, effects)
    {
        return;
    }
    let table_rows = state.table_rows();
    let detail_rows = state.detail_rows();
    // For `G` on a sorted list that has to be read again (`Table::walk_sorted`).
    let uid = state.fresh_uid();
    match action {
        KeyAction::MoveDown => move_selection(state, 1),
        KeyAction::MoveUp => move_selection(state, -1),
        KeyAction::PageDown => move_selection(state, table_rows as isize),
        KeyAction::PageUp => move_selection(state, -(table_rows as isize)),
        KeyAction::First => match state.focused_mut() {
            Some(Pane::Table(t)) => {
                t.stop_walk();
                match t.filter_mut() {
                    Some(f) => f.selected = 0,
                    None => t.select(0, table_rows),
                }
                t.after_move();
            }
            Some(Pane::Detail(d)) => d.scroll = 0,
            None => {}
        },
        KeyAction::Last => match state.focused_mut() {
            Some(Pane::Table(t)) => {
                if let Some(f) = t.filter_mut() {
                    f.selected = f.matches.len().saturating_sub(1);
                } else {
                    t.walk_sorted(uid);
                    let last = t.known().saturating_sub(1);
                    t.select(last, table_rows);
                    t.start_walk();
                    t.after_move();
                }
            }
            Some(Pane::Detail(d)) => d.scroll_by(isize::MAX / 2, detail_rows),
            None => {}
        },
        KeyAction::NextPane => cycle_pane(state, 1),
        KeyAction::PrevPane => cycle_pane(state, -1),
        KeyAction::Open => open_selected(state, effects),
        KeyAction::Back => back(state),
        KeyAction::Find => {
            if let Some(t) = state.focused_table_mut() {
                let mut f = LocalFilter::default();
                f.refresh(t.loaded_rows());
                t.set_filter(Some(f));
                state.mode = Mode::Find(Input::default());
            }
        }
        KeyAction::Command => {
            state.history.rewind();
            state.mode = Mode::Command(Input::default());
        }
        KeyAction::Help => state.mode = Mode::Help { scroll: 0 },
        KeyAction::Refresh => {
            refresh_screen(state);
            for report in super::settle::recheck_unknown(state, effects) {
                super::settled::reported(state, report, effects);
            }
        }
        KeyAction::SortNext => super::sorting::next_column(state),
        KeyAction::SortReverse => super::sorting::reverse(state),
        KeyAction::Quit => super::leaving::request_quit(state, effects),
        KeyAction::Suspend => effects.push(Effect::Suspend),
        KeyAction::CopyId => copy(state, false, effects),
        KeyAction::CopyJson => copy(state, true, effects),
        KeyAction::RevokeSession => super::confirm::ask_revoke_session(state),
        KeyAction::RevokeAll => super::confirm::ask_revoke_all(state, effects),
        KeyAction::Delete => {
            if !super::credentials::ask_delete(state, effects) {
                super::confirm::ask_delete(state)
            }
        }
        KeyAction::Edit => super::editing::open(state, false, effects),
        // One patch for every marked identity, planned on Ctrl-s (`bulk::plan`).
        KeyAction::Patch if super::bulk::plan::marked_identities(state) => {
            super::editing::open_bulk_patch(state, effects)
        }
        KeyAction::Patch => super::editing::open(state, true, effects),
        KeyAction::New => super::editing::open_new(state, effects),
        KeyAction::Mark => toggle_mark(state),
        KeyAction::Save => {
            state.flash = Some("nothing to save: Ctrl-s saves in an editor (e, p, n)".into());
        }
        // `$EDITOR` would run on the server, with no terminal of the session's.
        KeyAction::ExternalEdit if state.remote.is_some() => {
            state.flash =
                Some("E ($EDITOR) is not available over SSH: e edits here, Ctrl-s saves".into());
        }
        KeyAction::ExternalEdit => super::editing::open_external(state, effects),
    }
}

/// `space`: mark or unmark the selected row and move down, so runs of rows mark quickly.
fn toggle_mark(state: &mut State) {
    let rows = state.table_rows();
    let Some(t) = state.focused_table_mut() else {
        state.flash = Some("marks are for lists: open one (Esc) to mark its rows".into());
        return;
    };
    if let Some(why) = super::marking::not_markable(t.kind()) {
        state.flash = Some(why);
        return;
    }
    let Some((id, name)) = t
        .selected_row()
        .map(|r| (r.id.clone(), r.fields.name().unwrap_or("").to_string()))
    else {
        return;
    };
    t.marks_mut().toggle(&id, &name);
    t.move_by(1, rows);
}

fn move_selection(state: &mut State, delta: isize) {
    let table_rows = state.table_rows();
    let detail_rows = state.detail_rows();
    match state.focused_mut() {
        Some(Pane::Table(t)) => {
            t.end_walk();
            t.move_by(delta, table_rows);
            t.after_move();
        }
        Some(Pane::Detail(d)) => d.scroll_by(delta, detail_rows),
        None => {}
    }
}

/// A digit no binding takes (`1`–`9`) goes to the profile of that number, the tabs at the
/// top in order; Tab only moves on to the next profile past the last pane.
fn profile_by_number(state: &mut State, key: &KeyEvent) {
    let KeyCode::Char(c @ '1'..='9') = key.code else {
        return;
    };
    if !(key.modifiers - KeyModifiers::SHIFT).is_empty() {
        return;
    }
    let n = c as usize - '1' as usize;
    if n < state.tabs().len() {
        switch_tab(state, n);
    } else {
        state.flash = Some(format!("no profile {c}: there are {}", state.tabs().len()));
    }
}

/// Tab moves within the screen; on a root screen it continues into the next profile, so
/// with several profiles open every top-level list is one Tab away.
fn cycle_pane(state: &mut State, delta: isize) {
    let tabs = state.tabs().len();
    let Some(tab) = state.tab_mut() else {
        return;
    };
    let at_root = tab.stack.len() == 1;
    let screen = tab.screen_mut();
    let n = screen.panes.len() as isize;
    let next = screen.focus as isize + delta;
    if (0..n).contains(&next) || !at_root || tabs == 1 {
        screen.focus = next.rem_euclid(n) as usize;
        return;
    }
    let target = (state.active() as isize + delta).rem_euclid(tabs as isize) as usize;
    switch_tab(state, target);
    if let Some(tab) = state.tab_mut() {
        let screen = tab.screen_mut();
        screen.focus = if delta > 0 { 0 } else { screen.panes.len() - 1 };
    }
}

fn open_selected(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(pane) = state.focused() else {
        return;
    };
    match pane {
        Pane::Table(t) => {
            if let Some(f) = t.failure()
                && t.selected_row().is_none()
            {
                state.mode = Mode::ErrorDetail {
                    scroll: 0,
                    error: Box::new(f.error.clone()),
                };
                return;
            }
            let kind = t.kind().object();
            if let Some(row) = t.selected_row().cloned() {
                open_object(state, kind, &row);
                refresh_detail(state, kind, &row.id, effects);
            }
        }
        Pane::Detail(_) => {
            // Enter on an opened object moves to its first child list, if any.
            if let Some(tab) = state.tab_mut() {
                let screen = tab.screen_mut();
                if screen.panes.len() > 1 {
                    screen.focus = 1;
                }
            }
        }
    }
}

fn back(state: &mut State) {
    if super::marking::stop(state) {
        return;
    }
    let rows = state.table_rows();
    let Some(tab) = state.tab_mut() else {
        return;
    };
    let depth = tab.stack.len();
    let screen = tab.screen_mut();
    let focus = screen.focus;
    if let Some(Pane::Table(t)) = screen.panes.get_mut(focus) {
        if t.walking() {
            t.stop_walk();
            state.flash = Some("stopped loading".into());
            return;
        }
        if t.close_filter(rows) {
            return;
        }
        if t.stop_watch() {
            state.flash = Some("stopped watching".into());
            return;
        }
        if t.search().is_some() && depth == 1 {
            t.clear_search();
            let uid = state.fresh_uid();
            if let Some(t) = state.focused_table_mut() {
                t.reset(uid);
            }
            return;
        }
    }
    if depth > 1 {
        let back_to = state
            .tab_mut()
            .and_then(|tab| tab.stack.pop())
            .and_then(|screen| screen.back_to);
        if let Some(results) = back_to {
            switch_tab(state, results);
        }
    } else if state.error.take().is_none() {
        state.flash = Some("press q to quit".into());
    }
}

fn on_find_key(state: &mut State, mut input: Input, key: KeyEvent) {
    let rows = state.table_rows();
    // An `ext:` search this Kratos cannot run is refused before it is sent.
    let no_external = match super::versions::text(state) {
        Some(v) => super::versions::rules(state).external_id_refused(v),
        None => None,
    };
    let Some(t) = state.focused_table_mut() else {
        state.mode = Mode::Normal;
        return;
    };
    match key.code {
        KeyCode::Esc => {
            t.close_filter(rows);
            state.mode = Mode::Normal;
        }
        KeyCode::Enter => {
            let query = input.text.trim().to_string();
            if *t.kind() == ListKind::Core(core::List::Users)
                && !query.is_empty()
                && !super::find::core_searchable(&query)
            {
                // Not something MATTR can search for: the filter of the loaded rows stays,
                // and the hint says what would search the server.
                state.flash = Some(super::find::CORE_SEARCH_HINT.into());
                state.mode = Mode::Normal;
                return;
            }
            if let (ListKind::Kratos(_), Some(why)) = (t.kind(), &no_external)
                && matches!(
                    super::find::KratosQuery::parse(&query),
                    Some(super::find::KratosQuery::ExternalId(_))
                )
            {
                state.flash = Some(why.clone());
                state.mode = Mode::Normal;
                return;
            }
            if t.kind().server_search_hint().is_some() && !query.is_empty() {
                t.search_server(query);
                let uid = state.fresh_uid();
                if let Some(t) = state.focused_table_mut() {
                    t.reset(uid);
                }
            } else if query.is_empty() {
                t.set_filter(None);
            }
            state.mode = Mode::Normal;
        }
        KeyCode::Down => t.move_by(1, rows),
        KeyCode::Up => t.move_by(-1, rows),
        KeyCode::Backspace => {
            input.text.pop();
            refilter(t, &input.text);
            state.mode = Mode::Find(input);
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.text.clear();
            refilter(t, "");
            state.mode = Mode::Find(input);
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.text.push(c);
            refilter(t, &input.text);
            state.mode = Mode::Find(input);
        }
        _ => {}
    }
}

fn copy(state: &mut State, json: bool, effects: &mut Vec<Effect>) {
    let (id, raw) = match state.focused() {
        Some(Pane::Table(t)) => match t.selected_row() {
            Some(r) => (r.id.clone(), super::detail::redact(&r.raw)),
            None => return,
        },
        Some(Pane::Detail(d)) => (d.id.clone(), (*d.redacted).clone()),
        None => return,
    };
    if json {
        // Every control and invisible character written as a JSON escape: the same
        // document, and nothing in it a paste could act on.
        let text = crate::sanitize::json_text(&raw);
        super::copy::copy_text(state, text, format!("JSON of {id}"), true, effects);
    } else {
        super::copy::copy_text(state, id.clone(), format!("id {id}"), false, effects);
    }
}
