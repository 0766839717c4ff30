//! The dashboard's whole state: open profiles (tabs), each with a stack of screens; the
//! current input mode; the status bar; requests in flight.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::keymap::{Keymap, KeymapIssue};

use super::action::{Issued, Mutation, Ticket};
use super::detail::Detail;
use super::model::{ErrorInfo, Hit, ListKind, ProfileInfo};
use super::table::Table;
use super::who::purpose::Purpose;

/// Rows a page request asks for.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// Lines around the table body: title, pane strip, column header, footer, status bar.
pub const TABLE_CHROME: u16 = 5;
/// Lines around a detail body: title, pane strip, footer, status bar.
pub const DETAIL_CHROME: u16 = 4;

#[derive(Debug)]
pub enum Pane {
    Table(Table),
    Detail(Detail),
}

impl Pane {
    pub fn title(&self) -> String {
        match self {
            Pane::Table(t) => t.kind().title().to_string(),
            Pane::Detail(d) => format!("{} {}", capitalise(d.kind.label()), d.title),
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// One level of drill-down: a set of panes, one focused.
#[derive(Debug)]
pub struct Screen {
    /// Breadcrumb label.
    pub title: String,
    pub panes: Vec<Pane>,
    pub focus: usize,
    /// The profile tab to go back to when this screen is left (a `:find` hit opened on
    /// another profile returns to the results).
    pub back_to: Option<usize>,
}

/// One open profile: its drill-down stack (the root screen is never popped).
#[derive(Debug)]
pub struct Tab {
    pub profile: ProfileInfo,
    pub stack: Vec<Screen>,
    /// The version its server says it is (Kratos profiles: read once, when the profile is
    /// first used; see `versions`).
    pub version: crate::app::provider::kratos::version::Known,
}

impl Tab {
    pub fn screen(&self) -> &Screen {
        self.stack.last().expect("a tab always has its root screen")
    }

    pub fn screen_mut(&mut self) -> &mut Screen {
        self.stack
            .last_mut()
            .expect("a tab always has its root screen")
    }
}

/// A single-line text input (find, command line, confirmation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub mutation: Mutation,
    /// When set, the user must type this exactly (bulk or cascading changes).
    pub type_to_confirm: Option<String>,
    pub input: Input,
    /// What the server will do, when the target alone does not say (a credential delete).
    pub note: Option<String>,
    /// Who the change is about, as people name them: `nguyen.an@example.vn (48602316)`.
    pub subject: Option<String>,
    /// How many active sessions it revokes, when it revokes all of someone's.
    pub count: Option<Count>,
}

/// The active sessions a revocation would end, as far as they are counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Count {
    /// The count was asked for as request `seq`.
    Counting(u64),
    /// `more`: there are at least `active` (the server gave no total).
    Known {
        active: u64,
        more: bool,
    },
    Failed(String),
}

/// A WHO argument being looked up (and, for `:revoke`, its sessions counted): a box says so
/// until the answer comes; Esc gives up.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// The request whose answer moves this on.
    pub seq: u64,
    pub tab: usize,
    pub purpose: Purpose,
    /// The WHO as typed.
    pub who: String,
    /// What is being done, for the box: `looking up nguyen on kratos…`.
    pub doing: String,
    /// Found, while its sessions are counted.
    pub hit: Option<Hit>,
}

/// Several people match a WHO: choose one (j/k, Enter), or Esc.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub tab: usize,
    pub purpose: Purpose,
    pub who: String,
    pub hits: Vec<Hit>,
    pub selected: usize,
}

/// A recovery link or code just made, shown until closed (y/c copy it).
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedView {
    /// For whom, as people name them.
    pub subject: String,
    pub what: &'static str,
    pub issued: Issued,
}

