//! An answer's body, read within bounds. Nothing a server sends can make a read hold more
//! than its limit, nor spend more than a bounded amount of work on it:
//!
//! - the bytes that arrive are counted, and so are the bytes they decompress to; either past
//!   the limit ends the read;
//! - gzip is decoded here, not by the HTTP client, because only here are both sides of the
//!   decoder seen: a body that expands more than [`MAX_RATIO`] times (a decompression bomb) is
//!   refused after its first [`RATIO_FLOOR`] bytes, before it costs any real CPU;
//! - compressed input is fed to the decoder in slices of [`SLICE`] bytes, so one chunk of a
//!   bomb can never expand to more than about a thousand slices' worth at once.

use std::io::Write;

use flate2::write::GzDecoder;
use reqwest::header::{CONTENT_ENCODING, HeaderMap};

use super::error::{ApiError, ErrorKind, Provider};

/// The most a decompressed body may be larger than the bytes that carried it. JSON lists
/// compress 5 to 30 times; 200 leaves room for very repetitive pages and none for a bomb.
pub const MAX_RATIO: usize = 200;
/// Below this many decompressed bytes the ratio is not judged (a tiny body compresses oddly).
pub const RATIO_FLOOR: usize = 1 << 20;
/// Compressed bytes handed to the decoder at a time (deflate expands at most ~1,032 times).
const SLICE: usize = 4096;

/// The code of an answer over the size limit: a list asks again for a smaller page.
pub(crate) const TOO_LARGE: &str = "answer_too_large";

/// Why a read stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Overrun {
    /// More than `limit` bytes (decompressed, when compressed).
    TooLarge { limit: usize },
    /// A compressed body expanding more than [`MAX_RATIO`] times.
    Bomb { wire: usize, decoded: usize },
}

/// Reads one answer's body chunk by chunk, decompressed and counted.
pub(crate) struct BodyReader {
    provider: Provider,
    gunzip: Option<GzDecoder<Vec<u8>>>,
    wire: usize,
    decoded: usize,
    limit: usize,
}

