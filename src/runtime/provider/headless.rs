//! Coassemble (headless) as the dashboard sees it: clients and users, over `HeadlessApi`.
//! A user may share its identifier with a client, and an identifier used under several
//! clients is ambiguous without one: `find` asks each client then.

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};

use crate::api::headless::ROOT;
use crate::api::{ApiError, Cursor, DeleteAction, HeadlessApi, HeadlessUser, Provider};
use crate::app::model::split_scoped_user;
use crate::app::provider::headless;
use crate::app::{Courses, Done, Hit, ListKind, Mutation, ObjectKind, PageData, Row};
use crate::runtime::backend::RequestLine;
use crate::runtime::rows::{
    client_records_page, client_row, headless_user_records_page, headless_user_row,
};

/// Most matches one profile returns (a picker lists no more; typing more narrows it).
const FIND_MAX: u32 = 50;

/// Clients asked at once while looking for one identifier under each.
const PROBES_AT_ONCE: usize = 8;

/// Coassemble as the runtime's backend.
pub type Headless = super::Connected<HeadlessApi>;

impl super::Pages for HeadlessApi {
    fn page(
        &self,
        list: ListKind,
        search: Option<String>,
        cursor: Cursor,
        size: u32,
        named: impl Fn(Cursor) + Send + Sync + 'static,
    ) -> BoxFuture<'static, Result<PageData, ApiError>> {
        let h = self.clone();
        async move {
            let data = match list {
                ListKind::Headless(headless::List::Clients) => {
                    client_records_page(h.list_client_records(&cursor, size).await?)
                }
                ListKind::Headless(headless::List::Users { client }) => {
                    let client = search.or(client);
                    let page = h
                        .list_user_records(client.as_deref(), &cursor, size)
                        .await?;
                    headless_user_records_page(page)
                }
                other @ (ListKind::Kratos(_)
                | ListKind::Core(_)
                | ListKind::Audit
                | ListKind::Found { .. }) => {
                    return Err(super::no_list(Provider::Headless, &other));
                }
            };
            if let Some(next) = data.next.as_ref().and_then(|n| n.get::<Cursor>()) {
                named(next.clone());
            }
            Ok(data)
        }
        .boxed()
    }
}

async fn get(h: HeadlessApi, kind: ObjectKind, id: String) -> Result<Row, ApiError> {
    match kind {
        ObjectKind::Headless(headless::Object::Client) => h.get_client(&id).await.map(client_row),
        ObjectKind::Headless(headless::Object::User) => {
            let (user, client) = split_scoped_user(&id);
            h.get_user(user, client).await.map(headless_user_row)
        }
        ObjectKind::Kratos(_) | ObjectKind::Core(_) | ObjectKind::AuditEntry | ObjectKind::Hit => {
            Err(super::no_object(Provider::Headless, kind))
        }
    }
}

/// A Coassemble user and a client may share an identifier: both are found. An identifier
/// several clients use for a user is ambiguous without its client (the server answers 400):
/// then each client is asked for it, so every match is found with its client.
async fn find(h: HeadlessApi, text: String) -> Result<Vec<Hit>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let users = match h.get_user(text, None).await {
        Ok(u) => vec![u],
        Err(e) if e.status == Some(404) => Vec::new(),
        Err(e) if e.status == Some(400) => users_by_client(&h, text, e).await?,
        Err(e) => return Err(e),
    };
    out.extend(users.into_iter().map(|u| Hit {
        kind: ObjectKind::Headless(headless::Object::User),
        row: headless_user_row(u),
    }));
    if let Some(c) = super::optional(h.get_client(text).await)? {
        out.push(Hit {
            kind: ObjectKind::Headless(headless::Object::Client),
            row: client_row(c),
        });
    }
    Ok(out)
}

