//! `unsafe` lives in `src/sys.rs` and nowhere else. The workspace lint (`unsafe_code = "deny"`)
//! already refuses it, but a module can allow a lint for itself; this test reads every Rust
//! source of the workspace and fails on the keyword outside that one file, so moving an
//! unsafe call out of it (or allowing the lint elsewhere) is seen in review.
//!
//! The keyword is matched as a whole token of code: `is_unsafe`, comments and string literals
//! do not count.

use std::path::{Path, PathBuf};

/// The one file allowed to hold `unsafe`, relative to the workspace root.
const HOME_OF_UNSAFE: &str = "src/sys.rs";

#[test]
fn unsafe_appears_only_in_the_sys_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    for krate in std::fs::read_dir(root.join("crates")).expect("crates/") {
        let krate = krate.expect("crates/ entry").path();
        for dir in ["src", "tests", "benches"] {
            rust_files(&krate.join(dir), &mut files);
        }
    }
    assert!(
        files.iter().any(|f| f.ends_with(HOME_OF_UNSAFE)),
        "{HOME_OF_UNSAFE} not found: the walk is looking in the wrong place"
    );
    let mut offenders = Vec::new();
    for file in &files {
        if file
            .strip_prefix(root)
            .is_ok_and(|p| p == Path::new(HOME_OF_UNSAFE))
        {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("readable source");
        for line in lines_with_keyword(&text, "unsafe") {
            offenders.push(format!("{}:{line}", file.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "`unsafe` outside {HOME_OF_UNSAFE} (put the call there behind a safe function, with \
         its SAFETY comment):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_scanner_sees_the_keyword_only_in_code() {
    let code = "fn a() { unsafe { f() } }\nlet is_unsafe = 1;\n";
    assert_eq!(lines_with_keyword(code, "unsafe"), vec![1]);
    let quiet = concat!(
        "// unsafe in a line comment\n",
        "/* unsafe /* nested unsafe */ still a comment: unsafe */\n",
        "let s = \"unsafe \\\" unsafe\";\n",
        "let r = r#\"unsafe \" unsafe\"#;\n",
        "let c = '\"'; let d = '\\''; fn f<'a>(x: &'a str) {}\n",
        "let unsafe_paths = not_unsafe(); let b = b\"unsafe\";\n",
    );
    assert_eq!(lines_with_keyword(quiet, "unsafe"), Vec::<usize>::new());
    // What follows a string, a char or a lifetime is code again.
    let after = "let s = \"x\"; let c = 'y'; fn g<'a>() { unsafe {} }\n";
    assert_eq!(lines_with_keyword(after, "unsafe"), vec![1]);
    assert_eq!(
        lines_with_keyword("x\n#[allow(unsafe_code)]\nunsafe impl X {}", "unsafe"),
        vec![3]
    );
}

/// Every `.rs` file under `dir` (none if it does not exist).
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The 1-based lines on which `keyword` appears as a token of code, outside comments, string
/// literals and char literals. A small lexer, enough for this: it knows line and nested block
/// comments, strings with escapes, raw strings (`r#"…"#`, also `b`/`c` prefixed), and tells
/// a char literal (`'x'`, `'\n'`) from a lifetime (`'a`).
fn lines_with_keyword(text: &str, keyword: &str) -> Vec<usize> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Advance over chars[from..to], counting the line breaks passed.
    let skip = |line: &mut usize, from: usize, to: usize| {
        *line += chars[from..to.min(chars.len())]
            .iter()
            .filter(|&&c| c == '\n')
            .count();
        to
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            i = skip(&mut line, i, j);
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            i = skip(&mut line, i, j + 1);
        } else if c == '\'' {
            // A char literal ends with a quote after one char or one escape; else a lifetime.
            if next == Some('\\') {
                // Past the backslash and the char it escapes (which may be a quote).
                let mut j = i + 3;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i = skip(&mut line, i, i + 3);
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // A raw string: r"…", r#"…"#, br"…", cr#"…"# and so on.
            if matches!(word.as_str(), "r" | "br" | "cr") && matches!(chars.get(i), Some('"' | '#'))
            {
                let mut hashes = 0;
                while chars.get(i + hashes) == Some(&'#') {
                    hashes += 1;
                }
                if chars.get(i + hashes) == Some(&'"') {
                    let mut j = i + hashes + 1;
                    loop {
                        if j >= chars.len() {
                            break;
                        }
                        if chars[j] == '"'
                            && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#'))
                        {
                            j += 1 + hashes;
                            break;
                        }
                        j += 1;
                    }
                    i = skip(&mut line, i, j);
                }
                continue;
            }
            // `b"…"` and `c"…"` are plain strings after their prefix: the loop takes the quote.
            if word == keyword && found.last() != Some(&line) {
                found.push(line);
            }
        } else {
            if c == '\n' {
                line += 1;
            }
            i += 1;
        }
    }
    found
}
