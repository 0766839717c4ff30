//! MATTR VII core Users API client (`{prefix}/users…`, prefix `/v1` or `/core/v1`).

use reqwest::Method;
use serde_json::Value;

use super::error::{ApiError, Provider};
use super::http::{HttpLayer, PageSize, Req, Resp, kind_of};
use super::items::BadItem;
use super::models::{CoreCredential, CoreSearch, CoreUser};
use super::page::{self, Cursor, Page, Position, page_size};

/// MATTR accepts `limit` from 1 to 1000.
pub const MAX_LIMIT: u32 = 1000;
const DEFAULT_LIMIT: u32 = 100;
/// The current docs use `/v1`; older tenants `/core/v1`.
pub const DEFAULT_PREFIX: &str = "/v1";

fn trimmed_prefix(prefix: Option<&str>) -> String {
    prefix
        .unwrap_or(DEFAULT_PREFIX)
        .trim_matches('/')
        .to_owned()
}

#[derive(Clone, Debug)]
pub struct CoreApi {
    http: HttpLayer,
    prefix: String,
}

impl CoreApi {
    pub fn new(http: HttpLayer, prefix: Option<&str>) -> Self {
        let prefix = trimmed_prefix(prefix);
        Self { http, prefix }
    }

    /// Where every path of this client starts (`/v1`), so a caller that names a request
    /// (the audit trail) names the one this client sends.
    pub fn path_prefix(&self) -> String {
        format!("/{}", self.prefix)
    }

    /// [`Self::path_prefix`] of a client that would be built with `prefix`, for a caller
    /// that names a request before the client exists.
    pub fn path_prefix_for(prefix: Option<&str>) -> String {
        format!("/{}", trimmed_prefix(prefix))
    }

    pub fn http(&self) -> &HttpLayer {
        &self.http
    }

    fn users(&self, method: Method, read: bool) -> Req {
        Req::new(method, &[self.prefix.as_str(), "users"], read)
    }

    pub async fn list_users(
        &self,
        cursor: &Cursor,
        limit: u32,
    ) -> Result<Page<CoreUser>, ApiError> {
        let mut req = self.users(Method::GET, true);
        req.query = cursor_query(cursor, limit)?;
        self.page(&req, CoreUser::from_json).await
    }

    /// As [`Self::list_users`], each user kept as the bytes the server sent (read the shown
    /// fields with [`crate::CoreUserSummary::from_slice`]): a long walk builds no JSON trees.
    pub async fn list_user_records(
        &self,
        cursor: &Cursor,
        limit: u32,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let mut req = self.users(Method::GET, true).list_bytes();
        req.query = cursor_query(cursor, limit)?;
        self.records(&req).await
    }

    /// `POST /users/search`: a POST that only reads, so it is retried and allowed read-only.
    pub async fn search_users(
        &self,
        search: &CoreSearch,
        cursor: &Cursor,
        limit: u32,
    ) -> Result<Page<CoreUser>, ApiError> {
        let req = self.search_request(search, cursor, limit)?;
        self.page(&req, CoreUser::from_json).await
    }

    /// As [`Self::search_users`], each user kept as bytes (see [`Self::list_user_records`]).
    pub async fn search_user_records(
        &self,
        search: &CoreSearch,
        cursor: &Cursor,
        limit: u32,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let req = self.search_request(search, cursor, limit)?.list_bytes();
        self.records(&req).await
    }

    fn search_request(
        &self,
        search: &CoreSearch,
        cursor: &Cursor,
        limit: u32,
    ) -> Result<Req, ApiError> {
        let mut body = search.body();
        for (k, v) in cursor_query(cursor, limit)? {
            body[k] = match k.as_str() {
                "limit" => Value::from(page_size(limit, DEFAULT_LIMIT, MAX_LIMIT)),
                _ => Value::String(v),
            };
        }
        Ok(self.users(Method::POST, true).then("search").json(body))
    }

