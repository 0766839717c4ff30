//! `y` / `Y`: where a copy goes. Inside tmux, through tmux itself (`load-buffer -w`): the
//! text lands in tmux's paste buffer whatever its options, and tmux also hands it to the
//! outer terminal's clipboard when `set-clipboard` allows. The OSC 52 passthrough form is
//! dropped by a default tmux (`allow-passthrough` is off), so it is not relied on there.
//! Outside tmux, OSC 52 travels through the terminal itself, over SSH too.

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Action, ErrorInfo};
use crate::clipboard::{self, Osc52Env};

/// A tmux server that does not answer within this is not waited for.
const TMUX_LIMIT: Duration = Duration::from_secs(5);

/// Copy `text` (described to the user as `what`); the outcome comes back on `tx`.
pub fn copy(
    out: &mut impl Write,
    text: String,
    what: String,
    env: Osc52Env,
    tx: &UnboundedSender<Action>,
) {
    // The dashboard refuses such copies before they get here; this is the last gate, for
    // any path that forgets.
    if let Some(why) = crate::sanitize::copy_refusal(&text, true) {
        let _ = tx.send(failed(&crate::sanitize::clean_line(&what), &why));
        return;
    }
    if env.tmux {
        let tx = tx.clone();
        tokio::spawn(async move {
            let answer = match tokio::time::timeout(TMUX_LIMIT, load_buffer(&text)).await {
                Ok(Ok(())) => Action::Notice(format!(
                    "copied {what} to tmux's paste buffer (prefix ] pastes; tmux passes it on \
                     to your terminal's clipboard when set-clipboard allows)"
                )),
                Ok(Err(why)) => failed(&what, &why),
                Err(_) => failed(&what, "tmux did not answer within 5 s"),
            };
            let _ = tx.send(answer);
        });
        return;
    }
    let answer = match clipboard::copy(out, &text, env) {
        Ok(()) => Action::Notice(format!(
            "copied {what}: sent to your terminal's clipboard (OSC 52)"
        )),
        Err(e) => failed(&what, &e.to_string()),
    };
    let _ = tx.send(answer);
}

fn failed(what: &str, why: &str) -> Action {
    let line = format!("{what} not copied: {why}");
    Action::EffectFailed(ErrorInfo::new(line.clone(), line))
}

/// `tmux load-buffer -w -` with `text` on its standard input (never in argv: a copied JSON
/// document is nobody else's business). tmux before 3.2 has no `-w`: then without it.
async fn load_buffer(text: &str) -> Result<(), String> {
    match run_tmux(&["load-buffer", "-w", "-"], text).await {
        Err(e) if e.contains("-w") || e.contains("unknown flag") || e.contains("usage") => {
            run_tmux(&["load-buffer", "-"], text).await
        }
        other => other,
    }
}

async fn run_tmux(args: &[&str], text: &str) -> Result<(), String> {
    let mut child = tokio::process::Command::new("tmux")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run tmux: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .await
            .map_err(|e| format!("cannot write to tmux: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| format!("tmux failed: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(format!(
        "tmux {}: {}",
        args.join(" "),
        crate::sanitize::clean_line(err.trim())
    ))
}
