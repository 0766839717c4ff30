//! Editors for JSON values (`e`: metadata, claims, a whole identity) and Kratos JSON
//! Patch documents (`p`). They hold text and answer questions about it; saving, drafts
//! and requests are the caller's. Drawn by `ui::editor_view`.

mod buffer;
mod json;
mod patch;
mod strict;

pub use buffer::{DiffKind, DiffLine, EditBuffer, JsonSyntaxError, diff};
pub use json::JsonEditor;
pub use patch::{
    JsonPatchEditor, PATCH_EXAMPLES, PATCH_TEMPLATE, apply_patch, risky_operations,
    split_preconditions, tests_hold,
};

/// What the editor view needs from either editor.
pub trait Editor {
    fn buffer(&self) -> &EditBuffer;
}
