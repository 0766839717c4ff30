//! Whether a re-read shows a change applied, not applied, or something else.

use serde_json::Value;

use super::types::Expect;
use crate::app::credentials::rules::{CredentialRef, deleted};
use crate::app::model::{ErrorInfo, Row};

/// What one re-read says about a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Applied,
    NotApplied,
    /// The object holds something else: neither the change nor the state before it.
    Neither(Value),
    /// The read itself failed.
    CannotTell(String),
}

/// Judge a re-read of one object (`None`: it does not exist).
pub fn judge_object(expect: &Expect, read: Result<Option<&Value>, &ErrorInfo>) -> Verdict {
    let raw = match read {
        Ok(raw) => raw,
        Err(e) => return Verdict::CannotTell(e.line.clone()),
    };
    match (expect, raw) {
        (Expect::Gone { .. }, None) => Verdict::Applied,
        (Expect::Gone { .. }, Some(_)) => Verdict::NotApplied,
        (Expect::SessionsRevoked { .. }, None) => Verdict::Applied,
        (Expect::SessionsRevoked { .. }, Some(s)) => {
            if s.get("active").and_then(Value::as_bool) == Some(false) {
                Verdict::Applied
            } else {
                Verdict::NotApplied
            }
        }
        (
            Expect::Value {
                field,
                before,
                after,
                ..
            },
            Some(raw),
        ) => {
            let now = field.of(raw);
            if now == *after {
                Verdict::Applied
            } else if now == *before {
                Verdict::NotApplied
            } else {
                Verdict::Neither(raw.clone())
            }
        }
        (Expect::Value { .. }, None) => Verdict::CannotTell("the object no longer exists".into()),
        (Expect::CredentialGone { id }, read) => match CredentialRef::parse(id) {
            Some(target) if deleted(&target, read) => Verdict::Applied,
            Some(_) => Verdict::NotApplied,
            None => Verdict::CannotTell(format!("not a credential: {id}")),
        },
        (Expect::Unverifiable { why }, _) => Verdict::CannotTell(why.clone()),
        (
            Expect::AddressVerified {
                address, verified, ..
            },
            Some(raw),
        ) => {
            let found = raw
                .get("verifiable_addresses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|a| {
                    a.get("value")
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.eq_ignore_ascii_case(address))
                });
            match found
                .and_then(|a| a.get("verified"))
                .and_then(Value::as_bool)
            {
                Some(v) if v == *verified => Verdict::Applied,
                Some(_) => Verdict::NotApplied,
                None => Verdict::CannotTell(format!("the identity has no address {address}")),
            }
        }
        (Expect::Extended { before, .. }, Some(raw)) => {
            let now = raw.get("expires_at").and_then(Value::as_str);
            match (before, now) {
                (Some(b), Some(n)) if b == n => Verdict::NotApplied,
                (Some(_), Some(_)) => Verdict::Applied,
                _ => Verdict::CannotTell("the expiry before the change is unknown".into()),
            }
        }
        (Expect::AddressVerified { .. } | Expect::Extended { .. }, None) => {
            Verdict::CannotTell("it no longer exists".into())
        }
        (Expect::NotRereadable, _) => Verdict::CannotTell("nothing reads it back".into()),
        (Expect::NoActiveSession { .. } | Expect::Created { .. }, _) => {
            Verdict::CannotTell("not a list answer".into())
        }
    }
}

/// Judge a re-read list (sessions of an identity, identities found by identifier).
pub fn judge_list(expect: &Expect, rows: &[Row]) -> Verdict {
    match expect {
        Expect::NoActiveSession { .. } => {
            let active = rows
                .iter()
                .any(|r| r.raw.get("active").and_then(Value::as_bool) != Some(false));
            if active {
                Verdict::NotApplied
            } else {
                Verdict::Applied
            }
        }
        Expect::Created { traits, .. } => {
            if rows.iter().any(|r| r.raw.get("traits") == Some(traits)) {
                Verdict::Applied
            } else {
                Verdict::NotApplied
            }
        }
        _ => Verdict::CannotTell("not an object answer".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::change::types::Field;
    use crate::app::model::ObjectKind;
    use crate::app::provider::kratos;
    use serde_json::json;

    #[test]
    fn a_value_reread_tells_applied_from_not_applied_from_neither() {
        let expect = Expect::Value {
            kind: ObjectKind::Kratos(kratos::Object::Identity),
            id: "i".into(),
            field: Field::IdentityBody,
            before: json!({"state": "active"}),
            after: json!({"state": "inactive"}),
        };
        let read = |state: &str| {
            judge_object(
                &expect,
                Ok(Some(&json!({"id": "i", "state": state, "updated_at": "x"}))),
            )
        };
        assert_eq!(read("inactive"), Verdict::Applied);
        assert_eq!(read("active"), Verdict::NotApplied);
        assert!(matches!(read("banned"), Verdict::Neither(_)));
        let err = ErrorInfo::new("timeout", "");
        assert!(matches!(
            judge_object(&expect, Err(&err)),
            Verdict::CannotTell(_)
        ));
    }

    #[test]
    fn deletes_and_revokes_are_applied_when_the_object_is_gone_or_inactive() {
        let gone = Expect::Gone {
            kind: ObjectKind::Kratos(kratos::Object::Identity),
            id: "i".into(),
        };
        assert_eq!(judge_object(&gone, Ok(None)), Verdict::Applied);
        assert_eq!(
            judge_object(&gone, Ok(Some(&json!({})))),
            Verdict::NotApplied
        );
        let revoked = Expect::SessionsRevoked {
            sessions: vec!["s".into()],
        };
        assert_eq!(
            judge_object(&revoked, Ok(Some(&json!({"active": false})))),
            Verdict::Applied
        );
        assert_eq!(
            judge_object(&revoked, Ok(Some(&json!({"active": true})))),
            Verdict::NotApplied
        );
        let created = Expect::Created {
            identifier: Some("a@b".into()),
            traits: json!({"email": "a@b"}),
        };
        let row = Row::new(
            "x",
            crate::app::provider::kratos::Identity::default(),
            json!({"traits": {"email": "a@b"}}),
        );
        assert_eq!(judge_list(&created, &[row]), Verdict::Applied);
        assert_eq!(judge_list(&created, &[]), Verdict::NotApplied);
    }
}
