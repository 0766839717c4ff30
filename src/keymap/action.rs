//! The named actions keys are bound to, and how the help overlay groups them.

/// Something the user can ask the dashboard to do with one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyAction {
    MoveDown,
    MoveUp,
    PageDown,
    PageUp,
    First,
    Last,
    NextPane,
    PrevPane,
    Open,
    Back,
    Find,
    Command,
    Help,
    Refresh,
    Edit,
    Patch,
    New,
    ExternalEdit,
    RevokeSession,
    RevokeAll,
    Mark,
    Delete,
    CopyId,
    CopyJson,
    Quit,
    Save,
    Suspend,
}

/// A titled group of actions, in display order.
pub(crate) struct Section {
    pub title: &'static str,
    pub actions: &'static [KeyAction],
}

use KeyAction::*;

pub(crate) const SECTIONS: &[Section] = &[
    Section {
        title: "Navigation",
        actions: &[
            MoveDown, MoveUp, First, Last, PageDown, PageUp, NextPane, PrevPane, Open, Back,
        ],
    },
    Section {
        title: "Find and commands",
        actions: &[Find, Command, Help, Refresh, Suspend, Quit],
    },
    Section {
        title: "Editing",
        actions: &[Edit, Patch, New, ExternalEdit, Save],
    },
    Section {
        title: "Actions on the selection",
        actions: &[Mark, RevokeSession, RevokeAll, Delete, CopyId, CopyJson],
    },
];

const ALL: &[KeyAction] = &[
    MoveDown,
    MoveUp,
    PageDown,
    PageUp,
    First,
    Last,
    NextPane,
    PrevPane,
    Open,
    Back,
    Find,
    Command,
    Help,
    Refresh,
    Edit,
    Patch,
    New,
    ExternalEdit,
    RevokeSession,
    RevokeAll,
    Mark,
    Delete,
    CopyId,
    CopyJson,
    Quit,
    Save,
    Suspend,
];

impl KeyAction {
    /// Every action, in declaration order.
    pub fn all() -> &'static [KeyAction] {
        ALL
    }

    /// The name used in `keybindings.toml`.
    pub fn name(self) -> &'static str {
        match self {
            MoveDown => "move_down",
            MoveUp => "move_up",
            PageDown => "page_down",
            PageUp => "page_up",
            First => "first",
            Last => "last",
            NextPane => "next_pane",
            PrevPane => "prev_pane",
            Open => "open",
            Back => "back",
            Find => "find",
            Command => "command",
            Help => "help",
            Refresh => "refresh",
            Edit => "edit",
            Patch => "patch",
            New => "new",
            ExternalEdit => "external_edit",
            RevokeSession => "revoke_session",
            RevokeAll => "revoke_all",
            Mark => "mark",
            Delete => "delete",
            CopyId => "copy_id",
            CopyJson => "copy_json",
            Quit => "quit",
            Save => "save",
            Suspend => "suspend",
        }
    }

    /// One line for the help overlay and `idtui keys`.
    pub fn description(self) -> &'static str {
        match self {
            MoveDown => "move down one row",
            MoveUp => "move up one row",
            PageDown => "page down",
            PageUp => "page up",
            First => "first row",
            Last => "last row (fetches to the end; Esc cancels)",
            NextPane => "next pane",
            PrevPane => "previous pane",
            Open => "open detail / drill down",
            Back => "back / cancel",
            Find => "filter or search in the current pane",
            Command => "command line (:profile, :goto ID, :sessions, …)",
            Help => "help overlay",
            Refresh => "refresh",
            Edit => "edit JSON (metadata, claims, identity)",
            Patch => "JSON Patch editor (identities)",
            New => "new identity",
            ExternalEdit => "edit in $EDITOR",
            RevokeSession => "revoke the selected session",
            RevokeAll => "revoke all sessions of the selected user/identity",
            Mark => "mark row",
            Delete => "delete (asks first)",
            CopyId => "copy id (tmux buffer inside tmux, else OSC 52)",
            CopyJson => "copy JSON (tmux buffer inside tmux, else OSC 52)",
            Quit => "quit (asks if a draft is unsaved)",
            Save => "save in an editor",
            Suspend => "suspend to the shell (fg resumes)",
        }
    }

    /// The action named `name` in a keybindings file.
    pub fn from_name(name: &str) -> Option<KeyAction> {
        ALL.iter().copied().find(|a| a.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_exactly_one_section() {
        for action in KeyAction::all() {
            let count = SECTIONS
                .iter()
                .filter(|s| s.actions.contains(action))
                .count();
            assert_eq!(count, 1, "{action:?} appears in {count} sections");
        }
    }

    #[test]
    fn names_round_trip_and_are_unique() {
        for action in KeyAction::all() {
            assert_eq!(KeyAction::from_name(action.name()), Some(*action));
        }
        let mut names: Vec<_> = KeyAction::all().iter().map(|a| a.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), KeyAction::all().len());
    }
}
