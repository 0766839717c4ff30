//! What is particular to each provider on the app side, one module per provider (as in
//! `idtui-api`): its lists and objects (what each is called, holds, shows and serves per
//! page), its changes (`change`, one variant per call), the tables of columns its lists show
//! and the typed values a row of them keeps, how its objects read in the detail view, and
//! what `d` does with each of them. `ListKind`, `ObjectKind` and `Mutation` nest each
//! provider's own `List`, `Object` and `Change`, so shared code asks the provider through one
//! exhaustive match, and a new provider is a new module here plus its variants there. (The
//! runtime's provider modules fill the row values from the API's records; `app` sees no API
//! type.)

pub mod core;
pub mod credentials;
pub mod delete;
pub mod headless;
pub mod kratos;

pub use delete::{Delete, Typed};
