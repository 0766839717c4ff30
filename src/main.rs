use clap::Parser;
use idtui::cli::{Cli, Command};
use idtui::keymap::Keymap;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Some(Command::Sandbox(opts)) => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| "info".into()),
                )
                .with_writer(std::io::stderr)
                .init();
            rt.block_on(idtui::sandbox::serve(*opts))
        }
        Some(Command::Keys) => {
            let (keymap, issues) = Keymap::load(Keymap::user_file().as_deref());
            for issue in issues {
                eprintln!("warning: {issue}");
            }
            print!("{}", keymap.render_text());
            Ok(())
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
            std::process::exit(exit.code())
        }
    }
}
