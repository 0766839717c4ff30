//! API models as table rows: the values each list's columns read (`app::provider`), text cut
//! to fit a cell, times kept as the server's text, counts as numbers, with the record kept
//! for the detail view; a record that could not be read becomes a row saying why.

use serde_json::Value;

use crate::api::{
    ApiError, BadItem, CoreCredential, CoreUser, CoreUserSummary, Credential, HeadlessClient,
    HeadlessSummary, HeadlessUser, Identity, IdentitySummary, Outline, Page, Session,
    SessionSummary, Shape,
};
use crate::app::column::capped;
use crate::app::detail::{REDACTED, is_secret_key, is_secret_value};
use crate::app::model::{RawJson, Unreadable};
use crate::app::provider::{core, credentials, headless, kratos};
use crate::app::{Fields, PageCursor, PageData, Row};

/// Shown to the minute; where the app draws times, so a row can keep the server's text.
pub use crate::app::column::short_time;

/// Longest metadata/claims summary kept in a cell.
const SUMMARY_MAX: usize = 160;

pub(super) fn page_data<T>(page: Page<T>, row: impl FnMut(T) -> Row) -> PageData {
    let mut rows: Vec<Row> = page.items.into_iter().map(row).collect();
    // Each unreadable record keeps its place in the page, as a row saying why.
    for bad in page.bad {
        let at = bad.index.min(rows.len());
        rows.insert(at, unreadable_row(bad));
    }
    PageData {
        rows,
        next: page.next.map(PageCursor::wrap),
        total: page.total,
    }
}

/// The row standing for a record that could not be read: its id when one was found, and
/// why in the name column (the detail view shows the same).
pub fn unreadable_row(bad: BadItem) -> Row {
    let id = bad
        .id
        .clone()
        .unwrap_or_else(|| format!("(record {} of the page)", bad.index + 1));
    let why = capped(format!("✗ unreadable record: {}", bad.reason));
    let raw = serde_json::json!({ "id": bad.id, "unreadable": bad.reason });
    row(id, Unreadable { why }, raw)
}

pub(super) fn one_row(row: Option<Row>) -> PageData {
    PageData {
        rows: row.into_iter().collect(),
        next: None,
        total: None,
    }
}

pub(super) fn is_not_found(e: &ApiError) -> bool {
    e.status == Some(404)
}

