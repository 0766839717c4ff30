#!/usr/bin/env python3
"""Regenerates demo.json (deterministic). Run: python3 crates/idtui-sandbox/assets/kratos/make_demo.py"""
import json, uuid, os, base64

NS = uuid.UUID("6f1c1d2e-8b7a-4c55-9a51-2f0e4b6a7c10")
def uid(name): return str(uuid.uuid5(NS, name))

people = [
    ("ada.lovelace@example.com", "Ada", "Lovelace", "engineering"),
    ("grace.hopper@example.com", "Grace", "Hopper", "engineering"),
    ("alan.turing@example.org", "Alan", "Turing", "research"),
    ("katherine.johnson@example.com", "Katherine", "Johnson", "research"),
    ("linus.t@example.net", "Linus", "Torvalds", "platform"),
    ("margaret.hamilton@example.com", "Margaret", "Hamilton", "apollo"),
    ("zoë.müller@example.de", "Zoë", "Müller", "sales"),
    ("søren.kierkegaard@example.dk", "Søren", "Kierkegaard", "philosophy"),
    ("hiroshi.tanaka@example.jp", "宏", "田中", "support"),
    ("olga.ivanova@example.ru", "Ольга", "Иванова", "finance"),
    ("amira.haddad@example.com", "أميرة", "حداد", "legal"),
    ("priya.sharma@example.in", "Priya", "Sharma", "engineering"),
    ("chen.wei@example.cn", "伟", "陈", "ops"),
    ("fatima.zahra@example.ma", "Fatima", "Zahra", "design"),
    ("jose.garcia@example.es", "José", "García", "marketing"),
    ("noah.williams@example.com", "Noah", "Williams", "support"),
    ("emma.brown@example.co.uk", "Emma", "Brown", "hr"),
    ("lucas.silva@example.com.br", "Lucas", "Silva", "sales"),
    ("mia.schmidt@example.at", "Mia", "Schmidt", "engineering"),
    ("oliver.jones@example.com.au", "Oliver", "Jones", "finance"),
    ("sofia.rossi@example.it", "Sofia", "Rossi", "design"),
    ("liam.oconnor@example.ie", "Liam", "O'Connor", "ops"),
    ("ines.dubois@example.fr", "Inès", "Dubois", "legal"),
    ("kwame.mensah@example.gh", "Kwame", "Mensah", "platform"),
    ("aroha.ngata@example.nz", "Aroha", "Ngata", "research"),
    ("jakub.novak@example.cz", "Jakub", "Novák", "support"),
    ("elif.yilmaz@example.tr", "Elif", "Yılmaz", "marketing"),
    ("nguyen.an@example.vn", "An", "Nguyễn", "engineering"),
    ("sara.lind@example.se", "Sara", "Lind", "hr"),
    ("dmitri.p@example.com", "Dmitri", "Petrov", "ops"),
]

BCRYPT = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
ARGON = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA"

def b64(s): return base64.b64encode(s).decode()

identities, sessions = [], []
for i, (email, first, last, dept) in enumerate(people):
    key = email.split("@")[0]
    traits = {"email": email, "name": {"first": first, "last": last}, "department": dept}
    if i % 3 == 0: traits["username"] = key.replace(".", "_")
    if i % 4 == 1: traits["phone"] = "+1555010%04d" % i
    if i % 5 == 2: traits["locale"] = ["de-DE", "ja-JP", "fr-FR", "en-GB", "es-ES"][i % 5]
    creds = {}
    if i % 6 != 5:
        creds["password"] = {"config": {"hashed_password": BCRYPT if i % 2 == 0 else ARGON}}
    if i % 3 == 1 or i % 6 == 5:
        creds["oidc"] = {"config": {"providers": [{"provider": "google", "subject": "1094%012d" % (i * 7919)}]}}
        if i % 4 == 1:
            creds["oidc"]["config"]["providers"].append({"provider": "github", "subject": str(580000 + i)})
    if i % 4 == 0:
        creds["totp"] = {"config": {"totp_url": "otpauth://totp/idtui-demo:%s?secret=JBSWY3DPEHPK3PXP&issuer=idtui-demo" % email}}
    if i % 5 == 0:
        creds["lookup_secret"] = {"config": {"codes": [{"code": "%08d" % (i * 131 + k)} for k in range(4)] + [{"code": "99%06d" % i, "used_at": "2026-03-0%dT10:00:00Z" % (1 + i % 9)}]}}
    if i % 7 == 3:
        creds["webauthn"] = {"config": {"user_handle": b64(bytes.fromhex(uuid.UUID(uid(email)).hex)), "credentials": [{
            "id": b64(("cred-" + key).encode()), "public_key": b64(("pk-" + key).encode() * 2),
            "attestation_type": "none",
            "authenticator": {"aaguid": b64(bytes(16)), "sign_count": i, "clone_warning": False},
            "display_name": "YubiKey 5C", "added_at": "2026-02-1%dT09:30:00Z" % (i % 10),
            "is_passwordless": i % 2 == 0, "flags": {"user_present": True, "user_verified": True, "backup_eligible": False, "backup_state": False},
            "transport": ["usb"], "attestation": {"client_data_json": b64(b"{}"), "authenticator_data": b64(b"\x00"), "public_key_algorithm": -7, "object": b64(b"\x01")}}]}}
    meta_pub = {"plan": ["free", "team", "enterprise"][i % 3], "avatar": "https://avatars.example/%s.png" % key}
    meta_admin = None
    if i % 2 == 0:
        meta_admin = {"crm": {"account_id": "ACC-%05d" % (1000 + i), "owner": people[(i + 3) % len(people)][0],
                              "tags": ["vip"] if i % 8 == 0 else []}, "risk": {"score": (i * 17) % 100, "reviewed": i % 4 == 0}}
    va = [{"value": email, "via": "email", "verified": i % 3 != 2, "status": "completed" if i % 3 != 2 else "sent"}]
    if i % 3 != 2: va[0]["verified_at"] = "2026-01-%02dT08:%02d:00Z" % (1 + i % 28, i % 60)
    ident = {
        "id": uid(email), "created_at": "2025-%02d-%02dT12:%02d:%02d.%06dZ" % (1 + i % 12, 1 + i % 28, i % 60, (i * 7) % 60, i * 1013),
        "body": {"schema_id": "default", "traits": traits, "state": "inactive" if i in (4, 17, 26) else "active",
                 "metadata_public": meta_pub, "metadata_admin": meta_admin, "verifiable_addresses": va, "credentials": creds},
    }
    if meta_admin is None: del ident["body"]["metadata_admin"]
    if i % 2 == 1: ident["body"]["external_id"] = "crm-%04d" % (i * 37)
    identities.append(ident)

