//! A session's terminal over an SSH channel: what the dashboard writes goes out as channel
//! data (in order, by one task per channel), and the bytes the client's terminal sends are
//! parsed into the same key, paste and resize events crossterm gives the local dashboard.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crossterm::event::Event;
use russh::server::Handle;
use russh::{ChannelId, CryptoVec};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Most output waiting for a client that does not read (a stopped `ssh`, a full window):
/// past it the session ends rather than holding ever more frames in memory.
pub const MAX_PENDING: usize = 8 * 1024 * 1024;
/// Longest input kept while a sequence is incomplete (an unterminated paste): past it the
/// input so far is dropped.
pub const MAX_INPUT: usize = 1024 * 1024;

enum Out {
    Data(Vec<u8>),
    /// Say `farewell` (already terminal text), then exit status, EOF and close.
    End {
        status: u32,
        farewell: String,
    },
}

/// Where a session's frames go. Cloning gives another writer onto the same channel, in
/// the same order.
#[derive(Clone)]
pub struct ChannelOut {
    buf: Vec<u8>,
    tx: mpsc::UnboundedSender<Out>,
    pending: Arc<AtomicUsize>,
}

/// Starts the task that sends `channel`'s output; it ends after [`ChannelOut::end`] or
/// when the channel is gone.
pub fn open(handle: Handle, channel: ChannelId) -> (ChannelOut, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
    let pending = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&pending);
    let task = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Out::Data(bytes) => {
                    let n = bytes.len();
                    let sent = handle.data(channel, CryptoVec::from(bytes)).await;
                    counted.fetch_sub(n, Ordering::Relaxed);
                    if sent.is_err() {
                        break;
                    }
                }
                Out::End { status, farewell } => {
                    if !farewell.is_empty() {
                        let _ = handle
                            .data(channel, CryptoVec::from(farewell.into_bytes()))
                            .await;
                    }
                    let _ = handle.exit_status_request(channel, status).await;
                    let _ = handle.eof(channel).await;
                    let _ = handle.close(channel).await;
                    break;
                }
            }
        }
    });
    (
        ChannelOut {
            buf: Vec::new(),
            tx,
            pending,
        },
        task,
    )
}

impl ChannelOut {
    /// End the channel after everything written so far: `farewell` (plain text; lines end
    /// in CRLF as a raw terminal needs), then the exit status.
    pub fn end(&mut self, status: u32, farewell: &str) {
        let _ = self.flush();
        let farewell = if farewell.is_empty() {
            String::new()
        } else {
            format!("{}\r\n", farewell.replace('\n', "\r\n"))
        };
        let _ = self.tx.send(Out::End { status, farewell });
    }
}

impl Write for ChannelOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.buf);
        let n = bytes.len();
        if self.pending.fetch_add(n, Ordering::Relaxed) + n > MAX_PENDING {
            self.pending.fetch_sub(n, Ordering::Relaxed);
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "the SSH client stopped reading (over 8 MiB of screen waiting)",
            ));
        }
        self.tx.send(Out::Data(bytes)).map_err(|_| {
            self.pending.fetch_sub(n, Ordering::Relaxed);
            io::Error::new(io::ErrorKind::BrokenPipe, "the SSH channel is closed")
        })
    }
}

/// Turns the client's bytes into terminal events. A sequence split over two packets is
/// kept until its end arrives; a lone ESC at the end of a packet is the Esc key (a key
/// press is its own packet), as crossterm reads it from a local terminal.
#[derive(Default)]
pub struct InputParser {
    buffer: Vec<u8>,
    /// Inside a paste too long to keep: its bytes are skipped up to its end marker, never
    /// read as keys (a pasted `d` must not become a delete).
    skipping_paste: bool,
}

const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

impl InputParser {
    /// The events in `bytes`, in order.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        for (i, &byte) in bytes.iter().enumerate() {
            self.buffer.push(byte);
            if self.skipping_paste {
                if self.buffer.ends_with(PASTE_END) {
                    self.skipping_paste = false;
                    self.buffer.clear();
                } else if self.buffer.len() >= PASTE_END.len() {
                    self.buffer.drain(..self.buffer.len() + 1 - PASTE_END.len());
                }
                continue;
            }
            let more = i + 1 < bytes.len();
            // ESC with more to come is the start of a sequence, not the key.
            if more && self.buffer == [0x1b] {
                continue;
            }
            match terminput::Event::parse_from(&self.buffer) {
                Ok(Some(event)) => {
                    self.buffer.clear();
                    if let Ok(event) = terminput_crossterm::to_crossterm(event) {
                        events.push(event);
                    }
                }
                Ok(None) if self.buffer.len() > MAX_INPUT => {
                    tracing::warn!(
                        bytes = self.buffer.len(),
                        "input sequence too long; dropped"
                    );
                    self.skipping_paste = self.buffer.starts_with(PASTE_START);
                    self.buffer.clear();
                }
                Ok(None) => {}
                Err(_) => self.buffer.clear(),
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn keys(events: &[Event]) -> Vec<KeyEvent> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Key(k) => Some(*k),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn letters_arrows_esc_and_ctrl_keys_are_the_keys_crossterm_gives() {
        let mut p = InputParser::default();
        let k = keys(&p.feed(b"j\x1b[Bq\x13"));
        assert_eq!(k[0].code, KeyCode::Char('j'));
        assert_eq!(k[1].code, KeyCode::Down);
        assert_eq!(k[2].code, KeyCode::Char('q'));
        assert_eq!(
            (k[3].code, k[3].modifiers),
            (KeyCode::Char('s'), KeyModifiers::CONTROL)
        );
        let esc = keys(&p.feed(b"\x1b"));
        assert_eq!(esc[0].code, KeyCode::Esc);
        let enter = keys(&p.feed(b"\r"));
        assert_eq!(enter[0].code, KeyCode::Enter);
    }

    #[test]
    fn a_sequence_split_over_packets_waits_for_its_end() {
        let mut p = InputParser::default();
        assert!(p.feed(b"\x1b[").is_empty());
        let k = keys(&p.feed(b"A"));
        assert_eq!(k[0].code, KeyCode::Up);
    }

    #[test]
    fn a_bracketed_paste_is_one_paste_even_across_packets() {
        let mut p = InputParser::default();
        assert!(p.feed(b"\x1b[200~{\"a\":").is_empty());
        let events = p.feed(b" 1}\x1b[201~j");
        assert_eq!(events[0], Event::Paste("{\"a\": 1}".into()));
        assert_eq!(keys(&events)[0].code, KeyCode::Char('j'));
    }

    #[test]
    fn utf8_split_over_packets_is_one_character() {
        let mut p = InputParser::default();
        let bytes = "é".as_bytes();
        assert!(p.feed(&bytes[..1]).is_empty());
        assert_eq!(keys(&p.feed(&bytes[1..]))[0].code, KeyCode::Char('é'));
    }

    #[test]
    fn a_paste_too_long_to_keep_is_skipped_whole_never_typed_and_input_goes_on() {
        let mut p = InputParser::default();
        p.feed(b"\x1b[200~");
        let chunk = vec![b'd'; 64 * 1024];
        for _ in 0..(MAX_INPUT / chunk.len() + 4) {
            assert!(p.feed(&chunk).is_empty(), "a pasted d became a key");
            assert!(p.buffer.len() <= MAX_INPUT + 1);
        }
        // The end marker split over two packets still ends it.
        assert!(p.feed(b"dd\x1b[20").is_empty());
        assert_eq!(keys(&p.feed(b"1~k"))[0].code, KeyCode::Char('k'));
    }
}