/// `plan=pro tags=[2] org={…}`: the top-level keys of an object (read only as far as its
/// outline), for one cell.
pub fn outline_summary(o: &Outline) -> String {
    let members = match o {
        Outline::Null => return String::new(),
        Outline::Other(Shape::Str(s)) if is_secret_value(s) => return REDACTED.to_string(),
        Outline::Other(Shape::Str(s)) => return Value::from(s.as_str()).to_string(),
        Outline::Other(other) => return shape_text(other),
        Outline::Object(members) => members,
    };
    let mut out = String::new();
    for (k, x) in members {
        if out.len() > SUMMARY_MAX {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        // As in the detail view (`detail::redact`): a secret-named value, or a value that is
        // a secret by its looks, never reaches the screen; a flag is no secret.
        let secret = match x {
            Shape::Str(s) => !s.is_empty() && (is_secret_key(k) || is_secret_value(s)),
            Shape::Number(_) => is_secret_key(k),
            Shape::Literal(_) | Shape::Object | Shape::Array(..) => false,
        };
        out.push_str(k);
        out.push('=');
        match x {
            _ if secret => out.push_str(REDACTED),
            Shape::Str(s) => out.push_str(s),
            other => out.push_str(&shape_text(other)),
        }
    }
    out
}

fn shape_text(x: &Shape) -> String {
    match x {
        Shape::Str(s) | Shape::Number(s) | Shape::Literal(s) => s.clone(),
        Shape::Object => "{…}".into(),
        Shape::Array(n, _) => format!("[{n}]"),
    }
}

/// A row of `fields`, each text of which was capped (`capped`, `text`): a table cell never
/// needs more than a screen's width, and a megabyte-long trait must not be measured and cut
/// on every frame.
pub(super) fn row(id: String, fields: impl Into<Fields>, raw: impl Into<RawJson>) -> Row {
    Row::new(id, fields, raw)
}

/// Optional server text as a capped cell value (blank when absent).
fn text(t: Option<&str>) -> String {
    crate::sanitize::cap(t.unwrap_or_default(), crate::app::column::CELL_MAX).into_owned()
}

pub fn identity_row(i: Identity) -> Row {
    identity_summary_row(&IdentitySummary::of(&i), i.raw.into())
}

/// The row of an identity from its summary, keeping `raw` for the detail view.
fn identity_summary_row(i: &IdentitySummary, raw: RawJson) -> Row {
    let meta = match (&i.metadata_public, &i.metadata_admin) {
        (Outline::Null, Outline::Null) => String::new(),
        (p, Outline::Null) => outline_summary(p),
        (Outline::Null, a) => format!("admin: {}", outline_summary(a)),
        (p, a) => format!("{} admin: {}", outline_summary(p), outline_summary(a)),
    };
    let fields = kratos::Identity {
        name: text(Some(i.name())),
        state: text(i.state.as_deref()),
        schema: text(i.schema_id.as_deref()),
        created: text(i.created_at.as_deref()),
        metadata: capped(meta),
    };
    row(i.id.clone(), fields, raw)
}

/// The row of an identity kept as bytes: the shown fields read, the record decoded only
/// when something opens it.
pub fn identity_record_row(bytes: Box<[u8]>) -> Row {
    record_row(0, bytes, IdentitySummary::from_slice, identity_summary_row)
}

/// A page of identities kept as bytes, as rows.
pub fn identity_records_page(page: Page<Box<[u8]>>) -> PageData {
    records_page(page, IdentitySummary::from_slice, identity_summary_row)
}

/// A page of MATTR users kept as bytes, as rows.
pub fn core_user_records_page(page: Page<Box<[u8]>>) -> PageData {
    records_page(page, CoreUserSummary::from_slice, core_user_summary_row)
}

/// A page of Coassemble clients kept as bytes, as rows.
pub fn client_records_page(page: Page<Box<[u8]>>) -> PageData {
    records_page(page, HeadlessSummary::from_slice, client_summary_row)
}

/// A page of Coassemble users kept as bytes, as rows.
pub fn headless_user_records_page(page: Page<Box<[u8]>>) -> PageData {
    records_page(page, HeadlessSummary::from_slice, headless_user_summary_row)
}

/// A page of one identity's sessions kept as bytes, as rows.
pub fn session_records_page(page: Page<Box<[u8]>>) -> PageData {
    records_page(page, SessionSummary::from_slice, session_summary_row)
}

/// A page of `:all-sessions` kept as bytes, as rows.
pub fn all_session_records_page(page: Page<Box<[u8]>>) -> PageData {
    records_page(page, SessionSummary::from_slice, all_session_summary_row)
}

/// A page of records kept as bytes, each made a row from its summary (`read`). A record
/// that is not valid JSON says where it was served (and its id when that much can be read),
/// like any other unreadable record.
fn records_page<S>(
    page: Page<Box<[u8]>>,
    read: fn(&[u8]) -> serde_json::Result<S>,
    row: fn(&S, RawJson) -> Row,
) -> PageData {
    let bad_at: std::collections::BTreeSet<usize> = page.bad.iter().map(|b| b.index).collect();
    let mut served = (0..).filter(move |i| !bad_at.contains(i));
    page_data(page, |bytes| {
        record_row(served.next().unwrap_or_default(), bytes, read, row)
    })
}

fn record_row<S>(
    index: usize,
    bytes: Box<[u8]>,
    read: fn(&[u8]) -> serde_json::Result<S>,
    row: fn(&S, RawJson) -> Row,
) -> Row {
    match read(&bytes) {
        // (Its depth was bounded when the page was read: a summary reads nothing deep.)
        Ok(summary) => row(&summary, RawJson::from_bytes(bytes)),
        Err(e) => unreadable_row(BadItem {
            index,
            id: id_of(&bytes),
            reason: format!("invalid JSON: {e}"),
        }),
    }
}

/// The `id` of a record that cannot be read whole: skipping the other members does not
/// check their text, so a bad byte elsewhere still leaves the id readable.
fn id_of(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: String,
    }
    serde_json::from_slice::<IdOnly>(bytes).ok().map(|r| r.id)
}

