//! One key plus modifiers: parsed from a keybindings file, matched against crossterm
//! events, and shown back to the user in the same spelling.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key as the keymap stores it. Shift is folded into the key itself (`G`, BackTab) so
/// that terminals which do and do not report SHIFT alongside an upper-case letter match
/// the same binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const NAMED: &[(&str, KeyCode)] = &[
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("Backspace", KeyCode::Backspace),
    ("Delete", KeyCode::Delete),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Space", KeyCode::Char(' ')),
    ("Insert", KeyCode::Insert),
];

/// Other spellings people type; accepted, but shown in the canonical form above.
const ALIASES: &[(&str, &str)] = &[
    ("escape", "Esc"),
    ("return", "Enter"),
    ("del", "Delete"),
    ("pgup", "PageUp"),
    ("pgdn", "PageDown"),
    ("pgdown", "PageDown"),
];

impl KeyChord {
    fn new(code: KeyCode, mods: KeyModifiers) -> KeyChord {
        let mut chord = KeyChord { code, mods };
        chord.normalise();
        chord
    }

    /// Folds SHIFT into the key: `Shift-g` and `G` are the same chord, as are
    /// `Shift-Tab` and BackTab.
    fn normalise(&mut self) {
        match self.code {
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::SHIFT) => {
                self.code = KeyCode::Char(c.to_ascii_uppercase());
                self.mods.remove(KeyModifiers::SHIFT);
            }
            KeyCode::Tab if self.mods.contains(KeyModifiers::SHIFT) => {
                self.code = KeyCode::BackTab;
                self.mods.remove(KeyModifiers::SHIFT);
            }
            KeyCode::BackTab => self.mods.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        // Legacy terminals send the same byte for Ctrl-s and Ctrl-S, so a binding written
        // either way means the one key the terminal can report.
        if let KeyCode::Char(c) = self.code
            && self.mods.contains(KeyModifiers::CONTROL)
        {
            self.code = KeyCode::Char(c.to_ascii_lowercase());
        }
        // Only these three modifiers are part of a binding; SUPER/HYPER/META are not
        // reported consistently across terminals.
        self.mods &= KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT;
    }

    /// The chord a key press represents; `None` for key releases (kitty protocol).
    pub fn from_event(event: &KeyEvent) -> Option<KeyChord> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        Some(KeyChord::new(event.code, event.modifiers))
    }

    /// Parses a key name such as `j`, `G`, `Ctrl-d`, `Shift-Tab`, `F5` or `Alt-Enter`.
    pub fn parse(text: &str) -> Result<KeyChord, String> {
        if text.is_empty() {
            return Err("empty key name".to_string());
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        // A lone "-" is the minus key, and "Ctrl--" is Ctrl plus minus.
        while rest.chars().count() > 1 {
            let Some((prefix, tail)) = rest.split_once('-') else {
                break;
            };
            let modifier = match prefix.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => KeyModifiers::CONTROL,
                "alt" | "meta" => KeyModifiers::ALT,
                "shift" => KeyModifiers::SHIFT,
                _ => break,
            };
            if tail.is_empty() {
                return Err(format!("`{text}` has a modifier but no key"));
            }
            mods |= modifier;
            rest = tail;
        }
        let code = parse_code(rest).ok_or_else(|| format!("unknown key name `{text}`"))?;
        Ok(KeyChord::new(code, mods))
    }
}

fn parse_code(name: &str) -> Option<KeyCode> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        // Single characters are case-sensitive, and a control character is no key name.
        return (!c.is_control()).then_some(KeyCode::Char(c));
    }
    let lower = name.to_ascii_lowercase();
    if lower == "backtab" {
        return Some(KeyCode::BackTab);
    }
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(name, |(_, canonical)| canonical);
    if let Some((_, code)) = NAMED
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(canonical))
    {
        return Some(*code);
    }
    let number = lower.strip_prefix('f')?.parse::<u8>().ok()?;
    (1..=12).contains(&number).then_some(KeyCode::F(number))
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            code => match NAMED.iter().find(|(_, c)| *c == code) {
                Some((name, _)) => f.write_str(name),
                None => write!(f, "{code:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(code: KeyCode, mods: KeyModifiers) -> KeyChord {
        KeyChord::new(code, mods)
    }

    #[test]
    fn parses_plain_named_and_modified_keys() {
        assert_eq!(
            KeyChord::parse("j").unwrap(),
            chord(KeyCode::Char('j'), KeyModifiers::NONE)
        );
        assert_eq!(
            KeyChord::parse("Ctrl-d").unwrap(),
            chord(KeyCode::Char('d'), KeyModifiers::CONTROL)
        );
        assert_eq!(KeyChord::parse("Shift-Tab").unwrap().code, KeyCode::BackTab);
        assert_eq!(KeyChord::parse("pgdn").unwrap().code, KeyCode::PageDown);
        assert_eq!(KeyChord::parse("F12").unwrap().code, KeyCode::F(12));
        assert_eq!(KeyChord::parse("Space").unwrap().code, KeyCode::Char(' '));
        assert_eq!(KeyChord::parse("-").unwrap().code, KeyCode::Char('-'));
        assert_eq!(
            KeyChord::parse("Ctrl--").unwrap(),
            chord(KeyCode::Char('-'), KeyModifiers::CONTROL)
        );
    }

    #[test]
    fn single_characters_are_case_sensitive_and_shift_folds_in() {
        assert_ne!(KeyChord::parse("g").unwrap(), KeyChord::parse("G").unwrap());
        assert_eq!(
            KeyChord::parse("Shift-g").unwrap(),
            KeyChord::parse("G").unwrap()
        );
    }

    #[test]
    fn rejects_unknown_names() {
        for bad in ["", "F13", "F0", "Hyper-x", "Ctrl-", "Enterr", "\u{7}"] {
            assert!(KeyChord::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn display_uses_the_file_spelling() {
        for name in [
            "j",
            "G",
            "Down",
            "Ctrl-d",
            "Shift-Tab",
            "Space",
            "F5",
            "Alt-Enter",
        ] {
            assert_eq!(KeyChord::parse(name).unwrap().to_string(), name);
        }
        assert_eq!(KeyChord::parse("escape").unwrap().to_string(), "Esc");
    }

    #[test]
    fn upper_case_matches_with_or_without_shift_reported() {
        let with_shift = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        let without = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE);
        let lower_with_shift = KeyEvent::new(KeyCode::Char('g'), KeyModifiers::SHIFT);
        let expected = KeyChord::parse("G").unwrap();
        for event in [with_shift, without, lower_with_shift] {
            assert_eq!(KeyChord::from_event(&event), Some(expected));
        }
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            KeyChord::from_event(&backtab),
            Some(KeyChord::parse("Shift-Tab").unwrap())
        );
    }

    #[test]
    fn control_letters_ignore_case() {
        let ctrl_s = KeyChord::parse("Ctrl-s").unwrap();
        assert_eq!(KeyChord::parse("Ctrl-S").unwrap(), ctrl_s);
        let shifted = KeyEvent::new(
            KeyCode::Char('S'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(KeyChord::from_event(&shifted), Some(ctrl_s));
        assert_eq!(ctrl_s.to_string(), "Ctrl-s");
    }

    #[test]
    fn key_releases_are_not_chords() {
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(KeyChord::from_event(&release), None);
    }
}
