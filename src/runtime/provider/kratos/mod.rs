//! Ory Kratos as the dashboard sees it: identities, sessions (of one identity or all) and
//! credentials, over `KratosApi`. Its identity list names the next page in a `Link` header,
//! so a walk asks for that page before the current body is read.

pub mod credentials;
mod find;
mod mutate;

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::api::{ApiError, Cursor, KratosApi, Provider};
use crate::app::model::ACTIVE_ONLY;
use crate::app::provider::kratos;
use crate::app::provider::kratos::version::{self, Known, Rules, Version};
use crate::app::{Done, Hit, ListKind, Mutation, ObjectKind, PageData, Row};
use crate::runtime::backend::RequestLine;
use crate::runtime::rows::{
    all_session_records_page, identity_row, is_not_found, session_records_page, session_row,
};

/// Kratos as the runtime's backend.
pub type Kratos = super::Connected<KratosClient>;

/// A Kratos profile's client and the version its server said: read once (`GET /version`),
/// by the first request that needs it, and kept for every later one, so the dashboard's
/// title bar and rules and this module's lookups all go by the same answer.
#[derive(Clone)]
pub struct KratosClient {
    api: KratosApi,
    version: Arc<tokio::sync::OnceCell<Result<Version, ApiError>>>,
}

impl From<KratosApi> for KratosClient {
    fn from(api: KratosApi) -> KratosClient {
        KratosClient {
            api,
            version: Arc::default(),
        }
    }
}

impl KratosClient {
    /// What the server said its version is (read on the first call only).
    pub async fn version(&self) -> Result<Version, ApiError> {
        self.version
            .get_or_init(|| async {
                let v = self.api.version().await?;
                Ok(Version {
                    text: v.text,
                    release: v.release,
                })
            })
            .await
            .clone()
    }

    /// The rules of this server's release (the newest when it cannot tell), and its version
    /// as it said it.
    pub async fn rules(&self) -> (&'static Rules, String) {
        match self.version().await {
            Ok(v) => (version::rules(&Known::Read(v.clone())), v.text),
            Err(_) => (&version::NEWEST, "(unknown version)".to_string()),
        }
    }
}

impl super::Pages for KratosClient {
    fn page(
        &self,
        list: ListKind,
        search: Option<String>,
        cursor: Cursor,
        size: u32,
        named: impl Fn(Cursor) + Send + Sync + 'static,
    ) -> BoxFuture<'static, Result<PageData, ApiError>> {
        let (client, k) = (self.clone(), self.api.clone());
        async move {
            let data = match list {
                ListKind::Kratos(kratos::List::Identities) => {
                    let query = search.as_deref();
                    return find::kratos_search(&client, query, &cursor, size, named).await;
                }
                ListKind::Kratos(kratos::List::Sessions { identity }) => {
                    let active = (search.as_deref() == Some(ACTIVE_ONLY)).then_some(true);
                    let page = k
                        .list_identity_session_records(&identity, active, &cursor, size)
                        .await?;
                    session_records_page(page)
                }
                ListKind::Kratos(kratos::List::AllSessions { active_only }) => {
                    let page = k
                        .list_session_records(active_only.then_some(true), &cursor, size)
                        .await?;
                    all_session_records_page(page)
                }
                ListKind::Kratos(kratos::List::Credentials { identity }) => {
                    // Credentials come with the identity (never their secrets: no
                    // include_credential).
                    let i = k.get_identity(&identity, &[]).await?;
                    PageData {
                        rows: credentials::rows(&i),
                        next: None,
                        total: None,
                    }
                }
                other @ (ListKind::Core(_)
                | ListKind::Headless(_)
                | ListKind::Audit
                | ListKind::Found { .. }) => return Err(super::no_list(Provider::Kratos, &other)),
            };
            if let Some(next) = data.next.as_ref().and_then(|n| n.get::<Cursor>()) {
                named(next.clone());
            }
            Ok(data)
        }
        .boxed()
    }
}

