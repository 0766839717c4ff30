//! The changes MATTR VII takes (each refused in read-only mode by the runtime), and how each
//! is named in confirmations and messages.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Change {
    /// `DELETE /users/{id}` (under the profile's prefix).
    DeleteUser { user: String },
    /// `PUT /users/{id}` replacing the user's claims.
    UpdateClaims { user: String, claims: Value },
}

impl Change {
    /// What is about to happen, naming the target.
    pub fn describe(&self) -> String {
        match self {
            Change::DeleteUser { user } => format!("delete user {user}"),
            Change::UpdateClaims { user, .. } => format!("update the claims of user {user}"),
        }
    }
}
