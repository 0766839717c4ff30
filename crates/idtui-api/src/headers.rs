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
