//! The columns chosen for each list with `:columns`, per profile: the headers of the list's
//! own columns and the paths of extra ones, in the order shown. Saved whole in
//! `$XDG_CONFIG_HOME/idtui/columns.toml` (a setting, beside `keybindings.toml`), one table
//! per profile:
//!
//! ```toml
//! [kratos]
//! identities = ["ID", "EMAIL / USERNAME", "traits.name.last", "CREATED"]
//! ```
//!
//! A file that cannot be read is reported at start and left as it is: the lists show their
//! own columns, and choices made meanwhile hold until the end of the run, unsaved.

use std::collections::BTreeMap;

use super::column::{Column, JsonPath, Shown};
use super::model::ListKind;

/// `:columns` open: the list's columns as the chooser shows them (the flow that changes it
/// is `column_chooser`).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub column: Shown,
    pub shown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChooser {
    pub list: ListKind,
    pub profile: String,
    /// The columns shown, in order, then the list's own ones hidden.
    pub entries: Vec<Entry>,
    pub selected: usize,
    /// A path being typed (after `a`).
    pub typing: Option<String>,
    /// What the last key could not do.
    pub problem: Option<String>,
}

/// Profile → list → the columns shown, in order.
type Lists = BTreeMap<String, BTreeMap<String, Vec<String>>>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnChoices {
    lists: Lists,
    /// Why the file could not be read, when it could not: it is then never written over.
    unreadable: Option<String>,
}

impl ColumnChoices {
    /// The choices a file holds, or why they could not be read (then none apply and the file
    /// is kept as it is).
    pub fn parse(text: &str) -> ColumnChoices {
        match toml::from_str::<Lists>(text) {
            Ok(lists) => ColumnChoices {
                lists,
                unreadable: None,
            },
            Err(e) => ColumnChoices {
                lists: Lists::new(),
                unreadable: Some(e.message().to_string()),
            },
        }
    }

    /// Why the file could not be read, if it could not.
    pub fn unreadable(&self) -> Option<&str> {
        self.unreadable.as_deref()
    }

    /// The file's text: every profile's choices.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(&self.lists).unwrap_or_default();
        format!(
            "# The columns chosen with :columns, per profile and list (idtui writes this file).\n{body}"
        )
    }

    /// The columns `list` shows on `profile`: the chosen ones still known (a header the list
    /// no longer has is left out), else the list's own.
    pub fn shown(&self, profile: &str, list: &ListKind) -> Vec<Shown> {
        let own = list.columns();
        let chosen: Vec<Shown> = self
            .lists
            .get(profile)
            .and_then(|l| l.get(&list_key(list)))
            .into_iter()
            .flatten()
            .filter_map(|name| resolve(own, name))
            .collect();
        if chosen.is_empty() {
            Shown::defaults(own)
        } else {
            chosen
        }
    }

    /// Show `columns` for `list` on `profile` (its own columns in their order: no choice).
    pub fn set(&mut self, profile: &str, list: &ListKind, columns: &[Shown]) {
        let key = list_key(list);
        if columns == Shown::defaults(list.columns()).as_slice() || columns.is_empty() {
            if let Some(l) = self.lists.get_mut(profile) {
                l.remove(&key);
                if l.is_empty() {
                    self.lists.remove(profile);
                }
            }
            return;
        }
        let names = columns.iter().map(|c| c.title().to_string()).collect();
        self.lists
            .entry(profile.to_string())
            .or_default()
            .insert(key, names);
    }
}

/// One of `own` by its header (in any case), or else a path.
pub fn resolve(own: &'static [Column], name: &str) -> Option<Shown> {
    own.iter()
        .find(|c| c.title.eq_ignore_ascii_case(name))
        .map(Shown::Builtin)
        .or_else(|| JsonPath::parse(name).ok().map(|p| Shown::Path(Box::new(p))))
}

/// `identities`, `all-sessions`: the list's name in the file.
pub fn list_key(list: &ListKind) -> String {
    list.title().to_lowercase().replace(' ', "-")
}
