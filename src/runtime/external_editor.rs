//! `E`: hand the terminal to `$VISUAL` / `$EDITOR` for a moment. The file edited is the draft
//! itself, so the text is on disk before the editor starts and whatever it wrote survives a
//! crash of either program. Only for a local terminal (a future SSH session has none).

use std::path::Path;

use crate::drafts::DraftStore;

/// `$VISUAL`, then `$EDITOR`, then `vi`, as git and most Unix tools choose.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Write the draft, run the editor on it, and read back what it left there.
pub async fn edit(
    drafts: &DraftStore,
    key: &str,
    text: &str,
    prefer_draft: bool,
) -> Result<String, String> {
    let existing = if prefer_draft {
        drafts.load(key).ok().flatten()
    } else {
        None
    };
    let start = existing.as_deref().unwrap_or(text);
    let path = drafts
        .save(key, start)
        .map_err(|e| format!("cannot write the draft for $EDITOR: {e}"))?;
    let command = editor_command();
    run(&command, &path).await?;
    // Read back as any draft is: never through a link, and set to 0600 again should the
    // editor have saved a new file with its own mode.
    crate::local_files::read_to_string(&path)
        .map_err(|e| format!("cannot read the edited draft back: {e}"))
}

/// Run through `sh -c` so an editor given with arguments (`code --wait`) works, passing the
/// path as `$1` so no quoting of it is needed.
async fn run(command: &str, path: &Path) -> Result<(), String> {
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .await
        .map_err(|e| format!("cannot start `{command}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{command}` exited with {status}; the editor keeps your previous text"
        ))
    }
}
