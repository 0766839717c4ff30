//! What a line of `:find`'s results keeps; `columns` reads it.

/// A line of the results: a hit on a profile, or where that profile's search is (no id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found {
    /// The profile's name (the user's own words).
    pub profile: String,
    /// The hit's own id on its profile (the row's id is the place in the results).
    pub id: String,
    /// How people name the hit; on a profile's status line, what its search came to.
    pub name: String,
    /// What the hit is (`identity`, `user`), or `error`.
    pub what: String,
}
