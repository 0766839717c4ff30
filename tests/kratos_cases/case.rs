//! One Kratos test case's world, shared by the dashboard's and the subcommands' cases: the
//! server of the crate that includes it (the sandbox, or real Kratos v1.3.1), one identity on
//! it with a unique email and a password, and a config file pointing at the server.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::kratos_server::{Server, email};

pub struct Case {
    pub rt: tokio::runtime::Runtime,
    pub server: Server,
    pub dir: tempfile::TempDir,
    pub email: String,
    pub id: String,
}

impl Case {
    /// A server and one identity on it, with a password so that it can log in.
    pub fn new(tag: &str) -> Case {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = rt.block_on(crate::server());
        let email = email(tag);
        let created = rt.block_on(server.create_body(json!({
            "schema_id": "default",
            "traits": {"email": email, "name": {"first": "Before", "last": "Edit"}},
            "metadata_public": {"plan": "free"},
            "credentials": {"password": {"config": {"password": crate::kratos_server::PASSWORD}}},
        })));
        let id = created["id"].as_str().expect("id").to_owned();
        Case {
            rt,
            server,
            dir: tempfile::tempdir().expect("temp dir"),
            email,
            id,
        }
    }

    /// A config file with one Kratos profile, `kratos`, on this server.
    pub fn config(&self) -> PathBuf {
        let path = self.dir.path().join("idtui-kratos.toml");
        std::fs::write(
            &path,
            format!(
                "[profiles.kratos]\nprovider = \"kratos\"\nurl = \"{}\"\npublic_url = \"{}\"\n",
                self.server.admin, self.server.public
            ),
        )
        .expect("config");
        path
    }

    /// The identity as the server holds it now.
    pub fn identity(&self) -> Value {
        let r = self
            .rt
            .block_on(self.server.get(&format!("/admin/identities/{}", self.id)));
        assert_eq!(r.status, 200, "{}", r.text);
        r.body
    }
}
