//! Typed clients for the three admin APIs over one shared HTTP layer. The dashboard never
//! speaks HTTP itself: it asks these clients for pages and mutations and gets typed results
//! or one [`ApiError`].
//!
//! ```no_run
//! use idtui_api::{Auth, HttpLayer, HttpSettings, KratosApi, Provider, Secret};
//! use serde_json::json;
//!
//! # async fn run() -> Result<(), idtui_api::ApiError> {
//! let settings = HttpSettings::new(Provider::Kratos, "http://127.0.0.1:4434");
//! let auth = Auth::bearer(Provider::Kratos, None, &Secret::new("admin-token"))?;
//! let kratos = KratosApi::new(HttpLayer::new(&settings, auth)?, None);
//!
//! // Find someone by email, set a metadata field with JSON Patch, and end their sessions.
//! let filter = idtui_api::IdentityFilter {
//!     credentials_identifier: Some("ada@example.com".into()),
//!     ..Default::default()
//! };
//! let page = kratos.list_identities(&filter, &idtui_api::Cursor::first(), 1).await?;
//! if let Some(ada) = page.items.first() {
//!     let patch = json!([{ "op": "add", "path": "/metadata_public/plan", "value": "team" }]);
//!     kratos.patch_identity(&ada.id, &patch).await?;
//!     kratos.delete_identity_sessions(&ada.id).await?;
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Errors say what happened in the provider's words and whether trying again may help:
//!
//! ```no_run
//! # async fn run(kratos: idtui_api::KratosApi) {
//! use idtui_api::ErrorKind;
//!
//! match kratos.get_identity("not-a-uuid", &[]).await {
//!     Err(e) if e.status == Some(404) => eprintln!("no such identity: {}", e.message),
//!     Err(e) if e.kind == ErrorKind::ReadOnly => eprintln!("refused before sending: {e}"),
//!     Err(e) if e.is_transient() => eprintln!("try again later: {e}"),
//!     Err(e) => eprintln!("{e}"),
//!     Ok(identity) => println!("{}", identity.traits),
//! }
//! # }
//! ```

pub mod auth;
mod body;
pub mod core;
pub mod error;
mod headers;
pub mod headless;
pub mod http;
pub mod items;
pub mod json;
pub mod kratos;
pub mod models;
pub mod page;
mod request;
pub mod retry;
mod secret;
mod skim;

pub use self::core::CoreApi;
pub use auth::{Auth, OAuthSource};
pub use error::{ApiError, ErrorKind, Provider};
pub use headless::HeadlessApi;
pub use http::{HttpLayer, HttpSettings};
pub use items::BadItem;
pub use kratos::KratosApi;
pub use models::*;
pub use page::{Cursor, Link, Page, parse_link_header, resolve_link};
pub use retry::RetryPolicy;
pub use secret::Secret;

/// A connected client for one profile. Cheap to clone and `Send + Sync`.
#[derive(Clone, Debug)]
pub enum Api {
    Kratos(KratosApi),
    Core(CoreApi),
    Headless(HeadlessApi),
}

impl Api {
    pub fn provider(&self) -> Provider {
        self.http().provider()
    }

    pub fn read_only(&self) -> bool {
        self.http().read_only()
    }

    pub fn http(&self) -> &HttpLayer {
        match self {
            Api::Kratos(k) => k.http(),
            Api::Core(c) => c.http(),
            Api::Headless(h) => h.http(),
        }
    }
}

#[cfg(test)]
mod tests;

/// The README's example is compiled with the other doc examples, so it cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeExample;
