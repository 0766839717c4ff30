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
    shutdown_signal().await;
    eprintln!("idtui sandbox: shutting down");
    running.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
