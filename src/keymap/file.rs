//! Reading a keybindings file: `action = ["key", ...]` lines, with every problem reported
//! at its line and otherwise skipped.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::{KeyAction, KeyChord, KeymapIssue};

/// One valid `action = [keys]` line.
#[derive(Debug)]
pub(crate) struct Entry {
    pub action: KeyAction,
    pub keys: Vec<KeyChord>,
    pub line: usize,
}

/// Parses `text`, the contents of `file`. Entries come back in file order.
pub(crate) fn parse(text: &str, file: &Path) -> (Vec<Entry>, Vec<KeymapIssue>) {
    let issue = |offset: usize, message: String| KeymapIssue {
        file: file.to_path_buf(),
        line: line_of(text, offset),
        message,
    };
    let table = match DeTable::parse(text) {
        Ok(table) => table.into_inner(),
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let message = format!("not valid TOML, using the defaults: {}", e.message().trim());
            return (Vec::new(), vec![issue(offset, message)]);
        }
    };
    let mut entries = Vec::new();
    let mut issues = Vec::new();
    for (name, value) in &table {
        let offset = name.span().start;
        let Some(action) = KeyAction::from_name(name.get_ref()) else {
            issues.push(issue(
                offset,
                format!("unknown action `{}`", name.get_ref()),
            ));
            continue;
        };
        let items: Vec<_> = match value.get_ref() {
            DeValue::String(s) => vec![(s.as_ref(), value.span().start)],
            DeValue::Array(items) => {
                let mut strings = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => strings.push((s.as_ref(), item.span().start)),
                        other => issues.push(issue(
                            item.span().start,
                            format!(
                                "`{}`: expected a key name in quotes, found {}",
                                action.name(),
                                other.type_str()
                            ),
                        )),
                    }
                }
                strings
            }
            other => {
                issues.push(issue(
                    value.span().start,
                    format!(
                        "`{}`: expected a list of keys such as [\"j\", \"Down\"], found {}",
                        action.name(),
                        other.type_str()
                    ),
                ));
                continue;
            }
        };
        let mut keys = Vec::new();
        for (key_name, key_offset) in items {
            match KeyChord::parse(key_name) {
                Ok(chord) if !keys.contains(&chord) => keys.push(chord),
                Ok(_) => {}
                Err(message) => {
                    issues.push(issue(key_offset, format!("`{}`: {message}", action.name())))
                }
            }
        }
        entries.push(Entry {
            action,
            keys,
            line: line_of(text, offset),
        });
    }
    entries.sort_by_key(|e| e.line);
    issues.sort_by_key(|i| i.line);
    (entries, issues)
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues_of(text: &str) -> Vec<String> {
        parse(text, Path::new("k.toml"))
            .1
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn reports_unknown_actions_and_keys_with_their_lines() {
        let text = "move_down = [\"j\"]\nfly = [\"f\"]\nquit = [\"q\", \"Ctrl-Banana\"]\n";
        let (entries, _) = parse(text, Path::new("k.toml"));
        assert_eq!(
            issues_of(text),
            [
                "k.toml:2: unknown action `fly`",
                "k.toml:3: `quit`: unknown key name `Ctrl-Banana`"
            ]
        );
        // The good key on the bad line still applies.
        let quit = entries
            .iter()
            .find(|e| e.action == KeyAction::Quit)
            .unwrap();
        assert_eq!(quit.keys, vec![KeyChord::parse("q").unwrap()]);
    }

    #[test]
    fn reports_malformed_values() {
        let text = "help = 5\nrefresh = [\"r\", 7]\n";
        let issues = issues_of(text);
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert!(issues[0].starts_with("k.toml:1: `help`: expected a list of keys"));
        assert!(issues[1].starts_with("k.toml:2: `refresh`: expected a key name"));
    }

    #[test]
    fn unparseable_file_is_one_issue() {
        let issues = issues_of("quit = [\"q\"]\n\nthis is not toml\n");
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(
            issues[0].starts_with("k.toml:3: not valid TOML"),
            "{issues:?}"
        );
    }
}
