//! The named actions keys are bound to, and how the help overlay groups them.

/// Declares [`KeyAction`] from one table, so the enum, the list of every action, the names
/// in `keybindings.toml` and the help lines cannot drift apart.
macro_rules! key_actions {
    ($($action:ident => $name:literal, $description:literal;)+) => {
        /// Something the user can ask the dashboard to do with one key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum KeyAction {
            $($action,)+
        }

        impl KeyAction {
            /// Every action, in declaration order.
            pub fn all() -> &'static [KeyAction] {
                &[$(KeyAction::$action,)+]
            }

            /// The name used in `keybindings.toml`.
            pub fn name(self) -> &'static str {
                match self {
                    $(KeyAction::$action => $name,)+
                }
            }

            /// One line for the help overlay and `idtui keys`.
            pub fn description(self) -> &'static str {
                match self {
                    $(KeyAction::$action => $description,)+
                }
            }
        }
    };
}

key_actions! {
    MoveDown => "move_down", "move down one row";
    MoveUp => "move_up", "move up one row";
    PageDown => "page_down", "page down";
    PageUp => "page_up", "page up";
    First => "first", "first row";
    Last => "last", "last row (fetches to the end; Esc cancels)";
    NextPane => "next_pane", "next pane (at the top, past the last: next profile)";
    PrevPane => "prev_pane", "previous pane (before the first: previous profile)";
    Open => "open", "open detail / drill down";
    Back => "back", "back / cancel";
    Find => "find", "filter or search in the current pane";
    Command => "command", "command line (:profile, :goto ID, :sessions, …)";
    Help => "help", "help overlay";
    Refresh => "refresh", "refresh";
    SortNext => "sort_next", "sort by the next column (or :sort COLUMN)";
    SortReverse => "sort_reverse", "reverse the sort";
    Edit => "edit", "edit JSON (metadata, claims, identity)";
    Patch => "patch", "JSON Patch editor (identities)";
    New => "new", "new identity";
    ExternalEdit => "external_edit", "edit in $EDITOR";
    RevokeSession => "revoke_session", "revoke the selected session";
    RevokeAll => "revoke_all", "revoke all sessions of the selected user/identity";
    Mark => "mark", "mark the row, move down; X d p :set act on marks";
    Delete => "delete", "delete (asks first)";
    CopyId => "copy_id", "copy id (tmux buffer inside tmux, else OSC 52)";
    CopyJson => "copy_json", "copy JSON (tmux buffer inside tmux, else OSC 52)";
    Quit => "quit", "quit (asks if a draft is unsaved)";
    Save => "save", "save in an editor";
    Suspend => "suspend", "suspend to the shell (fg resumes)";
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
        actions: &[
            Find,
            Command,
            Help,
            Refresh,
            SortNext,
            SortReverse,
            Suspend,
            Quit,
        ],
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

impl KeyAction {
    /// The action named `name` in a keybindings file.
    pub fn from_name(name: &str) -> Option<KeyAction> {
        Self::all().iter().copied().find(|a| a.name() == name)
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
