//! Which Kratos a profile talks to (`GET /version`, read once per profile) and what the
//! dashboard offers and refuses on it: the rules of each release line, as data, in one place.
//! The identity editors' imports, the credential delete and the external-id lookups all ask
//! [`rules`]; nothing else looks at the version.
//!
//! Kratos went from v1.3.1 (Oct 2024) to calendar versions (v25.4.0, Nov 2025). What differs
//! for an admin (see `api/kratos.md` §8): v1.x imports only `password` and `oidc` credentials
//! (its decoder is strict: `saml`, `totp`… answer 400 unknown field), deletes no first factor
//! (`password`, `code`), and has no `external_id` nor `/admin/identities/by/external/{id}`.
//! A server whose version cannot be read gets the newest rules.

/// What a server said its version is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// As the server wrote it (`v1.3.1`).
    pub text: String,
    /// Its release number when the text is one (`[1, 3, 1]`).
    pub release: Option<[u64; 3]>,
}

/// Where the version of a profile stands (kept on its tab).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Known {
    /// Not asked yet: the profile was not used.
    #[default]
    Unasked,
    /// Asked, the answer not in yet (the newest rules meanwhile).
    Asked,
    /// The server answered.
    Read(Version),
    /// The server could not tell (an error, not JSON, no version in it): why.
    Unreadable(String),
}

/// The Kratos release lines whose admin APIs differ for the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// v1.x (v1.3.1 the last): before external ids, SAML/TOTP imports and first-factor deletes.
    V1,
    /// v25.4 and newer (and any server whose version is unknown).
    Newest,
}

/// How `DELETE /admin/identities/{id}/credentials/{type}` judges a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteRule {
    /// Deleted (whole, or its second-factor keys): `totp`, `lookup_secret`, `webauthn`.
    Deleted,
    /// Deleted when the identity keeps another first factor (newest `password`).
    KeepsAnotherFirstFactor,
    /// One link at a time (`identifier` required); `counted`: only while another first
    /// factor is left (newest `oidc`/`saml`; v1.x `oidc` does not count).
    Link { counted: bool },
    /// One device key at a time (`identifier` required).
    DeviceKey,
    /// Refused whatever the identity holds, with the server's own reason.
    Refused(&'static str),
}

/// What the dashboard offers and refuses on one release line.
#[derive(Debug)]
pub struct Rules {
    pub line: Line,
    /// How messages name the servers it applies to.
    pub name: &'static str,
    /// Credential types a create or update body may import (Kratos decodes it strictly).
    pub importable: &'static [&'static str],
    /// Keys an imported `oidc` provider entry may hold.
    pub oidc_provider_keys: &'static [&'static str],
    /// The examples under the identity editors (`n`, `e`): help only, never in the body.
    pub import_help: &'static [&'static str],
    /// `external_id` and `GET /admin/identities/by/external/{id}`.
    pub external_ids: bool,
    /// How a credential delete is judged, per type; any other type is refused with
    /// `delete_other`.
    delete: &'static [(&'static str, DeleteRule)],
    /// The server's answer to a delete of any other type (`{}` is the type).
    delete_other: &'static str,
}

/// Kratos v1.x (v1.3.1).
pub static V1: Rules = Rules {
    line: Line::V1,
    name: "Kratos v1.x",
    importable: &["password", "oidc"],
    oidc_provider_keys: &["provider", "subject"],
    import_help: &[
        r#"import with "credentials" (help only, not in the body; {} imports nothing):"#,
        r#"  "password": {"config": {"password": "cleartext"}}"#,
        r#"  "password": {"config": {"hashed_password": "$2b$12$…"}}"#,
        r#"  "oidc": {"config": {"providers": [{"provider": "google", "subject": "1"}]}}"#,
        "  Kratos v1.x imports only these two   hashes: bcrypt argon2 pbkdf2 scrypt",
        "  firescrypt md5 sha ssha hmac (see docs/kratos-credentials.md)",
    ],
    external_ids: false,
    delete: &[
        ("totp", DeleteRule::Deleted),
        ("lookup_secret", DeleteRule::Deleted),
        ("webauthn", DeleteRule::Deleted),
        ("oidc", DeleteRule::Link { counted: false }),
        (
            "password",
            DeleteRule::Refused("You cannot remove first factor credentials."),
        ),
        (
            "code",
            DeleteRule::Refused("You cannot remove first factor credentials."),
        ),
    ],
    delete_other: "Unknown credentials type {}.",
};

