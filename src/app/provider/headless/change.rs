//! The changes Coassemble takes (each refused in read-only mode by the runtime), and how
//! each is named in confirmations and messages.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Change {
    /// `DELETE /client/{id}`: the client and everything tied to it.
    DeleteClient { client: String },
    /// `DELETE /user/{id}`, with what happens to the user's courses.
    DeleteUser {
        user: String,
        client: Option<String>,
        courses: Courses,
    },
    /// `PUT /client/{id}` replacing the client's metadata.
    UpdateClientMetadata { client: String, metadata: Value },
    /// `PUT /user/{id}`: `body` holds `name`, `avatar` and the whole `metadata`;
    /// `clientIdentifier` goes with it when the user belongs to a client.
    UpdateUser {
        user: String,
        client: Option<String>,
        body: Value,
    },
}

/// What happens to a deleted Coassemble user's courses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Courses {
    /// Given to the user with this identifier.
    Reallocate(String),
    Delete,
    Ignore,
}

impl Change {
    /// What is about to happen, naming the target.
    pub fn describe(&self) -> String {
        match self {
            Change::DeleteClient { client } => {
                format!("delete client {client} with all its users and courses")
            }
            Change::DeleteUser { user, courses, .. } => match courses {
                Courses::Reallocate(to) => {
                    format!("delete user {user} and give their courses to {to}")
                }
                Courses::Delete => format!("delete user {user} and their courses"),
                Courses::Ignore => format!("delete user {user} and leave their courses"),
            },
            Change::UpdateClientMetadata { client, .. } => {
                format!("update the metadata of client {client}")
            }
            Change::UpdateUser { user, client, .. } => match client {
                Some(c) => format!("update user {user} of client {c}"),
                None => format!("update user {user}"),
            },
        }
    }
}
