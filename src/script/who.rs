//! WHO on the command line: the person (or Coassemble client) named by an email, username,
//! id, external id (`ext:ID`) or identifier, found with the profile's own search as the
//! dashboard's `:goto` finds them, then (for what prints or edits it) read afresh so it is
//! the server's whole record; a change reads it fresh itself, so its lookup does not. Several matches are refused with their names (a script must not
//! guess), unless exactly one of them is named exactly.

use crate::app::model::{Hit, ObjectKind, Row, scoped_user};
use crate::app::{ErrorInfo, ProfileInfo};
use crate::runtime::Backends;

use super::exit::{Code, Failure};

/// Most matches named in the error for an ambiguous WHO.
const NAMED: usize = 10;

/// Whether the object found is read again before it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    /// Read afresh: the server's whole record (to print, or to edit from).
    Fresh,
    /// As the search found it: enough to name it (a change reads its own fresh copy).
    AsFound,
}

/// One object found by WHO.
#[derive(Debug, Clone)]
pub struct Found {
    pub kind: ObjectKind,
    /// The id its kind is read and changed by (a Coassemble user's carries its client).
    pub id: String,
    /// How people name it: `ada@example.com (6f1c2a9e)`.
    pub label: String,
    /// Its record: the server's whole one when read [`Copy::Fresh`].
    pub row: Row,
}

/// Find the one object `who` names on one of `profiles` (looked up on all at once): the
/// profile it is on, and it. Found on several, it is refused with their names.
pub async fn resolve_any(
    backends: &Backends,
    profiles: &[&ProfileInfo],
    who: &str,
    clients_too: bool,
    copy: Copy,
) -> Result<(ProfileInfo, Found), Failure> {
    if let [one] = profiles {
        return Ok((
            (*one).clone(),
            resolve(backends, one, who, clients_too, copy).await?,
        ));
    }
    let lookups = profiles
        .iter()
        .map(|p| async move { (*p, resolve(backends, p, who, clients_too, copy).await) });
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for (profile, result) in futures::future::join_all(lookups).await {
        match result {
            Ok(f) => found.push((profile.clone(), f)),
            Err(e) if e.code == Code::NotFound => {}
            Err(e) => failures.push(e),
        }
    }
    match (found.len(), failures.is_empty()) {
        (1, _) => Ok(found.remove(0)),
        (0, true) => Err(Failure::new(
            Code::NotFound,
            format!("no one matches “{}” on any profile", who.trim()),
        )),
        (0, false) => Err(failures.remove(0)),
        _ => Err(Failure::usage(format!(
            "“{}” is on several profiles ({}): choose one with --profile",
            who.trim(),
            found
                .iter()
                .map(|(p, f)| format!("{}: {}", p.name, f.label))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Find the one object `who` names on `profile`: people only unless `clients_too`.
pub async fn resolve(
    backends: &Backends,
    profile: &ProfileInfo,
    who: &str,
    clients_too: bool,
    copy: Copy,
) -> Result<Found, Failure> {
    let backend = backends
        .get(&profile.name)
        .map_err(|e| Failure::error(e.line))?;
    let who = who.trim();
    if who.is_empty() {
        return Err(Failure::usage(
            "WHO is empty: name a person by email, id or username",
        ));
    }
    let mut hits = backend
        .find(who.to_string())
        .await
        .map_err(|e| Failure::api(&format!("looking up {who} on {}", profile.name), &e))?;
    hits.retain(|h| h.kind.is_person() || clients_too);
    let hit = pick(hits, who, &profile.name)?;
    let id = object_id(&hit);
    let label = hit.label();
    let row = match copy {
        Copy::AsFound => hit.row,
        Copy::Fresh => backend
            .get(hit.kind, id.clone())
            .await
            .map_err(|e: ErrorInfo| {
                Failure::api(&format!("reading {label} on {}", profile.name), &e)
            })?,
    };
    Ok(Found {
        kind: hit.kind,
        label,
        id,
        row,
    })
}

/// The id that reads and changes `hit`'s object.
pub fn object_id(hit: &Hit) -> String {
    match hit.client() {
        Some(client) => scoped_user(&hit.row.id, Some(client)),
        None => hit.row.id.clone(),
    }
}

/// The one hit `who` names: the only one, or the only one named exactly.
fn pick(mut hits: Vec<Hit>, who: &str, profile: &str) -> Result<Hit, Failure> {
    if hits.len() > 1 {
        let exact: Vec<usize> = (0..hits.len())
            .filter(|&i| names_exactly(&hits[i], who))
            .collect();
        if let [one] = exact.as_slice() {
            return Ok(hits.swap_remove(*one));
        }
    }
    match hits.len() {
        0 => Err(Failure::new(
            Code::NotFound,
            format!("no one matches “{who}” on {profile}"),
        )),
        1 => Ok(hits.remove(0)),
        n => {
            let names: Vec<String> = hits
                .iter()
                .take(NAMED)
                .map(|h| format!("{} [{}]", h.label(), h.what()))
                .collect();
            let more = if n > NAMED {
                format!(" and {} more", n - NAMED)
            } else {
                String::new()
            };
            Err(Failure::usage(format!(
                "“{who}” matches {n} on {profile}: {}{more}; name one by its id",
                names.join(", ")
            )))
        }
    }
}

/// `who` is the hit's id, or its name (an email, a username) in full.
fn names_exactly(hit: &Hit, who: &str) -> bool {
    hit.row.id.eq_ignore_ascii_case(who)
        || hit
            .kind
            .name_of(&hit.row)
            .is_some_and(|n| n.trim().eq_ignore_ascii_case(who))
}
