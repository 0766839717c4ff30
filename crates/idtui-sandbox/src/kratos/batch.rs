//! `PATCH /admin/identities`: batch create (`api/kratos.md` summary item 8). Open-source
//! Kratos always answers 200 with one `create`/`error` entry per patch; only a malformed body,
//! too many items, an invalid state or an unknown password hash format fail the whole batch.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::auth::Admin;
use super::errors::{KResult, KratosError, MSG_400};
use super::identities::{CreateBody, REASON_BAD_STATE_V1_3_1, build_identity, create_conflict};
use super::model::Identity;
use super::pagination::json_response;
use super::store;
use crate::AppState;

const MAX_ITEMS: usize = 1000;
const MAX_ITEMS_WITH_PLAINTEXT: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    identities: Vec<Option<BatchItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchItem {
    #[serde(default)]
    create: Option<CreateBody>,
    #[serde(default)]
    patch_id: Option<Uuid>,
}

/// One patch after validation: its `patch_id` and the identity to insert (or why not).
type Built = (Option<Uuid>, Result<Identity, KratosError>);

/// Failures that reject the whole batch rather than one item.
fn fails_whole_batch(e: &KratosError) -> bool {
    let r = e.reason.as_deref().unwrap_or("");
    r.starts_with("The supplied state")
        || r == REASON_BAD_STATE_V1_3_1
        || r.starts_with("The imported password")
}

/// An item's error as Kratos reports it: a 400 only as the generic text (the detail is
/// dropped), a conflict as the database's 409 without a reason.
fn item_error(e: &KratosError) -> Value {
    let generic = match e.code {
        StatusCode::BAD_REQUEST => KratosError::bad_request(MSG_400),
        StatusCode::CONFLICT => KratosError::conflict_db(),
        _ => e.clone(),
    };
    generic.body()["error"].clone()
}

pub async fn handler(_: Admin, State(state): State<AppState>, body: Bytes) -> KResult<Response> {
    let version = state.options.kratos_version;
    let batch: BatchBody = super::go_json::decode(&body).map_err(|e| {
        if version.is_v1_3_1() {
            // v1.3.1 passes the decoder's error on unwrapped: a 400 whose body says 500.
            let text = match &e {
                super::go_json::BodyError::Json(j) if j.is_eof() => "unexpected EOF".to_owned(),
                _ => go_batch_text(&body).unwrap_or_else(|| e.text()),
            };
            KratosError::new(StatusCode::BAD_REQUEST, text)
                .shown_as(StatusCode::INTERNAL_SERVER_ERROR)
        } else {
            KratosError::bad_request(format!("Unable to decode JSON payload: {}", e.text()))
        }
    })?;
    if batch.identities.len() > MAX_ITEMS {
        return Err(KratosError::bad_request(format!(
            "The maximum number of identities to patch is {MAX_ITEMS}."
        )));
    }
    let plaintext = batch
        .identities
        .iter()
        .flatten()
        .filter_map(|i| i.create.as_ref())
        .filter(|c| c.has_plaintext_password())
        .count();
    if plaintext > MAX_ITEMS_WITH_PLAINTEXT {
        return Err(KratosError::bad_request(format!(
            "The maximum number of identities with plaintext passwords to patch is {MAX_ITEMS_WITH_PLAINTEXT}."
        )));
    }

    // Build everything first so a batch-level failure stores nothing.
    let mut built: Vec<Option<Built>> = Vec::new();
    for item in batch.identities {
        built.push(match item {
            Some(BatchItem {
                create: Some(create),
                patch_id,
            }) => {
                let result = build_identity(create, Uuid::new_v4(), version);
                if let Err(e) = &result
                    && fails_whole_batch(e)
                {
                    return Err(e.clone());
                }
                Some((patch_id, result))
            }
            _ => None,
        });
    }

    let results = state
        .db
        .call(move |c| {
            built
                .into_iter()
                .map(|slot| {
                    slot.map(|(patch_id, result)| {
                        let stored = result.and_then(|i| {
                            store::insert(c, &i).map(|_| i.id).map_err(create_conflict)
                        });
                        (patch_id, stored)
                    })
                })
                .collect::<Vec<_>>()
        })
        .await;

    let entries: Vec<Value> = results
        .into_iter()
        .map(|slot| match slot {
            None => Value::Null,
            Some((patch_id, outcome)) => {
                let mut m = Map::new();
                match outcome {
                    Ok(id) => {
                        m.insert("action".into(), json!("create"));
                        m.insert("identity".into(), json!(id));
                    }
                    Err(e) => {
                        m.insert("action".into(), json!("error"));
                        m.insert("error".into(), item_error(&e));
                    }
                }
                if let Some(p) = patch_id {
                    m.insert("patch_id".into(), json!(p));
                }
                Value::Object(m)
            }
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "identities": entries }),
        HeaderMap::new(),
    ))
}

/// Go's words for a batch body of the wrong shape (`{"identities": "x"}`), when it is JSON.
fn go_batch_text(body: &[u8]) -> Option<String> {
    let raw: Value = serde_json::from_slice(body).ok()?;
    let kind = |v: &Value| super::json_patch_go::go_kind(v);
    match &raw {
        Value::Object(m) => match m.get("identities") {
            Some(v) if !v.is_array() && !v.is_null() => Some(format!(
                "json: cannot unmarshal {} into Go struct field BatchPatchIdentitiesBody.identities of type []*identity.BatchIdentityPatch",
                kind(v)
            )),
            _ => None,
        },
        other => Some(format!(
            "json: cannot unmarshal {} into Go value of type identity.BatchPatchIdentitiesBody",
            kind(other)
        )),
    }
}
