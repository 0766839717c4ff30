//! MATTR VII (core) as the dashboard sees it: users and their credentials, over `CoreApi`,
//! every path under the profile's prefix (`/v1` or `/core/v1`). Its cursor ends the body, so
//! a walk asks for the next page once the body is split, before its users are parsed.

use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::json;

use crate::api::{ApiError, CoreApi, CoreSearch, Cursor, Provider};
use crate::app::find::looks_like_email;
use crate::app::provider::core;
use crate::app::{Done, Hit, ListKind, Mutation, ObjectKind, PageData, Row};
use crate::runtime::backend::RequestLine;
use crate::runtime::rows::{core_credential_row, core_user_records_page, core_user_row, page_data};

/// Most matches one profile returns (a picker lists no more; typing more narrows it).
const FIND_MAX: u32 = 50;

/// MATTR VII as the runtime's backend.
pub type Core = super::Connected<CoreApi>;

impl super::Pages for CoreApi {
    fn page(
        &self,
        list: ListKind,
        search: Option<String>,
        cursor: Cursor,
        size: u32,
        named: impl Fn(Cursor) + Send + Sync + 'static,
    ) -> BoxFuture<'static, Result<PageData, ApiError>> {
        let c = self.clone();
        async move {
            match list {
                ListKind::Core(core::List::Users) => {
                    let page = match search {
                        Some(q) => {
                            let criteria = core_search(&q)?;
                            c.search_user_records(&criteria, &cursor, size).await?
                        }
                        None => c.list_user_records(&cursor, size).await?,
                    };
                    if let Some(next) = &page.next {
                        named(next.clone());
                    }
                    Ok(core_user_records_page(page))
                }
                ListKind::Core(core::List::Credentials { user }) => {
                    let page = c.list_credentials(&user, &cursor, size).await?;
                    let data = page_data(page, core_credential_row);
                    if let Some(next) = data.next.as_ref().and_then(|n| n.get::<Cursor>()) {
                        named(next.clone());
                    }
                    Ok(data)
                }
                other @ (ListKind::Kratos(_)
                | ListKind::Headless(_)
                | ListKind::Audit
                | ListKind::Found { .. }) => Err(super::no_list(Provider::Core, &other)),
            }
        }
        .boxed()
    }
}

async fn get(c: CoreApi, kind: ObjectKind, id: String) -> Result<Row, ApiError> {
    match kind {
        ObjectKind::Core(core::Object::User) => c.get_user(&id).await.map(core_user_row),
        // MATTR lists a user's credentials but reads none by id.
        ObjectKind::Core(core::Object::Credential)
        | ObjectKind::Kratos(_)
        | ObjectKind::Headless(_)
        | ObjectKind::AuditEntry
        | ObjectKind::Hit => Err(super::no_object(Provider::Core, kind)),
    }
}

/// MATTR matches claims exactly: an email searches the `email` claim, `key=value` the
/// claims, a UUID is a user id, anything else the IdP subject (an external id).
async fn find(c: CoreApi, text: String) -> Result<Vec<Hit>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let users = if uuid::Uuid::parse_str(text).is_ok() {
        super::optional(c.get_user(text).await)?
            .into_iter()
            .collect()
    } else {
        let search = if text.contains('=') || looks_like_email(text) {
            core_search(text)?
        } else {
            CoreSearch {
                subject_id: Some(text.to_string()),
                ..Default::default()
            }
        };
        c.search_users(&search, &Cursor::first(), FIND_MAX)
            .await?
            .items
    };
    Ok(users
        .into_iter()
        .map(|u| Hit {
            kind: ObjectKind::Core(core::Object::User),
            row: core_user_row(u),
        })
        .collect())
}

/// What MATTR's search is asked for `text`: `key=value` claims, or a whole email as the
/// `email` claim.
fn core_search(text: &str) -> Result<CoreSearch, ApiError> {
    if !text.contains('=') && looks_like_email(text) {
        return Ok(CoreSearch {
            claims: Some(json!({ "email": text.trim() })),
            ..Default::default()
        });
    }
    CoreSearch::parse(text).map_err(|e| ApiError::config(Provider::Core, e.to_string()))
}

async fn mutate(c: CoreApi, mutation: Mutation) -> Result<Done, ApiError> {
    match &mutation {
        Mutation::Core(core::Change::UpdateClaims { user, claims }) => {
            // PUT replaces each top-level field it is given: send the user as stored with
            // only its claims changed.
            let mut body = c.get_user(user).await?.to_update_body();
            body["claims"] = claims.clone();
            c.update_user(user, &body).await.map(drop)?
        }
        Mutation::Core(core::Change::DeleteUser { user }) => c.delete_user(user).await?,
        Mutation::Kratos(_) | Mutation::Headless(_) => {
            return Err(super::no_change(Provider::Core, &mutation));
        }
    }
    Ok(format!("done: {}", mutation.describe()).into())
}

impl super::Client for CoreApi {
    fn version(
        &self,
    ) -> impl Future<Output = Result<crate::app::provider::kratos::version::Version, ApiError>>
    + Send
    + 'static {
        std::future::ready(Err(super::no_version(Provider::Core)))
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
        request_line(&self.path_prefix(), mutation)
    }
}

/// The request `mutate` sends for `m` under `prefix` (the client's own,
/// `CoreApi::path_prefix`): for a claims update the PUT, after the read it starts from.
pub fn request_line(prefix: &str, m: &Mutation) -> RequestLine {
    match m {
        Mutation::Core(core::Change::DeleteUser { user }) => {
            RequestLine::new("DELETE", format!("{prefix}/users/{user}"))
        }
        Mutation::Core(core::Change::UpdateClaims { user, .. }) => {
            RequestLine::new("PUT", format!("{prefix}/users/{user}"))
        }
        Mutation::Kratos(_) | Mutation::Headless(_) => RequestLine::not_sent(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mattr_searches_an_email_as_the_email_claim_and_claims_as_given() {
        let s = core_search(" jamie@example.test ").unwrap();
        assert_eq!(s.claims, Some(json!({"email": "jamie@example.test"})));
        let s = core_search("given_name=Jamie").unwrap();
        assert_eq!(s.claims, Some(json!({"given_name": "Jamie"})));
        assert!(core_search("Jamie").is_err());
    }
}
