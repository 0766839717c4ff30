//! (being built)

pub mod editor_view;
