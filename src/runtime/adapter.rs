//! (api adapter: being built)
