//! idtui: a keyboard-driven terminal dashboard for identity admins.
//!
//! Layout (see DESIGN.md): `app` is the pure state machine, `ui` pure rendering, `runtime`
//! the tokio event loop and the only place effects run, `api` the typed HTTP clients,
//! `sandbox` the local emulator of the three admin APIs.

pub use idtui_api as api;
pub mod app;
pub mod audit_log;
pub mod bulk_journal;
pub mod cli;
pub mod clipboard;
pub mod column_file;
pub mod command_history;
pub mod config;
pub mod connect;
pub mod drafts;
pub mod editor;
pub mod keymap;
pub mod local_files;
pub mod logging;
pub mod runtime;
pub use idtui_sandbox as sandbox;
pub mod sanitize;
pub mod script;
pub mod serve;
pub mod serve_sandbox;
mod sys;
pub mod ui;