    /// `POST /users` (current docs; users are otherwise created by issuance flows).
    pub async fn create_user(&self, body: &Value) -> Result<CoreUser, ApiError> {
        let req = self.users(Method::POST, false).json(body.clone());
        self.http.send_json(&req).await.map(CoreUser::from_json)
    }

    pub async fn get_user(&self, id: &str) -> Result<CoreUser, ApiError> {
        let req = self.users(Method::GET, true).id(id);
        self.http.send_json(&req).await.map(CoreUser::from_json)
    }

    /// Each top-level field given replaces the stored one; build the body with
    /// [`CoreUser::to_update_body`] after editing.
    pub async fn update_user(&self, id: &str, body: &Value) -> Result<CoreUser, ApiError> {
        let req = self.users(Method::PUT, false).id(id).json(body.clone());
        self.http.send_json(&req).await.map(CoreUser::from_json)
    }

    pub async fn delete_user(&self, id: &str) -> Result<(), ApiError> {
        let req = self.users(Method::DELETE, false).id(id);
        self.http.send(&req).await.map(drop)
    }

    pub async fn list_credentials(
        &self,
        user_id: &str,
        cursor: &Cursor,
        limit: u32,
    ) -> Result<Page<CoreCredential>, ApiError> {
        let mut req = self
            .users(Method::GET, true)
            .id(user_id)
            .then("credentials");
        req.query = cursor_query(cursor, limit)?;
        self.page(&req, CoreCredential::from_json).await
    }

    /// `{data: [...], nextCursor}`; the list ends at an empty page or without `nextCursor`
    /// (MATTR sends one with every non-empty page, so the last page is usually empty).
    async fn page<T>(&self, req: &Req, item: fn(Value) -> T) -> Result<Page<T>, ApiError> {
        let mut resp = self
            .http
            .send_list(req, PageSize::Halvable("limit"))
            .await?;
        let items = std::mem::take(&mut resp.items);
        self.finish_page(resp, items, item)
    }

    async fn records(&self, req: &Req) -> Result<Page<Box<[u8]>>, ApiError> {
        let mut resp = self
            .http
            .send_list(req, PageSize::Halvable("limit"))
            .await?;
        let records = std::mem::take(&mut resp.records);
        self.finish_page(resp, records, |r| r)
    }

    /// A page from an answer's envelope (`{data, nextCursor}`) and its items.
    fn finish_page<I, T>(
        &self,
        resp: Resp,
        items: Vec<Result<I, BadItem>>,
        item: impl FnMut(I) -> T,
    ) -> Result<Page<T>, ApiError> {
        let body = resp.json.unwrap_or(Value::Null);
        let Value::Object(mut obj) = body else {
            return Err(self.http.decode_error(format!(
                "expected {{data, nextCursor}}, got {}",
                kind_of(&body)
            )));
        };
        match obj.remove("data") {
            Some(Value::Array(_) | Value::Null) | None => {}
            Some(other) => {
                return Err(self.http.decode_error(format!(
                    "expected `data` to be an array, got {}",
                    kind_of(&other)
                )));
            }
        }
        let next = match obj.get("nextCursor") {
            Some(Value::String(c)) if !c.is_empty() && !items.is_empty() => {
                Some(Cursor(Position::Token(c.clone())))
            }
            _ => None,
        };
        let (items, bad) = super::page::split_items(items, item);
        Ok(Page {
            items,
            next,
            total: None,
            bad,
        })
    }
}

pub(crate) fn cursor_query(cursor: &Cursor, limit: u32) -> Result<Vec<(String, String)>, ApiError> {
    let limit = page_size(limit, DEFAULT_LIMIT, MAX_LIMIT);
    let mut q = vec![("limit".to_owned(), limit.to_string())];
    match &cursor.0 {
        Position::First => {}
        Position::Token(t) => q.push(("cursor".to_owned(), t.clone())),
        _ => {
            return Err(page::foreign_cursor(Provider::Core));
        }
    }
    Ok(q)
}