# Hostile and edge-case identities.
identities.append({"id": uid("hostile"), "created_at": "2026-04-01T00:00:00Z", "body": {
    "schema_id": "default", "external_id": "evil-\u001b[31mred",
    "traits": {"email": "mallory@example.com", "name": {"first": "\u001b[2J\u001b[HMallory", "last": "\u001b]52;c;ZWNobyBwd25lZA==\u0007Evil"},
               "department": "\u001b]0;owned\u0007 title change"},
    "metadata_public": {"note": "\u001b[5mblink\u001b[0m", "bidi": "\u202eevil\u202c"},
    "credentials": {"password": {"config": {"hashed_password": BCRYPT}}}}})
identities.append({"id": uid("long"), "created_at": "2026-04-02T00:00:00Z", "body": {
    "schema_id": "default", "traits": {"email": "long.value@example.com", "name": {"first": "L" * 200, "last": "Long"}, "department": "x" * 4000},
    "metadata_public": {"blob": "lorem ipsum " * 400, "nested": {"a": {"b": {"c": {"d": {"e": [1, 2, {"f": None}]}}}}}},
    "metadata_admin": {"history": [{"at": "2026-01-%02dT00:00:00Z" % d, "by": "admin", "change": "role"} for d in range(1, 29)]}}})
identities.append({"id": uid("svc"), "created_at": "2026-04-03T00:00:00Z", "body": {
    "schema_id": "service-account", "traits": {"client_name": "billing-exporter", "owner_email": "ops@example.com"},
    "metadata_admin": {"rotates": "quarterly"},
    "credentials": {"password": {"config": {"hashed_password": ARGON}}}}})
identities.append({"id": uid("org"), "created_at": "2026-04-04T00:00:00Z", "body": {
    "schema_id": "default", "organization_id": uid("acme-org"), "external_id": "acme-0001",
    "traits": {"email": "wile.e@acme.example", "name": {"first": "Wile E.", "last": "Coyote"}},
    "credentials": {"saml": {"config": {"providers": [{"provider": "acme-saml", "subject": "wile@acme", "organization": uid("acme-org")}]}}}}})
identities.append({"id": uid("migrate"), "created_at": "2026-04-05T00:00:00Z", "body": {
    "schema_id": "default", "traits": {"email": "legacy.user@example.com"}, "state": "inactive",
    "credentials": {"password": {"config": {"use_password_migration_hook": True}}}}})

uas = ["Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
       "idtui-e2e/1.0 (+https://example.invalid)", "curl/8.10.1"]
locs = ["Berlin, DE", "Tokyo, JP", "São Paulo, BR", "Nairobi, KE", None, "Auckland, NZ"]
n = 0
for i, ident in enumerate(identities[:30]):
    for k in range(i % 4):
        n += 1
        kind = (i + k) % 4  # 0,1 active; 2 revoked; 3 expired
        sessions.append({
            "id": uid("session-%d" % n), "identity_id": ident["id"],
            "active": kind != 2, "expires_in_hours": -6 - k if kind == 3 else 24 * (k + 1),
            "authenticated_hours_ago": 2 + n % 40,
            "aal": "aal2" if "totp" in ident["body"].get("credentials", {}) else "aal1",
            "methods": [{"method": "password" if "password" in ident["body"].get("credentials", {}) else "oidc", "aal": "aal1"}]
                       + ([{"method": "totp", "aal": "aal2"}] if "totp" in ident["body"].get("credentials", {}) else []),
            "devices": [{"id": uid("device-%d" % n), "ip_address": "203.0.113.%d" % (n % 250) if n % 5 else "2001:db8::%x" % n,
                         "user_agent": uas[n % len(uas)], "location": locs[n % len(locs)]}],
        })
sessions.append({"id": uid("session-hostile"), "identity_id": uid("hostile"), "active": True, "expires_in_hours": 12,
                 "authenticated_hours_ago": 1, "aal": "aal1", "methods": [{"method": "v0.6_legacy_session", "aal": ""}],
                 "devices": [{"id": uid("device-hostile"), "ip_address": "198.51.100.66",
                              "user_agent": "\u001b]52;c;cm0gLXJmIH4=\u0007Mozilla/5.0", "location": "\u001b[2JNowhere"}]})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo.json")
with open(out, "w") as f:
    json.dump({"identities": identities, "sessions": sessions}, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(len(identities), "identities,", len(sessions), "sessions")