/// `d` on a Coassemble user: what happens to their courses (`r`eallocate, `d`elete, `i`gnore).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseChoice {
    pub user: String,
    pub client: Option<String>,
    /// The user's name, for the question (`None`: the identifier is all there is).
    pub name: Option<String>,
    /// Set once `r` was pressed: the identifier of the user receiving the courses.
    pub reallocate_to: Option<Input>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    Find(Input),
    Command(Input),
    Help {
        scroll: usize,
    },
    /// The whole of one error (`:error`, Enter on a page that could not load).
    ErrorDetail {
        scroll: usize,
        error: Box<ErrorInfo>,
    },
    Confirm(Confirm),
    CourseChoice(CourseChoice),
    Lookup(Lookup),
    Pick(Picker),
    Issued(IssuedView),
    /// The plan of a bulk change, waiting for its count to be typed.
    BulkPlan(Box<super::bulk::proposal::Plan>),
    /// The bulk change's screen: progress and report (`:bulk`).
    Bulk,
    /// `:columns`: choosing the columns of the list in view.
    Columns(Box<super::column_choices::ColumnChooser>),
    /// Quitting would lose something (see `leaving::quit_blockers`): keep, discard or stay.
    Quitting {
        blockers: Vec<String>,
    },
}

impl Mode {
    /// A question is on screen, waiting for the user's answer.
    pub fn asks(&self) -> bool {
        matches!(
            self,
            Mode::Confirm(_)
                | Mode::CourseChoice(_)
                | Mode::Pick(_)
                | Mode::Quitting { .. }
                | Mode::BulkPlan(_)
        )
    }
}

/// Who a request in flight answers to, so it is withdrawn when that goes away. What its
/// answer means is not kept here: it travels with the request and back (`Ticket`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A page of the table with this uid: a table left or reset drops its reads.
    Table(u64),
    /// The editor with this draft key: closing or reloading it drops its reads.
    Editor(String),
    /// Nothing withdraws it; its answer is checked against the state when it comes.
    Nobody,
}

/// Who a dashboard served over SSH is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// The person, from their key's comment.
    pub name: String,
    /// A read key: the session is read-only because of the key, not a flag.
    pub read_key: bool,
    /// The server serves the demo sandbox (no config): the title bar says so.
    pub demo: bool,
}

#[derive(Debug)]
pub struct State {
    /// One per profile, fixed at start; `active` always indexes one of them.
    tabs: Vec<Tab>,
    active: usize,
    pub keymap: Keymap,
    pub read_only: bool,
    /// Set for a session served over SSH (`None`: the local dashboard).
    pub remote: Option<Remote>,
    pub mode: Mode,
    /// A one-off message (what was copied, what was revoked); cleared by the next key.
    pub flash: Option<String>,
    /// The last error, shown until dismissed or replaced.
    pub error: Option<ErrorInfo>,
    /// Requests in flight by seq; the runtime cancels one that is no longer here.
    in_flight: HashMap<u64, Owner>,
    /// Changes sent whose outcome is not settled yet, by the seq they were sent with.
    pub changes: std::collections::BTreeMap<u64, super::change::types::Change>,
    pub width: u16,
    pub height: u16,
    pub spinner: usize,
    /// The `:` command line's history.
    pub history: super::history::History,
    /// The columns chosen for each list with `:columns`, per profile.
    pub columns: super::column_choices::ColumnChoices,
    pub page_size: usize,
    pub quit: bool,
    /// The open editor (`e`, `p`), drawn over the body until saved or closed.
    pub editor: Option<super::editing::session::EditSession>,
    /// `:find` runs whose results are on some screen (`ListKind::Found { run }`).
    pub finds: Vec<super::found::run::FindRun>,
    /// The bulk change of this session (under way, paused, or over with its report).
    pub bulk: Option<Box<super::bulk::run::Run>>,
    /// A recovery link or code that arrived while another box or line was open: shown as
    /// soon as that closes.
    pub issued_waiting: Option<IssuedView>,
    /// Drafts written in this run and not yet saved or discarded: key → what it edits.
    pub unsaved_drafts: BTreeMap<String, String>,
    /// Sessions whose revocation from here was applied, by profile: a list refreshed in place
    /// may still show one active for a moment, and a second `x` must not send it again.
    revoked_sessions: BTreeSet<(String, String)>,
    /// The `:export` running, if any (one at a time; Esc cancels it).
    pub export: Option<super::export::job::Running>,
    /// Set by `update` when something visible changed; the runtime draws and clears it.
    pub dirty: bool,
    /// The clock: time since the session started, set by the runtime before each `update`
    /// (tests set it themselves). Retries of failed pages are scheduled on it.
    pub now: std::time::Duration,
    next_seq: u64,
    next_uid: u64,
}

