//! What the runtime needs from an API client, in view-model terms. Each provider's module in
//! `runtime::provider` implements it over its client; tests implement it in memory.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::app::provider::kratos::version::Version;
use crate::app::{Done, ErrorInfo, Hit, ListKind, Mutation, ObjectKind, PageCursor, PageData, Row};

pub trait Backend: Send + Sync {
    /// One page of `list` (optionally narrowed by a server-side `search`) from `cursor`.
    fn list(
        &self,
        list: ListKind,
        search: Option<String>,
        cursor: PageCursor,
        size: usize,
    ) -> BoxFuture<'static, Result<PageData, ErrorInfo>>;

    /// One object by id, as a row (its `raw` is the full object).
    fn get(&self, kind: ObjectKind, id: String) -> BoxFuture<'static, Result<Row, ErrorInfo>>;

    /// What the server says its version is (Kratos' `GET /version`): read once per
    /// profile, the same answer after (an error for providers that do not tell).
    fn version(&self) -> BoxFuture<'static, Result<Version, ErrorInfo>>;

    /// People (and, on Coassemble, clients) matching `text`: an email, username, id,
    /// external id or identifier, with the provider's own search.
    fn find(&self, text: String) -> BoxFuture<'static, Result<Vec<Hit>, ErrorInfo>>;

    /// A change on the server; the answer is a one-line confirmation for the status bar
    /// (and what it issued, for a recovery link or code). Only ever called by the runtime
    /// after the read-only gate.
    fn mutate(&self, mutation: Mutation) -> BoxFuture<'static, Result<Done, ErrorInfo>>;

    /// The HTTP method and path (under the profile's url) `mutate` sends `mutation` as, for
    /// the audit trail: built from the path pieces the client itself uses, so the line names
    /// the request really sent (MATTR's prefix included).
    fn request_line(&self, mutation: &Mutation) -> RequestLine;
}

/// The request that makes a change: method and path under the profile's url (`NONE` and
/// no path when its provider refuses it unsent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    pub method: &'static str,
    pub path: String,
}

impl RequestLine {
    pub fn new(method: &'static str, path: impl Into<String>) -> RequestLine {
        RequestLine {
            method,
            path: path.into(),
        }
    }

    /// A change its profile's provider refuses before sending anything.
    pub fn not_sent() -> RequestLine {
        RequestLine::new("NONE", "")
    }
}

/// The backends of the open profiles, by profile name.
#[derive(Clone, Default)]
pub struct Backends {
    map: HashMap<String, Arc<dyn Backend>>,
}

impl Backends {
    pub fn insert(&mut self, profile: impl Into<String>, backend: Arc<dyn Backend>) {
        self.map.insert(profile.into(), backend);
    }

    /// The backends of the profiles `keep` names (an SSH key's grant).
    pub fn only(&self, keep: impl Fn(&str) -> bool) -> Backends {
        Backends {
            map: self
                .map
                .iter()
                .filter(|(name, _)| keep(name))
                .map(|(n, b)| (n.clone(), Arc::clone(b)))
                .collect(),
        }
    }

    pub fn get(&self, profile: &str) -> Result<Arc<dyn Backend>, ErrorInfo> {
        self.map.get(profile).cloned().ok_or_else(|| {
            let line = format!("profile {profile} is not connected");
            ErrorInfo::new(line.clone(), line)
        })
    }
}

/// The error shown for a background task that panicked (the panic hook logged where).
pub fn panicked(payload: &(dyn std::any::Any + Send)) -> ErrorInfo {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    let line = "internal error in a background task (details in the log); r tries again";
    let mut info = ErrorInfo::new(line, format!("{line}\n\npanic: {message}"));
    // Whether a change got through is unknown: it is settled by reading again.
    info.lost = true;
    info
}