/// The users named `identifier` under each client, and the workspace user of that name (no
/// client). Clients are walked page by page until the end or [`FIND_MAX`] users. Finding
/// none leaves the server's own answer (`ambiguous`) standing.
async fn users_by_client(
    h: &HeadlessApi,
    identifier: &str,
    ambiguous: ApiError,
) -> Result<Vec<HeadlessUser>, ApiError> {
    // An empty client names the workspace. A server that reads it as no client at all
    // answers the same 400 again, which means nothing more than that.
    let mut found: Vec<HeadlessUser> = match h.get_user(identifier, Some("")).await {
        Ok(u) => vec![u],
        Err(e) if matches!(e.status, Some(400 | 404)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut cursor = Cursor::first();
    while found.len() < FIND_MAX as usize {
        let page = h.list_clients(&cursor, 100).await?;
        let clients: Vec<String> = page
            .items
            .into_iter()
            .filter(|c| c.user_count != Some(0))
            .map(|c| c.identifier)
            .collect();
        // Each probe owns what it uses: futures borrowing the closure's argument fail the
        // higher-ranked lifetime check of the boxed task this runs in.
        let probes = clients.into_iter().map(|client| {
            let (h, identifier) = (h.clone(), identifier.to_string());
            async move { h.get_user(&identifier, Some(&client)).await }
        });
        let answers: Vec<_> = futures::stream::iter(probes)
            .buffered(PROBES_AT_ONCE)
            .collect()
            .await;
        for answer in answers {
            found.extend(super::optional(answer)?);
        }
        match page.next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    if found.is_empty() {
        return Err(ambiguous);
    }
    found.truncate(FIND_MAX as usize);
    Ok(found)
}

async fn mutate(h: HeadlessApi, mutation: Mutation) -> Result<Done, ApiError> {
    match &mutation {
        Mutation::Headless(headless::Change::UpdateClientMetadata { client, metadata }) => {
            h.update_client(client, metadata).await.map(drop)?
        }
        Mutation::Headless(headless::Change::UpdateUser { user, client, body }) => h
            .update_user_body(user, client.as_deref(), body)
            .await
            .map(drop)?,
        Mutation::Headless(headless::Change::DeleteClient { client }) => {
            h.delete_client(client).await?
        }
        Mutation::Headless(headless::Change::DeleteUser {
            user,
            client,
            courses,
        }) => {
            let action = match courses {
                Courses::Reallocate(to) => DeleteAction::Reallocate(to.clone()),
                Courses::Delete => DeleteAction::Delete,
                Courses::Ignore => DeleteAction::Ignore,
            };
            h.delete_user(user, client.as_deref(), action).await?
        }
        Mutation::Kratos(_) | Mutation::Core(_) => {
            return Err(super::no_change(Provider::Headless, &mutation));
        }
    }
    Ok(format!("done: {}", mutation.describe()).into())
}

impl super::Client for HeadlessApi {
    fn version(
        &self,
    ) -> impl Future<Output = Result<crate::app::provider::kratos::version::Version, ApiError>>
    + Send
    + 'static {
        std::future::ready(Err(super::no_version(Provider::Headless)))
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
        find(self.clone(), text)
    }

    fn mutate(
        &self,
        mutation: Mutation,
    ) -> impl Future<Output = Result<Done, ApiError>> + Send + 'static {
        mutate(self.clone(), mutation)
    }

    fn request_line(&self, mutation: &Mutation) -> RequestLine {
        request_line(mutation)
    }
}

/// The request `mutate` sends for `m`, under the client's own root ([`ROOT`]).
pub fn request_line(m: &Mutation) -> RequestLine {
    match m {
        Mutation::Headless(headless::Change::DeleteClient { client }) => {
            RequestLine::new("DELETE", format!("/{ROOT}/client/{client}"))
        }
        Mutation::Headless(headless::Change::UpdateClientMetadata { client, .. }) => {
            RequestLine::new("PUT", format!("/{ROOT}/client/{client}"))
        }
        Mutation::Headless(headless::Change::UpdateUser { user, .. }) => {
            RequestLine::new("PUT", format!("/{ROOT}/user/{user}"))
        }
        Mutation::Headless(headless::Change::DeleteUser {
            user,
            client,
            courses,
        }) => {
            let action = match courses {
                Courses::Reallocate(to) => format!("reallocate&reallocateTo={to}"),
                Courses::Delete => "delete".into(),
                Courses::Ignore => "ignore".into(),
            };
            let client = client
                .as_ref()
                .map(|c| format!("&clientIdentifier={c}"))
                .unwrap_or_default();
            RequestLine::new(
                "DELETE",
                format!("/{ROOT}/user/{user}?action={action}{client}"),
            )
        }
        Mutation::Kratos(_) | Mutation::Core(_) => RequestLine::not_sent(),
    }
}
