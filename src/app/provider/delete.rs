//! What `d` does with an object, as its provider says (`Object::delete`).

use crate::app::mutation::Mutation;

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