/// Kratos v25.4 and newer, and any server whose version is unknown.
pub static NEWEST: Rules = Rules {
    line: Line::Newest,
    name: "Kratos",
    importable: &[
        "password",
        "oidc",
        "saml",
        "totp",
        "lookup_secret",
        "webauthn",
        "passkey",
    ],
    oidc_provider_keys: &["provider", "subject", "organization", "use_auto_link"],
    import_help: &[
        r#"import with "credentials" (help only, not in the body; {} imports nothing):"#,
        r#"  "password": {"config": {"password": "cleartext"}}"#,
        r#"  "password": {"config": {"hashed_password": "$2b$12$…"}}"#,
        r#"  "oidc": {"config": {"providers": [{"provider": "google", "subject": "1"}]}}"#,
        r#"  "saml": like "oidc"   hashes: bcrypt argon2 pbkdf2 scrypt firescrypt md5 sha"#,
        "          ssha hmac (see docs/kratos-credentials.md)",
    ],
    external_ids: true,
    delete: &[
        ("totp", DeleteRule::Deleted),
        ("lookup_secret", DeleteRule::Deleted),
        ("webauthn", DeleteRule::Deleted),
        ("password", DeleteRule::KeepsAnotherFirstFactor),
        ("oidc", DeleteRule::Link { counted: true }),
        ("saml", DeleteRule::Link { counted: true }),
        ("deviceauthn", DeleteRule::DeviceKey),
    ],
    delete_other: "Credentials type {} cannot be deleted.",
};

/// The rules for what a profile's server said (the newest while it has not said).
pub fn rules(known: &Known) -> &'static Rules {
    match known {
        Known::Read(Version {
            release: Some([major, ..]),
            ..
        }) if *major < 25 => &V1,
        Known::Read(_) | Known::Unasked | Known::Asked | Known::Unreadable(_) => &NEWEST,
    }
}

/// What the status line says once when the version gives no rules of its own (`None`: it
/// does): the newest rules then apply.
pub fn unknown_note(profile: &str, known: &Known) -> Option<String> {
    let why = match known {
        Known::Read(Version {
            release: Some(_), ..
        })
        | Known::Unasked
        | Known::Asked => {
            return None;
        }
        Known::Read(v) => format!("it says {:?}", v.text),
        Known::Unreadable(why) => why.clone(),
    };
    Some(format!(
        "{profile}: Kratos version unknown ({why}); the newest Kratos rules apply"
    ))
}

