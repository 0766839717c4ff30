//! Changes sent to Kratos (`Backend::mutate`): each mutation as its API calls, and the
//! answer as a line for the status bar (plus what it issued, for a recovery link or code).

use serde_json::Value;

use crate::api::{ApiError, KratosApi, Provider};
use crate::app::provider::kratos;
use crate::app::{Done, Issued, Mutation};
use crate::runtime::rows::short_time;

pub(super) async fn mutate(k: KratosApi, mutation: Mutation) -> Result<Done, ApiError> {
    match &mutation {
        Mutation::Kratos(kratos::Change::RevokeSession { session }) => {
            k.disable_session(session).await?
        }
        Mutation::Kratos(kratos::Change::RevokeSessions { sessions }) => {
            // One at a time: a failure stops the run and says how far it got.
            for (done, session) in sessions.iter().enumerate() {
                if let Err(mut e) = k.disable_session(session).await {
                    e.message =
                        format!("{} (after {done} of {} revoked)", e.message, sessions.len());
                    return Err(e);
                }
            }
        }
        Mutation::Kratos(kratos::Change::RevokeAllSessions { identity }) => {
            k.delete_identity_sessions(identity).await?
        }
        Mutation::Kratos(kratos::Change::DeleteIdentity { identity }) => {
            k.delete_identity(identity).await?
        }
        Mutation::Kratos(kratos::Change::DeleteCredential {
            identity,
            kind,
            identifier,
        }) => {
            k.delete_credential(identity, kind, identifier.as_deref())
                .await?
        }
        Mutation::Kratos(kratos::Change::UpdateIdentity { identity, body }) => {
            k.update_identity(identity, body).await.map(drop)?
        }
        Mutation::Kratos(kratos::Change::PatchIdentity { identity, patch }) => {
            k.patch_identity(identity, patch).await.map(drop)?
        }
        Mutation::Kratos(kratos::Change::CreateIdentity { body }) => {
            let created = k.create_identity(body).await?;
            return Ok(format!("{}{}", crate::app::change::CREATED, created.id).into());
        }
        Mutation::Kratos(kratos::Change::CreateRecoveryLink {
            identity,
            expires_in,
        }) => {
            let r = k
                .create_recovery_link(identity, expires_in.as_deref())
                .await?;
            return Ok(issued("recovery link", r));
        }
        Mutation::Kratos(kratos::Change::CreateRecoveryCode {
            identity,
            expires_in,
        }) => {
            let r = k
                .create_recovery_code(identity, expires_in.as_deref())
                .await?;
            return Ok(issued("recovery code", r));
        }
        Mutation::Kratos(kratos::Change::SetAddressVerified {
            identity,
            address,
            verified,
        }) => {
            let ops = verify_patch(
                &k.get_identity(identity, &[]).await?.raw,
                address,
                *verified,
            )
            .map_err(|why| ApiError::config(Provider::Kratos, why))?;
            k.patch_identity(identity, &ops).await.map(drop)?
        }
        Mutation::Kratos(kratos::Change::ExtendSession { session }) => {
            let until = k
                .extend_session(session)
                .await?
                .and_then(|s| s.expires_at)
                .map(|t| format!(" until {} UTC", short_time(Some(&t))))
                .unwrap_or_default();
            let short: String = session.chars().take(8).collect();
            return Ok(format!("done: extended session {short}{until}").into());
        }
        Mutation::Core(_) | Mutation::Headless(_) => {
            return Err(super::super::no_change(Provider::Kratos, &mutation));
        }
    }
    Ok(format!("done: {}", mutation.describe()).into())
}

/// The answer to a recovery link or code: a plain line, and the secret apart from it.
fn issued(what: &str, r: crate::api::Recovery) -> Done {
    Done {
        message: format!("done: created a {what}"),
        issued: Some(Issued {
            link: r.link,
            code: r.code,
            expires_at: r.expires_at,
        }),
    }
}

/// The JSON Patch that marks `address` of `identity` (as just read) verified or not, with
/// the status and time Kratos' own verification sets (`verified_at` goes when unverified).
pub fn verify_patch(identity: &Value, address: &str, verified: bool) -> Result<Value, String> {
    let addresses = identity
        .get("verifiable_addresses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let i = addresses
        .iter()
        .position(|a| {
            a.get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(address))
        })
        .ok_or_else(|| format!("the identity has no verifiable address {address}"))?;
    let at = |field: &str| format!("/verifiable_addresses/{i}/{field}");
    let mut ops = vec![
        serde_json::json!({"op": "replace", "path": at("verified"), "value": verified}),
        serde_json::json!({
            "op": "replace",
            "path": at("status"),
            "value": if verified { "completed" } else { "pending" },
        }),
    ];
    let has_time = addresses[i]
        .get("verified_at")
        .is_some_and(|t| !t.is_null());
    if verified {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        ops.push(serde_json::json!({"op": "add", "path": at("verified_at"), "value": now}));
    } else if has_time {
        ops.push(serde_json::json!({"op": "remove", "path": at("verified_at")}));
    }
    Ok(Value::Array(ops))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn marking_an_address_patches_it_by_its_place_with_status_and_time() {
        let identity = json!({"verifiable_addresses": [
            {"value": "+15550100", "verified": false},
            {"value": "jane@example.com", "verified": true, "verified_at": "2026-01-01T00:00:00Z"}
        ]});
        let ops = verify_patch(&identity, "JANE@example.com", false).unwrap();
        assert_eq!(
            ops,
            json!([
                {"op": "replace", "path": "/verifiable_addresses/1/verified", "value": false},
                {"op": "replace", "path": "/verifiable_addresses/1/status", "value": "pending"},
                {"op": "remove", "path": "/verifiable_addresses/1/verified_at"},
            ])
        );
        let ops = verify_patch(&identity, "+15550100", true).unwrap();
        assert_eq!(ops[1]["value"], "completed");
        assert_eq!(ops[2]["op"], "add");
        assert_eq!(ops[2]["path"], "/verifiable_addresses/0/verified_at");
        let err = verify_patch(&identity, "other@example.com", true).unwrap_err();
        assert!(
            err.contains("no verifiable address other@example.com"),
            "{err}"
        );
    }
}
