//! Ory Kratos admin API client (`/admin/identities`, `/admin/sessions`, `/schemas`).

use reqwest::Method;
use serde_json::Value;

use super::error::{ApiError, Provider};
use super::http::{HttpLayer, PageSize, Req, Resp, kind_of};
use super::models::{Identity, IdentityFilter, KratosVersion, Recovery, Schema, Session};
use super::page::{self, Cursor, Page, Position, next_from_link_header};

/// Kratos clamps larger identity pages to 500; asking for more only hides that.
pub const MAX_IDENTITY_PAGE: u32 = 500;
/// Session and offset-token lists allow up to 1000.
pub const MAX_SESSION_PAGE: u32 = 1000;
/// Kratos' own default for every list.
const DEFAULT_PAGE: u32 = 250;
/// `GET /schemas` is walked to the end; a deployment has a handful, this only bounds a
/// misbehaving server.
const MAX_SCHEMA_PAGES: usize = 100;

/// `GET /admin/identities` for one page: the filter's query, the cursor, a size Kratos accepts.
fn identities_request(
    filter: &IdentityFilter,
    cursor: &Cursor,
    page_size: u32,
) -> Result<Req, ApiError> {
    let size = page::page_size(page_size, DEFAULT_PAGE, MAX_IDENTITY_PAGE);
    paged(
        Req::get(&["admin/identities"]),
        cursor,
        filter.query(),
        size,
    )
}

#[derive(Clone, Debug)]
pub struct KratosApi {
    admin: HttpLayer,
    /// The public port, where `/schemas` lives; the admin port only redirects there.
    public: Option<HttpLayer>,
}

impl KratosApi {
    pub fn new(admin: HttpLayer, public: Option<HttpLayer>) -> Self {
        Self { admin, public }
    }

    pub fn http(&self) -> &HttpLayer {
        &self.admin
    }

    /// `GET /admin/version`: what the server says it is (`{"version":"v1.3.1"}`). Kratos'
    /// admin port answers `/version` only with a redirect there; a server without it (404)
    /// is asked `GET /version` instead. An answer that is not JSON or holds no `version`
    /// string is a decode error.
    pub async fn version(&self) -> Result<KratosVersion, ApiError> {
        let answer = match one(&self.admin, &Req::get(&["admin/version"])).await {
            Err(e) if e.status == Some(404) => one(&self.admin, &Req::get(&["version"])).await?,
            other => other?,
        };
        KratosVersion::from_json(&answer).ok_or_else(|| {
            let why = match &answer {
                Value::Object(_) => "the answer has no \"version\" string".to_owned(),
                other => format!("expected {{\"version\": …}}, got {}", kind_of(other)),
            };
            self.admin.decode_error(why)
        })
    }

    pub async fn list_identities(
        &self,
        filter: &IdentityFilter,
        cursor: &Cursor,
        page_size: u32,
    ) -> Result<Page<Identity>, ApiError> {
        let req = identities_request(filter, cursor, page_size)?;
        list(&self.admin, &req, cursor, Identity::from_json).await
    }

    /// As [`Self::list_identities`], each identity kept as the bytes the server sent (read
    /// the shown fields with [`crate::IdentitySummary::from_slice`]): a long walk builds no JSON
    /// trees.
    pub async fn list_identity_records(
        &self,
        filter: &IdentityFilter,
        cursor: &Cursor,
        page_size: u32,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let req = identities_request(filter, cursor, page_size)?.list_bytes();
        self.records(req, cursor).await
    }

    /// As [`Self::list_identity_records`], telling `next` the cursor of the page after this
    /// one as soon as the answer's headers arrive, while its body is still to be read: a
    /// caller walking the list can ask for that page meanwhile. (It may be told more than
    /// once when the read is tried again, and is told nothing on the last page.)
    pub async fn list_identity_records_early(
        &self,
        filter: &IdentityFilter,
        cursor: &Cursor,
        page_size: u32,
        next: impl Fn(Cursor) + Send + Sync + 'static,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let mut req = identities_request(filter, cursor, page_size)?.list_bytes();
        let (base, this) = (self.admin.base().clone(), cursor.clone());
        req.on_headers = Some(super::request::OnHeaders(std::sync::Arc::new(
            move |headers: &reqwest::header::HeaderMap| {
                let link = headers.get("link").and_then(|v| v.to_str().ok());
                if let Some(n) = super::page::next_from_link_header(&base, link)
                    && n != this
                {
                    next(n);
                }
            },
        )));
        self.records(req, cursor).await
    }

