//! What is particular to each provider on the app side, one module per provider (as in
//! `idtui-api`): its lists and objects (what each is called, holds, shows and serves per
//! page), the tables of columns its lists show and the typed values a row of them keeps, and
//! what `d` does with each of its objects. `ListKind` and `ObjectKind` nest each provider's
//! own `List` and `Object`, so shared code asks the provider through one exhaustive match,
//! and a new provider is a new module here plus its variants there. (The runtime's provider
//! modules fill the row values from the API's records; `app` sees no API type.)

use super::mutation::Mutation;

pub mod core;
pub mod credentials;
pub mod headless;
pub mod kratos;

/// What `d` does with an object.
#[derive(Debug, Clone, PartialEq)]
pub enum Delete {
    /// Ask before sending `mutation`, the person typing `typed` of the id to confirm.
    Ask { mutation: Mutation, typed: Typed },
    /// Ask first what happens to what it owns (a Coassemble user's courses).
    ChooseCourses,
    /// It is not deleted with `d`: why.
    Refused(&'static str),
}

/// How much of an object's id a delete asks to be typed: the more it takes with it, the more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    /// Its first 8 characters (it cascades to what hangs under it).
    Start,
    /// All of it (it takes every user and course of a client with it).
    Whole,
}
