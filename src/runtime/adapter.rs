//! The glue between `crate::api` and the dashboard: API models become table rows, API
//! cursors ride inside `PageCursor`, `ApiError` becomes `ErrorInfo`.

use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::Value;

use crate::api::{
    Api, ApiError, BadItem, CoreCredential, CoreUser, Credential, Cursor, ErrorKind,
    HeadlessClient, HeadlessUser, Identity, IdentityFilter, Page, Session,
};
use crate::app::detail::{REDACTED, is_secret_key};
use crate::app::find::KratosQuery;
use crate::app::model::{ACTIVE_ONLY, split_scoped_user};
use crate::app::{Done, ErrorInfo, Hit, ListKind, Mutation, ObjectKind, PageCursor, PageData, Row};

use super::backend::Backend;

/// Longest metadata/claims summary kept in a cell.
const SUMMARY_MAX: usize = 160;
/// Longest text kept in any cell.
const CELL_MAX: usize = 512;

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
/// each is read ahead.
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

fn page_data<T>(page: Page<T>, row: impl FnMut(T) -> Row) -> PageData {
    let mut rows: Vec<Row> = page.items.into_iter().map(row).collect();
    // Each unreadable record keeps its place in the page, as a row saying why.
    for bad in page.bad {
        let at = bad.index.min(rows.len());
        rows.insert(at, unreadable_row(bad));
    }
    PageData {
        rows,
        next: page.next.map(PageCursor::wrap),
        total: page.total,
    }
}

/// The row standing for a record that could not be read: its id when one was found, and
/// why in the name column (the detail view shows the same).
pub fn unreadable_row(bad: BadItem) -> Row {
    let id = bad
        .id
        .clone()
        .unwrap_or_else(|| format!("(record {} of the page)", bad.index + 1));
    let cells = vec![id.clone(), format!("✗ unreadable record: {}", bad.reason)];
    let raw = serde_json::json!({ "id": bad.id, "unreadable": bad.reason });
    row(id, cells, raw)
}

fn one_row(row: Option<Row>) -> PageData {
    PageData {
        rows: row.into_iter().collect(),
        next: None,
        total: None,
    }
}

fn is_not_found(e: &ApiError) -> bool {
    e.status == Some(404)
}

/// `2024-02-08T05:13:17.037Z` as `2024-02-08 05:13`.
pub fn short_time(t: Option<&str>) -> String {
    let Some(t) = t else { return String::new() };
    match (t.get(..10), t.get(11..16)) {
        (Some(d), Some(hm)) if t.as_bytes().get(10) == Some(&b'T') => format!("{d} {hm}"),
        _ => t.to_string(),
    }
}

/// `plan=pro tags=[2] org={…}`: the top-level keys of an object, for one cell.
pub fn summary(v: &Value) -> String {
    let Value::Object(map) = v else {
        return match v {
            Value::Null => String::new(),
            other => other.to_string(),
        };
    };
    let mut out = String::new();
    for (k, x) in map {
        if out.len() > SUMMARY_MAX {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let value = match x {
            // As in the detail view: a secret-named value never reaches the screen.
            Value::String(_) | Value::Number(_) | Value::Bool(_) if is_secret_key(k) => {
                REDACTED.to_string()
            }
            Value::String(s) => s.clone(),
            Value::Object(_) => "{…}".into(),
            Value::Array(a) => format!("[{}]", a.len()),
            other => other.to_string(),
        };
        out.push_str(&format!("{k}={value}"));
    }
    out
}

/// A row with every cell capped: a table cell never needs more than a screen's width, and
/// a megabyte-long trait must not be measured and cut on every frame.
pub(super) fn row(id: String, cells: Vec<String>, raw: Value) -> Row {
    let cells = cells
        .into_iter()
        .map(|c| match crate::sanitize::cap(&c, CELL_MAX) {
            std::borrow::Cow::Borrowed(_) => c,
            std::borrow::Cow::Owned(capped) => capped,
        })
        .collect();
    Row::new(id, cells, raw)
}

fn str_at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| v.get(*k)?.as_str())
}

