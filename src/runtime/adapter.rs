//! The glue between `crate::api` and the dashboard: API models become table rows, API
//! cursors ride inside `PageCursor`, `ApiError` becomes `ErrorInfo`.

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::api::{Api, ApiError, Cursor, ErrorKind};
use crate::app::model::split_scoped_user;
use crate::app::{Done, ErrorInfo, Hit, ListKind, Mutation, ObjectKind, PageCursor, PageData, Row};

use super::backend::Backend;
use super::lists::list;
use super::read_ahead::Walk;
use super::rows::{
    client_row, core_user_row, headless_user_row, identity_row, is_not_found, session_row,
};

pub struct ApiBackend {
    api: Api,
    ahead: std::sync::Arc<super::read_ahead::ReadAhead>,
}

impl ApiBackend {
    pub fn new(api: Api) -> ApiBackend {
        ApiBackend {
            api,
            ahead: Default::default(),
        }
    }
}

/// Pages this large are a walk's (browsing asks for 100 unless configured): the page after
/// each is read ahead, on any list but a search (whose later pages some searches build).
const READ_AHEAD_FROM: u32 = 500;

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

async fn get(api: Api, kind: ObjectKind, id: String) -> Result<Row, ApiError> {
    match (&api, kind) {
        (Api::Kratos(k), ObjectKind::Identity) => {
            // `:goto` takes an external id too when the text is not an identity id.
            match k.get_identity(&id, &[]).await {
                Err(e) if is_not_found(&e) && uuid::Uuid::parse_str(&id).is_err() => {
                    k.identity_by_external_id(&id).await.map(identity_row)
                }
                other => other.map(identity_row),
            }
        }
        (Api::Kratos(k), ObjectKind::Session) => k.get_session(&id).await.map(session_row),
        (Api::Kratos(k), ObjectKind::Credential) => super::kratos_credentials::get(k, &id).await,
        (Api::Core(c), ObjectKind::CoreUser) => c.get_user(&id).await.map(core_user_row),
        (Api::Headless(h), ObjectKind::HeadlessClient) => h.get_client(&id).await.map(client_row),
        (Api::Headless(h), ObjectKind::HeadlessUser) => {
            let (user, client) = split_scoped_user(&id);
            h.get_user(user, client).await.map(headless_user_row)
        }
        (api, kind) => Err(ApiError::config(
            api.provider(),
            format!("cannot open a {} by id here", kind.label()),
        )),
    }
}

impl Backend for ApiBackend {
    fn list(
        &self,
        kind: ListKind,
        search: Option<String>,
        cursor: PageCursor,
        size: usize,
    ) -> BoxFuture<'static, Result<PageData, ErrorInfo>> {
        let api = self.api.clone();
        let cursor = api_cursor(&cursor);
        let size = u32::try_from(size).unwrap_or(u32::MAX);
        let ahead = std::sync::Arc::clone(&self.ahead);
        async move {
            let result = if search.is_none() && size >= READ_AHEAD_FROM {
                ahead.walk(&api, Walk { kind, size }, cursor).await
            } else {
                list(api, kind, search, cursor, size, |_| {}).await
            };
            result.map_err(|e| error_info(&e))
        }
        .boxed()
    }

    fn get(&self, kind: ObjectKind, id: String) -> BoxFuture<'static, Result<Row, ErrorInfo>> {
        let api = self.api.clone();
        async move { get(api, kind, id).await.map_err(|e| error_info(&e)) }.boxed()
    }

    fn find(&self, text: String) -> BoxFuture<'static, Result<Vec<Hit>, ErrorInfo>> {
        let api = self.api.clone();
        async move {
            super::people::find(api, text)
                .await
                .map_err(|e| error_info(&e))
        }
        .boxed()
    }

    fn mutate(&self, mutation: Mutation) -> BoxFuture<'static, Result<Done, ErrorInfo>> {
        self.ahead.clear();
        let api = self.api.clone();
        async move {
            super::mutations::mutate(api, mutation)
                .await
                .map_err(|e| error_info(&e))
        }
        .boxed()
    }
}
