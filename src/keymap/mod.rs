//! Key bindings: named actions bound to keys. The defaults live in `keybindings.toml` at
//! the repository root (embedded at build time); a user file in
//! `$XDG_CONFIG_HOME/idtui/keybindings.toml` replaces the keys of only the actions it names.
//! The help overlay and `idtui keys` are generated from the effective map.

mod action;
mod chord;
mod file;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::KeyEvent;

pub use action::KeyAction;
pub use chord::KeyChord;

/// The built-in bindings, exactly as shipped.
pub const DEFAULT_BINDINGS: &str = include_str!("../../keybindings.toml");

const BUILT_IN_NAME: &str = "keybindings.toml (built in)";

/// A problem in a keybindings file. The offending entry is ignored; the rest still applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapIssue {
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file (it could not be read).
    pub line: usize,
    pub message: String,
}

impl fmt::Display for KeymapIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

/// One titled block of the help overlay: rows of (keys, description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSection {
    pub title: &'static str,
    pub rows: Vec<(String, &'static str)>,
}

/// The effective key bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<KeyAction, Vec<KeyChord>>,
    lookup: HashMap<KeyChord, KeyAction>,
    /// Actions whose keys came from the user file.
    overridden: BTreeSet<KeyAction>,
    /// The user file that was applied, if any.
    source: Option<PathBuf>,
}

impl Keymap {
    /// The built-in map. The embedded file is checked by a unit test, so this cannot fail.
    pub fn defaults() -> Keymap {
        let (entries, _issues) = file::parse(DEFAULT_BINDINGS, Path::new(BUILT_IN_NAME));
        let bindings = entries.into_iter().map(|e| (e.action, e.keys)).collect();
        let mut map = Keymap {
            bindings,
            lookup: HashMap::new(),
            overridden: BTreeSet::new(),
            source: None,
        };
        map.rebuild_lookup(&[], Path::new(BUILT_IN_NAME));
        map
    }

