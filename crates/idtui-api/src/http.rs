//! The one HTTP layer every client speaks through: base URL with optional path prefix,
//! timeouts, user agent, proxy and extra CA, authentication, read-only enforcement, and
//! retries with backoff for idempotent reads only.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use super::auth::Auth;
use super::error::{ApiError, ErrorKind, Provider};
use super::headers::redact_userinfo;
pub(crate) use super::request::{Req, Resp};
use super::retry::{RetryPolicy, jitter, parse_retry_after};

use super::body::{BodyReader, TOO_LARGE};
use super::items::{MAX_BODY_BYTES, MAX_STREAMED_BYTES};

/// Most of an error answer read: its excerpt is all that is shown.
const MAX_ERROR_BODY_BYTES: usize = 1 << 20;

/// Everything needed to build the shared layer of one profile.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    pub provider: Provider,
    /// Base URL, possibly with a path prefix (`https://x.projects.oryapis.com`,
    /// `https://api.coassemble.com/api`).
    pub base_url: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Extra trusted roots (PEM, one or more certificates) for corporate TLS interception.
    pub ca_file: Option<std::path::PathBuf>,
    pub read_only: bool,
    pub retry: RetryPolicy,
}

impl HttpSettings {
    pub fn new(provider: Provider, base_url: impl Into<String>) -> Self {
        Self {
            provider,
            base_url: base_url.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            ca_file: None,
            read_only: false,
            retry: RetryPolicy::default(),
        }
    }
}

/// Cheap to clone; every clone shares the connection pool and the cached token.
#[derive(Clone)]
pub struct HttpLayer {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    base: Url,
    provider: Provider,
    auth: Auth,
    read_only: bool,
    retry: RetryPolicy,
    /// The whole of one call, retries and waits included (`timeout_secs`).
    timeout: Duration,
}

impl std::fmt::Debug for HttpLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpLayer")
            .field("provider", &self.inner.provider)
            .field("base", &redact_userinfo(self.inner.base.as_str()))
            .field("read_only", &self.inner.read_only)
            .finish_non_exhaustive()
    }
}

