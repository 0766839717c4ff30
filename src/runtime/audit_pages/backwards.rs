//! Reading a file's lines backwards, newest first, a chunk at a time.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use super::CHUNK;

/// The spans `[start, stop)` of the non-blank lines of a file ending at byte `end`, newest
/// first, found by reading back a chunk at a time.
pub struct Backwards<'f> {
    file: &'f mut File,
    buf: Vec<u8>,
    /// Where the chunk in `buf[..filled]` starts in the file.
    at: u64,
    filled: usize,
    /// `buf[..unscanned]` is still to be looked through for line breaks.
    unscanned: usize,
    /// Where the line being looked for ends.
    line_end: u64,
}

impl<'f> Backwards<'f> {
    pub fn new(file: &'f mut File, end: u64) -> Backwards<'f> {
        Backwards {
            file,
            buf: vec![0u8; CHUNK],
            at: end,
            filled: 0,
            unscanned: 0,
            line_end: end,
        }
    }

    /// The next older line's span; `None` once the start of the file is reached.
    pub fn next_span(&mut self) -> io::Result<Option<(u64, u64)>> {
        loop {
            while self.unscanned > 0 {
                self.unscanned -= 1;
                if self.buf[self.unscanned] == b'\n' {
                    let at = self.at + self.unscanned as u64;
                    let span = (at + 1, self.line_end);
                    self.line_end = at;
                    if span.0 < span.1 {
                        return Ok(Some(span));
                    }
                }
            }
            if self.at == 0 {
                // The oldest line has no line break before it.
                let span = (0, self.line_end);
                self.line_end = 0;
                return Ok((span.0 < span.1).then_some(span));
            }
            let n = CHUNK.min(usize::try_from(self.at).unwrap_or(CHUNK));
            self.at -= n as u64;
            self.file.seek(SeekFrom::Start(self.at))?;
            self.file.read_exact(&mut self.buf[..n])?;
            (self.filled, self.unscanned) = (n, n);
        }
    }

    /// The bytes of `[start, stop)`: from the chunk in hand when the line lies inside it
    /// (most do, so a page costs no read a line), else from the file.
    pub fn read(&mut self, start: u64, stop: u64) -> io::Result<Vec<u8>> {
        let n = usize::try_from(stop - start).map_err(io::Error::other)?;
        if start >= self.at && stop <= self.at + self.filled as u64 {
            let from = (start - self.at) as usize;
            return Ok(self.buf[from..from + n].to_vec());
        }
        let mut bytes = vec![0u8; n];
        self.file.seek(SeekFrom::Start(start))?;
        self.file.read_exact(&mut bytes)?;
        Ok(bytes)
    }
}
