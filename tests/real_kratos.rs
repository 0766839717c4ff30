//! The Kratos test cases against the real Ory Kratos v1.3.1, plus the differential test that
//! compares it with the sandbox. Not part of a plain `cargo test` (it needs Go to build the
//! server): `scripts/real-kratos.sh` builds and starts Kratos, then runs
//! `cargo test --test real_kratos` with `IDTUI_REAL_KRATOS_URL` and
//! `IDTUI_REAL_KRATOS_PUBLIC_URL` set. Without them every test here fails.

mod common;
mod kratos_server;

#[path = "kratos_cases/case.rs"]
mod case;
#[path = "kratos_cases/cli.rs"]
mod cli;
#[path = "kratos_cases/dashboard.rs"]
mod dashboard;

#[path = "kratos_cases/differential.rs"]
mod differential;
#[path = "kratos_cases/shared.rs"]
mod shared;

/// The server the shared cases run against.
pub async fn server() -> kratos_server::Server {
    kratos_server::real()
}
