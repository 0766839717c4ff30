//! `idtui sandbox`: run the emulator in the foreground and tell the user how to reach it.
//! The server itself is the `idtui-sandbox` crate; this is the command around it.

use std::time::Instant;

use crate::sandbox::{SandboxOptions, options, start};

/// `idtui sandbox`: serve until SIGINT or SIGTERM, then shut down cleanly.
pub async fn serve(mut options: SandboxOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    if options.token_in_argv {
        eprintln!(
            "warning: --token on the command line can be read by every local user with `ps`; \
             use --token-file FILE or the IDTUI_SANDBOX_TOKEN environment variable instead"
        );
    }
    options.read_token_file()?;
    let credential = match (&options.token, &options.provider_token) {
        (Some(_), _) => "every API requires the --token value (Kratos too)".to_owned(),
        (None, given) => {
            let t = given.clone().unwrap_or_else(options::generate_token);
            options.provider_token = Some(t.clone());
            format!(
                "MATTR and Coassemble require {t} (Bearer, client_secret, COASSEMBLE:{}:{t}); Kratos admin is open",
                options.headless_workspace
            )
        }
    };
    let running = start(options).await?;
    // Before saying where it listens: whoever reads that line may signal at once, and a
    // signal that comes before its handler ends the process instead of shutting it down.
    let shutdown = shutdown_signal();
    eprintln!(
        "idtui sandbox listening on {} (ready in {:.1?})\n  kratos admin: {}/admin/identities\n  mattr core:   {}/core/v1/users  (also /v1)\n  coassemble:   {}/api/v1/headless/clients  (also /v1/headless)",
        running.base_url,
        started.elapsed(),
        running.base_url,
        running.base_url,
        running.base_url
    );
    eprintln!(
        "  credential:   {}",
        crate::sanitize::clean_line(&credential)
    );
    shutdown.await;
    eprintln!("idtui sandbox: shutting down");
    running.stop().await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when
/// the future is first polled.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(interrupt) => {},
                _ = wait(terminate) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