    /// A page whose records are kept as bytes.
    async fn records(&self, req: Req, cursor: &Cursor) -> Result<Page<Box<[u8]>>, ApiError> {
        let mut resp: Resp = self
            .admin
            .send_list(&req, PageSize::Halvable("page_size"))
            .await?;
        let records = std::mem::take(&mut resp.records);
        let (items, bad) = page::split_items(records, |r| r);
        finish_page(&self.admin, resp, cursor, items, bad)
    }

    pub async fn get_identity(
        &self,
        id: &str,
        include_credential: &[String],
    ) -> Result<Identity, ApiError> {
        let mut req = Req::get(&["admin/identities"]).id(id);
        for c in include_credential {
            req = req.query("include_credential", c.clone());
        }
        one(&self.admin, &req).await.map(Identity::from_json)
    }

    pub async fn identity_by_external_id(&self, external_id: &str) -> Result<Identity, ApiError> {
        let req = Req::get(&["admin/identities/by/external"]).id(external_id);
        one(&self.admin, &req).await.map(Identity::from_json)
    }

    pub async fn create_identity(&self, body: &Value) -> Result<Identity, ApiError> {
        let req = Req::new(Method::POST, &["admin/identities"], false).json(body.clone());
        one(&self.admin, &req).await.map(Identity::from_json)
    }

    /// PUT replaces the identity: fields missing from `body` (`metadata_*`, `external_id`)
    /// are cleared. Build it with [`Identity::to_update_body`].
    pub async fn update_identity(&self, id: &str, body: &Value) -> Result<Identity, ApiError> {
        let req = Req::new(Method::PUT, &["admin/identities"], false)
            .id(id)
            .json(body.clone());
        one(&self.admin, &req).await.map(Identity::from_json)
    }

    /// RFC 6902 JSON Patch; Kratos accepts `add`, `remove` and `replace`.
    pub async fn patch_identity(&self, id: &str, patch: &Value) -> Result<Identity, ApiError> {
        if !patch.is_array() {
            return Err(ApiError::config(
                Provider::Kratos,
                "a JSON Patch must be an array of operations",
            ));
        }
        let req = Req::new(Method::PATCH, &["admin/identities"], false)
            .id(id)
            .json(patch.clone());
        one(&self.admin, &req).await.map(Identity::from_json)
    }

    pub async fn delete_identity(&self, id: &str) -> Result<(), ApiError> {
        let req = Req::new(Method::DELETE, &["admin/identities"], false).id(id);
        self.admin.send(&req).await.map(drop)
    }

    /// `identifier` is required for `oidc`/`saml` (`provider:subject`) and `deviceauthn`.
    pub async fn delete_credential(
        &self,
        id: &str,
        kind: &str,
        identifier: Option<&str>,
    ) -> Result<(), ApiError> {
        let mut req = Req::new(Method::DELETE, &["admin/identities"], false)
            .id(id)
            .then("credentials")
            .id(kind);
        if let Some(i) = identifier {
            req = req.query("identifier", i);
        }
        self.admin.send(&req).await.map(drop)
    }

    /// Newest first; the server always expands identity and devices here.
    pub async fn list_identity_sessions(
        &self,
        id: &str,
        active: Option<bool>,
        cursor: &Cursor,
        page_size: u32,
    ) -> Result<Page<Session>, ApiError> {
        let req = identity_sessions_request(id, active, cursor, page_size)?;
        list(&self.admin, &req, cursor, Session::from_json).await
    }

    /// As [`Self::list_identity_sessions`], each session kept as the bytes the server sent
    /// (read the shown fields with [`crate::SessionSummary::from_slice`]).
    pub async fn list_identity_session_records(
        &self,
        id: &str,
        active: Option<bool>,
        cursor: &Cursor,
        page_size: u32,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let req = identity_sessions_request(id, active, cursor, page_size)?;
        self.records(req.list_bytes(), cursor).await
    }