pub fn identity_row(i: Identity) -> Row {
    // Traits first: whether credentials (and so which identifier comes first) are present
    // depends on the endpoint, and a row must read the same in a list and in a search.
    let name = str_at(&i.traits, &["email", "username", "phone"])
        .or_else(|| i.display_identifier())
        .unwrap_or_default()
        .to_string();
    let meta = match (&i.metadata_public, &i.metadata_admin) {
        (Value::Null, Value::Null) => String::new(),
        (p, Value::Null) => summary(p),
        (Value::Null, a) => format!("admin: {}", summary(a)),
        (p, a) => format!("{} admin: {}", summary(p), summary(a)),
    };
    let cells = vec![
        i.id.clone(),
        name,
        i.state.clone().unwrap_or_default(),
        i.schema_id.clone().unwrap_or_default(),
        short_time(i.created_at.as_deref()),
        meta,
    ];
    row(i.id, cells, i.raw)
}

/// The row of an identity kept as bytes: the shown fields read, the record decoded only
/// when something opens it.
pub fn identity_record_row(bytes: Box<[u8]>) -> Row {
    match Identity::summary_from_slice(&bytes) {
        Ok(i) => {
            let mut row = identity_row(i);
            row.raw = crate::app::model::RawJson::from_bytes(bytes);
            row
        }
        Err(e) => unreadable_row(BadItem {
            index: 0,
            id: None,
            reason: format!("invalid JSON: {e}"),
        }),
    }
}

pub fn session_row(s: Session) -> Row {
    let device = s.devices.first();
    let cells = vec![
        s.id.clone(),
        if s.active { "yes" } else { "no" }.into(),
        s.aal.clone().unwrap_or_default(),
        device
            .and_then(|d| d.ip_address.clone())
            .unwrap_or_default(),
        device
            .and_then(|d| d.user_agent.clone())
            .unwrap_or_default(),
        short_time(s.expires_at.as_deref()),
    ];
    row(s.id, cells, s.raw)
}

pub fn credential_row(c: Credential) -> Row {
    let version = c
        .raw
        .get("version")
        .map(Value::to_string)
        .unwrap_or_default();
    let cells = vec![
        c.kind.clone(),
        c.identifiers.join(", "),
        short_time(c.created_at.as_deref()),
        if version.is_empty() {
            String::new()
        } else {
            format!("version {version}")
        },
    ];
    row(c.kind, cells, c.raw)
}

