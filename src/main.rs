use std::io::IsTerminal;

use idtui::cli::{Cli, Command};
use idtui::keymap::Keymap;
use idtui::sanitize;
use idtui::ui::theme::Theme;

fn main() {
    // Records may nest as deep as the servers accept, and a `Value` recurses once per level
    // wherever it is decoded, drawn or dropped: every thread gets a stack for that.
    let code = idtui::api::json::on_deep_stack(|| match run() {
        Ok(code) => code,
        Err(e) => {
            // Errors quote argv, config and paths: cleaned like everything else printed.
            eprintln!("Error: {}", sanitize::text(&format!("{e:#}")));
            1
        }
    });
    std::process::exit(code);
}

/// The exit status: 0, clap's for a bad command line, or 128 + n after signal n.
fn run() -> anyhow::Result<i32> {
    let cli = match Cli::try_parse_noting_sources() {
        Ok(cli) => cli,
        Err(e) => {
            // clap echoes the arguments it rejects; its plain rendering, cleaned.
            let text = sanitize::text(&e.render().to_string());
            if e.use_stderr() {
                eprint!("{text}");
            } else {
                print!("{text}");
            }
            return Ok(e.exit_code());
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(idtui::api::json::STACK_BYTES)
        .build()?;
    match cli.command {
        Some(Command::Sandbox(_)) if cli.profile.is_some() || cli.read_only => {
            // Global for the subcommands, but the sandbox has no profiles to open or guard.
            eprintln!(
                "error: --profile and --read-only are for the dashboard and its subcommands, \
                 not for `idtui sandbox`"
            );
            Ok(2)
        }
        Some(Command::Sandbox(opts)) => {
            log_to_stderr(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "info".into()),
            );
            rt.block_on(idtui::serve_sandbox::serve(*opts))?;
            Ok(0)
        }
        Some(Command::Serve(args)) => {
            log_to_stderr(
                tracing_subscriber::EnvFilter::try_from_env(idtui::logging::LOG_ENV)
                    .unwrap_or_else(|_| "info,russh=warn".into()),
            );
            let limits = idtui::serve::limits::Limits {
                sessions: args.max_sessions as usize,
                sessions_per_key: args.max_sessions_per_key as usize,
                idle: args.idle_timeout,
                auth_failures: args.max_auth_failures,
            };
            let code = rt.block_on(idtui::serve::serve(idtui::serve::ServeOptions {
                listen: args.listen,
                authorized_keys: args.authorized_keys,
                host_key: args.host_key,
                limits,
                config: cli.config,
                profile: cli.profile,
                read_only: cli.read_only,
            }))?;
            // Sessions' tasks that outlived the wait are not waited for again.
            rt.shutdown_timeout(std::time::Duration::from_secs(1));
            Ok(code)
        }
        Some(Command::Keys) => {
            // The config is read first, as the dashboard would read it: a broken one is said
            // (and the status is 1) rather than hidden behind a keymap printed as if all were
            // well.
            let global = idtui::script::Global {
                config: cli.config,
                profile: cli.profile,
                read_only: cli.read_only,
            };
            if let Err(failure) = idtui::script::meta::check_config_loads(&global) {
                idtui::script::say(&failure.line);
                return Ok(failure.code.status());
            }
            let (keymap, issues) = Keymap::load(Keymap::user_file().as_deref());
            for issue in issues {
                eprintln!("warning: {}", sanitize::text(&issue.to_string()));
            }
            print!("{}", sanitize::text(&keymap.render_text()));
            Ok(0)
        }
        Some(command) => {
            let global = idtui::script::Global {
                config: cli.config,
                profile: cli.profile,
                read_only: cli.read_only,
            };
            let code = rt.block_on(idtui::script::run(command, global));
            drop(rt);
            Ok(code)
        }
        None => {
            let exit = rt.block_on(idtui::runtime::launch::dashboard(
                idtui::runtime::launch::LaunchOptions {
                    config: cli.config,
                    profile: cli.profile,
                    read_only: cli.read_only,
                },
            ))?;
            // Everything is restored and written by now; a signal's number goes into the
            // status, as a shell expects of a program a signal ended.
            drop(rt);
            Ok(exit.code())
        }
    }
}

/// The log of a server (`sandbox`, `serve`) on stderr. Colour is for a person at a terminal:
/// a log sent to a file or a pipe stays plain text a reader or grep takes as it is.
fn log_to_stderr(filter: tracing_subscriber::EnvFilter) {
    let color = std::io::stderr().is_terminal() && Theme::from_env().color;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .init();
}
