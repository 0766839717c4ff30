//! Who may connect and what they may do: an OpenSSH `authorized_keys` file with idtui's own
//! options per key, read again for every authentication (an edit applies to the next
//! connection, no restart).
//!
//! ```text
//! idtui-role="write",idtui-profiles="prod,staging" ssh-ed25519 AAAA… Ada Lovelace
//! ```
//!
//! A key without `idtui-role` is a read key; without `idtui-profiles` it sees every
//! profile; its comment names the person. `from="10.0.0.0/8,!10.0.0.5"` limits where it may
//! connect from, as sshd reads it with its default `UseDNS no`: patterns (`*`, `?`, `!`,
//! CIDR) against the client's address. An option that restricts a key in ways idtui does
//! not enforce (`command=`, `no-pty`, …) makes idtui refuse that key rather than grant more
//! than sshd would.

use std::net::IpAddr;
use std::path::PathBuf;

use russh::keys::ssh_key::authorized_keys::Entry;
use russh::keys::{HashAlg, PublicKey};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Read,
    Write,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
        }
    }
}

/// A key's grant, as its line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    /// The profiles it sees (`None`: every profile).
    pub profiles: Option<Vec<String>>,
    /// The person, from the key's comment (cleaned of control characters).
    pub name: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// `from="…"`: the addresses it may connect from (`None`: any).
    pub from: Option<Vec<String>>,
}

impl Grant {
    /// Whether the key may be used from `peer`, as sshd reads `from=` without DNS: a
    /// pattern negated with `!` that matches refuses; else one that matches allows.
    pub fn allows_from(&self, peer: IpAddr) -> bool {
        let Some(patterns) = &self.from else {
            return true;
        };
        let peer = peer.to_canonical();
        let mut allowed = false;
        for pattern in patterns {
            let (negated, pattern) = match pattern.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, pattern.as_str()),
            };
            if address_matches(pattern, peer) {
                if negated {
                    return false;
                }
                allowed = true;
            }
        }
        allowed
    }

    pub fn sees(&self, profile: &str) -> bool {
        self.profiles
            .as_ref()
            .is_none_or(|p| p.iter().any(|n| n == profile))
    }
}

/// OpenSSH options that only narrow what sshd itself would allow and that idtui never
/// allows anyway (forwarding, X11, agent, rc files), or allow a pty idtui needs.
const HARMLESS: &[&str] = &[
    "restrict",
    "no-port-forwarding",
    "no-agent-forwarding",
    "no-x11-forwarding",
    "no-user-rc",
    "port-forwarding",
    "agent-forwarding",
    "x11-forwarding",
    "user-rc",
    "pty",
];

/// The authorized keys file.
#[derive(Debug, Clone)]
pub struct AuthorizedKeys {
    path: PathBuf,
    /// Public key files let in as write keys while `path` does not exist: the demo's way
    /// in on a fresh machine (demo data only, set by the server only then).
    own_keys: Vec<PathBuf>,
}

/// One line that grants nothing, and why (logged; never fatal for the other lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub why: String,
}

impl AuthorizedKeys {
    pub fn new(path: impl Into<PathBuf>) -> AuthorizedKeys {
        AuthorizedKeys {
            path: path.into(),
            own_keys: Vec::new(),
        }
    }

