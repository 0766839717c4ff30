//! The `Host` a request names, checked against where the sandbox listens.
//!
//! Kratos admin is open by default, and a web page can make a browser send requests to any
//! name it controls. Pointing that name at 127.0.0.1 (DNS rebinding) would turn the page into
//! a client of the sandbox, with the page's name in `Host`. So only names that cannot be
//! rebound are served: an IP literal, or `localhost`, each with no port or the one the sandbox
//! listens on. Anything else gets 421 Misdirected Request: this server is not the one the
//! client meant to reach.

use std::net::{Ipv4Addr, Ipv6Addr};

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};

/// Why a request was not served: the status and a sentence for the client.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub status: StatusCode,
    pub message: String,
}

fn misdirected(message: String) -> Refused {
    Refused {
        status: StatusCode::MISDIRECTED_REQUEST,
        message,
    }
}

/// Check the `Host` header and, when the request target is in absolute form, its authority
/// (the one a server must use then, RFC 9112 §3.2.2): both must name this sandbox.
pub fn check(req: &Request, port: u16) -> Result<(), Refused> {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let Some(host) = hosts.next() else {
        // RFC 9112 §3.2 makes a missing Host a 400 for HTTP/1.1. Refusing it on every version
        // also closes the one gap a name check leaves, since without a Host there is no name
        // to check; nothing that talks to the sandbox (browsers, curl, reqwest) leaves it out.
        // HTTP/2 carries the name in `:authority`, which hyper puts in the URI.
        return match req.uri().authority() {
            Some(authority) => check_value(authority.as_str(), port),
            None => Err(Refused {
                status: StatusCode::BAD_REQUEST,
                message: "The request has no Host header; the sandbox needs one to know it \
                          was meant to reach it"
                    .into(),
            }),
        };
    };
    if hosts.next().is_some() {
        return Err(Refused {
            status: StatusCode::BAD_REQUEST,
            message: "The request has more than one Host header".into(),
        });
    }
    check_header(host, port)?;
    match req.uri().authority() {
        Some(authority) => check_value(authority.as_str(), port),
        None => Ok(()),
    }
}

fn check_header(host: &HeaderValue, port: u16) -> Result<(), Refused> {
    let text = host.to_str().map_err(|_| {
        misdirected(
            "The Host header is not plain ASCII; the sandbox answers only to an IP address \
             or localhost"
                .into(),
        )
    })?;
    check_value(text, port)
}

/// `text` is `host[:port]`, the form of a Host header and of an HTTP authority.
fn check_value(text: &str, port: u16) -> Result<(), Refused> {
    // Debug quoting shows a control character as an escape, never raw.
    let refuse = |why: &str| misdirected(format!("Host {text:?} {why}"));
    let (name, given_port) = split_host_port(text).ok_or_else(|| refuse("is not host[:port]"))?;
    if !is_loopback_name_or_ip(name) {
        return Err(refuse(
            "is neither an IP address nor localhost; the sandbox answers only to those, so \
             that a web page cannot reach it through a name it controls (DNS rebinding)",
        ));
    }
    match given_port {
        Some(p) if p != port => Err(refuse(&format!(
            "names port {p}, but the sandbox listens on port {port}"
        ))),
        _ => Ok(()),
    }
}

/// `[v6]`, `[v6]:port`, `name` or `name:port`; `None` when the port is not a number or the
/// brackets do not close. A port may be left out, never empty.
fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        // The brackets stay on, so the name is still told apart from an IPv4 or a name.
        (&text[..inside.len() + 2], port)
    } else {
        match text.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    Some((name, port))
}

fn is_loopback_name_or_ip(name: &str) -> bool {
    if let Some(inside) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return inside.parse::<Ipv6Addr>().is_ok();
    }
    name.eq_ignore_ascii_case("localhost") || name.parse::<Ipv4Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(host: &str) -> bool {
        check_value(host, 4455).is_ok()
    }

    #[test]
    fn ip_literals_and_localhost_with_this_port_or_none_are_served() {
        for host in [
            "127.0.0.1:4455",
            "127.0.0.1",
            "localhost:4455",
            "LocalHost",
            "[::1]:4455",
            "[::1]",
            "10.1.2.3:4455",
            "[fe80::1]",
        ] {
            assert!(ok(host), "{host}");
        }
    }

    #[test]
    fn names_other_ports_and_malformed_hosts_are_refused() {
        for host in [
            "evil.example:4455",
            "evil.example",
            "localhost.:4455",
            "sub.localhost:4455",
            "127.0.0.1.nip.io:4455",
            "127.0.0.1:80",
            "localhost:4456",
            "[::1]:1",
            "localhost:",
            "localhost:99999",
            "localhost:+4455",
            "[::1",
            "[::1]x",
            "[evil]:4455",
            "::1",
            "user@localhost:4455",
            "",
        ] {
            let refused = check_value(host, 4455).unwrap_err();
            assert_eq!(refused.status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        }
    }

    #[test]
    fn the_reason_names_the_port_the_sandbox_listens_on() {
        let refused = check_value("localhost:1", 4455).unwrap_err();
        assert!(refused.message.contains("port 1,"), "{}", refused.message);
        assert!(refused.message.contains("4455"), "{}", refused.message);
    }
}