pub fn session_row(s: Session) -> Row {
    session_summary_row(&SessionSummary::of(&s), s.raw.into())
}

fn session_summary_row(s: &SessionSummary, raw: RawJson) -> Row {
    row(s.id.clone(), session_fields(s), raw)
}

fn session_fields(s: &SessionSummary) -> kratos::Session {
    kratos::Session {
        active: s.active,
        aal: text(s.aal.as_deref()),
        ip: text(s.device.text("ip_address")),
        device: text(s.device.text("user_agent")),
        expires: text(s.expires_at.as_deref()),
    }
}

pub fn credential_row(c: Credential) -> Row {
    let version = c
        .raw
        .get("version")
        .map(Value::to_string)
        .unwrap_or_default();
    let details = if version.is_empty() {
        String::new()
    } else {
        format!("version {version}")
    };
    let fields = credential_fields(
        &c.kind,
        c.identifiers.join(", "),
        c.created_at.as_deref(),
        details,
    );
    row(c.kind, fields, c.raw)
}

/// What a credentials list shows of a Kratos credential (or of one of its links), capped.
pub(super) fn credential_fields(
    kind: &str,
    identifiers: String,
    created: Option<&str>,
    details: String,
) -> credentials::Credential {
    credentials::Credential {
        kind: text(Some(kind)),
        identifiers: capped(identifiers),
        created: text(created),
        details: capped(details),
    }
}

pub fn core_user_row(u: CoreUser) -> Row {
    core_user_summary_row(&CoreUserSummary::of(&u), u.raw.into())
}

fn core_user_summary_row(u: &CoreUserSummary, raw: RawJson) -> Row {
    let fields = core::User {
        name: capped(u.name()),
        provider: text(Some(u.provider_name())),
        created: text(u.created_at.as_deref()),
        claims: capped(outline_summary(&u.claims)),
    };
    row(u.id.clone(), fields, raw)
}

pub fn core_credential_row(c: CoreCredential) -> Row {
    let fields = credentials::Credential {
        kind: text(c.kind.as_deref()),
        identifiers: text(c.profile.as_deref()),
        created: text(c.issued.as_deref()),
        details: text(c.status.as_deref()),
    };
    row(c.id, fields, c.raw)
}

pub fn client_row(c: HeadlessClient) -> Row {
    client_summary_row(&HeadlessSummary::from(&c), c.raw.into())
}

fn client_summary_row(c: &HeadlessSummary, raw: RawJson) -> Row {
    let fields = headless::Client {
        name: text(Some(c.client_name())),
        users: c.user_count(),
        metadata: capped(outline_summary(&c.metadata)),
    };
    row(c.client_identifier().to_owned(), fields, raw)
}

pub fn headless_user_row(u: HeadlessUser) -> Row {
    headless_user_summary_row(&HeadlessSummary::from(&u), u.raw.into())
}

fn headless_user_summary_row(u: &HeadlessSummary, raw: RawJson) -> Row {
    let fields = headless::User {
        name: text(Some(u.user_name())),
        client: text(u.top.text("clientIdentifier")),
        created: text(u.top.text("created")),
        metadata: capped(outline_summary(&u.metadata)),
    };
    row(u.user_identifier().to_owned(), fields, raw)
}

/// A row of `:all-sessions`: the session with the person it belongs to (the identity is
/// expanded in that list).
pub fn all_session_row(s: Session) -> Row {
    all_session_summary_row(&SessionSummary::of(&s), s.raw.into())
}

