//! `idtui completions SHELL`: the script `clap_complete` generates from the command line
//! itself (subcommands, flags, the names of lists and formats), with the config's profile
//! names offered after `--profile`.

use std::path::Path;

use clap::builder::PossibleValuesParser;
use clap::{Arg, Command, CommandFactory, ValueHint};

use crate::cli::{Cli, Shell};
use crate::config::{Config, embedded_profiles};

/// The names offered after `--profile`, and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileNames {
    pub names: Vec<String>,
    /// Where they came from, for the script's header ("/home/me/.config/idtui/config.toml").
    pub source: String,
    /// What went wrong finding them (said on stderr; the script is written all the same).
    pub warnings: Vec<String>,
}

/// The profile names of the config idtui would read (`--config FILE`, else the default path
/// when it exists), or the embedded sandbox's with no config file at all. A config that
/// cannot be read gives no names and a warning: the rest of the script is still right.
pub fn profile_names(config: Option<&Path>) -> ProfileNames {
    let global = super::Global {
        config: config.map(Path::to_path_buf),
        ..super::Global::default()
    };
    let Some(path) = super::config_path(&global) else {
        return ProfileNames {
            names: embedded_profiles("http://127.0.0.1", None)
                .into_iter()
                .map(|(name, _)| name)
                .collect(),
            source: "the embedded sandbox (no config file)".into(),
            warnings: Vec::new(),
        };
    };
    let source = crate::sanitize::clean_line(&path.display().to_string()).into_owned();
    match Config::load(&path) {
        Ok(config) => {
            let (names, odd): (Vec<String>, Vec<String>) =
                config.profiles.into_keys().partition(|n| is_plain_word(n));
            let warnings = odd
                .iter()
                .map(|n| {
                    format!(
                        "profile {:?} is not offered after --profile: only names of letters, \
                         digits and . _ - + @ : are",
                        crate::sanitize::clean_line(n)
                    )
                })
                .collect();
            ProfileNames {
                names,
                source,
                warnings,
            }
        }
        Err(e) => ProfileNames {
            names: Vec::new(),
            source,
            warnings: vec![format!("{e}; --profile is completed without names")],
        },
    }
}

/// A name that every shell takes as one plain word, inside its quotes or not: the scripts
/// paste the names in as they are, so anything else could break them or run as code there.
fn is_plain_word(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+@:".contains(c))
}

/// The completion script for `shell`, with a header saying where the profile names came from
/// and that running the command again picks up a changed config.
pub fn script(shell: Shell, profiles: &ProfileNames) -> String {
    let mut cmd = Cli::command();
    // What the generators read is only settled once the command is built (global options
    // copied into each subcommand, which values take a path): built first, then adjusted.
    cmd.build();
    let mut cmd = adjusted(cmd, &leaked(&profiles.names));
    let mut out = Vec::new();
    clap_complete::generate(generator(shell), &mut cmd, "idtui", &mut out);
    let body = String::from_utf8_lossy(&out).into_owned();
    with_header(shell, &body, &header(shell, profiles))
}

/// clap holds value names as `&'static str` (without its `string` feature): the few names
/// live until the process ends, right after it prints the script.
fn leaked(names: &[String]) -> Vec<&'static str> {
    names
        .iter()
        .map(|n| &*Box::leak(n.clone().into_boxed_str()))
        .collect()
}

fn generator(shell: Shell) -> clap_complete::Shell {
    match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Elvish => clap_complete::Shell::Elvish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    }
}

fn shell_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
        Shell::Fish => "fish",
        Shell::Elvish => "elvish",
        Shell::Powershell => "powershell",
    }
}

