//! Query parsing, `Link` headers and the three page-token formats (`api/kratos.md` §3).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::Value;

use super::errors::{KResult, KratosError};

/// A query string as ordered `(key, value)` pairs; keys may repeat (`ids=a&ids=b`).
#[derive(Debug, Clone, Default)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (unescape(k), unescape(v)),
                None => (unescape(p), String::new()),
            })
            .collect();
        Self(pairs)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Copy with `key` set to `value` (replacing any previous values).
    pub fn with(&self, key: &str, value: &str) -> Self {
        let mut pairs: Vec<(String, String)> =
            self.0.iter().filter(|(k, _)| k != key).cloned().collect();
        pairs.push((key.to_owned(), value.to_owned()));
        Self(pairs)
    }

    pub fn without(&self, key: &str) -> Self {
        Self(self.0.iter().filter(|(k, _)| k != key).cloned().collect())
    }

    /// Go's `url.Values.Encode`: keys sorted, values in their original order.
    pub fn encode(&self) -> String {
        let mut pairs = self.0.clone();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `url.QueryEscape`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `<path?query>; rel="x"` links joined with `,` and no space.
pub fn link_header(path: &str, links: &[(&str, Query)]) -> String {
    links
        .iter()
        .map(|(rel, q)| format!("<{path}?{}>; rel=\"{rel}\"", q.encode()))
        .collect::<Vec<_>>()
        .join(",")
}

/// A JSON success body as Kratos sends it.
pub fn json_response(status: StatusCode, body: &Value, headers: HeaderMap) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, headers, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

pub fn set_header(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// Parse `page_size` as Go's `strconv.Atoi` would, then apply default and clamp.
pub fn page_size(q: &Query, default: usize, max: usize) -> KResult<usize> {
    match q.get("page_size") {
        None | Some("") => Ok(default),
        Some(v) => {
            let n: i64 = v.parse().map_err(|_| {
                KratosError::bad_request(format!("strconv.Atoi: parsing {v:?}: invalid syntax"))
            })?;
            Ok(if n <= 0 {
                default
            } else {
                (n as usize).min(max)
            })
        }
    }
}

/// Offset-token paging (`GET /admin/identities/{id}/sessions`, `GET /schemas`).
#[derive(Debug, Clone)]
pub struct OffsetPage {
    pub offset: usize,
    pub size: usize,
    query: Query,
}

impl OffsetPage {
    pub fn parse(raw: Option<&str>) -> KResult<Self> {
        let query = Query::parse(raw);
        let legacy_size = query.get("per_page").and_then(|v| v.parse::<i64>().ok());
        let size = match query.get("page_size").and_then(|v| v.parse::<i64>().ok()) {
            Some(n) => n,
            None => legacy_size.unwrap_or(250),
        }
        .clamp(1, 1000) as usize;
        // An undecodable token silently means offset 0, as in Kratos.
        let offset = match query.get("page_token") {
            Some(t) => decode_offset_token(t).unwrap_or(0),
            None => query
                .get("page")
                .and_then(|v| v.parse::<usize>().ok())
                .map(|p| p.saturating_mul(size))
                .unwrap_or(0),
        };
        Ok(Self {
            offset,
            size,
            query,
        })
    }

    /// `X-Total-Count` and a `Link` whose entries carry all four paging parameters, chosen
    /// as Kratos's page header does (see [`page_links`]).
    pub fn headers(&self, path: &str, total: usize, headers: &mut HeaderMap) {
        set_header(headers, "x-total-count", &total.to_string());
        let at = |limit: i64, offset: i64| {
            self.query
                .with("page_size", &limit.to_string())
                .with("per_page", &limit.to_string())
                .with("page_token", &offset_token(offset))
                .with("page", &offset.checked_div(limit).unwrap_or(0).to_string())
        };
        let offset = i64::try_from(self.offset).unwrap_or(i64::MAX);
        let page = offset / self.size as i64;
        let links: Vec<(&str, Query)> = page_links(total as i64, page, self.size as i64)
            .into_iter()
            .map(|(rel, limit, off)| (rel, at(limit, off)))
            .collect();
        set_header(headers, "link", &link_header(path, &links));
    }
}

/// The links of Kratos's page header (ory/x `pagination.HeaderWithFormatter`), as
/// `(rel, limit, offset)`, quirks included: the first page has only `next` and `last`; the
/// last page only `first` and `prev`; a list that fits one page a single `first` whose limit
/// is the total; an empty list `first`, `next` and a `prev` with a negative offset.
pub fn page_links(total: i64, page: i64, per_page: i64) -> Vec<(&'static str, i64, i64)> {
    let pp = per_page.max(1);
    let offset = page.saturating_mul(pp);
    let last_offset = if total % pp == 0 {
        total - pp
    } else {
        (total / pp) * pp
    };
    let next = (offset / pp).saturating_add(1).saturating_mul(pp);
    let prev = (offset / pp - 1).saturating_mul(pp);
    if offset >= last_offset {
        if total == 0 {
            return vec![("first", pp, 0), ("next", pp, next), ("prev", pp, prev)];
        }
        if total <= pp {
            return vec![("first", total, 0)];
        }
        return vec![("first", pp, 0), ("prev", pp, last_offset - pp)];
    }
    if offset < pp {
        return vec![("next", pp, pp), ("last", pp, last_offset)];
    }
    vec![
        ("first", pp, 0),
        ("next", pp, next),
        ("prev", pp, prev),
        ("last", pp, last_offset),
    ]
}

pub fn offset_token(offset: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!(r#"{{"offset":"{offset}","v":2}}"#))
}

fn decode_offset_token(t: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("offset")?.as_str()?.parse().ok()
}

/// Session keyset token: standard base64 without padding of `id=<uuid>/created_at=<time>`.
pub fn session_token(id: &uuid::Uuid, created_at: &chrono::DateTime<chrono::Utc>) -> String {
    STANDARD_NO_PAD.encode(format!(
        "id={id}/created_at={}",
        created_at.format("%Y-%m-%d %H:%M:%S%.6f")
    ))
}

/// The first-page session token: nil UUID and `2200-12-31 23:59:59`.
pub fn first_session_token() -> String {
    STANDARD_NO_PAD.encode(format!(
        "id={}/created_at=2200-12-31 23:59:59",
        uuid::Uuid::nil()
    ))
}

pub enum SessionTokenError {
    /// Not base64 or not `k=v/k=v`: Kratos answers `could not parse parameter page_size`.
    Undecodable,
    /// Decodes but the id is not a UUID.
    BadId,
}

/// Decode a session token. A space is read as `+` because Kratos unescapes the token twice
/// (`api/kratos.md` §3.3). Tokens this server mints never contain `+` (their text is plain
/// ASCII without `>` or `~`), so this only matters for tokens from elsewhere.
pub fn decode_session_token(
    t: &str,
) -> Result<(uuid::Uuid, chrono::DateTime<chrono::Utc>), SessionTokenError> {
    let cleaned = t.replace(' ', "+");
    let bytes = STANDARD_NO_PAD
        .decode(cleaned.trim_end_matches('='))
        .map_err(|_| SessionTokenError::Undecodable)?;
    let text = String::from_utf8(bytes).map_err(|_| SessionTokenError::Undecodable)?;
    let mut id = None;
    let mut created = None;
    for part in text.split('/') {
        match part.split_once('=') {
            Some(("id", v)) => id = Some(v.to_owned()),
            Some(("created_at", v)) => created = Some(v.to_owned()),
            _ => return Err(SessionTokenError::Undecodable),
        }
    }
    let created = created.ok_or(SessionTokenError::Undecodable)?;
    let created = chrono::NaiveDateTime::parse_from_str(&created, "%Y-%m-%d %H:%M:%S%.f")
        .map_err(|_| SessionTokenError::Undecodable)?
        .and_utc();
    let id = id
        .and_then(|i| uuid::Uuid::parse_str(&i).ok())
        .ok_or(SessionTokenError::BadId)?;
    Ok((id, created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trip_sorts_keys_and_escapes() {
        let q = Query::parse(Some("z=1&ids=a%2Bb&a=x+y&ids=c"));
        assert_eq!(q.all("ids"), ["a+b", "c"]);
        assert_eq!(q.get("a"), Some("x y"));
        assert_eq!(q.encode(), "a=x+y&ids=a%2Bb&ids=c&z=1");
    }

    #[test]
    fn offset_token_matches_kratos_format() {
        assert_eq!(offset_token(0), "eyJvZmZzZXQiOiIwIiwidiI6Mn0");
        assert_eq!(decode_offset_token(&offset_token(500)), Some(500));
    }

    #[test]
    fn session_token_round_trips() {
        let id = uuid::Uuid::parse_str("0b7f6f36-0f9b-4b5e-9d1e-8d5a1c2b3e4f").unwrap();
        let t = chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        let tok = session_token(&id, &t);
        let Ok((i, c)) = decode_session_token(&tok) else {
            panic!("token did not decode")
        };
        assert_eq!((i, c), (id, t));
        assert!(matches!(
            decode_session_token("!!!"),
            Err(SessionTokenError::Undecodable)
        ));
    }
}
