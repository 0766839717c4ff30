//! Typed views of the provider objects. Each keeps the JSON it came from in `raw`, so that
//! reading, editing and writing back never drops a field this version does not know. The
//! constructors never fail: a missing or oddly typed field leaves its typed slot empty.

mod core;
mod core_user_summary;
mod fields;
mod headless;
mod headless_summary;
mod identity_summary;
mod kratos;
mod lenient;
mod outline;
mod session_summary;

pub use self::core::{CoreCredential, CoreSearch, CoreUser};
pub use self::core_user_summary::CoreUserSummary;
pub use self::headless::{DeleteAction, HeadlessClient, HeadlessUser, HeadlessUserUpdate};
pub use self::headless_summary::HeadlessSummary;
pub use self::identity_summary::IdentitySummary;
pub use self::kratos::{
    Credential, Device, Identity, IdentityFilter, KratosVersion, Recovery, Schema, Session,
};
pub use self::outline::{Outline, Shape};
pub use self::session_summary::SessionSummary;
