//! One module per provider, each a [`Backend`] over its own typed client, and the registry
//! that picks one for a connected client. What is specific to Kratos, MATTR or Coassemble
//! (which lists and objects it has, how it finds people, how a change is sent, the path a
//! change is audited under) lives in its module; what they share is here: error mapping,
//! cursor unwrapping and the read-ahead policy.
//!
//! Each module makes its client a [`Client`] (its lists through `Pages`, reads by id,
//! `find`, `mutate` and the request line a change is audited under); [`Connected`] makes any
//! client a `Backend` in one place. A new provider is a new module and one arm in each match
//! of this file ([`backend`], [`request_line`]); every provider matches `ListKind`,
//! `ObjectKind` and `Mutation` without a catch-all, so a new provider's variants are pointed
//! at in each of them.

pub mod core;
pub mod headless;
pub mod kratos;

use std::future::Future;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::api::{Api, ApiError, CoreApi, Cursor, ErrorKind, Provider};
use crate::app::provider::kratos::version::Version;
use crate::app::{Done, ErrorInfo, Hit, ListKind, Mutation, ObjectKind, PageCursor, PageData, Row};
use crate::config::Profile;

use super::backend::{Backend, RequestLine};
use super::read_ahead::{Pages, ReadAhead, Walk};

/// The backend of a connected client: the one place that turns an [`Api`] into the
/// provider's own module.
pub fn backend(api: Api) -> Arc<dyn Backend> {
    match api {
        Api::Kratos(k) => Arc::new(kratos::Kratos::new(k)),
        Api::Core(c) => Arc::new(core::Core::new(c)),
        Api::Headless(h) => Arc::new(headless::Headless::new(h)),
    }
}

/// What a provider's module answers for over its own client, in API terms.
pub trait Client: Pages {
    /// What the server says its version is (Kratos' `GET /version`, read once per client).
    fn version(&self) -> impl Future<Output = Result<Version, ApiError>> + Send + 'static;

    /// One object by id, as a row (its `raw` the full object).
    fn get(
        &self,
        kind: ObjectKind,
        id: String,
    ) -> impl Future<Output = Result<Row, ApiError>> + Send + 'static;

    /// People (and, on Coassemble, clients) matching `text`, with the provider's own search.
    fn find(
        &self,
        text: String,
    ) -> impl Future<Output = Result<Vec<Hit>, ApiError>> + Send + 'static;

    /// A change, and the line the status bar says when it is done.
    fn mutate(
        &self,
        mutation: Mutation,
    ) -> impl Future<Output = Result<Done, ApiError>> + Send + 'static;

    /// The request `mutate` sends for `mutation`, from the client's own path pieces.
    fn request_line(&self, mutation: &Mutation) -> RequestLine;
}

/// A connected client as the runtime's `Backend`: walks read ahead, errors in view terms,
/// and the page read ahead dropped when a change is sent (it may show the old state).
pub struct Connected<C: Client> {
    client: C,
    ahead: Arc<ReadAhead<C>>,
}

impl<C: Client> Connected<C> {
    pub fn new(client: impl Into<C>) -> Connected<C> {
        Connected {
            client: client.into(),
            ahead: Default::default(),
        }
    }
}

impl<C: Client> Backend for Connected<C> {
    fn list(
        &self,
        kind: ListKind,
        search: Option<String>,
        cursor: PageCursor,
        size: usize,
    ) -> BoxFuture<'static, Result<PageData, ErrorInfo>> {
        list(&self.client, &self.ahead, kind, search, cursor, size)
    }

    fn get(&self, kind: ObjectKind, id: String) -> BoxFuture<'static, Result<Row, ErrorInfo>> {
        answer(self.client.get(kind, id))
    }

    fn version(&self) -> BoxFuture<'static, Result<Version, ErrorInfo>> {
        answer(self.client.version())
    }

    fn find(&self, text: String) -> BoxFuture<'static, Result<Vec<Hit>, ErrorInfo>> {
        answer(self.client.find(text))
    }

    fn mutate(&self, mutation: Mutation) -> BoxFuture<'static, Result<Done, ErrorInfo>> {
        self.ahead.clear();
        answer(self.client.mutate(mutation))
    }

    fn request_line(&self, mutation: &Mutation) -> RequestLine {
        self.client.request_line(mutation)
    }
}

