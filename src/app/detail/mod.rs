//! The detail view: an object laid out for reading (a summary per object kind, written by
//! its provider's `detail` module, then the whole object as highlighted, pretty JSON).
//! Secrets are removed before anything is laid out (`secrets`).

pub mod doc;
pub mod secrets;

use std::sync::Arc;

use serde_json::Value;

use super::model::ObjectKind;
use crate::app::provider::{core, headless, kratos};
use doc::{fields, heading};

pub use doc::{DocLine, Tok, json_lines};
pub use secrets::{REDACTED, is_secret_key, is_secret_value, redact};

/// Most lines one detail view holds.
const MAX_LINES: usize = 20_000;

#[derive(Debug, Clone)]
pub struct Detail {
    pub kind: ObjectKind,
    pub id: String,
    pub title: String,
    pub lines: Vec<DocLine>,
    pub scroll: usize,
    /// The object with secrets removed (what `Y` copies).
    pub redacted: Arc<Value>,
    /// The object as the server sent it: only for building edits, never drawn, since a
    /// redacted value saved back would overwrite the real one.
    pub raw: Arc<Value>,
}

impl Detail {
    pub fn new(kind: ObjectKind, id: &str, title: &str, raw: &Value) -> Detail {
        let redacted = redact(raw);
        let mut lines = summary(kind, &redacted);
        lines.push(vec![(Tok::Heading, "JSON".to_string())]);
        json_lines(&redacted, &mut lines);
        if lines.len() > MAX_LINES {
            lines.truncate(MAX_LINES);
            lines.push(vec![(Tok::Muted, "… (cut: object too large)".into())]);
        }
        Detail {
            kind,
            id: id.to_string(),
            title: title.to_string(),
            lines,
            scroll: 0,
            redacted: Arc::new(redacted),
            raw: Arc::new(raw.clone()),
        }
    }

    pub fn scroll_by(&mut self, delta: isize, view_rows: usize) {
        let max = self.lines.len().saturating_sub(view_rows.max(1));
        self.scroll = (self.scroll as isize + delta).clamp(0, max as isize) as usize;
    }
}

