//! One Kratos admin API behind the shared Kratos test cases: the sandbox started in-process,
//! or the real Ory Kratos that `scripts/real-kratos.sh` builds and starts, named by
//! `IDTUI_REAL_KRATOS_URL` (admin base URL) and `IDTUI_REAL_KRATOS_PUBLIC_URL`.
//!
//! The cases never assume an empty server: the real one is shared by every test of a run, so
//! each case makes its own identities (unique emails) and looks only at those.
#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

use std::time::Duration;

use idtui::api::{Api, KratosApi, RetryPolicy};
use idtui::config::{Profile, Provider};
use idtui::sandbox::{RunningSandbox, SandboxOptions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[path = "../../crates/idtui-sandbox/tests/sandbox_kratos_support/reply.rs"]
mod reply;
#[allow(
    unused_imports,
    reason = "only the differential cases (real_kratos) read a response themselves"
)]
pub use reply::reply;
pub use reply::{Reply, send};

pub const REAL_URL_VAR: &str = "IDTUI_REAL_KRATOS_URL";
pub const REAL_PUBLIC_URL_VAR: &str = "IDTUI_REAL_KRATOS_PUBLIC_URL";

/// A password good enough for Kratos's policy (length, not similar to the identifier).
pub const PASSWORD: &str = "Tr0ub4dor-and-3-horses";

pub struct Server {
    /// Admin base URL (the API is under `/admin`).
    pub admin: String,
    /// Public base URL (`/schemas`, `/self-service/login/api`).
    pub public: String,
    /// The real Ory Kratos (v1.3.1), not the sandbox.
    pub real: bool,
    pub http: reqwest::Client,
    _sandbox: Option<RunningSandbox>,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// A fresh, empty sandbox on a random loopback port, answering as the current API (`latest`).
pub async fn sandbox() -> Server {
    sandbox_as("latest").await
}

/// A fresh, empty sandbox answering as Kratos `version` (`1.3.1` or `latest`, as
/// `idtui sandbox --kratos-version` takes it).
pub async fn sandbox_as(version: &str) -> Server {
    let kratos_version = version
        .parse()
        .unwrap_or_else(|e| panic!("not a --kratos-version: {version}: {e}"));
    let server = idtui::sandbox::start(SandboxOptions {
        kratos_version,
        ..SandboxOptions::for_tests()
    })
    .await
    .expect("sandbox starts");
    Server {
        admin: server.base_url.clone(),
        public: server.base_url.clone(),
        real: false,
        http: client(),
        _sandbox: Some(server),
    }
}

/// The real Kratos named by the environment. Without it this fails (never skips): a test
/// run that asked for the real server must not pass against nothing.
pub fn real() -> Server {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| {
                panic!(
                    "{name} is not set: these tests need a real Ory Kratos; \
                     run them with scripts/real-kratos.sh"
                )
            })
            .trim_end_matches('/')
            .to_owned()
    };
    Server {
        admin: var(REAL_URL_VAR),
        public: var(REAL_PUBLIC_URL_VAR),
        real: true,
        http: client(),
        _sandbox: None,
    }
}

/// A unique, lower-case email for one test's identity.
pub fn email(tag: &str) -> String {
    format!(
        "{tag}.{}@idtui.test",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

impl Server {
    pub fn name(&self) -> &'static str {
        if self.real {
            "real Kratos v1.3.1"
        } else {
            "sandbox"
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.admin, path)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        send(req).await
    }

    /// A request with a raw body and content type (or none).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: impl Into<reqwest::Body>,
        content_type: Option<&str>,
    ) -> Reply {
        let mut req = self.http.request(method, self.url(path)).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
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

    /// Create an identity from a full body; panics unless 201.
    pub async fn create_body(&self, body: Value) -> Value {
        let r = self.post("/admin/identities", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}: {}", self.name(), r.text);
        r.body
    }

    /// Create a `default`-schema identity with these traits (email required).
    pub async fn create(&self, traits: Value) -> Value {
        self.create_body(json!({"schema_id": "default", "traits": traits}))
            .await
    }

    /// An identity with a password credential, so that it can log in.
    pub async fn create_with_password(&self, email: &str) -> Value {
        self.create_body(json!({
            "schema_id": "default",
            "traits": {"email": email, "name": {"first": "Test", "last": "Person"}},
            "credentials": {"password": {"config": {"password": PASSWORD}}},
        }))
        .await
    }

    /// Many identities in one batch call (`PATCH /admin/identities`); returns their ids.
    pub async fn create_many(&self, emails: &[String]) -> Vec<String> {
        let mut ids = Vec::new();
        for chunk in emails.chunks(500) {
            let items: Vec<Value> = chunk
                .iter()
                .map(|e| json!({"create": {"schema_id": "default", "traits": {"email": e}}}))
                .collect();
            let r = self
                .patch("/admin/identities", json!({"identities": items}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}: {}", self.name(), r.text);
            for item in r.body["identities"].as_array().expect("batch answer") {
                assert_eq!(item["action"], "create", "{item}");
                ids.push(item["identity"].as_str().expect("identity id").to_owned());
            }
        }
        ids
    }

    /// Log in through the public API flow, as a user's app would: the only way real Kratos
    /// makes a session. Returns the session as the login answer shows it.
    pub async fn login(&self, identifier: &str, user_agent: &str) -> Value {
        let flow = send(
            self.http
                .get(format!("{}/self-service/login/api", self.public))
                .header("accept", "application/json"),
        )
        .await;
        assert_eq!(
            flow.status,
            StatusCode::OK,
            "{}: {}",
            self.name(),
            flow.text
        );
        let id = flow.body["id"].as_str().expect("flow id").to_owned();
        let done = send(
            self.http
                .post(format!("{}/self-service/login?flow={id}", self.public))
                .header("accept", "application/json")
                .header("user-agent", user_agent)
                .json(
                    &json!({"method": "password", "identifier": identifier, "password": PASSWORD}),
                ),
        )
        .await;
        assert_eq!(
            done.status,
            StatusCode::OK,
            "{}: {}",
            self.name(),
            done.text
        );
        assert!(
            done.body["session_token"]
                .as_str()
                .is_some_and(|t| t.starts_with("ory_st_")),
            "{}",
            done.text
        );
        done.body["session"].clone()
    }

    /// A Kratos profile for the dashboard and the API client.
    pub fn profile(&self) -> Profile {
        let mut p = Profile::new("kratos", Provider::Kratos, &self.admin);
        p.public_url = Some(self.public.clone());
        p
    }

    pub fn api(&self) -> KratosApi {
        let quick = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
            max_total_delay: Duration::from_secs(5),
        };
        match idtui::connect::connect_with(&self.profile(), false, quick).expect("connect") {
            Api::Kratos(k) => k,
            other => panic!("expected kratos, got {other:?}"),
        }
    }

    /// Follow `next` links from `first_path` to the end, returning every row's id.
    pub async fn walk(&self, first_path: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut next = Some(first_path.to_owned());
        let mut pages = 0;
        while let Some(path) = next {
            let r = self.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
            ids.extend(
                r.rows()
                    .iter()
                    .map(|i| i["id"].as_str().expect("id").to_owned()),
            );
            next = r.link("next");
            pages += 1;
            assert!(pages < 10_000, "walk does not terminate");
        }
        ids
    }
}