    /// As [`Self::list_sessions`], each session kept as bytes.
    pub async fn list_session_records(
        &self,
        active: Option<bool>,
        cursor: &Cursor,
        page_size: u32,
    ) -> Result<Page<Box<[u8]>>, ApiError> {
        let req = sessions_request(active, cursor, page_size)?;
        self.records(req.list_bytes(), cursor).await
    }

    /// All sessions, newest first, with the identity expanded so each row can name its owner.
    pub async fn list_sessions(
        &self,
        active: Option<bool>,
        cursor: &Cursor,
        page_size: u32,
    ) -> Result<Page<Session>, ApiError> {
        let req = sessions_request(active, cursor, page_size)?;
        list(&self.admin, &req, cursor, Session::from_json).await
    }

    pub async fn get_session(&self, id: &str) -> Result<Session, ApiError> {
        let req = Req::get(&["admin/sessions"])
            .id(id)
            .query("expand", "identity")
            .query("expand", "devices");
        one(&self.admin, &req).await.map(Session::from_json)
    }

    /// Deactivates the session (the row is kept).
    pub async fn disable_session(&self, id: &str) -> Result<(), ApiError> {
        let req = Req::new(Method::DELETE, &["admin/sessions"], false).id(id);
        self.admin.send(&req).await.map(drop)
    }

    /// The extended session (200), or `None` when the server answers 204 (the
    /// `faster_session_extend` flag).
    pub async fn extend_session(&self, id: &str) -> Result<Option<Session>, ApiError> {
        let req = Req::new(Method::PATCH, &["admin/sessions"], false)
            .id(id)
            .then("extend");
        let resp = self.admin.send(&req).await?;
        Ok(resp.json.filter(Value::is_object).map(Session::from_json))
    }

    /// Deletes every session of the identity; 404 when it has none.
    pub async fn delete_identity_sessions(&self, id: &str) -> Result<(), ApiError> {
        let req = Req::new(Method::DELETE, &["admin/identities"], false)
            .id(id)
            .then("sessions");
        self.admin.send(&req).await.map(drop)
    }

    /// `POST /admin/recovery/link`: a link that lets the person recover (or activate) the
    /// account, valid for `expires_in` (a Go duration such as `30m`; the server's default,
    /// one hour, when `None`). Not idempotent: every call makes another link.
    pub async fn create_recovery_link(
        &self,
        identity: &str,
        expires_in: Option<&str>,
    ) -> Result<Recovery, ApiError> {
        self.recovery("link", identity, expires_in).await
    }

    /// `POST /admin/recovery/code`: a code and the link of the recovery page to type it in.
    /// Not idempotent either.
    pub async fn create_recovery_code(
        &self,
        identity: &str,
        expires_in: Option<&str>,
    ) -> Result<Recovery, ApiError> {
        self.recovery("code", identity, expires_in).await
    }

    async fn recovery(
        &self,
        what: &str,
        identity: &str,
        expires_in: Option<&str>,
    ) -> Result<Recovery, ApiError> {
        let mut body = serde_json::json!({ "identity_id": identity });
        if let Some(e) = expires_in {
            body["expires_in"] = Value::String(e.to_owned());
        }
        let req = Req::new(Method::POST, &["admin/recovery", what], false).json(body);
        let answer = one(&self.admin, &req).await?;
        let recovery = Recovery::from_json(&answer);
        if recovery.link.is_empty() {
            return Err(self
                .admin
                .decode_error("the answer has no recovery_link".to_owned()));
        }
        Ok(recovery)
    }

    /// Every identity schema (all pages).
    pub async fn list_schemas(&self) -> Result<Vec<Schema>, ApiError> {
        let layer = self.public.as_ref().unwrap_or(&self.admin);
        let mut cursor = Cursor::first();
        let mut out = Vec::new();
        for _ in 0..MAX_SCHEMA_PAGES {
            let req = paged(
                Req::get(&["schemas"]),
                &cursor,
                Vec::new(),
                MAX_SESSION_PAGE,
            )?;
            let page = list(layer, &req, &cursor, Schema::from_json).await?;
            out.extend(page.items);
            match page.next {
                Some(next) => cursor = next,
                None => return Ok(out),
            }
        }
        Ok(out)
    }