impl HttpLayer {
    pub fn new(settings: &HttpSettings, auth: Auth) -> Result<Self, ApiError> {
        let provider = settings.provider;
        let base = parse_base(provider, &settings.base_url)?;
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("idtui/", env!("CARGO_PKG_VERSION")))
            // No per-request timeout here: `send` bounds the whole call, retries included.
            .connect_timeout(settings.connect_timeout)
            // A redirect would carry the credential header (all but `Authorization` and
            // `Cookie`) and a change's body to whatever host it names, and let a change that
            // never reached the configured server look applied: none is followed.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                ApiError::config(
                    provider,
                    format!("cannot read ca_file {}: {e}", path.display()),
                )
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                ApiError::config(
                    provider,
                    format!(
                        "ca_file {} holds no usable PEM certificate: {e}",
                        path.display()
                    ),
                )
            })?;
            if certs.is_empty() {
                return Err(ApiError::config(
                    provider,
                    format!("ca_file {} holds no PEM certificate", path.display()),
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder.build().map_err(|e| {
            ApiError::config(provider, format!("cannot build the HTTP client: {e}"))
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                base,
                provider,
                auth,
                read_only: settings.read_only,
                retry: settings.retry.clone(),
                timeout: settings.timeout,
            }),
        })
    }

    pub fn provider(&self) -> Provider {
        self.inner.provider
    }

    pub fn base(&self) -> &Url {
        &self.inner.base
    }

    pub fn read_only(&self) -> bool {
        self.inner.read_only
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    /// The full URL of `req`. An id of `.` or `..` is refused: URL parsing treats those (in
    /// any spelling, `%2E` included) as path navigation, so no encoding can carry them.
    pub(crate) fn url(&self, req: &Req) -> Result<Url, ApiError> {
        if let Some(bad) = req
            .segments
            .iter()
            .find(|s| *s == "." || *s == ".." || s.is_empty())
        {
            return Err(ApiError::config(
                self.inner.provider,
                format!("invalid id {bad:?}"),
            ));
        }
        let mut url = self.inner.base.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty();
            segs.extend(req.segments.iter());
        }
        if !req.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        Ok(url)
    }

    /// Send `req`; reads are retried on transient failures, mutations are sent once. The
    /// whole call, every attempt and wait included, ends within the profile's timeout: a
    /// silent server gives a timeout error then, not after five full timeouts.
    pub(crate) async fn send(&self, req: &Req) -> Result<Resp, ApiError> {
        let limit = self.inner.timeout;
        let deadline = tokio::time::Instant::now() + limit;
        let mut last = None;
        match tokio::time::timeout_at(deadline, self.send_until(req, deadline, &mut last)).await {
            Ok(result) => result,
            Err(_) => {
                let mut err = ApiError::new(
                    ErrorKind::Timeout,
                    self.inner.provider,
                    format!("no answer within {} s (timeout_secs)", limit.as_secs_f32()),
                );
                if let Some(previous) = last {
                    err.message = format!("{}; before that: {previous}", err.message);
                }
                Err(err)
            }
        }
    }

    async fn send_until(
        &self,
        req: &Req,
        deadline: tokio::time::Instant,
        last: &mut Option<ApiError>,
    ) -> Result<Resp, ApiError> {
        let provider = self.inner.provider;
        if !req.read && self.inner.read_only {
            return Err(ApiError::read_only(
                provider,
                &format!("{} /{}", req.method, req.segments.join("/")),
            ));
        }
        let policy = if req.read {
            self.inner.retry.clone()
        } else {
            RetryPolicy::none()
        };
        let mut attempt = 0u32;
        let mut waited = Duration::ZERO;
        let mut refreshed_auth = false;
        loop {
            attempt += 1;
            let (err, from_api) = match self.attempt(req).await {
                Ok(resp) => return Ok(resp),
                Err(Failure::Api(err)) => (err, true),
                Err(Failure::Token(err)) => (err, false),
            };
            // A 401 from the API means the request was refused before it did anything, so
            // trying once more with a fresh token is safe even for a mutation. (A 401 from
            // the token endpoint means the client credentials are wrong: no point.)
            if from_api
                && err.status == Some(401)
                && !refreshed_auth
                && self.inner.auth.can_refresh()
            {
                refreshed_auth = true;
                self.inner.auth.invalidate().await;
                attempt -= 1;
                continue;
            }
            if !err.is_transient() {
                return Err(err);
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match policy.delay(attempt, waited, err.retry_after, jitter()) {
                // A wait that would outlast the deadline only delays the error.
                Some(delay) if delay < left => {
                    tracing::debug!(%err, attempt, ?delay, "retrying read");
                    *last = Some(err);
                    tokio::time::sleep(delay).await;
                    waited += delay;
                }
                _ => return Err(err),
            }
        }
    }

    async fn attempt(&self, req: &Req) -> Result<Resp, Failure> {
        let auth = self
            .inner
            .auth
            .header(self.client(), self.provider())
            .await
            .map_err(Failure::Token)?;
        self.attempt_with(req, auth).await.map_err(Failure::Api)
    }

    async fn attempt_with(
        &self,
        req: &Req,
        auth: Option<(HeaderName, HeaderValue)>,
    ) -> Result<Resp, ApiError> {
        let provider = self.inner.provider;
        let url = self.url(req)?;
        let mut builder = self
            .inner
            .client
            .request(req.method.clone(), url)
            .header("Accept", "application/json")
            .header("Accept-Encoding", "gzip")
            .header("X-Request-ID", uuid::Uuid::new_v4().to_string());
        if let Some((name, value)) = auth {
            // Replaced, not appended: a `user:password@` in the url has already become a
            // Basic Authorization header, which must not ride ahead of the profile's token.
            let mut auth = reqwest::header::HeaderMap::new();
            auth.insert(name, value);
            builder = builder.headers(auth);
        }
        if let Some(body) = &req.body {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                ApiError::new(
                    ErrorKind::Config,
                    provider,
                    format!("cannot encode body: {e}"),
                )
            })?;
            builder = builder
                .header("Content-Type", "application/json")
                .body(bytes);
        }
        let mut resp = builder
            .send()
            .await
            .map_err(|e| ApiError::transport(provider, e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        if (300..400).contains(&status) {
            return Err(super::headers::redirect_refused(provider, status, &headers));
        }
        let ok = (200..300).contains(&status);
        if let Some(hook) = &req.on_headers
            && ok
        {
            (hook.0)(&headers);
        }
        if req.skim && ok {
            return skim_answer(provider, status, headers, &mut resp, req).await;
        }
        let limit = if ok {
            MAX_BODY_BYTES
        } else {
            MAX_ERROR_BODY_BYTES
        };
        let body = match read_body(provider, &headers, &mut resp, limit).await {
            Ok(body) => body,
            Err((err, partial)) if req.list && ok && err.code.as_deref() == Some(TOO_LARGE) => {
                // Before asking for a smaller page, see what this one holds: far more records
                // than asked for is an answer no smaller page can fix, and a first record
                // larger than the whole limit makes every smaller page too large as well.
                return Err(match super::skim::count_items(&partial, req.max_items) {
                    Err(e) => page_error(provider, status, e, req.asked),
                    Ok(0) => {
                        let mut err = err;
                        err.code = Some(ONE_TOO_LARGE.into());
                        err
                    }
                    Ok(_) => err,
                });
            }
            Err((err, _)) => return Err(err),
        };
        if !ok {
            let mut err = ApiError::from_response(provider, status, &body);
            err.retry_after = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            if err.request_id.is_none() {
                err.request_id = headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(Into::into);
            }
            return Err(err);
        }
        if req.list {
            return list_answer(provider, status, headers, &body, req);
        }
        let json = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(super::json::from_slice::<Value>(&body).map_err(|e| {
                let (kind, message) = match &e {
                    super::json::DeepError::TooDeep(_) | super::json::DeepError::TooMany(_) => {
                        (ErrorKind::Decode, format!("the answer is {e}"))
                    }
                    // A body cut short is a broken connection, not a broken server: worth
                    // retrying.
                    super::json::DeepError::Json(j) if j.is_eof() => {
                        (ErrorKind::Connect, format!("answer cut short ({j})"))
                    }
                    super::json::DeepError::Json(j) => (
                        ErrorKind::Decode,
                        format!("invalid JSON in the answer ({j})"),
                    ),
                };
                let mut err = ApiError::new(kind, provider, message);
                err.status = Some(status);
                err.over_limit = matches!(e, super::json::DeepError::TooMany(_));
                err
            })?)
        };
        Ok(Resp {
            headers,
            json,
            items: Vec::new(),
            records: Vec::new(),
        })
    }
}

