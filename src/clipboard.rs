//! Copy to the user's clipboard with OSC 52, which travels through the terminal itself and
//! so works over SSH (the terminal at the user's end does the copying).

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Terminals (xterm, tmux, iTerm2 among them) drop longer OSC 52 payloads without any
/// error, so larger copies are refused up front instead of failing invisibly.
pub const MAX_ENCODED_BYTES: usize = 100_000;

/// GNU screen truncates long DCS strings, so its passthrough is sent in short pieces.
const SCREEN_CHUNK: usize = 76;

/// The multiplexer (if any) the sequence has to be passed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Osc52Env {
    pub tmux: bool,
    pub screen: bool,
}

impl Osc52Env {
    /// Reads `TMUX` and `TERM` from the process environment.
    pub fn from_env() -> Osc52Env {
        Osc52Env::from_vars(
            std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()),
            std::env::var("TERM").ok().as_deref(),
        )
    }

    /// tmux wins when both apply: inside tmux, TERM often says `screen` too.
    pub fn from_vars(tmux_set: bool, term: Option<&str>) -> Osc52Env {
        Osc52Env {
            tmux: tmux_set,
            screen: !tmux_set && term.is_some_and(|t| t.starts_with("screen")),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClipboardError {
    #[error(
        "not copied: {encoded} bytes once encoded, over the {limit}-byte limit terminals \
         accept for OSC 52 (larger copies are dropped silently)"
    )]
    TooLarge { encoded: usize, limit: usize },
    #[error("could not write to the terminal: {0}")]
    Write(String),
}

/// The escape sequence that asks the terminal to put `text` on the clipboard, wrapped for
/// tmux or screen as `env` says.
pub fn osc52(text: &str, env: Osc52Env) -> Result<String, ClipboardError> {
    let encoded = STANDARD.encode(text.as_bytes());
    if encoded.len() > MAX_ENCODED_BYTES {
        return Err(ClipboardError::TooLarge {
            encoded: encoded.len(),
            limit: MAX_ENCODED_BYTES,
        });
    }
    let plain = format!("\x1b]52;c;{encoded}\x07");
    Ok(if env.tmux {
        // tmux passthrough: DCS tmux; <sequence with every ESC doubled> ST.
        format!("\x1bPtmux;{}\x1b\\", plain.replace('\x1b', "\x1b\x1b"))
    } else if env.screen {
        screen_passthrough(&encoded)
    } else {
        plain
    })
}

fn screen_passthrough(encoded: &str) -> String {
    let mut out = String::from("\x1bP\x1b]52;c;");
    // Base64 is ASCII, so byte chunks are character chunks.
    for (i, chunk) in encoded.as_bytes().chunks(SCREEN_CHUNK).enumerate() {
        if i > 0 {
            out.push_str("\x1b\\\x1bP");
        }
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
    }
    out.push_str("\x07\x1b\\");
    out
}

/// Writes the copy sequence for `text` to the terminal output `out` and flushes it.
pub fn copy(out: &mut impl Write, text: &str, env: Osc52Env) -> Result<(), ClipboardError> {
    let sequence = osc52(text, env)?;
    out.write_all(sequence.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| ClipboardError::Write(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Osc52Env = Osc52Env {
        tmux: false,
        screen: false,
    };

    #[test]
    fn plain_sequence_is_base64_and_bel_terminated() {
        assert_eq!(osc52("hi", PLAIN).unwrap(), "\x1b]52;c;aGk=\x07");
        // Control characters in the copied text cannot leak: they are base64 encoded.
        let seq = osc52("\x1b[2J", PLAIN).unwrap();
        assert_eq!(seq.matches('\x1b').count(), 1);
    }

    #[test]
    fn tmux_wraps_and_doubles_escapes() {
        let env = Osc52Env::from_vars(true, Some("screen-256color"));
        assert!(env.tmux && !env.screen);
        assert_eq!(
            osc52("hi", env).unwrap(),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn screen_splits_into_short_dcs_pieces() {
        let env = Osc52Env::from_vars(false, Some("screen.xterm-256color"));
        assert!(env.screen && !env.tmux);
        let text = "x".repeat(200);
        let seq = osc52(&text, env).unwrap();
        assert!(seq.starts_with("\x1bP\x1b]52;c;"));
        assert!(seq.ends_with("\x07\x1b\\"));
        let payload: String = seq
            .trim_start_matches("\x1bP\x1b]52;c;")
            .trim_end_matches("\x07\x1b\\")
            .split("\x1b\\\x1bP")
            .inspect(|piece| assert!(piece.len() <= SCREEN_CHUNK))
            .collect();
        assert_eq!(STANDARD.decode(payload).unwrap(), text.as_bytes());
    }

    #[test]
    fn plain_terminal_is_neither() {
        assert_eq!(Osc52Env::from_vars(false, Some("xterm-256color")), PLAIN);
        assert_eq!(Osc52Env::from_vars(false, None), PLAIN);
    }

    #[test]
    fn refuses_payloads_terminals_would_drop() {
        let big = "a".repeat(80_000); // 106,668 bytes once encoded
        let err = osc52(&big, PLAIN).unwrap_err();
        assert!(matches!(
            err,
            ClipboardError::TooLarge {
                encoded: 106_668,
                ..
            }
        ));
        assert!(err.to_string().contains("dropped silently"));
        assert!(osc52(&"a".repeat(75_000), PLAIN).is_ok());
    }

    #[test]
    fn copy_writes_the_sequence() {
        let mut out = Vec::new();
        copy(&mut out, "id-1", PLAIN).unwrap();
        assert_eq!(out, b"\x1b]52;c;aWQtMQ==\x07");
    }
}
