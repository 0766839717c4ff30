//! Typed clients for the three admin APIs over one shared HTTP layer. The dashboard never
//! speaks HTTP itself: it asks these clients for pages and mutations and gets typed results
//! or one [`ApiError`].

pub mod auth;
pub mod core;
pub mod error;
mod headers;
pub mod headless;
pub mod http;
pub mod items;
pub mod kratos;
pub mod models;
pub mod page;
mod request;
pub mod retry;
mod secret;

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