    /// The raw JSON Schema; `id` may be the plain id or its base64url form.
    pub async fn get_schema(&self, id: &str) -> Result<Value, ApiError> {
        let layer = self.public.as_ref().unwrap_or(&self.admin);
        one(layer, &Req::get(&["schemas"]).id(id)).await
    }
}

fn active_query(active: Option<bool>) -> Vec<(String, String)> {
    active
        .map(|a| vec![("active".to_owned(), a.to_string())])
        .unwrap_or_default()
}

/// Add the page position: the first page gets the filters, a later page replays the query
/// of the server's `next` link (which carries the filters) as is. Either way the page size is
/// ours, except on legacy `page`/`per_page` links, which are left untouched.
pub(crate) fn paged(
    mut req: Req,
    cursor: &Cursor,
    first_query: Vec<(String, String)>,
    size: u32,
) -> Result<Req, ApiError> {
    let mut query = match &cursor.0 {
        Position::First => first_query,
        Position::Link(pairs) => pairs.clone(),
        _ => {
            return Err(page::foreign_cursor(Provider::Kratos));
        }
    };
    let has = |q: &[(String, String)], key: &str| q.iter().any(|(k, _)| k == key);
    if !has(&query, "page") || has(&query, "page_size") {
        query.retain(|(k, _)| k != "page_size");
        query.push(("page_size".into(), size.to_string()));
    }
    req.query = query;
    Ok(req)
}

async fn one(layer: &HttpLayer, req: &Req) -> Result<Value, ApiError> {
    layer.send_json(req).await
}

async fn list<T>(
    layer: &HttpLayer,
    req: &Req,
    cursor: &Cursor,
    item: fn(Value) -> T,
) -> Result<Page<T>, ApiError> {
    let mut resp: Resp = layer
        .send_list(req, PageSize::Halvable("page_size"))
        .await?;
    let raw = std::mem::take(&mut resp.items);
    let (items, bad) = page::split_items(raw, item);
    finish_page(layer, resp, cursor, items, bad)
}

/// `GET /admin/identities/{id}/sessions`.
fn identity_sessions_request(
    id: &str,
    active: Option<bool>,
    cursor: &Cursor,
    page_size: u32,
) -> Result<Req, ApiError> {
    let size = page::page_size(page_size, DEFAULT_PAGE, MAX_SESSION_PAGE);
    let identity = Req::get(&["admin/identities"]).id(id);
    paged(
        identity.then("sessions"),
        cursor,
        active_query(active),
        size,
    )
}

/// `GET /admin/sessions` with the identity expanded.
fn sessions_request(
    active: Option<bool>,
    cursor: &Cursor,
    page_size: u32,
) -> Result<Req, ApiError> {
    let size = page::page_size(page_size, DEFAULT_PAGE, MAX_SESSION_PAGE);
    let mut q = active_query(active);
    q.push(("expand".into(), "identity".into()));
    paged(Req::get(&["admin/sessions"]), cursor, q, size)
}

/// A Kratos page from its answer: total, the `next` link, the envelope checked.
fn finish_page<T>(
    layer: &HttpLayer,
    resp: Resp,
    cursor: &Cursor,
    items: Vec<T>,
    bad: Vec<super::items::BadItem>,
) -> Result<Page<T>, ApiError> {
    let total = resp
        .header("x-total-count")
        .and_then(|t| t.trim().parse::<u64>().ok());
    let next = next_from_link_header(layer.base(), resp.header("link"));
    match resp.json {
        // Kratos sends `null` for some empty lists.
        Some(Value::Array(_) | Value::Null) | None => {}
        Some(other) => {
            return Err(
                layer.decode_error(format!("expected a JSON array, got {}", kind_of(&other)))
            );
        }
    }
    // An empty page ends the list whatever the links say (the offset scheme advertises
    // `next` even with zero rows), and a link back to the same page would loop forever.
    let next = next.filter(|n| !(items.is_empty() && bad.is_empty()) && n != cursor);
    Ok(Page {
        items,
        next,
        total,
        bad,
    })
}