    /// While the file does not exist, the public keys of the user running the server
    /// (`~/.ssh/id_*.pub`) are let in as write keys. Only for the demo sandbox: with
    /// nothing but demo data behind it, `idtui serve --ssh` then `ssh -p 2222 localhost`
    /// works on a machine that has never had an authorized_keys file.
    pub fn or_own_keys(mut self) -> AuthorizedKeys {
        let Some(dir) = ssh_dir() else {
            return self;
        };
        let mut keys: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("id_") && n.ends_with(".pub"))
            })
            .collect();
        keys.sort();
        self.own_keys = keys;
        self
    }

    /// The own keys let in now (the file is missing), for the banner.
    pub fn own_keys_in_use(&self) -> Option<&[PathBuf]> {
        (!self.own_keys.is_empty() && !self.path.exists()).then_some(&self.own_keys[..])
    }

    /// `$HOME/.ssh/authorized_keys` of the user running the server.
    pub fn default_path() -> Option<PathBuf> {
        ssh_dir().map(|d| d.join("authorized_keys"))
    }

    /// The grant of `key` for a client at `peer`, read from the file as it is now (a line
    /// whose `from=` refuses `peer` grants nothing). `Err` when the file cannot be used at
    /// all (missing, unreadable, writable by others).
    pub fn lookup(&self, key: &PublicKey, peer: IpAddr) -> Result<Option<Grant>, String> {
        let text = self.read()?;
        let (grants, problems) = parse(&text);
        for p in &problems {
            tracing::warn!(file = %self.path.display(), line = p.line, why = %p.why, "authorized_keys line ignored");
        }
        Ok(grants
            .into_iter()
            .filter(|(k, _)| k.key_data() == key.key_data())
            .map(|(_, g)| g)
            .find(|g| {
                let allowed = g.allows_from(peer);
                if !allowed {
                    tracing::warn!(%peer, fingerprint = %g.fingerprint, "key not allowed from this address (from=)");
                }
                allowed
            }))
    }

    /// Every line's grant and every line's problem, for the banner at start.
    pub fn check(&self) -> Result<(usize, Vec<Problem>), String> {
        let text = self.read()?;
        let (grants, problems) = parse(&text);
        Ok((grants.len(), problems))
    }

    /// The file's text, refused (as sshd's StrictModes would) when someone other than its
    /// owner could write it or the directory it is in: they could grant themselves a key.
    fn read(&self) -> Result<String, String> {
        if let Some(own) = self.own_keys_in_use() {
            let mut text = String::new();
            for path in own {
                if let Ok(line) = std::fs::read_to_string(path) {
                    text.push_str("idtui-role=\"write\" ");
                    text.push_str(line.trim());
                    text.push('\n');
                }
            }
            return Ok(text);
        }
        use std::os::unix::fs::MetadataExt;
        let shown = self.path.display();
        for path in [Some(self.path.as_path()), self.path.parent()]
            .into_iter()
            .flatten()
        {
            let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
            if meta.mode() & 0o022 != 0 {
                return Err(format!(
                    "{} is writable by group or others ({:o}): no key is accepted until \
                     `chmod go-w {}`",
                    path.display(),
                    meta.mode() & 0o777,
                    path.display()
                ));
            }
        }
        crate::local_files::read_to_string(&self.path).map_err(|e| format!("{shown}: {e}"))
    }
}

/// `$HOME/.ssh` of the user running the server.
fn ssh_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".ssh"))
}

/// Each usable line's key and grant, and what is wrong with the others.
pub fn parse(text: &str) -> (Vec<(PublicKey, Grant)>, Vec<Problem>) {
    let mut grants = Vec::new();
    let mut problems = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let problem = |why: String| Problem { line: n + 1, why };
        let entry: Entry = match line.parse() {
            Ok(e) => e,
            Err(e) => {
                problems.push(problem(format!("not a key line ({e})")));
                continue;
            }
        };
        match grant(&entry) {
            Ok(g) => grants.push((entry.public_key().clone(), g)),
            Err(why) => problems.push(problem(why)),
        }
    }
    (grants, problems)
}

fn grant(entry: &Entry) -> Result<Grant, String> {
    let key = entry.public_key();
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    let mut role = Role::Read;
    let mut profiles = None;
    let mut from = None;
    for option in entry.config_opts().iter() {
        let (name, value) = match option.split_once('=') {
            Some((n, v)) => (n, Some(v.trim_matches('"'))),
            None => (option, None),
        };
        match (name.to_ascii_lowercase().as_str(), value) {
            ("idtui-role", Some("read")) => role = Role::Read,
            ("idtui-role", Some("write")) => role = Role::Write,
            ("idtui-role", v) => {
                return Err(format!(
                    "idtui-role must be \"read\" or \"write\", not {:?}",
                    v.unwrap_or("")
                ));
            }
            ("idtui-profiles", Some(list)) => {
                profiles = Some(
                    list.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(String::from)
                        .collect(),
                )
            }
            ("from", Some(list)) => {
                let patterns: Vec<String> = list.split(',').map(|p| p.trim().to_string()).collect();
                if let Some(bad) = patterns.iter().find(|p| !valid_pattern(p)) {
                    return Err(format!("from= pattern {bad:?} is not an address pattern"));
                }
                from = Some(patterns);
            }
            (other, None) if HARMLESS.contains(&other) => {}
            (other, _) => {
                return Err(format!(
                    "option `{other}` restricts this key in a way idtui does not enforce: the \
                     key is refused (remove the option, or give idtui a key line of its own)"
                ));
            }
        }
    }
    let comment = crate::sanitize::clean_line(key.comment().trim()).into_owned();
    let name = if comment.is_empty() {
        format!("unnamed key {fingerprint}")
    } else {
        comment
    };
    Ok(Grant {
        role,
        profiles,
        name,
        fingerprint,
        from,
    })
}

/// A `from=` pattern idtui can hold a client to: an address with `*`/`?`, or `ADDR/BITS`.
/// A host name would need DNS, which sshd does not use by default either; it is refused
/// rather than never matching unnoticed.
fn valid_pattern(pattern: &str) -> bool {
    let p = pattern.strip_prefix('!').unwrap_or(pattern);
    if let Some((addr, bits)) = p.split_once('/') {
        return match (addr.parse::<IpAddr>(), bits.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32,
            (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128,
            _ => false,
        };
    }
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '*' | '?'))
}

