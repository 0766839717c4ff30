use std::path::Path;

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/cfg/config.toml"))
}

#[test]
fn profiles_of_every_provider_load() {
    let c = parse(
        r#"
default_profile = "prod"

[profiles.prod]
provider = "kratos"
url = "https://example.projects.oryapis.com"
token_env = "ORY_PAT"
public_url = "https://example.projects.oryapis.com"
timeout_secs = 5
read_only = true

[profiles.mattr]
provider = "core"
url = "https://learn.vii.au01.mattr.global"
prefix = "/core/v1"
auth_url = "https://auth.au01.mattr.global"
client_id = "abc"
client_secret_command = "pass show mattr"
audience = "https://learn.vii.au01.mattr.global"

[profiles.embed]
provider = "headless"
url = "https://api.coassemble.com/api"
workspace_id = "123"
token_file = "/run/secrets/coassemble"
ca_file = "/etc/ssl/corp.pem"
"#,
    )
    .unwrap();
    assert_eq!(c.default_profile.as_deref(), Some("prod"));
    let prod = c.profile("prod").unwrap();
    assert_eq!(prod.name, "prod");
    assert_eq!(prod.provider, Provider::Kratos);
    assert!(prod.read_only);
    assert_eq!(prod.timeout(), Duration::from_secs(5));
    assert_eq!(prod.connect_timeout(), Duration::from_secs(10));
    let mattr = c.profile("mattr").unwrap();
    assert!(mattr.uses_oauth());
    assert_eq!(mattr.prefix.as_deref(), Some("/core/v1"));
    assert_eq!(
        c.profile("embed").unwrap().workspace_id.as_deref(),
        Some("123")
    );
    assert!(matches!(
        c.profile("nope"),
        Err(ConfigError::UnknownProfile(_))
    ));
}

#[test]
fn unknown_keys_name_the_key_and_the_file() {
    let err = parse(
        "[profiles.a]\nprovider = \"kratos\"\nurl = \"http://x\"\ntoken = \"inline-secret\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("/cfg/config.toml"), "{err}");
    assert!(err.contains("token"), "{err}");
    assert!(!err.contains('\n'), "{err}");
    // The value of a rejected key is never echoed as part of the message text we build.
    let top = parse("colour = \"red\"\n").unwrap_err().to_string();
    assert!(top.contains("colour"), "{top}");
}

#[test]
fn inconsistent_profiles_are_rejected_with_the_profile_named() {
    for (text, needle) in [
        (
            "[profiles.h]\nprovider = \"headless\"\nurl = \"http://x\"\n",
            "workspace_id",
        ),
        (
            "[profiles.k]\nprovider = \"kratos\"\nurl = \"http://x\"\ntoken_env = \"A\"\ntoken_file = \"/b\"\n",
            "only one",
        ),
        (
            "[profiles.c]\nprovider = \"core\"\nurl = \"http://x\"\nclient_id = \"a\"\n",
            "OAuth needs",
        ),
        (
            "[profiles.c]\nprovider = \"core\"\nurl = \"http://x\"\nprefix = \"v1\"\n",
            "must start with",
        ),
        (
            "[profiles.k]\nprovider = \"kratos\"\nurl = \"http://x\"\nworkspace_id = \"1\"\n",
            "headless",
        ),
        (
            "[profiles.k]\nprovider = \"okta\"\nurl = \"http://x\"\n",
            "okta",
        ),
        ("default_profile = \"ghost\"\n", "ghost"),
    ] {
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains(needle), "{text}: {err}");
        assert!(err.contains("/cfg/config.toml"), "{err}");
    }
}

#[test]
fn secrets_come_from_env_file_or_command_and_never_print() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tok");
    std::fs::write(&file, "  from-file\n").unwrap();
    private(&file, 0o600);

    let mut p = Profile::new("t", Provider::Kratos, "http://x");
    p.token_file = Some(file);
    let s = p.resolve_token().unwrap().unwrap();
    assert_eq!(s.expose(), "from-file");
    assert_eq!(format!("{s} {s:?}"), "*** ***");
    assert!(!format!("{p:?}").contains("from-file"));

    let mut p = Profile::new("t", Provider::Kratos, "http://x");
    p.token_command = Some("printf ' from-cmd \\n'".into());
    assert_eq!(p.resolve_token().unwrap().unwrap().expose(), "from-cmd");

    p.token_command = Some("echo leaked-secret; exit 3".into());
    let err = p.resolve_token().unwrap_err().to_string();
    assert!(err.contains("token_command failed"), "{err}");
    assert!(!err.contains("leaked-secret"), "{err}");

    let mut p = Profile::new("t", Provider::Kratos, "http://x");
    p.token_env = Some("IDTUI_TEST_SURELY_UNSET_VAR".into());
    let err = p.resolve_token().unwrap_err().to_string();
    assert!(
        err.contains("IDTUI_TEST_SURELY_UNSET_VAR is not set"),
        "{err}"
    );

    let p = Profile::new("t", Provider::Kratos, "http://x");
    assert_eq!(p.resolve_token().unwrap(), None);
}

