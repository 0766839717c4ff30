//! Coassemble headless Identities API client (`/v1/headless/…` under a base that usually
//! ends in `/api`).

use reqwest::Method;
use serde_json::{Value, json};

use super::error::{ApiError, Provider};
use super::http::{HttpLayer, PageSize, Req, Resp, kind_of};
use super::items::BadItem;
use super::models::{DeleteAction, HeadlessClient, HeadlessUser, HeadlessUserUpdate};
use super::page::{self, Cursor, Page, Position, page_size};

/// The docs give no maximum `length`; this keeps one page's memory bounded.
pub const MAX_LENGTH: u32 = 1000;
const DEFAULT_LENGTH: u32 = 100;
/// Where every path of this client starts (public so the audit trail names the path sent).
pub const ROOT: &str = "v1/headless";

#[derive(Clone, Debug)]
pub struct HeadlessApi {
    http: HttpLayer,
}

impl HeadlessApi {
    pub fn new(http: HttpLayer) -> Self {
        Self { http }
    }

    pub fn http(&self) -> &HttpLayer {
        &self.http
    }

    fn req(&self, method: Method, what: &str, read: bool) -> Req {
        Req::new(method, &[ROOT, what], read)
    }

    pub async fn list_clients(
        &self,
        cursor: &Cursor,
        length: u32,
    ) -> Result<Page<HeadlessClient>, ApiError> {
        let mut req = self.req(Method::GET, "clients", true);
        let (query, page, length) = page_query(cursor, length)?;
        req.query = query;
        self.page(&req, page, length, HeadlessClient::from_json)
            .await
    }

    /// As [`Self::list_clients`], each client kept as the bytes the server sent (read the
    /// shown fields with [`crate::HeadlessSummary::from_slice`]).
    pub async fn list_client_records(
        &self,
        cursor: &Cursor,
        length: u32,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let mut req = self.req(Method::GET, "clients", true).list_bytes();
        let (query, page, length) = page_query(cursor, length)?;
        req.query = query;
        self.records(&req, page, length).await
    }

    pub async fn get_client(&self, id: &str) -> Result<HeadlessClient, ApiError> {
        let req = self.req(Method::GET, "client", true).id(id);
        self.http
            .send_json(&req)
            .await
            .map(HeadlessClient::from_json)
    }

    /// Replaces the client's metadata (send the whole object). Returns the client when the
    /// server echoes it.
    pub async fn update_client(
        &self,
        id: &str,
        metadata: &Value,
    ) -> Result<Option<HeadlessClient>, ApiError> {
        let req = self
            .req(Method::PUT, "client", false)
            .id(id)
            .json(json!({ "metadata": metadata }));
        let resp = self.http.send(&req).await?;
        Ok(resp
            .json
            .filter(|v| v.get("clientIdentifier").is_some())
            .map(HeadlessClient::from_json))
    }

    /// Deletes the client and everything tied to it (Embed Automate plan or above).
    pub async fn delete_client(&self, id: &str) -> Result<(), ApiError> {
        let req = self.req(Method::DELETE, "client", false).id(id);
        self.http.send(&req).await.map(drop)
    }

    pub async fn list_users(
        &self,
        client: Option<&str>,
        cursor: &Cursor,
        length: u32,
    ) -> Result<Page<HeadlessUser>, ApiError> {
        let mut req = self.req(Method::GET, "users", true);
        let (mut query, page, length) = page_query(cursor, length)?;
        if let Some(c) = client {
            query.push(("clientIdentifier".into(), c.to_owned()));
        }
        req.query = query;
        self.page(&req, page, length, HeadlessUser::from_json).await
    }

    /// As [`Self::list_users`], each user kept as the bytes the server sent.
    pub async fn list_user_records(
        &self,
        client: Option<&str>,
        cursor: &Cursor,
        length: u32,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let mut req = self.req(Method::GET, "users", true).list_bytes();
        let (mut query, page, length) = page_query(cursor, length)?;
        if let Some(c) = client {
            query.push(("clientIdentifier".into(), c.to_owned()));
        }
        req.query = query;
        self.records(&req, page, length).await
    }

    /// `client` disambiguates users whose identifier is only unique within a client.
    pub async fn get_user(&self, id: &str, client: Option<&str>) -> Result<HeadlessUser, ApiError> {
        let mut req = self.req(Method::GET, "user", true).id(id);
        if let Some(c) = client {
            req = req.query("clientIdentifier", c);
        }
        self.http.send_json(&req).await.map(HeadlessUser::from_json)
    }