fn all_session_summary_row(s: &SessionSummary, raw: RawJson) -> Row {
    let who = s
        .identity_name()
        .or(s.identity.as_ref().map(|i| i.id.as_str()))
        .unwrap_or_default();
    let fields = kratos::AllSession {
        session: session_fields(s),
        identity: text(Some(who)),
    };
    row(s.id.clone(), fields, raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ListKind;
    use serde_json::json;

    /// The row's cells as `list` shows them.
    fn shown(row: &Row, list: ListKind) -> Vec<String> {
        row.cells(list.columns()).map(|c| c.to_string()).collect()
    }

    fn name(row: &Row) -> &str {
        row.fields.name().unwrap_or_default()
    }

    #[test]
    fn times_are_shortened_and_summaries_stay_on_one_line() {
        assert_eq!(
            short_time(Some("2024-02-08T05:13:17.037Z")),
            "2024-02-08 05:13"
        );
        assert_eq!(short_time(Some("yesterday")), "yesterday");
        assert_eq!(short_time(None), "");
        let s = outline_summary(&Outline::of(
            &json!({"plan": "pro", "n": 2, "org": {"a": 1}, "tags": [1, 2]}),
        ));
        assert_eq!(s, "plan=pro n=2 org={…} tags=[2]");
    }

    #[test]
    fn summaries_hide_secret_values_like_the_detail_view() {
        let s = outline_summary(&Outline::of(
            &json!({"plan": "pro", "api_token": "s3cr3t", "pin_hash": 42}),
        ));
        assert!(!s.contains("s3cr3t") && !s.contains("42"), "{s}");
        assert_eq!(
            s,
            format!("plan=pro api_token={REDACTED} pin_hash={REDACTED}")
        );
        // By key pattern and by the value's looks; a flag stays readable.
        let s = outline_summary(&Outline::of(&json!({
            "api_key": "k-123", "note": "$2b$10$abcdefghijklmnopqrstuv", "passkey_only": true
        })));
        assert_eq!(
            s,
            format!("api_key={REDACTED} note={REDACTED} passkey_only=true")
        );
        let s = outline_summary(&Outline::of(&json!("otpauth://totp/x?secret=JBSWY3DP")));
        assert_eq!(s, REDACTED);
    }

    #[test]
    fn huge_values_are_capped_in_cells_but_kept_in_the_object() {
        let long = "L".repeat(100_000);
        let i = Identity::from_json(json!({"id": "x", "traits": {"email": long}}));
        let row = identity_row(i);
        assert!(name(&row).len() < 1024, "{}", name(&row).len());
        assert_eq!(
            row.raw["traits"]["email"].as_str().map(str::len),
            Some(100_000)
        );
    }

    #[test]
    fn identity_rows_follow_the_identity_columns() {
        let i = Identity::from_json(json!({
            "id": "9b1d", "state": "active", "schema_id": "default",
            "traits": {"email": "jane@example.com"}, "created_at": "2026-01-02T03:04:05Z",
            "metadata_public": {"plan": "pro"}
        }));
        let row = identity_row(i);
        assert_eq!(
            shown(&row, ListKind::Kratos(kratos::List::Identities)),
            vec![
                "9b1d",
                "jane@example.com",
                "active",
                "default",
                "2026-01-02 03:04",
                "plan=pro"
            ]
        );
    }

    #[test]
    fn an_unreadable_identity_record_keeps_its_place_and_id() {
        let good = |id: &str| -> Box<[u8]> {
            format!(r#"{{"id":"{id}","traits":{{"email":"{id}@example.com"}}}}"#)
                .into_bytes()
                .into_boxed_slice()
        };
        let mut broken = br#"{"id":"b-2","traits":{"email":"x"#.to_vec();
        broken.extend_from_slice(b"\xff\"}}");
        let page = Page {
            items: vec![good("a-0"), broken.into_boxed_slice(), good("c-3")],
            next: None,
            total: None,
            // The server's second record was unreadable already while the page was split.
            bad: vec![BadItem {
                index: 1,
                id: None,
                reason: "too deep".into(),
            }],
        };
        let rows = identity_records_page(page).rows;
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a-0", "(record 2 of the page)", "b-2", "c-3"]);
        assert!(
            name(&rows[2]).contains("invalid JSON"),
            "{:?}",
            rows[2].fields
        );
    }

    /// Records made rows from their bytes read as the same records decoded do, and open whole.
    fn compact_rows_match(
        records: &[Value],
        compact: fn(Page<Box<[u8]>>) -> PageData,
        decoded: impl Fn(Value) -> Row,
    ) -> Vec<Row> {
        let page = Page {
            items: records
                .iter()
                .map(|r| r.to_string().into_bytes().into_boxed_slice())
                .collect(),
            next: None,
            total: None,
            bad: Vec::new(),
        };
        let rows = compact(page).rows;
        assert_eq!(rows.len(), records.len());
        for (row, record) in rows.iter().zip(records) {
            let from_value = decoded(record.clone());
            assert_eq!((&row.id, &row.fields), (&from_value.id, &from_value.fields));
            assert_eq!(row.raw.shared().as_ref(), record, "the record opens whole");
        }
        rows
    }

    #[test]
    fn a_mattr_user_kept_as_bytes_reads_as_the_decoded_user_does() {
        let users = [
            json!({"id": "u1", "createdAt": "2025-01-12T13:16:39.000Z",
                   "claims": {"given_name": "Aroha", "family_name": "Ngata",
                              "api_token": "s3cr3t", "address": {"locality": "Wellington"}},
                   "authenticationProvider": {"url": "https://idp.example", "subjectId": "idp|1"}}),
            json!({"id": "u2", "claims": {"emails": ["first@x", "second@x"], "tags": [1, 2]}}),
        ];
        let rows = compact_rows_match(&users, core_user_records_page, |v| {
            core_user_row(CoreUser::from_json(v))
        });
        assert_eq!(
            shown(&rows[0], ListKind::Core(core::List::Users)),
            [
                "u1",
                "Aroha Ngata",
                "idp|1",
                "2025-01-12 13:16",
                "given_name=Aroha family_name=Ngata api_token=‹redacted› address={…}"
            ]
        );
        assert_eq!(name(&rows[1]), "first@x");
    }

    #[test]
    fn coassemble_records_kept_as_bytes_read_as_the_decoded_ones_do() {
        let clients = [
            json!({"clientIdentifier": "acme", "userCount": 12, "created": "2025-03-01T10:00:00Z",
                   "metadata": {"displayName": "Acme Ltd", "secret_key": "k", "tags": ["a"]}}),
            json!("bare-client"),
            json!({"identifier": "old-style", "name": "Old", "metadata": null}),
        ];
        let rows = compact_rows_match(&clients, client_records_page, |v| {
            client_row(HeadlessClient::from_json(v))
        });
        assert_eq!(
            shown(&rows[0], ListKind::Headless(headless::List::Clients)),
            [
                "acme",
                "Acme Ltd",
                "12",
                "displayName=Acme Ltd secret_key=‹redacted› tags=[1]"
            ]
        );
        let users = [
            json!({"identifier": "u-7", "clientIdentifier": "acme", "email": "ana@x",
                   "created": "2025-03-02T11:12:13Z", "metadata": {"name": "Ana", "plan": "pro"}}),
            json!({"identifier": "u-8", "email": "ben@x"}),
            json!("bare-user"),
        ];
        let rows = compact_rows_match(&users, headless_user_records_page, |v| {
            headless_user_row(HeadlessUser::from_json(v))
        });
        assert_eq!(
            shown(
                &rows[0],
                ListKind::Headless(headless::List::Users { client: None })
            ),
            [
                "u-7",
                "Ana",
                "acme",
                "2025-03-02 11:12",
                "name=Ana plan=pro"
            ]
        );
        assert_eq!(name(&rows[1]), "ben@x");
    }

    #[test]
    fn sessions_kept_as_bytes_read_as_the_decoded_ones_do() {
        let sessions = [
            json!({"id": "s1", "active": true, "authenticator_assurance_level": "aal2",
                   "expires_at": "2026-12-02T10:00:00Z",
                   "devices": [{"ip_address": "10.0.0.7", "user_agent": "curl/8"}],
                   "identity": {"id": "i1", "traits": {"email": "ana@x"}}}),
            json!({"id": "s2", "active": false, "devices": [],
                   "identity": {"id": "i2", "traits": {"email": ""}}}),
            json!({"id": "s3", "identity": null}),
        ];
        let rows = compact_rows_match(&sessions, session_records_page, |v| {
            session_row(Session::from_json(v))
        });
        assert_eq!(
            shown(
                &rows[0],
                ListKind::Kratos(kratos::List::Sessions {
                    identity: "i1".into()
                })
            ),
            [
                "s1",
                "yes",
                "aal2",
                "10.0.0.7",
                "curl/8",
                "2026-12-02 10:00"
            ]
        );
        let rows = compact_rows_match(&sessions, all_session_records_page, |v| {
            all_session_row(Session::from_json(v))
        });
        let who: Vec<&str> = rows
            .iter()
            .map(|r| match &r.fields {
                Fields::AllSession(a) => a.identity.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(who, ["ana@x", "i2", ""]);
    }
}