fn private(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

#[cfg(unix)]
#[test]
fn a_secret_file_others_may_read_is_refused_as_ssh_does() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("coassemble key");
    std::fs::write(&file, "the-secret\n").unwrap();
    let mut p = Profile::new("embed", Provider::Kratos, "http://x");
    p.token_file = Some(file.clone());
    for (mode, who) in [
        (0o644, "anyone on this machine can read it"),
        (0o640, "its group can read it"),
        (0o620, "its group or others have rights on it"),
    ] {
        private(&file, mode);
        let err = p.resolve_token().unwrap_err().to_string();
        let shown = file.display();
        assert!(err.contains("token_file"), "{err}");
        assert!(
            err.contains(&format!("{shown} has mode 0{mode:o}")),
            "{err}"
        );
        assert!(err.contains(who), "{err}");
        assert!(err.contains(&format!("chmod 600 '{shown}'")), "{err}");
        assert!(!err.contains("the-secret"), "{err}");
    }
    for mode in [0o600, 0o400] {
        private(&file, mode);
        assert_eq!(p.resolve_token().unwrap().unwrap().expose(), "the-secret");
    }
    // The client secret of an OAuth profile is held to the same rule.
    private(&file, 0o604);
    let mut p = Profile::new("mattr", Provider::Core, "http://x");
    p.client_secret_file = Some(file.clone());
    let err = p.resolve_client_secret().unwrap_err().to_string();
    assert!(
        err.contains("client_secret_file") && err.contains("chmod 600"),
        "{err}"
    );
}

#[test]
fn load_reports_a_missing_file() {
    let err = Config::load(Path::new("/definitely/not/here.toml")).unwrap_err();
    assert!(err.to_string().contains("/definitely/not/here.toml"));
}

#[test]
fn embedded_profiles_carry_the_sandbox_credential_to_mattr_and_coassemble_only() {
    let profiles = embedded_profiles("http://127.0.0.1:4455/", Some("sbx_run_secret"));
    let names: Vec<&str> = profiles.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["kratos", "core", "headless"]);
    for (name, p) in &profiles {
        assert!(p.url.starts_with("http://127.0.0.1:4455"));
        let token = p.resolve_token().unwrap();
        if name == "kratos" {
            assert_eq!(token, None, "the embedded Kratos admin is open");
        } else {
            assert_eq!(token.unwrap().expose(), "sbx_run_secret");
        }
        assert!(
            !format!("{p:?}").contains("sbx_run_secret"),
            "Debug hides it"
        );
        p.check().unwrap();
    }
    assert_eq!(profiles[2].1.url, "http://127.0.0.1:4455/api");
}

#[test]
fn parse_errors_never_quote_the_offending_line() {
    // toml's message carries a source excerpt (`4 | token = "…"`); a secret written inline
    // by mistake must not reach the terminal or the status bar through it.
    for text in [
        "[profiles.a]\nprovider = \"kratos\"\nurl = \"http://x\"\ntoken = \"inline-secret\"\n",
        "[profiles.a]\nprovider = \"kratos\"\nurl = \"http://x\"\ntoken_env = inline-secret\n",
    ] {
        let err = parse(text).unwrap_err().to_string();
        assert!(!err.contains("inline-secret"), "{err}");
        assert!(err.contains("line 4"), "{err}");
    }
}

#[test]
fn config_dir_takes_an_absolute_xdg_config_home_only() {
    assert_eq!(
        config_dir_from(Some("/xdg/config".into())),
        Some(PathBuf::from("/xdg/config/idtui"))
    );
    // A relative value is ignored, as the XDG spec requires (and as the state dir does).
    assert_eq!(config_dir_from(Some("rel".into())), config_dir_from(None));
    assert_ne!(config_dir_from(None), Some(PathBuf::from("rel/idtui")));
}

#[test]
fn a_command_that_hangs_is_killed_at_its_limit() {
    let started = std::time::Instant::now();
    let err = super::run_limited("sleep 30; echo late", Duration::from_millis(300)).unwrap_err();
    assert!(err.contains("did not finish within"), "{err}");
    // Killed, not waited for: far below the command's 30 s (a bound, not a timing).
    assert!(started.elapsed() < Duration::from_secs(20));
    let (status, out) = super::run_limited("printf tok", Duration::from_secs(10)).unwrap();
    assert!(status.success());
    assert_eq!(out, b"tok");
}

#[test]
fn page_size_is_taken_within_the_providers_limit_and_refused_outside_it() {
    let text = |provider: &str, n: u32| {
        let workspace = if provider == "headless" {
            "workspace_id = \"1\"\n"
        } else {
            ""
        };
        format!(
            "[profiles.p]\nprovider = \"{provider}\"\nurl = \"http://x\"\n{workspace}page_size = {n}\n"
        )
    };
    let c = parse(&text("kratos", 500)).unwrap();
    assert_eq!(c.profile("p").unwrap().page_size, Some(500));
    assert!(parse(&text("core", 1000)).is_ok());
    let err = parse(&text("kratos", 501)).unwrap_err().to_string();
    assert!(
        err.contains("page_size = 501: give a number from 1 to 500"),
        "{err}"
    );
    let err = parse(&text("headless", 0)).unwrap_err().to_string();
    assert!(err.contains("from 1 to 1000"), "{err}");
}