    /// Returns the user when the server echoes it.
    pub async fn update_user(
        &self,
        id: &str,
        update: &HeadlessUserUpdate,
    ) -> Result<Option<HeadlessUser>, ApiError> {
        let body = serde_json::to_value(update).map_err(|e| {
            ApiError::config(Provider::Headless, format!("cannot encode update: {e}"))
        })?;
        let req = self.req(Method::PUT, "user", false).id(id).json(body);
        let resp = self.http.send(&req).await?;
        Ok(resp
            .json
            .filter(|v| v.get("identifier").is_some())
            .map(HeadlessUser::from_json))
    }

    /// `PUT /user/{id}` with a body built by the caller (`name` and `avatar` may be `null` to
    /// clear them, which [`HeadlessUserUpdate`] cannot say). `client` goes in the body as
    /// `clientIdentifier`: the client the user belongs to, which also picks the user when
    /// several clients have one with this identifier. Returns the user when echoed.
    pub async fn update_user_body(
        &self,
        id: &str,
        client: Option<&str>,
        body: &Value,
    ) -> Result<Option<HeadlessUser>, ApiError> {
        let mut body = body.clone();
        if !body.is_object() {
            return Err(ApiError::config(
                Provider::Headless,
                "a user update is a JSON object",
            ));
        }
        if let Some(c) = client {
            body["clientIdentifier"] = Value::String(c.to_owned());
        }
        let req = self.req(Method::PUT, "user", false).id(id).json(body);
        let resp = self.http.send(&req).await?;
        Ok(resp
            .json
            .filter(|v| v.get("identifier").is_some())
            .map(HeadlessUser::from_json))
    }

    /// `action` decides the fate of the user's courses; it goes in the query string.
    pub async fn delete_user(
        &self,
        id: &str,
        client: Option<&str>,
        action: DeleteAction,
    ) -> Result<(), ApiError> {
        if let DeleteAction::Reallocate(to) = &action
            && to.trim().is_empty()
        {
            return Err(ApiError::config(
                Provider::Headless,
                "reallocate needs the identifier of the user who receives the courses",
            ));
        }
        let mut req = self.req(Method::DELETE, "user", false).id(id);
        if let Some(c) = client {
            req = req.query("clientIdentifier", c);
        }
        for (k, v) in action.query() {
            req = req.query(k, v);
        }
        self.http.send(&req).await.map(drop)
    }

    /// A bare array or `{data: [...]}`; the list ends at a short or empty page.
    async fn page<T>(
        &self,
        req: &Req,
        page: u64,
        length: u32,
        item: fn(Value) -> T,
    ) -> Result<Page<T>, ApiError> {
        // Pages are numbered by their length, so a smaller page cannot stand in for one:
        // no size key to halve.
        let mut resp = self.http.send_list(req, PageSize::Fixed("length")).await?;
        let items = std::mem::take(&mut resp.items);
        self.finish_page(resp, items, page, length, item)
    }

    /// As [`Self::page`], each record kept as its bytes.
    async fn records(
        &self,
        req: &Req,
        page: u64,
        length: u32,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let mut resp = self.http.send_list(req, PageSize::Fixed("length")).await?;
        let records = std::mem::take(&mut resp.records);
        self.finish_page(resp, records, page, length, |r| r)
    }

    fn finish_page<I, T>(
        &self,
        resp: Resp,
        items: Vec<Result<I, BadItem>>,
        page: u64,
        length: u32,
        item: impl FnMut(I) -> T,
    ) -> Result<Page<T>, ApiError> {
        match resp.json.unwrap_or(Value::Null) {
            Value::Array(_) => {}
            Value::Object(mut o) => match o.remove("data") {
                Some(Value::Array(_)) => {}
                _ => {
                    return Err(self
                        .http
                        .decode_error("expected a JSON array or {data: [...]}"));
                }
            },
            other => {
                return Err(self
                    .http
                    .decode_error(format!("expected a JSON array, got {}", kind_of(&other))));
            }
        }
        let next = (items.len() >= length as usize).then(|| Cursor(Position::Number(page + 1)));
        let (items, bad) = super::page::split_items(items, item);
        Ok(Page {
            items,
            next,
            total: None,
            bad,
        })
    }
}

/// Query pairs, page number and clamped length of one page request.
pub(crate) type PageQuery = (Vec<(String, String)>, u64, u32);

pub(crate) fn page_query(cursor: &Cursor, length: u32) -> Result<PageQuery, ApiError> {
    let page = match &cursor.0 {
        Position::First => 0,
        Position::Number(n) => *n,
        _ => {
            return Err(page::foreign_cursor(Provider::Headless));
        }
    };
    let length = page_size(length, DEFAULT_LENGTH, MAX_LENGTH);
    Ok((
        vec![
            ("page".into(), page.to_string()),
            ("length".into(), length.to_string()),
        ],
        page,
        length,
    ))
}