async fn get(client: KratosClient, kind: ObjectKind, id: String) -> Result<Row, ApiError> {
    let k = &client.api;
    match kind {
        ObjectKind::Kratos(kratos::Object::Identity) => {
            // `:goto` takes an external id too when the text is not an identity id (on a
            // Kratos that has them).
            match k.get_identity(&id, &[]).await {
                Err(e) if is_not_found(&e) && uuid::Uuid::parse_str(&id).is_err() => {
                    if !client.rules().await.0.external_ids {
                        return Err(e);
                    }
                    k.identity_by_external_id(&id).await.map(identity_row)
                }
                other => other.map(identity_row),
            }
        }
        ObjectKind::Kratos(kratos::Object::Session) => k.get_session(&id).await.map(session_row),
        ObjectKind::Kratos(kratos::Object::Credential) => credentials::get(k, &id).await,
        ObjectKind::Core(_)
        | ObjectKind::Headless(_)
        | ObjectKind::AuditEntry
        | ObjectKind::Hit => Err(super::no_object(Provider::Kratos, kind)),
    }
}

impl super::Client for KratosClient {
    fn version(&self) -> impl Future<Output = Result<Version, ApiError>> + Send + 'static {
        let client = self.clone();
        async move { client.version().await }
    }

    fn get(
        &self,
        kind: ObjectKind,
        id: String,
    ) -> impl Future<Output = Result<Row, ApiError>> + Send + 'static {
        get(self.clone(), kind, id)
    }

    fn find(
        &self,
        text: String,
    ) -> impl Future<Output = Result<Vec<Hit>, ApiError>> + Send + 'static {
        find::find(self.clone(), text)
    }

    fn mutate(
        &self,
        mutation: Mutation,
    ) -> impl Future<Output = Result<Done, ApiError>> + Send + 'static {
        mutate::mutate(self.api.clone(), mutation)
    }

    fn request_line(&self, mutation: &Mutation) -> RequestLine {
        request_line(mutation)
    }
}

/// The request that makes the change `m` (after any read `mutate` starts with), as
/// `KratosApi` builds it (Kratos paths have no prefix: the admin url is the API's root).
pub fn request_line(m: &Mutation) -> RequestLine {
    match m {
        Mutation::Kratos(kratos::Change::RevokeSession { session }) => {
            RequestLine::new("DELETE", format!("/admin/sessions/{session}"))
        }
        Mutation::Kratos(kratos::Change::RevokeSessions { sessions }) => {
            let ids = sessions.join(",");
            RequestLine::new("DELETE", format!("/admin/sessions/{{{ids}}}"))
        }
        Mutation::Kratos(kratos::Change::RevokeAllSessions { identity }) => {
            RequestLine::new("DELETE", format!("/admin/identities/{identity}/sessions"))
        }
        Mutation::Kratos(kratos::Change::DeleteIdentity { identity }) => {
            RequestLine::new("DELETE", format!("/admin/identities/{identity}"))
        }
        Mutation::Kratos(kratos::Change::DeleteCredential {
            identity,
            kind,
            identifier,
        }) => {
            let query = identifier
                .as_ref()
                .map(|i| format!("?identifier={i}"))
                .unwrap_or_default();
            RequestLine::new(
                "DELETE",
                format!("/admin/identities/{identity}/credentials/{kind}{query}"),
            )
        }
        Mutation::Kratos(kratos::Change::CreateIdentity { .. }) => {
            RequestLine::new("POST", "/admin/identities")
        }
        Mutation::Kratos(kratos::Change::UpdateIdentity { identity, .. }) => {
            RequestLine::new("PUT", format!("/admin/identities/{identity}"))
        }
        Mutation::Kratos(kratos::Change::PatchIdentity { identity, .. })
        | Mutation::Kratos(kratos::Change::SetAddressVerified { identity, .. }) => {
            RequestLine::new("PATCH", format!("/admin/identities/{identity}"))
        }
        // The identity goes in the body.
        Mutation::Kratos(kratos::Change::CreateRecoveryLink { .. }) => {
            RequestLine::new("POST", "/admin/recovery/link")
        }
        Mutation::Kratos(kratos::Change::CreateRecoveryCode { .. }) => {
            RequestLine::new("POST", "/admin/recovery/code")
        }
        Mutation::Kratos(kratos::Change::ExtendSession { session }) => {
            RequestLine::new("PATCH", format!("/admin/sessions/{session}/extend"))
        }
        Mutation::Core(_) | Mutation::Headless(_) => RequestLine::not_sent(),
    }
}
