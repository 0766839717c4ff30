//! idtui: a keyboard-driven terminal dashboard for identity admins.
//!
//! Layout (see DESIGN.md): `app` is the pure state machine, `ui` pure rendering, `runtime`
//! the tokio event loop and the only place effects run, `api` the typed HTTP clients,
//! `sandbox` the local emulator of the three admin APIs.

pub mod api;
pub mod app;
pub mod audit_log;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod drafts;
pub mod editor;
pub mod keymap;
pub mod logging;
pub mod runtime;
pub mod sandbox;
pub mod sanitize;
pub mod ui;