fn summary(kind: ObjectKind, v: &Value) -> Vec<DocLine> {
    let mut out = Vec::new();
    match kind {
        ObjectKind::Kratos(o) => kratos::detail::summary(o, v, &mut out),
        ObjectKind::Core(o) => core::detail::summary(o, v, &mut out),
        ObjectKind::Headless(o) => headless::detail::summary(o, v, &mut out),
        // A search hit opens as the object it is, on its profile; never as a hit.
        ObjectKind::Hit => {}
        ObjectKind::AuditEntry => {
            heading(&mut out, "Audit entry");
            fields(
                &mut out,
                v,
                &[
                    ("time", "/time"),
                    ("profile", "/profile"),
                    ("provider", "/provider"),
                    ("method", "/method"),
                    ("path", "/path"),
                    ("object", "/object"),
                    ("outcome", "/outcome"),
                    ("learnt by", "/via"),
                    ("request id", "/request_id"),
                    ("message", "/message"),
                    // A line that could not be read.
                    ("at byte", "/offset"),
                    ("problem", "/problem"),
                    ("text", "/text"),
                ],
            );
            if let Some(change) = v.get("change").filter(|c| !c.is_null()) {
                heading(&mut out, "Change");
                json_lines(change, &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(lines: &[DocLine]) -> String {
        lines
            .iter()
            .map(|l| l.iter().map(|(_, s)| s.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn secrets_never_reach_the_detail_view() {
        let identity = json!({
            "id": "a1",
            "credentials": {"password": {"type": "password", "identifiers": ["jane@example.com"],
                "config": {"hashed_password": "$2a$12$abcdefghijkl"}},
                "totp": {"type": "totp", "config": {"totp_url": "otpauth://totp/x?secret=JBSW"}}},
            "traits": {"email": "jane@example.com"}
        });
        let d = Detail::new(
            ObjectKind::Kratos(kratos::Object::Identity),
            "a1",
            "jane",
            &identity,
        );
        let all = text(&d.lines);
        assert!(!all.contains("$2a$12$"), "{all}");
        assert!(!all.contains("JBSW"));
        assert!(all.contains(REDACTED));
        assert!(all.contains("jane@example.com"));
        // The credential types themselves stay readable, with their identifiers.
        assert!(all.contains("password  jane@example.com"), "{all}");
        assert!(!d.redacted.to_string().contains("$2a$12$"));
    }

    #[test]
    fn secrets_are_found_by_key_pattern_and_by_their_looks() {
        let v = json!({
            "metadata_admin": {
                "api_key": "ak_live_123", "clientSecret": "cs", "refresh_token": "rt",
                "passphrase": "open sesame", "API_KEY": "AK2", "passcode": 1234,
                "note": "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                "old": ["$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "{SSHA}dGVzdGluZ3NhbHQ="],
                "pbkdf2": "$pbkdf2-sha256$i=100000,l=32$c2FsdA$aGFzaA",
                "scrypt": "$scrypt$ln=16384,r=8,p=1$c2FsdA$aGFzaA",
                "md5": "$md5$aGFzaA==",
                "enrol": "otpauth://totp/ACME:jane?secret=JBSWY3DPEHPK3PXP",
                "session": "ory_st_AbCdEfGhIjKlMnOpQrStUv",
                "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJl",
            },
            "credentials": {
                "totp": {"config": {"totp_url": "otpauth://totp/x?secret=SEED"}},
                "lookup_secret": {"config": {"recovery_codes": [
                    {"code": "a1b2c3d4", "used_at": null},
                    {"code": "e5f6g7h8", "used_at": "2024-01-01T00:00:00Z"}
                ]}},
                "webauthn": {"config": {"credentials": [{
                    "id": "k1", "is_passwordless": true, "public_key": "pk",
                    "display_name": "YubiKey"
                }]}},
                "password": {"config": {"use_password_migration_hook": true}}
            },
            "traits": {"email": "jane@example.com", "price": "$USD$5", "motto": "$ and $ again"}
        });
        let r = redact(&v);
        let text = r.to_string();
        for secret in [
            "ak_live_123",
            "\"cs\"",
            "\"rt\"",
            "open sesame",
            "AK2",
            "1234",
            "$2b$",
            "$argon2id$",
            "{SSHA}",
            "$pbkdf2",
            "$scrypt$",
            "$md5$",
            "JBSWY3DP",
            "SEED",
            "ory_st_",
            "eyJ",
            "a1b2c3d4",
            "e5f6g7h8",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        // What is no secret, or what the dashboard reads, is left as it was.
        let lookup = &r["credentials"]["lookup_secret"]["config"]["recovery_codes"];
        assert_eq!(lookup.as_array().unwrap().len(), 2);
        assert_eq!(lookup[1]["used_at"], "2024-01-01T00:00:00Z");
        let key = &r["credentials"]["webauthn"]["config"]["credentials"][0];
        assert_eq!(key["is_passwordless"], true);
        assert_eq!(key["public_key"], "pk");
        assert_eq!(key["display_name"], "YubiKey");
        assert_eq!(
            r["credentials"]["password"]["config"]["use_password_migration_hook"],
            true
        );
        assert_eq!(r["traits"], v["traits"]);
    }

    #[test]
    fn the_credential_rules_still_read_a_redacted_identity() {
        // The delete rules judge the copy `d` reads, which is redacted like any other.
        let creds = json!({
            "password": {"identifiers": ["jane@example.com"],
                "config": {"use_password_migration_hook": true}},
            "webauthn": {"identifiers": ["u1"],
                "config": {"credentials": [{"is_passwordless": true, "public_key": "pk"}]}}
        });
        assert_eq!(
            crate::app::credentials::rules::first_factors(&redact(&creds)),
            ["password", "passwordless WebAuthn key 1"]
        );
    }

    #[test]
    fn pretty_json_tokens_carry_their_kind() {
        let mut out = Vec::new();
        json_lines(
            &json!({"a": "s", "n": 1, "b": true, "z": null, "e": []}),
            &mut out,
        );
        assert_eq!(
            text(&out),
            "{\n  \"a\": \"s\",\n  \"n\": 1,\n  \"b\": true,\n  \"z\": null,\n  \"e\": []\n}"
        );
        let toks: Vec<Tok> = out.iter().flatten().map(|(t, _)| *t).collect();
        for t in [Tok::Key, Tok::Str, Tok::Num, Tok::Bool, Tok::Null] {
            assert!(toks.contains(&t), "{t:?} missing");
        }
    }

    #[test]
    fn session_summary_shows_device_and_assurance() {
        let s = json!({"id": "s1", "active": true, "authenticator_assurance_level": "aal2",
            "expires_at": "2026-12-01T00:00:00Z",
            "devices": [{"ip_address": "203.0.113.9", "user_agent": "Firefox/130"}]});
        let d = Detail::new(ObjectKind::Kratos(kratos::Object::Session), "s1", "s1", &s);
        let all = text(&d.lines);
        for needle in [
            "AAL: aal2",
            "IP: 203.0.113.9",
            "user agent: Firefox/130",
            "expires: 2026-12-01",
        ] {
            assert!(all.contains(needle), "{needle} missing in\n{all}");
        }
    }

    #[test]
    fn scrolling_stops_at_the_last_screen() {
        let d0 = Detail::new(
            ObjectKind::Core(core::Object::User),
            "u",
            "u",
            &json!({"claims": {"a": 1, "b": 2}}),
        );
        let mut d = d0.clone();
        d.scroll_by(1000, 3);
        assert_eq!(d.scroll, d0.lines.len() - 3);
        d.scroll_by(-1000, 3);
        assert_eq!(d.scroll, 0);
    }
}
