//! `idtui sandbox --kratos-version`: what the sandbox answers as Ory Kratos v1.3.1 where
//! that release differs from the current API (`latest`, the default). The differential test
//! (`tests/kratos_cases/differential.rs`) compares the `1.3.1` mode with a real v1.3.1; these
//! cases cover what it cannot reach or what needs the two modes side by side.

#[path = "sandbox_kratos_support/mod.rs"]
mod support;

use idtui_sandbox::{KratosVersion, SandboxOptions};
use reqwest::StatusCode;
use support::{Kratos, kratos_with, options};

async fn as_version(v: KratosVersion) -> Kratos {
    kratos_with(SandboxOptions {
        kratos_version: v,
        ..options()
    })
    .await
}

#[tokio::test]
async fn version_endpoints_name_the_claimed_release() {
    for (v, want) in [
        (KratosVersion::V1_3_1, "v1.3.1"),
        (KratosVersion::Latest, "v26.2.0"),
    ] {
        let k = as_version(v).await;
        for path in ["/version", "/admin/version"] {
            let r = k.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_eq!(r.body, serde_json::json!({"version": want}), "{path}");
        }
    }
    assert_eq!(
        SandboxOptions::for_tests().kratos_version,
        KratosVersion::Latest
    );
    assert_eq!(
        SandboxOptions::embedded().kratos_version,
        KratosVersion::Latest
    );
    assert_eq!("1.3.1".parse::<KratosVersion>(), Ok(KratosVersion::V1_3_1));
    assert_eq!("latest".parse::<KratosVersion>(), Ok(KratosVersion::Latest));
    assert!("1.3".parse::<KratosVersion>().is_err());
}