impl Rules {
    /// How a delete of credentials of type `kind` is judged (`None`: refused, see
    /// [`Rules::delete_refused`]).
    pub fn delete_rule(&self, kind: &str) -> Option<DeleteRule> {
        self.delete
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, r)| *r)
    }

    /// The server's reason for refusing every delete of type `kind` whatever the identity
    /// holds (no read is needed to know it), or `None`.
    pub fn delete_refused(&self, kind: &str) -> Option<String> {
        match self.delete_rule(kind) {
            None => Some(self.delete_other.replace("{}", kind)),
            Some(DeleteRule::Refused(why)) => Some(why.to_string()),
            Some(DeleteRule::Deleted)
            | Some(DeleteRule::KeepsAnotherFirstFactor)
            | Some(DeleteRule::Link { .. })
            | Some(DeleteRule::DeviceKey) => None,
        }
    }

    /// Why an external-id lookup is not sent to a server of `version` (`None`: it is).
    pub fn external_id_refused(&self, version: &str) -> Option<String> {
        (!self.external_ids).then(|| {
            format!(
                "Kratos {version} has no external ids (they came with v25.4): nothing sent; \
                 search by email, username or id"
            )
        })
    }

    /// The hint of a find prompt on the identities list.
    pub fn search_hint(&self) -> &'static str {
        if self.external_ids {
            "email/username, id or ext:EXTERNAL_ID"
        } else {
            "email/username or id"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, release: Option<[u64; 3]>) -> Known {
        Known::Read(Version {
            text: text.into(),
            release,
        })
    }

    #[test]
    fn v1_servers_get_the_v1_rules_and_anything_else_the_newest() {
        assert_eq!(rules(&read("v1.3.1", Some([1, 3, 1]))).line, Line::V1);
        assert_eq!(rules(&read("v1.2.0", Some([1, 2, 0]))).line, Line::V1);
        assert_eq!(rules(&read("v0.13.0", Some([0, 13, 0]))).line, Line::V1);
        assert_eq!(rules(&read("v25.4.0", Some([25, 4, 0]))).line, Line::Newest);
        assert_eq!(rules(&read("v26.2.0", Some([26, 2, 0]))).line, Line::Newest);
        assert_eq!(rules(&read("master", None)).line, Line::Newest);
        for known in [Known::Unasked, Known::Asked, Known::Unreadable("x".into())] {
            assert_eq!(rules(&known).line, Line::Newest);
        }
    }

    #[test]
    fn only_an_unknown_version_is_noted() {
        assert_eq!(unknown_note("p", &read("v1.3.1", Some([1, 3, 1]))), None);
        assert_eq!(unknown_note("p", &Known::Asked), None);
        let note = unknown_note("prod", &read("master", None)).unwrap();
        assert!(
            note.contains("prod") && note.contains("\"master\""),
            "{note}"
        );
        assert!(note.contains("newest Kratos rules"), "{note}");
        let note = unknown_note("prod", &Known::Unreadable("404".into())).unwrap();
        assert!(note.contains("(404)"), "{note}");
    }

    #[test]
    fn deletes_follow_the_release_line() {
        let refused = "You cannot remove first factor credentials.";
        assert_eq!(V1.delete_refused("password").as_deref(), Some(refused));
        assert_eq!(V1.delete_refused("code").as_deref(), Some(refused));
        for kind in ["totp", "lookup_secret", "webauthn", "oidc"] {
            assert_eq!(V1.delete_refused(kind), None, "{kind}");
        }
        assert_eq!(
            V1.delete_refused("saml").as_deref(),
            Some("Unknown credentials type saml.")
        );
        assert_eq!(
            V1.delete_rule("oidc"),
            Some(DeleteRule::Link { counted: false })
        );

        for kind in [
            "password",
            "oidc",
            "saml",
            "totp",
            "lookup_secret",
            "webauthn",
        ] {
            assert_eq!(NEWEST.delete_refused(kind), None, "{kind}");
        }
        assert_eq!(
            NEWEST.delete_refused("passkey").as_deref(),
            Some("Credentials type passkey cannot be deleted.")
        );
        assert_eq!(
            NEWEST.delete_rule("password"),
            Some(DeleteRule::KeepsAnotherFirstFactor)
        );
        assert_eq!(
            NEWEST.delete_rule("saml"),
            Some(DeleteRule::Link { counted: true })
        );
    }

    #[test]
    fn imports_and_external_ids_follow_the_release_line() {
        assert_eq!(V1.importable, &["password", "oidc"]);
        assert!(NEWEST.importable.contains(&"saml") && NEWEST.importable.contains(&"totp"));
        let help = V1.import_help.join("\n");
        assert!(!help.contains("saml") && !help.contains("totp"), "{help}");
        assert!(NEWEST.import_help.join("\n").contains("saml"));
        for line in V1.import_help.iter().chain(NEWEST.import_help) {
            assert!(line.chars().count() <= 78, "{line}");
        }
        assert!(!V1.external_ids && NEWEST.external_ids);
        let why = V1.external_id_refused("v1.3.1").unwrap();
        assert!(
            why.contains("v1.3.1") && why.contains("nothing sent"),
            "{why}"
        );
        assert_eq!(NEWEST.external_id_refused("v26.2.0"), None);
        assert!(!V1.search_hint().contains("ext:"));
        assert!(NEWEST.search_hint().contains("ext:"));
    }
}
