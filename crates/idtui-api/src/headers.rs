//! Header values and URLs as the HTTP layer and authentication both need them: secrets marked
//! sensitive, and passwords kept out of messages.

use reqwest::header::HeaderValue;

use super::error::{ApiError, ErrorKind, Provider};

/// Hides everything between the scheme and the last `@`: a password may itself hold `@`
/// (hiding a path's `@` too only over-redacts an error message).
pub(crate) fn redact_userinfo(raw: &str) -> String {
    match (raw.find("://"), raw.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &raw[..s + 3], &raw[at..]),
        _ => raw.to_owned(),
    }
}

pub(crate) fn header_value(provider: Provider, value: &str) -> Result<HeaderValue, ApiError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        ApiError::new(
            ErrorKind::Config,
            provider,
            "credential contains characters not allowed in an HTTP header",
        )
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// A 3xx: never followed (see [`crate::HttpLayer::new`]); the error says where it pointed.
pub(crate) fn redirect_refused(
    provider: Provider,
    status: u16,
    headers: &reqwest::header::HeaderMap,
) -> ApiError {
    let target = headers
        .get(reqwest::header::LOCATION)
        .map(|v| redact_userinfo(&String::from_utf8_lossy(v.as_bytes())))
        .map(|to| super::error::excerpt(to.as_bytes()));
    let to = target.map_or_else(|| "(no Location)".to_owned(), |to| format!("to {to}"));
    let mut err = ApiError::new(
        ErrorKind::Http,
        provider,
        format!(
            "redirect not followed, nothing sent there: {status} {to} (requests and credentials \
             go only to the configured url; if the service moved, change the profile's url)"
        ),
    );
    err.status = Some(status);
    err
}