/// `cmd` and every subcommand with the profile names as the values of `--profile`, and a
/// value hint on each value that has none: a path where the value is a FILE, nothing to
/// offer (rather than the files of the current directory) for WHO, TEXT, KEY=JSON and the
/// like.
fn adjusted(cmd: Command, profiles: &[&'static str]) -> Command {
    cmd.mut_args(|arg| hinted(arg, profiles))
        .mut_subcommands(|sub| adjusted(sub, profiles))
}

fn hinted(arg: Arg, profiles: &[&'static str]) -> Arg {
    if arg.get_id() == "profile" {
        return if profiles.is_empty() {
            arg.value_hint(ValueHint::Other)
        } else {
            arg.value_parser(PossibleValuesParser::new(profiles.iter().copied()))
        };
    }
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
    if !takes_value
        || arg.get_value_hint() != ValueHint::Unknown
        || !arg.get_possible_values().is_empty()
    {
        return arg;
    }
    let names: Vec<String> = match arg.get_value_names() {
        Some(names) => names.iter().map(|n| n.to_string()).collect(),
        None => vec![arg.get_id().as_str().to_ascii_uppercase()],
    };
    let is_file = names
        .iter()
        .any(|n| n.contains("FILE") || n.ends_with(".json"));
    arg.value_hint(if is_file {
        ValueHint::FilePath
    } else {
        ValueHint::Other
    })
}

fn header(shell: Shell, profiles: &ProfileNames) -> String {
    let name = shell_name(shell);
    let offered = if profiles.names.is_empty() {
        "none".to_string()
    } else {
        profiles.names.join(", ")
    };
    format!(
        "# idtui completion for {name}, generated by `idtui completions {name}` from idtui's own\n\
         # command line.\n\
         # Profile names offered after --profile ({offered}) are those of\n\
         # {source};\n\
         # after the config changes, run `idtui completions {name}` again to regenerate them.\n",
        source = profiles.source,
    )
}

/// `body` with `header` at its top, or just under zsh's `#compdef` line, which must stay the
/// first line for zsh to autoload the file.
fn with_header(shell: Shell, body: &str, header: &str) -> String {
    if shell == Shell::Zsh
        && let Some((first, rest)) = body.split_once('\n')
        && first.starts_with("#compdef")
    {
        return format!("{first}\n{header}{rest}");
    }
    format!("{header}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> ProfileNames {
        ProfileNames {
            names: list.iter().map(|s| s.to_string()).collect(),
            source: "/tmp/config.toml".into(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn only_plain_words_are_pasted_into_a_script() {
        assert!(is_plain_word("prod-eu.1"));
        assert!(is_plain_word("ops@kratos:2"));
        for odd in [
            "", "-x", "a b", "$(rm)", "a\"b", "a'b", "a;b", "a`b`", "ünï",
        ] {
            assert!(!is_plain_word(odd), "{odd:?}");
        }
    }

    #[test]
    fn zsh_keeps_compdef_first_and_every_shell_gets_the_header() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::Elvish,
            Shell::Powershell,
        ] {
            let text = script(shell, &names(&["prod", "stage"]));
            assert!(text.contains("run `idtui completions"), "{text}");
            assert!(text.contains("(prod, stage)"));
            if shell == Shell::Zsh {
                assert!(text.starts_with("#compdef idtui\n"), "{text}");
            }
        }
    }

    #[test]
    fn values_get_hints_and_profiles_their_names() {
        let mut cmd = Cli::command();
        cmd.build();
        let cmd = adjusted(cmd, &["prod"]);
        let sub = |name: &str| cmd.find_subcommand(name).unwrap().clone();
        let arg = |c: &Command, id: &str| {
            c.get_arguments()
                .find(|a| a.get_id() == id)
                .unwrap_or_else(|| panic!("no {id}"))
                .clone()
        };
        assert_eq!(arg(&sub("get"), "who").get_value_hint(), ValueHint::Other);
        assert_eq!(
            arg(&sub("export"), "file").get_value_hint(),
            ValueHint::FilePath
        );
        assert_eq!(
            arg(&sub("patch"), "file").get_value_hint(),
            ValueHint::AnyPath
        );
        assert_eq!(arg(&cmd, "config").get_value_hint(), ValueHint::AnyPath);
        let profile = arg(&sub("list"), "profile");
        let values: Vec<String> = profile
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect();
        assert_eq!(values, ["prod"]);
    }
}