    /// Defaults plus the overrides in `user_file`. A missing file is not an issue; every
    /// problem in an existing one is reported and the rest of the file still applies.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Vec<KeymapIssue>) {
        let Some(path) = user_file else {
            return (Keymap::defaults(), Vec::new());
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Keymap::with_overrides(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Keymap::defaults(), Vec::new()),
            Err(e) => (
                Keymap::defaults(),
                vec![KeymapIssue {
                    file: path.to_path_buf(),
                    line: 0,
                    message: format!("cannot read the file: {e}"),
                }],
            ),
        }
    }

    /// Defaults plus the overrides written in `text` (the contents of `file`).
    pub fn with_overrides(text: &str, file: &Path) -> (Keymap, Vec<KeymapIssue>) {
        let mut map = Keymap::defaults();
        let (entries, mut issues) = file::parse(text, file);
        for entry in &entries {
            map.bindings.insert(entry.action, entry.keys.clone());
            map.overridden.insert(entry.action);
        }
        map.source = Some(file.to_path_buf());
        let user_lines: Vec<(KeyAction, usize)> =
            entries.iter().map(|e| (e.action, e.line)).collect();
        issues.extend(map.rebuild_lookup(&user_lines, file));
        (map, issues)
    }

    /// `keybindings.toml` beside `config.toml` (see [`crate::config::config_dir`]).
    pub fn user_file() -> Option<PathBuf> {
        Some(crate::config::config_dir()?.join("keybindings.toml"))
    }

    /// The action bound to a key press, if any.
    pub fn action_for(&self, key: &KeyEvent) -> Option<KeyAction> {
        let chord = KeyChord::from_event(key)?;
        self.lookup.get(&chord).copied()
    }

    /// The keys bound to `action`, spelled as in the keybindings file.
    pub fn keys_for(&self, action: KeyAction) -> Vec<String> {
        self.bindings
            .get(&action)
            .map(|keys| keys.iter().map(KeyChord::to_string).collect())
            .unwrap_or_default()
    }

    /// The help overlay's content, generated from the effective map.
    pub fn help_sections(&self) -> Vec<HelpSection> {
        action::SECTIONS
            .iter()
            .map(|section| HelpSection {
                title: section.title,
                rows: section
                    .actions
                    .iter()
                    .map(|&a| (self.keys_label(a), a.description()))
                    .collect(),
            })
            .collect()
    }

    /// What `idtui keys` prints: every action grouped by section, with its keys, its name
    /// in the keybindings file and what it does. Overridden actions are marked `*`.
    pub fn render_text(&self) -> String {
        let mut out = String::from("idtui key bindings: built-in defaults");
        if let Some(source) = &self.source {
            out.push_str(&format!(" + overrides (*) from {}", source.display()));
        }
        out.push('\n');
        let key_width = KeyAction::all()
            .iter()
            .map(|&a| self.keys_label(a).chars().count())
            .max()
            .unwrap_or(0);
        let name_width = KeyAction::all()
            .iter()
            .map(|a| a.name().len() + 1)
            .max()
            .unwrap_or(0);
        for section in action::SECTIONS {
            out.push('\n');
            out.push_str(section.title);
            out.push('\n');
            for &a in section.actions {
                let mark = if self.overridden.contains(&a) {
                    "*"
                } else {
                    ""
                };
                let name = format!("{}{mark}", a.name());
                out.push_str(&format!(
                    "  {:<key_width$}  {:<name_width$}  {}\n",
                    self.keys_label(a),
                    name,
                    a.description()
                ));
            }
        }
        out
    }

    fn keys_label(&self, action: KeyAction) -> String {
        let keys = self.keys_for(action);
        if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys.join(", ")
        }
    }

    /// Builds the key → action table. Actions from the user file claim their keys first
    /// (in file order), so a user binding beats a default one on the same key; each clash
    /// is reported and the losing action loses only that key.
    fn rebuild_lookup(
        &mut self,
        user_lines: &[(KeyAction, usize)],
        file: &Path,
    ) -> Vec<KeymapIssue> {
        let mut order: Vec<KeyAction> = user_lines.iter().map(|(a, _)| *a).collect();
        order.extend(
            KeyAction::all()
                .iter()
                .filter(|a| !self.overridden.contains(a)),
        );
        let line_of = |action: KeyAction| {
            user_lines
                .iter()
                .find(|(a, _)| *a == action)
                .map(|(_, line)| *line)
        };
        let mut issues = Vec::new();
        self.lookup.clear();
        for action in order {
            let keys = self.bindings.get(&action).cloned().unwrap_or_default();
            let mut kept = Vec::new();
            for key in keys {
                match self.lookup.get(&key) {
                    Some(&owner) if owner == action => {}
                    Some(&owner) => {
                        // Report against the user line that caused the clash.
                        let line = line_of(action).or(line_of(owner)).unwrap_or(0);
                        issues.push(KeymapIssue {
                            file: file.to_path_buf(),
                            line,
                            message: format!(
                                "key `{key}` is bound to both `{}` and `{}`; `{}` keeps it",
                                owner.name(),
                                action.name(),
                                owner.name()
                            ),
                        });
                    }
                    None => {
                        self.lookup.insert(key, action);
                        kept.push(key);
                    }
                }
            }
            self.bindings.insert(action, kept);
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn embedded_defaults_parse_cleanly_and_bind_every_action() {
        let (entries, issues) = file::parse(DEFAULT_BINDINGS, Path::new(BUILT_IN_NAME));
        assert!(issues.is_empty(), "built-in keybindings.toml: {issues:?}");
        assert_eq!(entries.len(), KeyAction::all().len());
        let (_, clashes) = Keymap::with_overrides("", Path::new("empty.toml"));
        assert!(clashes.is_empty(), "built-in bindings clash: {clashes:?}");
        let map = Keymap::defaults();
        for &action in KeyAction::all() {
            assert!(!map.keys_for(action).is_empty(), "{action:?} has no key");
        }
    }

    #[test]
    fn defaults_follow_the_design_table() {
        let map = Keymap::defaults();
        let cases = [
            (
                press(KeyCode::Char('j'), KeyModifiers::NONE),
                KeyAction::MoveDown,
            ),
            (press(KeyCode::Up, KeyModifiers::NONE), KeyAction::MoveUp),
            (
                press(KeyCode::Char('G'), KeyModifiers::SHIFT),
                KeyAction::Last,
            ),
            (
                press(KeyCode::Char('d'), KeyModifiers::CONTROL),
                KeyAction::PageDown,
            ),
            (
                press(KeyCode::Char('u'), KeyModifiers::CONTROL),
                KeyAction::PageUp,
            ),
            (
                press(KeyCode::BackTab, KeyModifiers::SHIFT),
                KeyAction::PrevPane,
            ),
            (
                press(KeyCode::Char(' '), KeyModifiers::NONE),
                KeyAction::Mark,
            ),
            (
                press(KeyCode::Char('X'), KeyModifiers::NONE),
                KeyAction::RevokeAll,
            ),
            (
                press(KeyCode::Char('x'), KeyModifiers::NONE),
                KeyAction::RevokeSession,
            ),
            (
                press(KeyCode::Char('s'), KeyModifiers::CONTROL),
                KeyAction::Save,
            ),
            (
                press(KeyCode::Char('E'), KeyModifiers::SHIFT),
                KeyAction::ExternalEdit,
            ),
            (press(KeyCode::Esc, KeyModifiers::NONE), KeyAction::Back),
        ];
        for (event, action) in cases {
            assert_eq!(map.action_for(&event), Some(action), "{event:?}");
        }
        // Ctrl-d is page down, plain d is delete: modifiers are part of the key.
        assert_eq!(
            map.action_for(&press(KeyCode::Char('d'), KeyModifiers::NONE)),
            Some(KeyAction::Delete)
        );
        assert_eq!(
            map.action_for(&press(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(map.keys_for(KeyAction::PrevPane), vec!["Shift-Tab"]);
    }

    #[test]
    fn user_file_replaces_only_the_actions_it_names() {
        let text = "move_down = [\"Ctrl-n\"]\nquit = \"Q\"\n";
        let (map, issues) = Keymap::with_overrides(text, Path::new("user.toml"));
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(map.keys_for(KeyAction::MoveDown), vec!["Ctrl-n"]);
        assert_eq!(
            map.action_for(&press(KeyCode::Char('j'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.action_for(&press(KeyCode::Char('Q'), KeyModifiers::SHIFT)),
            Some(KeyAction::Quit)
        );
        assert_eq!(map.keys_for(KeyAction::MoveUp), vec!["k", "Up"]);
    }

    #[test]
    fn a_user_binding_on_a_default_key_wins_and_is_reported() {
        let text = "# comment\n\nquit = [\"d\"]\n";
        let (map, issues) = Keymap::with_overrides(text, Path::new("user.toml"));
        assert_eq!(
            map.action_for(&press(KeyCode::Char('d'), KeyModifiers::NONE)),
            Some(KeyAction::Quit)
        );
        assert!(map.keys_for(KeyAction::Delete).is_empty());
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(
            issues[0].to_string(),
            "user.toml:3: key `d` is bound to both `quit` and `delete`; `quit` keeps it"
        );
    }

    #[test]
    fn two_user_actions_on_one_key_keep_the_first() {
        let text = "help = [\"h\"]\nrefresh = [\"h\", \"F5\"]\n";
        let (map, issues) = Keymap::with_overrides(text, Path::new("u.toml"));
        assert_eq!(
            map.action_for(&press(KeyCode::Char('h'), KeyModifiers::NONE)),
            Some(KeyAction::Help)
        );
        assert_eq!(map.keys_for(KeyAction::Refresh), vec!["F5"]);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].line, 2);
    }

    #[test]
    fn help_sections_show_effective_keys() {
        let (map, _) = Keymap::with_overrides("help = [\"F1\", \"?\"]", Path::new("u.toml"));
        let sections = map.help_sections();
        let titles: Vec<_> = sections.iter().map(|s| s.title).collect();
        assert_eq!(
            titles,
            [
                "Navigation",
                "Find and commands",
                "Editing",
                "Actions on the selection"
            ]
        );
        let rows: Vec<_> = sections.iter().flat_map(|s| s.rows.iter()).collect();
        assert_eq!(rows.len(), KeyAction::all().len());
        assert!(rows.contains(&&("F1, ?".to_string(), KeyAction::Help.description())));
        assert!(rows.contains(&&("j, Down".to_string(), KeyAction::MoveDown.description())));
    }

    #[test]
    fn render_text_marks_overrides_and_names_the_file() {
        let (map, _) = Keymap::with_overrides("refresh = [\"F5\"]", Path::new("/x/u.toml"));
        let text = map.render_text();
        assert!(text.contains("overrides (*) from /x/u.toml"));
        let line = text.lines().find(|l| l.contains("refresh")).unwrap();
        assert!(line.contains("F5") && line.contains("refresh*"), "{line}");
        let line = text.lines().find(|l| l.contains("move_down")).unwrap();
        assert!(line.contains("j, Down") && !line.contains('*'), "{line}");
    }

    #[test]
    fn missing_user_file_means_defaults_without_issues() {
        let dir = tempfile::tempdir().unwrap();
        let (map, issues) = Keymap::load(Some(&dir.path().join("nope.toml")));
        assert!(issues.is_empty());
        assert_eq!(map.keys_for(KeyAction::Quit), vec!["q"]);
    }
}