/// The request `mutation` is sent as through `profile` before its client is built (the
/// same path pieces the client will use), for the audit trail of a profile not connected.
pub fn request_line(profile: &Profile, mutation: &Mutation) -> RequestLine {
    match profile.provider {
        Provider::Kratos => kratos::request_line(mutation),
        Provider::Core => core::request_line(
            &CoreApi::path_prefix_for(profile.prefix.as_deref()),
            mutation,
        ),
        Provider::Headless => headless::request_line(mutation),
    }
}

/// Pages this large are a walk's (browsing asks for 100 unless configured): the page after
/// each is read ahead, on any list but a search (whose later pages some searches build).
const READ_AHEAD_FROM: u32 = 500;

/// `Backend::list` for any provider: a walk's pages go through its read-ahead, the rest
/// straight to the client.
fn list<P: Pages>(
    pages: &P,
    ahead: &Arc<ReadAhead<P>>,
    kind: ListKind,
    search: Option<String>,
    cursor: PageCursor,
    size: usize,
) -> BoxFuture<'static, Result<PageData, ErrorInfo>> {
    let pages = pages.clone();
    let cursor = api_cursor(&cursor);
    let size = u32::try_from(size).unwrap_or(u32::MAX);
    let ahead = Arc::clone(ahead);
    async move {
        let result = if search.is_none() && size >= READ_AHEAD_FROM {
            ahead.walk(&pages, Walk { kind, size }, cursor).await
        } else {
            pages.page(kind, search, cursor, size, |_| {}).await
        };
        result.map_err(|e| error_info(&e))
    }
    .boxed()
}

/// A provider's request as the runtime's effects await it: boxed, its error in view terms.
fn answer<T: 'static>(
    request: impl Future<Output = Result<T, ApiError>> + Send + 'static,
) -> BoxFuture<'static, Result<T, ErrorInfo>> {
    async move { request.await.map_err(|e| error_info(&e)) }.boxed()
}

/// A provider asked for a list it does not have: only a caller that mixed up profiles.
fn no_list(provider: Provider, list: &ListKind) -> ApiError {
    ApiError::config(provider, format!("{provider} has no {} list", list.title()))
}

/// A provider asked for an object kind it does not have.
fn no_object(provider: Provider, kind: ObjectKind) -> ApiError {
    ApiError::config(
        provider,
        format!("cannot open a {} by id here", kind.label()),
    )
}

/// A provider whose server does not tell its version (only Kratos' is read).
fn no_version(provider: Provider) -> ApiError {
    ApiError::config(provider, format!("{provider} does not tell its version"))
}

/// A provider asked for a change it cannot make.
fn no_change(provider: Provider, mutation: &Mutation) -> ApiError {
    ApiError::config(
        provider,
        format!("cannot {} on {provider}", mutation.describe()),
    )
}

/// `None` for a 404: nobody by that key.
fn optional<T>(r: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(e) if e.status == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn error_info(e: &ApiError) -> ErrorInfo {
    // The overlay shows `line` above these, so they start with the fields.
    let mut details = vec![format!("provider:    {}", e.provider)];
    details.push(format!("kind:        {:?}", e.kind));
    if let Some(s) = e.status {
        details.push(format!("status:      {s}"));
    }
    if let Some(c) = &e.code {
        details.push(format!("code:        {c}"));
    }
    if let Some(r) = &e.reason {
        details.push(format!("reason:      {r}"));
    }
    details.push(format!("message:     {}", e.message));
    if let Some(id) = &e.request_id {
        details.push(format!("request id:  {id}"));
    }
    if let Some(wait) = e.retry_after {
        details.push(format!("retry after: {}s", wait.as_secs()));
    }
    if let Some(d) = &e.details {
        details.push("details:".into());
        let pretty = serde_json::to_string_pretty(d).unwrap_or_default();
        details.extend(pretty.lines().map(|l| format!("  {l}")));
    }
    let mut info = ErrorInfo::new(e.to_string(), details.join("\n"));
    info.status = e.status;
    info.request_id = e.request_id.as_deref().map(str::to_string);
    info.retry_after = e.retry_after;
    info.over_limit = e.over_limit;
    // A 2xx whose body could not be read is a lost answer too: the change may have landed.
    info.lost = matches!(e.kind, ErrorKind::Timeout | ErrorKind::Connect)
        || (e.kind == ErrorKind::Decode && e.status.is_none_or(|s| (200..300).contains(&s)));
    info
}

fn api_cursor(cursor: &PageCursor) -> Cursor {
    cursor
        .get::<Cursor>()
        .cloned()
        .unwrap_or_else(Cursor::first)
}

#[cfg(test)]
mod tests;