impl State {
    pub fn new(profiles: Vec<ProfileInfo>, keymap: Keymap, read_only: bool) -> State {
        let mut state = State {
            tabs: Vec::new(),
            active: 0,
            keymap,
            read_only,
            remote: None,
            mode: Mode::Normal,
            flash: None,
            error: None,
            in_flight: HashMap::new(),
            changes: Default::default(),
            width: 80,
            height: 24,
            spinner: 0,
            history: Default::default(),
            columns: Default::default(),
            page_size: DEFAULT_PAGE_SIZE,
            quit: false,
            editor: None,
            finds: Vec::new(),
            bulk: None,
            issued_waiting: None,
            unsaved_drafts: BTreeMap::new(),
            revoked_sessions: BTreeSet::new(),
            export: None,
            dirty: true,
            now: std::time::Duration::ZERO,
            next_seq: 1,
            next_uid: 1,
        };
        for profile in profiles {
            let size = profile.page_size.unwrap_or(state.page_size);
            let panes = profile
                .provider
                .root_lists()
                .into_iter()
                .map(|kind| Pane::Table(Table::new(kind, state.fresh_uid(), size)))
                .collect();
            state.tabs.push(Tab {
                stack: vec![Screen {
                    title: profile.name.clone(),
                    panes,
                    focus: 0,
                    back_to: None,
                }],
                profile,
                version: Default::default(),
            });
        }
        state
    }

    /// Report problems found in the user's keybindings file in the status bar.
    pub fn report_keymap_issues(&mut self, issues: &[KeymapIssue]) {
        if issues.is_empty() {
            return;
        }
        let list: Vec<String> = issues.iter().map(ToString::to_string).collect();
        self.error = Some(ErrorInfo::new(
            format!("keybindings: {} (:error for all)", list[0]),
            list.join("\n"),
        ));
    }

    pub fn new_table(&mut self, kind: ListKind) -> Table {
        let uid = self.fresh_uid();
        // The page size of the profile in front, which the new list belongs to.
        let size = self
            .tabs
            .get(self.active)
            .and_then(|t| t.profile.page_size)
            .unwrap_or(self.page_size);
        Table::new(kind, uid, size)
    }

    pub fn fresh_uid(&mut self) -> u64 {
        self.next_uid += 1;
        self.next_uid
    }

    /// A ticket for a request `owner` answers for: a new seq, in flight until its answer is
    /// taken (`answered`) or its owner withdraws it.
    pub fn ask<P>(&mut self, owner: Owner, purpose: P) -> Ticket<P> {
        let seq = self.fresh_seq();
        self.in_flight.insert(seq, owner);
        Ticket { seq, purpose }
    }

    /// A seq for a change: its answer is always wanted (a change is settled, never dropped),
    /// and `State::changes` keys what it is for.
    pub fn change_seq(&mut self) -> u64 {
        let seq = self.fresh_seq();
        self.in_flight.insert(seq, Owner::Nobody);
        seq
    }

    fn fresh_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The answer with `seq` came: whether it is still wanted. It is not wanted again.
    pub fn answered(&mut self, seq: u64) -> bool {
        self.in_flight.remove(&seq).is_some()
    }

    /// Whether the answer with `seq` is still wanted.
    pub fn awaits(&self, seq: u64) -> bool {
        self.in_flight.contains_key(&seq)
    }

    /// Requests in flight, by seq, with who answers for each.
    pub fn in_flight(&self) -> &HashMap<u64, Owner> {
        &self.in_flight
    }

    /// Withdraw the requests whose owner `gone` matches (their answers would be stale).
    pub fn withdraw(&mut self, gone: impl Fn(&Owner) -> bool) {
        self.in_flight.retain(|_, owner| !gone(owner));
    }

    /// `sessions` of `profile` were revoked from here (the server said so, or a re-read did).
    pub fn note_revoked(&mut self, profile: &str, sessions: &[String]) {
        for s in sessions {
            self.revoked_sessions
                .insert((profile.to_string(), s.clone()));
        }
    }

    /// Whether a revocation of `session` of `profile` sent from here was applied.
    pub fn was_revoked(&self, profile: &str, session: &str) -> bool {
        self.revoked_sessions
            .contains(&(profile.to_string(), session.to_string()))
    }

    pub fn tab(&self) -> Option<&Tab> {
        self.tabs.get(self.active)
    }

    /// Every profile's tab, in the order of the tab bar.
    pub fn tabs(&self) -> &[Tab] {
        &self.tabs
    }