pub fn core_user_row(u: CoreUser) -> Row {
    let name = str_at(&u.claims, &["email"])
        .map(str::to_string)
        .or_else(|| {
            u.claims
                .get("emails")
                .and_then(|e| e.get(0))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| {
            let given = str_at(&u.claims, &["given_name", "givenName"])?;
            let family = str_at(&u.claims, &["family_name", "familyName"]).unwrap_or("");
            Some(format!("{given} {family}").trim().to_string())
        })
        .or_else(|| str_at(&u.claims, &["name"]).map(str::to_string))
        .unwrap_or_default();
    let provider = u
        .subject_id()
        .or_else(|| str_at(&u.authentication_provider, &["url"]).map(str::to_string))
        .unwrap_or_default();
    let cells = vec![
        u.id.clone(),
        name,
        provider,
        short_time(str_at(&u.raw, &["createdAt"])),
        summary(&u.claims),
    ];
    row(u.id, cells, u.raw)
}

pub fn core_credential_row(c: CoreCredential) -> Row {
    let cells = vec![
        c.kind.clone().unwrap_or_default(),
        c.profile.clone().unwrap_or_default(),
        short_time(c.issued.as_deref()),
        c.status.clone().unwrap_or_default(),
    ];
    row(c.id, cells, c.raw)
}

pub fn client_row(c: HeadlessClient) -> Row {
    let name = str_at(&c.metadata, &["displayName", "name", "title"])
        .or_else(|| str_at(&c.raw, &["displayName", "name"]))
        .unwrap_or_default()
        .to_string();
    let cells = vec![
        c.identifier.clone(),
        name,
        c.user_count.map(|n| n.to_string()).unwrap_or_default(),
        summary(&c.metadata),
    ];
    row(c.identifier, cells, c.raw)
}

pub fn headless_user_row(u: HeadlessUser) -> Row {
    let name = u
        .name
        .clone()
        .or_else(|| str_at(&u.raw, &["email"]).map(str::to_string))
        .unwrap_or_default();
    let cells = vec![
        u.identifier.clone(),
        name,
        u.client_identifier.clone().unwrap_or_default(),
        short_time(u.created.as_deref()),
        summary(&u.metadata),
    ];
    row(u.identifier, cells, u.raw)
}

/// A row of `:all-sessions`: the session with the person it belongs to (the identity is
/// expanded in that list).
pub fn all_session_row(s: Session) -> Row {
    let device = s.devices.first();
    let who = s
        .raw
        .get("identity")
        .map(super::people::identity_name)
        .filter(|n| !n.is_empty())
        .or_else(|| s.identity_id.clone())
        .unwrap_or_default();
    let cells = vec![
        s.id.clone(),
        if s.active { "yes" } else { "no" }.into(),
        who,
        s.aal.clone().unwrap_or_default(),
        device
            .and_then(|d| d.ip_address.clone())
            .unwrap_or_default(),
        device
            .and_then(|d| d.user_agent.clone())
            .unwrap_or_default(),
        short_time(s.expires_at.as_deref()),
    ];
    row(s.id, cells, s.raw)
}

/// The identity list, narrowed by `query` when there is one.
pub(super) async fn kratos_search(
    k: &crate::api::KratosApi,
    query: Option<&str>,
    cursor: &Cursor,
    size: u32,
) -> Result<PageData, ApiError> {
    let optional = |r: Result<Identity, ApiError>| match r {
        Ok(i) => Ok(Some(identity_row(i))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    };
    match query.and_then(KratosQuery::parse) {
        None => {
            let page = k
                .list_identity_records(&IdentityFilter::default(), cursor, size)
                .await?;
            Ok(page_data(page, identity_record_row))
        }
        Some(KratosQuery::Id(id)) => optional(k.get_identity(&id, &[]).await).map(one_row),
        Some(KratosQuery::ExternalId(ext)) => {
            optional(k.identity_by_external_id(&ext).await).map(one_row)
        }
        Some(KratosQuery::Identifier(ident)) => {
            let filter = IdentityFilter {
                credentials_identifier: Some(ident.clone()),
                ..Default::default()
            };
            // Later pages replay the server's `next` link, filter included, whichever
            // filter found the first page.
            let page = k.list_identities(&filter, cursor, size).await?;
            if !page.items.is_empty() || !cursor.is_first() {
                return Ok(page_data(page, identity_row));
            }
            // No credential has exactly that identifier: it may be an external id, or the
            // start of an email or username (Kratos offers only a prefix match).
            if let Some(found) = optional(k.identity_by_external_id(&ident).await)? {
                return Ok(one_row(Some(found)));
            }
            let prefix = IdentityFilter {
                preview_credentials_identifier_similar: Some(ident.clone()),
                ..Default::default()
            };
            let page = k.list_identities(&prefix, cursor, size).await?;
            Ok(page_data(page, identity_row))
        }
    }
}

async fn list(
    api: Api,
    list: ListKind,
    search: Option<String>,
    cursor: Cursor,
    size: u32,
) -> Result<PageData, ApiError> {
    match (&api, list) {
        (Api::Kratos(k), ListKind::KratosIdentities) => {
            kratos_search(k, search.as_deref(), &cursor, size).await
        }
        (Api::Kratos(k), ListKind::KratosSessions { identity }) => {
            let active = (search.as_deref() == Some(ACTIVE_ONLY)).then_some(true);
            let page = k
                .list_identity_sessions(&identity, active, &cursor, size)
                .await?;
            Ok(page_data(page, session_row))
        }
        (Api::Kratos(k), ListKind::AllSessions { active_only }) => {
            let page = k
                .list_sessions(active_only.then_some(true), &cursor, size)
                .await?;
            Ok(page_data(page, all_session_row))
        }
        (Api::Kratos(k), ListKind::KratosCredentials { identity }) => {
            // Credentials come with the identity (never their secrets: no include_credential).
            let i = k.get_identity(&identity, &[]).await?;
            Ok(PageData {
                rows: super::kratos_credentials::rows(&i),
                next: None,
                total: None,
            })
        }
        (Api::Core(c), ListKind::CoreUsers) => {
            let page = match search {
                Some(q) => {
                    let criteria = super::people::core_search(&q)?;
                    c.search_users(&criteria, &cursor, size).await?
                }
                None => c.list_users(&cursor, size).await?,
            };
            Ok(page_data(page, core_user_row))
        }
        (Api::Core(c), ListKind::CoreCredentials { user }) => {
            let page = c.list_credentials(&user, &cursor, size).await?;
            Ok(page_data(page, core_credential_row))
        }
        (Api::Headless(h), ListKind::HeadlessClients) => {
            let page = h.list_clients(&cursor, size).await?;
            Ok(page_data(page, client_row))
        }
        (Api::Headless(h), ListKind::HeadlessUsers { client }) => {
            let client = search.or(client);
            let page = h.list_users(client.as_deref(), &cursor, size).await?;
            Ok(page_data(page, headless_user_row))
        }
        (api, list) => Err(ApiError::config(
            api.provider(),
            format!("{} has no {} list", api.provider(), list.title()),
        )),
    }
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
        let walk =
            kind == ListKind::KratosIdentities && search.is_none() && size >= READ_AHEAD_FROM;
        let ahead = std::sync::Arc::clone(&self.ahead);
        async move {
            let read = walk.then(|| ahead.take(&cursor, size)).flatten();
            let result = match read {
                Some(task) => match task.await {
                    Ok(result) => result,
                    Err(_) => list(api.clone(), kind, search, cursor, size).await,
                },
                None => list(api.clone(), kind, search, cursor, size).await,
            };
            if walk
                && let Ok(data) = &result
                && let Some(next) = data.next.as_ref().and_then(|c| c.get::<Cursor>())
            {
                let fetch = list(api, ListKind::KratosIdentities, None, next.clone(), size);
                ahead.start(next.clone(), size, tokio::spawn(fetch));
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_are_shortened_and_summaries_stay_on_one_line() {
        assert_eq!(
            short_time(Some("2024-02-08T05:13:17.037Z")),
            "2024-02-08 05:13"
        );
        assert_eq!(short_time(Some("yesterday")), "yesterday");
        assert_eq!(short_time(None), "");
        let s = summary(&json!({"plan": "pro", "n": 2, "org": {"a": 1}, "tags": [1, 2]}));
        assert_eq!(s, "plan=pro n=2 org={…} tags=[2]");
    }

    #[test]
    fn summaries_hide_secret_values_like_the_detail_view() {
        let s = summary(&json!({"plan": "pro", "api_token": "s3cr3t", "pin_hash": 42}));
        assert!(!s.contains("s3cr3t") && !s.contains("42"), "{s}");
        assert_eq!(
            s,
            format!("plan=pro api_token={REDACTED} pin_hash={REDACTED}")
        );
    }

    #[test]
    fn huge_values_are_capped_in_cells_but_kept_in_the_object() {
        let long = "L".repeat(100_000);
        let i = Identity::from_json(json!({"id": "x", "traits": {"email": long}}));
        let row = identity_row(i);
        assert!(row.cells[1].len() < 1024, "{}", row.cells[1].len());
        assert_eq!(
            row.raw["traits"]["email"].as_str().map(str::len),
            Some(100_000)
        );
    }

    #[test]
    fn identity_rows_follow_the_identity_columns() {
        let i = Identity::from_json(json!({
            "id": "9b1d", "state": "active", "schema_id": "default",
            "traits": {"email": "jane@example.com"}, "created_at": "2026-01-02T03:04:05Z",
            "metadata_public": {"plan": "pro"}
        }));
        let row = identity_row(i);
        assert_eq!(row.cells.len(), ListKind::KratosIdentities.columns().len());
        assert_eq!(
            row.cells,
            vec![
                "9b1d",
                "jane@example.com",
                "active",
                "default",
                "2026-01-02 03:04",
                "plan=pro"
            ]
        );
    }
}
