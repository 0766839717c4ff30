//! A request as data (so a read can be rebuilt and sent again) and a successful answer.

use std::sync::Arc;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// Told a successful answer's headers as soon as they arrive, before its body is read.
#[derive(Clone)]
pub(crate) struct OnHeaders(pub Arc<dyn Fn(&HeaderMap) + Send + Sync>);

impl std::fmt::Debug for OnHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnHeaders")
    }
}

/// One request, kept as data so a read can be rebuilt and sent again.
#[derive(Clone, Debug)]
pub(crate) struct Req {
    pub method: Method,
    /// Path segments under the base URL; each is percent-encoded on its own, so an id can
    /// never change the path.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Safe to repeat and allowed in read-only mode (GET, or a POST that only searches).
    pub read: bool,
    /// A list page: the answer is read item by item into [`Resp::items`].
    pub list: bool,
    /// A list page whose items are kept as checked bytes in [`Resp::records`], for a
    /// caller that reads only a few fields of each.
    pub keep_bytes: bool,
    /// A list page read as it streams, past an item too large to keep (see `skim`).
    pub skim: bool,
    pub on_headers: Option<OnHeaders>,
    /// The page size a list request asked for, when it says.
    pub asked: Option<u64>,
    /// Most records its page may hold (see [`super::items::item_limit`]).
    pub max_items: usize,
}

impl Req {
    pub fn get<S: AsRef<str>>(segments: &[S]) -> Self {
        Self::new(Method::GET, segments, true)
    }

    pub fn new<S: AsRef<str>>(method: Method, segments: &[S], read: bool) -> Self {
        Self {
            method,
            segments: segments
                .iter()
                .flat_map(|s| split_static(s.as_ref()))
                .collect(),
            query: Vec::new(),
            body: None,
            read,
            list: false,
            keep_bytes: false,
            skim: false,
            on_headers: None,
            asked: None,
            max_items: super::items::MAX_PAGE_ITEMS,
        }
    }

    /// A segment holding a caller-supplied id: never split on `/`.
    pub fn id(mut self, id: &str) -> Self {
        self.segments.push(id.to_owned());
        self
    }

    pub fn then(mut self, segment: &str) -> Self {
        self.segments.extend(split_static(segment));
        self
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Read the answer as a list page, item by item.
    pub fn list(mut self) -> Self {
        self.list = true;
        self
    }

    /// Read the answer as a list page whose items stay bytes (see [`Resp::records`]).
    pub fn list_bytes(mut self) -> Self {
        self.list = true;
        self.keep_bytes = true;
        self
    }
}

fn split_static(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Resp {
    pub headers: HeaderMap,
    /// The decoded body; `None` when it was empty (204, or a 200 with no content). For a
    /// list page, everything but its items.
    pub json: Option<Value>,
    /// A list page's items, each decoded or saying why not.
    pub items: Vec<Result<Value, super::items::BadItem>>,
    /// With [`Req::keep_bytes`], the items instead: each one JSON value's bytes (size,
    /// depth and UTF-8 checked), or saying why not.
    pub records: Vec<Result<Box<[u8]>, super::items::BadItem>>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