impl BodyReader {
    /// A reader for an answer with `headers`, stopping past `limit` bytes. An encoding that
    /// was not asked for (only gzip is) is refused rather than shown as garbage.
    pub fn new(provider: Provider, headers: &HeaderMap, limit: usize) -> Result<Self, ApiError> {
        let encoding = headers.get(CONTENT_ENCODING).map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .trim()
                .to_ascii_lowercase()
        });
        let gunzip = match encoding.as_deref() {
            None | Some("" | "identity") => None,
            Some("gzip" | "x-gzip") => Some(GzDecoder::new(Vec::new())),
            Some(other) => {
                return Err(ApiError::new(
                    ErrorKind::Decode,
                    provider,
                    format!(
                        "the answer is encoded as {:?}, which was not asked for (only gzip is)",
                        crate::error::excerpt(other.as_bytes())
                    ),
                ));
            }
        };
        Ok(Self {
            provider,
            gunzip,
            wire: 0,
            decoded: 0,
            limit,
        })
    }

    /// Appends the next piece of the body, decompressed, to `out`; `false` once the body has
    /// ended (and its last decoded bytes are in `out`). An uncompressed piece is copied once,
    /// straight into `out`.
    pub async fn read_into(
        &mut self,
        resp: &mut reqwest::Response,
        out: &mut Vec<u8>,
    ) -> Result<bool, Read> {
        let Some(chunk) = resp.chunk().await.map_err(Read::Transport)? else {
            out.extend(self.finish()?);
            return Ok(false);
        };
        self.wire += chunk.len();
        if self.gunzip.is_some() {
            out.extend(self.inflate(&chunk)?);
        } else if self.wire > self.limit {
            return Err(Read::Over(Overrun::TooLarge { limit: self.limit }));
        } else {
            out.extend_from_slice(&chunk);
        }
        Ok(true)
    }

    /// The whole body, up to the limit.
    pub async fn all(mut self, resp: &mut reqwest::Response) -> Result<Vec<u8>, Read> {
        let mut body = Vec::new();
        while self.read_into(resp, &mut body).await? {}
        Ok(body)
    }

    fn inflate(&mut self, chunk: &[u8]) -> Result<Vec<u8>, Read> {
        let mut out = Vec::new();
        for slice in chunk.chunks(SLICE) {
            let gunzip = self.gunzip.as_mut().expect("inflate only with a decoder");
            let written = gunzip.write_all(slice);
            out.append(gunzip.get_mut());
            written.map_err(|e| self.corrupt(&e))?;
            self.count(out.len())?;
        }
        self.decoded += out.len();
        Ok(out)
    }

    /// Checks the bounds as if `pending` more decoded bytes had been counted.
    fn count(&self, pending: usize) -> Result<(), Read> {
        let decoded = self.decoded + pending;
        let wire = self.wire;
        if decoded > self.limit {
            return Err(Read::Over(Overrun::TooLarge { limit: self.limit }));
        }
        if decoded > RATIO_FLOOR && decoded > wire.saturating_mul(MAX_RATIO) {
            return Err(Read::Over(Overrun::Bomb { wire, decoded }));
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<Vec<u8>, Read> {
        let Some(mut gunzip) = self.gunzip.take() else {
            return Ok(Vec::new());
        };
        // A stream that stops before its gzip trailer was cut on the way.
        gunzip.try_finish().map_err(|_| Read::Cut)?;
        let rest = std::mem::take(gunzip.get_mut());
        self.count(rest.len())?;
        self.decoded += rest.len();
        Ok(rest)
    }

    fn corrupt(&self, e: &std::io::Error) -> Read {
        Read::Corrupt(ApiError::new(
            ErrorKind::Decode,
            self.provider,
            format!("the answer's gzip encoding is broken ({e})"),
        ))
    }
}

/// A body read that did not end well.
#[derive(Debug)]
pub(crate) enum Read {
    Transport(reqwest::Error),
    Over(Overrun),
    /// The compressed stream ended before its end.
    Cut,
    Corrupt(ApiError),
}

impl Read {
    /// The error the caller sees. Only a whole answer too large to hold gets [`TOO_LARGE`]
    /// (a list asks again for a smaller page); one that `streamed` past its cap, a bomb or a
    /// cut stream does not.
    pub fn into_error(self, provider: Provider, streamed: bool) -> ApiError {
        let over_limit = matches!(self, Read::Over(_));
        let mut err = match self {
            Read::Transport(e) => ApiError::transport(provider, e),
            Read::Corrupt(e) => e,
            Read::Cut => ApiError::new(
                ErrorKind::Connect,
                provider,
                "answer cut short (its gzip stream ends early)",
            ),
            Read::Over(Overrun::TooLarge { limit }) if streamed => ApiError::new(
                ErrorKind::Decode,
                provider,
                format!(
                    "the answer streamed more than {}: stopped reading it",
                    size(limit)
                ),
            ),
            Read::Over(Overrun::TooLarge { limit }) => {
                let mut err = ApiError::new(
                    ErrorKind::Decode,
                    provider,
                    format!("answer larger than {}", size(limit)),
                );
                err.code = Some(TOO_LARGE.into());
                err
            }
            Read::Over(Overrun::Bomb { wire, decoded }) => ApiError::new(
                ErrorKind::Decode,
                provider,
                format!(
                    "the answer's gzip expands more than {MAX_RATIO} times ({wire} bytes into \
                     {decoded} so far): refused as a decompression bomb"
                ),
            ),
        };
        err.over_limit = over_limit;
        err
    }
}

/// A limit in the unit it was written in.
fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn reader(limit: usize) -> BodyReader {
        BodyReader {
            provider: Provider::Kratos,
            gunzip: Some(GzDecoder::new(Vec::new())),
            wire: 0,
            decoded: 0,
            limit,
        }
    }

    fn feed(r: &mut BodyReader, body: &[u8]) -> Result<Vec<u8>, Read> {
        let mut out = Vec::new();
        for chunk in body.chunks(1 << 14) {
            r.wire += chunk.len();
            out.extend(r.inflate(chunk)?);
        }
        out.extend(r.finish()?);
        Ok(out)
    }

    #[test]
    fn ordinary_json_decompresses_whole() {
        let page: String = (0..5000)
            .map(|i| format!(r#"{{"id":"{i:08}","email":"user{i}@example.com"}},"#))
            .collect();
        let mut r = reader(64 << 20);
        assert_eq!(feed(&mut r, &gz(page.as_bytes())).unwrap(), page.as_bytes());
    }

    #[test]
    fn a_bomb_is_refused_once_past_the_floor_without_decoding_it_all() {
        // 1 GiB of zeros compresses to about a megabyte: refused after ~1 MiB decoded.
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..1024 {
            e.write_all(&zeros).unwrap();
        }
        let bomb = e.finish().unwrap();
        let mut r = reader(64 << 20);
        match feed(&mut r, &bomb) {
            Err(Read::Over(Overrun::Bomb { wire, decoded })) => {
                assert!(
                    decoded > RATIO_FLOOR && decoded < 8 * RATIO_FLOOR,
                    "{decoded}"
                );
                assert!(wire < decoded / MAX_RATIO, "{wire} {decoded}");
            }
            other => panic!("expected a bomb, got {other:?}"),
        }
    }

    #[test]
    fn decompressed_size_is_capped_even_below_the_ratio() {
        // Random-looking text that compresses less than 200 times, past a 2 MiB limit.
        let text: String = (0..400_000u32)
            .map(|i| format!("{:x}", i.wrapping_mul(2_654_435_761)))
            .collect();
        let mut r = reader(2 << 20);
        assert!(matches!(
            feed(&mut r, &gz(text.as_bytes())),
            Err(Read::Over(Overrun::TooLarge { limit })) if limit == 2 << 20
        ));
    }

    #[test]
    fn a_cut_stream_is_cut() {
        let whole = gz(b"[{\"id\":\"a\"}]");
        let mut r = reader(1 << 20);
        assert!(matches!(
            feed(&mut r, &whole[..whole.len() - 4]),
            Err(Read::Cut)
        ));
    }
}