    /// The tabs, to change what they show (never how many there are).
    pub fn tabs_mut(&mut self) -> &mut [Tab] {
        &mut self.tabs
    }

    pub fn tab_at(&self, index: usize) -> Option<&Tab> {
        self.tabs.get(index)
    }

    pub fn tab_at_mut(&mut self, index: usize) -> Option<&mut Tab> {
        self.tabs.get_mut(index)
    }

    /// The index of the tab shown.
    pub fn active(&self) -> usize {
        self.active
    }

    /// Show the tab at `index`; whether there is one (nothing changes otherwise).
    pub fn select_tab(&mut self, index: usize) -> bool {
        let exists = index < self.tabs.len();
        if exists {
            self.active = index;
        }
        exists
    }

    pub fn tab_mut(&mut self) -> Option<&mut Tab> {
        self.tabs.get_mut(self.active)
    }

    pub fn focused(&self) -> Option<&Pane> {
        let screen = self.tab()?.screen();
        screen.panes.get(screen.focus)
    }

    pub fn focused_mut(&mut self) -> Option<&mut Pane> {
        let screen = self.tab_mut()?.screen_mut();
        let focus = screen.focus;
        screen.panes.get_mut(focus)
    }

    pub fn focused_table(&self) -> Option<&Table> {
        match self.focused()? {
            Pane::Table(t) => Some(t),
            Pane::Detail(_) => None,
        }
    }

    pub fn focused_table_mut(&mut self) -> Option<&mut Table> {
        match self.focused_mut()? {
            Pane::Table(t) => Some(t),
            Pane::Detail(_) => None,
        }
    }

    /// The columns the table `t` of the active profile shows: chosen, or its list's own.
    pub fn shown_columns(&self, t: &Table) -> Vec<super::column::Shown> {
        match self.tab() {
            Some(tab) => self.columns.shown(&tab.profile.name, t.kind()),
            None => super::column::Shown::defaults(t.kind().columns()),
        }
    }

    /// Table body rows at the current terminal height.
    pub fn table_rows(&self) -> usize {
        self.height.saturating_sub(TABLE_CHROME).max(1) as usize
    }

    pub fn detail_rows(&self) -> usize {
        self.height.saturating_sub(DETAIL_CHROME).max(1) as usize
    }

    pub fn busy(&self) -> bool {
        !self.in_flight.is_empty()
    }

    /// A table anywhere is walking to its end (`G`): pages are still to come.
    pub fn walking(&self) -> bool {
        self.tabs
            .iter()
            .flat_map(|t| t.stack.iter())
            .flat_map(|s| s.panes.iter())
            .any(|p| matches!(p, Pane::Table(t) if t.walking()))
    }

    /// When the runtime must wake up by itself (a failed page of the current screen is due
    /// to be tried again, a watched list to be refreshed), if ever. A retry already due is not waited for again: it is
    /// sent, or its page is not wanted now.
    pub fn next_wake(&self) -> Option<std::time::Duration> {
        self.tab()?
            .screen()
            .panes
            .iter()
            .flat_map(|p| match p {
                // A watched list's next refresh, and `:mark all`'s next try, too.
                Pane::Table(t) => [t.next_retry(), t.mark_walk_wake(), t.watch_due()],
                Pane::Detail(_) => [None, None, None],
            })
            .flatten()
            .chain(self.bulk.as_ref().and_then(|run| run.wake(self.now)))
            .filter(|&at| at > self.now)
            .min()
    }

    /// The error the status bar shows: the last one reported, or else the focused table's
    /// failed page.
    pub fn current_error(&self) -> Option<&ErrorInfo> {
        self.error
            .as_ref()
            .or_else(|| Some(&self.focused_table()?.failure()?.error))
    }

    /// Find a table anywhere (any tab, any depth) by its uid.
    pub fn table_by_uid(&mut self, uid: u64) -> Option<&mut Table> {
        self.tabs
            .iter_mut()
            .flat_map(|t| t.stack.iter_mut())
            .flat_map(|s| s.panes.iter_mut())
            .find_map(|p| match p {
                Pane::Table(t) if t.uid() == uid => Some(t),
                _ => None,
            })
    }

    pub fn profile_names(&self) -> Vec<String> {
        self.tabs.iter().map(|t| t.profile.name.clone()).collect()
    }
}
