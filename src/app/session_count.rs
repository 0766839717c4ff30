//! Counting someone's active sessions before all of them are revoked (`X`, `:revoke`), so
//! the question says how many go.

use serde_json::Value;

use super::action::Effect;
use super::action::PageFor;
use super::model::{ACTIVE_ONLY, ListKind, PageCursor, PageData};
use super::state::{Count, Owner, State};
use crate::app::provider::kratos;

/// Sessions read to count someone's active ones; the server's total covers the rest.
const COUNT_PAGE: usize = 250;

/// Ask for the active sessions of `identity` (answered through `who::on_count`).
pub fn request_count(
    state: &mut State,
    profile: &str,
    identity: &str,
    effects: &mut Vec<Effect>,
) -> u64 {
    let ticket = state.ask(Owner::Nobody, PageFor::SessionCount);
    let seq = ticket.seq;
    effects.push(Effect::FetchPage {
        ticket,
        profile: profile.to_string(),
        list: ListKind::Kratos(kratos::List::Sessions {
            identity: identity.to_string(),
        }),
        search: Some(ACTIVE_ONLY.to_string()),
        cursor: PageCursor::First,
        size: COUNT_PAGE,
    });
    seq
}

/// Active sessions in a first page of `active=true` sessions.
pub fn count_of(page: &PageData) -> Count {
    let active = page
        .rows
        .iter()
        .filter(|r| r.raw.get("active").and_then(Value::as_bool) == Some(true))
        .count() as u64;
    match (&page.next, page.total) {
        (None, _) => Count::Known {
            active,
            more: false,
        },
        (Some(_), Some(total)) => Count::Known {
            active: total.max(active),
            more: false,
        },
        (Some(_), None) => Count::Known { active, more: true },
    }
}