/// A list page, read item by item (see [`super::items`]).
fn list_answer(
    provider: Provider,
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: &[u8],
    req: &Req,
) -> Result<Resp, ApiError> {
    let parsed = if req.keep_bytes {
        super::items::parse_page_bytes(body, req.max_items).map(|(envelope, records)| Resp {
            headers,
            json: Some(envelope),
            items: Vec::new(),
            records,
        })
    } else {
        super::items::parse_page(body, req.max_items).map(|page| Resp {
            headers,
            json: Some(page.envelope),
            items: page.items,
            records: Vec::new(),
        })
    };
    parsed.map_err(|e| page_error(provider, status, e, req.asked))
}

/// A list page whose one record is larger than an answer may be, read as it streams: the
/// record is kept only as far as it names itself and becomes one unreadable row, and the
/// list goes on past it (from the `Link` header, or the cursor after the items).
async fn skim_answer(
    provider: Provider,
    status: u16,
    headers: reqwest::header::HeaderMap,
    resp: &mut reqwest::Response,
    req: &Req,
) -> Result<Resp, ApiError> {
    let failed = |e| page_error(provider, status, e, req.asked);
    let mut skim = super::skim::Skim::new(req.max_items);
    let mut body = BodyReader::new(provider, &headers, MAX_STREAMED_BYTES)?;
    let mut piece = Vec::new();
    loop {
        piece.clear();
        let more = body
            .read_into(resp, &mut piece)
            .await
            .map_err(|e| e.into_error(provider, true))?;
        skim.feed(&piece).map_err(failed)?;
        if !more {
            break;
        }
    }
    let (json, items, records) = if req.keep_bytes {
        let (envelope, records) = skim.assemble(super::items::keep).map_err(failed)?;
        (envelope, Vec::new(), records)
    } else {
        let limit = super::json::MAX_VALUES;
        if skim.values_over(limit) {
            return Err(failed(super::items::PageError::TooManyValues { limit }));
        }
        let (envelope, items) = skim.assemble(super::items::decode).map_err(failed)?;
        (envelope, items, Vec::new())
    };
    Ok(Resp {
        headers,
        json: Some(json),
        items,
        records,
    })
}

fn page_error(
    provider: Provider,
    status: u16,
    e: super::items::PageError,
    asked: Option<u64>,
) -> ApiError {
    let over_limit = matches!(
        e,
        super::items::PageError::TooMany { .. } | super::items::PageError::TooManyValues { .. }
    );
    let (kind, message) = match e {
        // A broken connection, not a broken server: worth retrying.
        super::items::PageError::Cut => (ErrorKind::Connect, "answer cut short".to_string()),
        super::items::PageError::Invalid(why) => (
            ErrorKind::Decode,
            format!("the answer is not a list page ({why})"),
        ),
        super::items::PageError::TooMany { limit } => (
            ErrorKind::Decode,
            match asked {
                Some(asked) => format!(
                    "the page holds more than {limit} records although {asked} were asked for: \
                     not read (a server that sends far more than asked is broken or hostile)"
                ),
                None => format!("the page holds more than {limit} records: not read"),
            },
        ),
        super::items::PageError::TooManyValues { limit } => (
            ErrorKind::Decode,
            format!("the page holds more than {limit} JSON values: not read"),
        ),
    };
    let mut err = ApiError::new(kind, provider, message);
    err.status = Some(status);
    err.over_limit = over_limit;
    err
}

