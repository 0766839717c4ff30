//! The Kratos cases shared with the real-server run (`tests/kratos_cases/shared.rs`), here
//! against the sandbox. `tests/real_kratos.rs` runs the same cases against a real Ory Kratos.

mod common;
mod kratos_server;

#[path = "kratos_cases/case.rs"]
mod case;
#[path = "kratos_cases/cli.rs"]
mod cli;
#[path = "kratos_cases/dashboard.rs"]
mod dashboard;

#[path = "kratos_cases/shared.rs"]
mod shared;

/// The server the shared cases run against: a fresh sandbox per case.
pub async fn server() -> kratos_server::Server {
    kratos_server::sandbox().await
}
