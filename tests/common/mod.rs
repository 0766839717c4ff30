//! Shared helpers for integration tests.
#![allow(
    dead_code,
    reason = "each test crate uses a different part of this module"
)]

pub mod plain;
pub mod pty;
pub mod sandbox;
pub mod ssh;
pub mod tmux;

/// Run `test` as the `idtui` binary runs its work: on threads whose stacks hold records as
/// deep as the servers accept (a test thread's 2 MiB would overflow on them).
pub fn on_deep_stacks<F: std::future::Future<Output = ()> + Send + 'static>(test: F) {
    idtui::api::json::on_deep_stack(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_stack_size(idtui::api::json::STACK_BYTES)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(test)
    });
}

/// A `/proc/PID/status` figure in kB (`VmRSS:`, `VmHWM:`), 0 when it cannot be read.
pub fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
