//! What is particular to each provider on the app side, one module per provider: for now
//! the tables of columns its lists show and the typed values a row of them keeps. (The
//! runtime's adapter fills those values from the API's records; `app` sees no API type.)

pub mod core;
pub mod credentials;
pub mod headless;
pub mod kratos;