/// The code of a list page over the size limit before its first record ends: a smaller page
/// would be as large, so the list is read as it streams at once.
const ONE_TOO_LARGE: &str = "record_too_large";

/// Where an attempt failed: getting a token, or the request itself.
enum Failure {
    Token(ApiError),
    Api(ApiError),
}

/// The whole body, within `limit` bytes (decompressed); past it, the error and what was read.
async fn read_body(
    provider: Provider,
    headers: &reqwest::header::HeaderMap,
    resp: &mut reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, (ApiError, Vec<u8>)> {
    let mut reader = BodyReader::new(provider, headers, limit).map_err(|e| (e, Vec::new()))?;
    let mut body = Vec::new();
    loop {
        match reader.read_into(resp, &mut body).await {
            Ok(true) => {}
            Ok(false) => return Ok(body),
            Err(e) => return Err((e.into_error(provider, false), body)),
        }
    }
}

fn parse_base(provider: Provider, raw: &str) -> Result<Url, ApiError> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        ApiError::config(
            provider,
            format!("invalid url {:?}: {e}", redact_userinfo(raw)),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::config(
            provider,
            format!("url must be http or https, not {}", url.scheme()),
        ));
    }
    if url.cannot_be_a_base() {
        return Err(ApiError::config(provider, "url cannot be a base URL"));
    }
    Ok(url)
}

impl HttpLayer {
    /// Send a list request, reading its page item by item. The page size asked for (the
    /// `size` query or body member) bounds how many records the page may hold. An answer over
    /// the size limit is asked for again with half as many items when the size may change,
    /// down to one: sixteen 4 MB identities make a page too large, not an unreadable list.
    pub(crate) async fn send_list(&self, req: &Req, size: PageSize) -> Result<Resp, ApiError> {
        let mut req = req.clone().list();
        let key = size.key();
        loop {
            req.asked = asked(&req, key);
            req.max_items = super::items::item_limit(req.asked);
            match self.send(&req).await {
                Err(e) if e.code.as_deref() == Some(ONE_TOO_LARGE) && !req.skim => {
                    req.skim = true;
                }
                Err(e) if e.code.as_deref() == Some(TOO_LARGE) => {
                    match size.halvable().then(|| halve(&mut req, key)).flatten() {
                        Some(smaller) => {
                            tracing::info!(
                                size = smaller,
                                "page too large; asking for a smaller one"
                            );
                        }
                        // One record alone is too large: read past it as the page streams.
                        None if !req.skim => req.skim = true,
                        None => return Err(e),
                    }
                }
                other => return other,
            }
        }
    }

    /// Send and require a JSON body.
    pub(crate) async fn send_json(&self, req: &Req) -> Result<Value, ApiError> {
        let resp = self.send(req).await?;
        resp.json.ok_or_else(|| {
            ApiError::new(
                ErrorKind::Decode,
                self.provider(),
                "the answer is empty; expected JSON",
            )
        })
    }

    pub(crate) fn decode_error(&self, msg: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Decode, self.provider(), msg)
    }
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Where a list request says its page size, and whether a smaller page can stand in.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PageSize {
    /// Keyset or cursor pages: the same cursor with a smaller size reads the same records.
    Halvable(&'static str),
    /// Pages numbered by their length (Coassemble): a smaller one would shift the numbering.
    Fixed(&'static str),
}

impl PageSize {
    fn key(self) -> &'static str {
        match self {
            PageSize::Halvable(key) | PageSize::Fixed(key) => key,
        }
    }

    fn halvable(self) -> bool {
        matches!(self, PageSize::Halvable(_))
    }
}

/// The page size `key` of `req` (in its query or its JSON body).
fn asked(req: &Req, key: &str) -> Option<u64> {
    if let Some((_, v)) = req.query.iter().find(|(k, _)| k == key) {
        return v.parse().ok();
    }
    req.body.as_ref()?.get(key)?.as_u64()
}

/// Halve the page size `key` of `req` (in its query or its JSON body); the new size, or
/// `None` when it is 1 already or not there.
fn halve(req: &mut Req, key: &str) -> Option<u64> {
    let half = asked(req, key).filter(|&n| n > 1)? / 2;
    match req.query.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = half.to_string(),
        None => *req.body.as_mut()?.get_mut(key)? = Value::from(half),
    }
    Some(half)
}
