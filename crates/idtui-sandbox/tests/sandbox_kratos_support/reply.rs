//! A Kratos answer as the Kratos tests read it (status, headers, JSON body and its text),
//! shared by the sandbox crate's Kratos tests and the root's cases run against the sandbox or
//! a real Ory Kratos (included there by `#[path]`).
#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `rel` → relative URL from the `Link` header.
    pub fn link(&self, rel: &str) -> Option<String> {
        let link = self.header("link")?;
        link.split(',').find_map(|part| {
            let (url, r) = part.split_once(';')?;
            (r.trim() == format!("rel=\"{rel}\"")).then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
        })
    }

    pub fn reason(&self) -> &str {
        self.body["error"]["reason"].as_str().unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    pub fn rows(&self) -> &Vec<Value> {
        self.body
            .as_array()
            .unwrap_or_else(|| panic!("an array body, got {}: {}", self.status, self.text))
    }
}

pub async fn send(req: reqwest::RequestBuilder) -> Reply {
    reply(req.send().await.expect("request reaches the server")).await
}

pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}