/// Whether `peer` is matched by one `from=` pattern (without its `!`).
fn address_matches(pattern: &str, peer: IpAddr) -> bool {
    match pattern.split_once('/') {
        Some((addr, bits)) => match (addr.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Ok(IpAddr::V4(net)), Ok(bits)) if bits <= 32 => match peer {
                IpAddr::V4(ip) => {
                    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                    u32::from(ip) & mask == u32::from(net) & mask
                }
                IpAddr::V6(_) => false,
            },
            (Ok(IpAddr::V6(net)), Ok(bits)) if bits <= 128 => match peer {
                IpAddr::V6(ip) => {
                    let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                    u128::from(ip) & mask == u128::from(net) & mask
                }
                IpAddr::V4(_) => false,
            },
            _ => false,
        },
        None => glob(
            pattern.to_ascii_lowercase().as_bytes(),
            peer.to_string().as_bytes(),
        ),
    }
}

/// `*` any run, `?` any one character, as sshd's `match_pattern`.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPTDYAGHJ3ck7dzHORDlyws3hgVKf17NMHo0YcPrfdKS";

    fn one(line: &str) -> Result<Grant, String> {
        let (grants, problems) = parse(line);
        match (grants.into_iter().next(), problems.into_iter().next()) {
            (Some((_, g)), None) => Ok(g),
            (None, Some(p)) => Err(p.why),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_key_without_options_is_a_read_key_on_every_profile_named_by_its_comment() {
        let g = one(&format!("{ADA} Ada Lovelace")).unwrap();
        assert_eq!(g.role, Role::Read);
        assert_eq!(g.profiles, None);
        assert_eq!(g.name, "Ada Lovelace");
        assert!(g.fingerprint.starts_with("SHA256:"), "{}", g.fingerprint);
        assert!(g.sees("prod"));
    }

    #[test]
    fn idtui_options_give_the_role_and_the_profiles() {
        let g = one(&format!(
            "idtui-role=\"write\",idtui-profiles=\"prod,staging\",no-agent-forwarding {ADA} ada"
        ))
        .unwrap();
        assert_eq!(g.role, Role::Write);
        assert_eq!(
            g.profiles,
            Some(vec!["prod".to_string(), "staging".to_string()])
        );
        assert!(g.sees("staging"));
        assert!(!g.sees("dev"));
    }

    #[test]
    fn options_idtui_cannot_enforce_refuse_the_key_and_other_lines_still_count() {
        let text = format!(
            "command=\"/usr/bin/backup\" {ADA} backup\n\
             idtui-role=\"admin\" {ADA} typo\n\
             garbage line\n\
             # a comment\n\
             idtui-role=\"write\" {ADA} ada\n"
        );
        let (grants, problems) = parse(&text);
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].1.name, "ada");
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![1, 2, 3]);
        assert!(problems[0].why.contains("command"), "{}", problems[0].why);
        assert!(problems[1].why.contains("\"admin\""), "{}", problems[1].why);
    }

    #[test]
    fn from_limits_the_addresses_a_key_may_come_from() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let g = one(&format!(
            "from=\"10.1.0.0/16,192.168.1.*,!10.1.2.3,::1\",idtui-role=\"write\" {ADA} ada"
        ))
        .unwrap();
        assert!(g.allows_from(ip("10.1.200.7")));
        assert!(g.allows_from(ip("192.168.1.40")));
        assert!(g.allows_from(ip("::1")));
        assert!(!g.allows_from(ip("10.1.2.3")), "negated");
        assert!(!g.allows_from(ip("10.2.0.1")));
        assert!(!g.allows_from(ip("192.168.10.1")));
        assert!(!g.allows_from(ip("127.0.0.1")));
        // A v4 client seen over a v6 socket is still its v4 address.
        assert!(g.allows_from(ip("::ffff:10.1.0.9")));
        let any = one(&format!("{ADA} ada")).unwrap();
        assert!(any.allows_from(ip("203.0.113.9")));
        let q = one(&format!("from=\"127.0.0.?\" {ADA} ada")).unwrap();
        assert!(q.allows_from(ip("127.0.0.1")));
        assert!(!q.allows_from(ip("127.0.0.10")));
    }

    #[test]
    fn a_from_pattern_that_needs_dns_or_is_malformed_refuses_the_key() {
        for bad in ["*.example.com", "10.0.0.0/33", "", "fe80::/129"] {
            let why = one(&format!("from=\"{bad}\" {ADA} ada")).unwrap_err();
            assert!(why.contains("from="), "{bad}: {why}");
        }
    }

    #[test]
    fn a_comment_with_control_characters_is_shown_as_pictures() {
        let g = one(&format!("{ADA} evil\u{1b}[2Jname")).unwrap();
        assert!(!g.name.contains('\u{1b}'), "{:?}", g.name);
    }
}
