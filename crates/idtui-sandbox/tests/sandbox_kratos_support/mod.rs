//! Shared helpers for the Kratos sandbox tests: start a server, talk JSON, look up demo data,
//! and check bodies against the OpenAPI component schemas.
#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

use std::sync::LazyLock;

use idtui_sandbox::{RunningSandbox, SandboxOptions, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod reply;
pub use reply::{Reply, send};

pub const DEMO: &str = include_str!("../../assets/kratos/demo.json");

pub struct Kratos {
    pub server: RunningSandbox,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

pub fn options() -> SandboxOptions {
    SandboxOptions {
        demo: true,
        ..SandboxOptions::for_tests()
    }
}

pub async fn kratos() -> Kratos {
    kratos_with(options()).await
}

pub async fn kratos_with(opts: SandboxOptions) -> Kratos {
    let token = opts.token.clone();
    let server = start(opts).await.expect("sandbox starts");
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Kratos {
        server,
        http,
        token,
    }
}

impl Kratos {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.base_url, path)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        send(req).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    /// Create a minimal identity and return its JSON.
    pub async fn create(&self, email: &str) -> Value {
        let r = self
            .post(
                "/admin/identities",
                json!({"schema_id": "default", "traits": {"email": email}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body
    }

    /// Follow `next` links from `first_path` to the end, returning every row's id.
    pub async fn walk(&self, first_path: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut next = Some(first_path.to_owned());
        let mut pages = 0;
        while let Some(path) = next {
            let r = self.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
            let rows = r.body.as_array().expect("array page");
            assert!(!rows.is_empty(), "keyset pages are never empty: {path}");
            ids.extend(rows.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
            next = r.link("next");
            pages += 1;
            assert!(pages < 10_000, "walk does not terminate");
        }
        ids
    }
}

/// Id of the demo identity with this email.
pub fn demo_id(email: &str) -> String {
    let demo: Value = serde_json::from_str(DEMO).unwrap();
    demo["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["body"]["traits"]["email"] == email)
        .unwrap_or_else(|| panic!("no demo identity {email}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn demo() -> Value {
    serde_json::from_str(DEMO).unwrap()
}

/// Turn OpenAPI 3.0 `nullable: true` into JSON Schema (`type: [T, "null"]`).
fn nullable_to_json_schema(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("nullable") == Some(&Value::Bool(true)) {
                m.remove("nullable");
                match m.get("type").cloned() {
                    Some(Value::String(t)) => {
                        m.insert("type".into(), json!([t, "null"]));
                    }
                    Some(_) => {}
                    None => {
                        let inner = Value::Object(std::mem::take(m));
                        m.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                    }
                }
            }
            for child in m.values_mut() {
                nullable_to_json_schema(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(nullable_to_json_schema),
        _ => {}
    }
}

/// The spec as JSON Schema, with the sandbox's documented deviations from the spec text:
/// - `sessionDevice.ip_address/user_agent/location` may be `null` (api/kratos.md §2.3);
/// - `sessionAuthenticationMethod.aal` may be `""` and `method` `v0.6_legacy_session` on
///   legacy rows (§2.3);
/// - `session.identity` and `session.devices` are `null` when not expanded (§2.3).
static SPEC: LazyLock<Value> = LazyLock::new(|| {
    let mut spec: Value =
        serde_json::from_str(include_str!("../../../../tests/data/kratos-openapi.json")).unwrap();
    let schemas = &mut spec["components"]["schemas"];
    for f in ["ip_address", "user_agent", "location"] {
        schemas["sessionDevice"]["properties"][f]["nullable"] = json!(true);
    }
    schemas["sessionAuthenticationMethod"]["properties"]["aal"] = json!({"anyOf": [{"$ref": "#/components/schemas/authenticatorAssuranceLevel"}, {"const": ""}]});
    let method = &mut schemas["sessionAuthenticationMethod"]["properties"]["method"];
    method["enum"]
        .as_array_mut()
        .expect("method enum")
        .push(json!("v0.6_legacy_session"));
    schemas["session"]["properties"]["identity"] =
        json!({"anyOf": [{"$ref": "#/components/schemas/identity"}, {"type": "null"}]});
    schemas["session"]["properties"]["devices"]["nullable"] = json!(true);
    nullable_to_json_schema(&mut spec);
    spec
});

/// Assert `value` satisfies `#/components/schemas/<name>` of the OpenAPI document.
pub fn assert_spec(name: &str, value: &Value) {
    let mut root = SPEC.clone();
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    let validator = jsonschema::validator_for(&root).expect("spec compiles");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{name} violates the spec: {errors:#?}");
}
