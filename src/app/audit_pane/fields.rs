//! What the audit trail shows of one line, as the values a row keeps; `columns` reads them.

/// What the trail shows of one line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// RFC 3339, as written.
    pub time: String,
    pub profile: String,
    /// Who made the change: the SSH key's name, or the local login; blank on a line
    /// written before lines named anyone.
    pub by: String,
    pub method: String,
    /// The request path (the object when there was none); for a line that cannot be
    /// shown, what is wrong with it.
    pub path: String,
    pub outcome: String,
    pub request_id: String,
}
