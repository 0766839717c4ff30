//! The pure functions behind `--generate N`: generated identity and session number `n` and
//! the ids derived from it. A leaf module, so the bulk insert (`generate`), the identity
//! store and the session store can all rebuild generated rows without importing each other.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::model::{
    Credential, Device, Identity, RecoveryAddress, Session, VerifiableAddress, rfc3339,
};

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloé", "Dara", "Elif", "Femi", "Gita", "Hugo", "Ines", "Jun", "Kai", "Lena",
    "Mateo", "Nia", "Omar", "Pia", "Quinn", "Rhea", "Sven", "Tariq", "Uma", "Vik", "Wen", "Yara",
];
const LAST: &[&str] = &[
    "Adler", "Bauer", "Costa", "Dubois", "Evans", "Fischer", "García", "Haddad", "Ito", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Patel", "Rossi", "Sato", "Tanaka", "Weber",
];
const PLANS: [&str; 3] = ["free", "team", "enterprise"];
const HASH: &str = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

/// The unique keys every generated identity claims (its e-mail as password identifier,
/// recovery and verifiable address), as `store::unique_keys` would list them.
pub const GENERATED_KEY_KINDS: [&str; 3] = ["c:password", "r:email", "v:email"];

pub fn email(n: u64) -> String {
    format!("user{n:07}@gen.example.com")
}

/// SplitMix64: a bijective mixer, so distinct counters give distinct, well-spread ids.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A v4-shaped UUID derived from `(stream, n)`; the streams keep identity, address, session
/// and device ids apart.
pub fn derived_uuid(stream: u64, n: u64) -> Uuid {
    let hi = mix(n ^ (stream << 56));
    let lo = mix(hi ^ stream.wrapping_mul(0xA24B_AED4_963E_E407));
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_704_067_200, 0).unwrap_or_default() // 2024-01-01T00:00:00Z
}

/// Generated identity number `n`; a pure function, so rows store only `n` (see `store`).
pub fn synthetic_identity(n: u64) -> Identity {
    let epoch = epoch();
    let id = derived_uuid(1, n);
    let first = FIRST[(n % FIRST.len() as u64) as usize];
    let last = LAST[(mix(n) % LAST.len() as u64) as usize];
    let email = email(n);
    let at = epoch + Duration::seconds(n as i64);
    Identity {
        id,
        external_id: None,
        credentials: [(
            "password".to_owned(),
            Credential {
                kind: "password".into(),
                identifiers: vec![email.clone()],
                config: json!({ "hashed_password": HASH }),
                version: 0,
                created_at: at,
                updated_at: at,
            },
        )]
        .into(),
        schema_id: "default".into(),
        state: if n % 50 == 49 { "inactive" } else { "active" }.into(),
        state_changed_at: Some(at),
        traits: json!({ "email": email, "name": { "first": first, "last": last } }),
        verifiable_addresses: vec![VerifiableAddress {
            id: derived_uuid(2, n),
            value: email.clone(),
            verified: !n.is_multiple_of(3),
            via: "email".into(),
            status: if !n.is_multiple_of(3) {
                "completed"
            } else {
                "pending"
            }
            .into(),
            verified_at: (!n.is_multiple_of(3)).then_some(at),
            created_at: at,
            updated_at: at,
        }],
        recovery_addresses: vec![RecoveryAddress {
            id: derived_uuid(3, n),
            value: email,
            via: "email".into(),
            created_at: at,
            updated_at: at,
        }],
        metadata_public: json!({ "plan": PLANS[(n % 3) as usize] }),
        metadata_admin: serde_json::Value::Null,
        created_at: at,
        updated_at: at,
        organization_id: None,
    }
}

/// When generated session `n` was created, relative to the generation time.
pub fn session_created(n: u64, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::seconds((n % (86_400 * 30)) as i64)
        - Duration::microseconds((n % 1_000_000) as i64)
}

/// Generated session `n`, rebuilt from its stored columns.
pub fn stored_session(
    n: u64,
    active: bool,
    expires_at: DateTime<Utc>,
    created: DateTime<Utc>,
) -> Session {
    Session {
        id: derived_uuid(4, n),
        identity_id: derived_uuid(1, n),
        active,
        expires_at,
        authenticated_at: created,
        authenticator_assurance_level: "aal1".into(),
        authentication_methods: json!([{ "method": "password", "aal": "aal1",
            "completed_at": rfc3339(&created) }]),
        issued_at: created,
        created_at: created,
        devices: vec![Device {
            id: derived_uuid(5, n),
            ip_address: Some(format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255)),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) idtui-generated".into()),
            // As a login records it without a CDN's location headers: empty, never null
            // (the official spec types it as a string).
            location: Some(String::new()),
        }],
    }
}
