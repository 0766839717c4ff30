//! A page that could not be loaded, and when it is tried again. Time here is the state's
//! clock ([`super::State::now`]), so tests drive it and the runtime sets it.

use std::time::Duration;

use super::model::ErrorInfo;

/// The first wait after a failure; each further failure of the same page doubles it.
pub const FIRST_WAIT: Duration = Duration::from_secs(1);
/// The longest wait between two tries of the same page.
pub const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// A server's `Retry-After` is honoured up to this (a day-long wait is a misconfiguration;
/// the countdown stays on screen and `r` tries at once).
pub const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: ErrorInfo,
    /// Failures in a row of this page.
    pub attempts: u32,
    /// When the page is tried again by itself; `None` when only `r` retries (a refusal, or
    /// the user stopped it).
    pub retry_at: Option<Duration>,
}

impl Failure {
    /// The failure of a page at `now`, after `previous` (the page's last failure, if any).
    pub fn new(error: ErrorInfo, previous: Option<&Failure>, now: Duration) -> Failure {
        let attempts = previous.map_or(0, |f| f.attempts).saturating_add(1);
        let retry_at = error
            .transient()
            .then(|| now.saturating_add(wait(attempts, error.retry_after)));
        Failure {
            error,
            attempts,
            retry_at,
        }
    }

    pub fn due(&self, now: Duration) -> bool {
        self.retry_at.is_some_and(|at| now >= at)
    }

    /// Whether the server asked us to slow down (a 429).
    pub fn rate_limited(&self) -> bool {
        self.error.status == Some(429)
    }

    /// What happens next, for the screen: `retrying in 4s`, `r retries`.
    pub fn next_step(&self, now: Duration) -> String {
        match self.retry_at {
            Some(at) if at > now => {
                let secs = (at - now).as_millis().div_ceil(1000);
                let what = if self.rate_limited() {
                    "rate limited, resuming in"
                } else {
                    "retrying in"
                };
                format!("{what} {secs}s")
            }
            Some(_) => "retrying…".to_string(),
            None => "r retries".to_string(),
        }
    }
}

/// How long to wait before try number `attempts + 1`: what the server asked for, or a
/// doubling backoff.
pub fn wait(attempts: u32, retry_after: Option<Duration>) -> Duration {
    match retry_after {
        Some(asked) => asked.min(LONGEST_RETRY_AFTER),
        None => FIRST_WAIT
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(16))
            .min(LONGEST_WAIT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16) -> ErrorInfo {
        let mut e = ErrorInfo::new("x", "x");
        e.status = Some(status);
        e
    }

    #[test]
    fn backoff_doubles_up_to_a_minute_and_retry_after_wins() {
        let waits: Vec<u64> = (1..=9).map(|n| wait(n, None).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(
            wait(1, Some(Duration::from_secs(53))),
            Duration::from_secs(53)
        );
        assert_eq!(wait(1, Some(Duration::MAX)), LONGEST_RETRY_AFTER);
    }

    #[test]
    fn only_transient_failures_retry_by_themselves() {
        let now = Duration::from_secs(10);
        let busy = Failure::new(err(503), None, now);
        assert_eq!(busy.retry_at, Some(Duration::from_secs(11)));
        let again = Failure::new(err(503), Some(&busy), now);
        assert_eq!(
            (again.attempts, again.retry_at),
            (2, Some(Duration::from_secs(12)))
        );
        let refused = Failure::new(err(403), None, now);
        assert_eq!(refused.retry_at, None);
        assert_eq!(refused.next_step(now), "r retries");
        let mut limited = err(429);
        limited.retry_after = Some(Duration::from_secs(53));
        let limited = Failure::new(limited, None, now);
        assert_eq!(limited.next_step(now), "rate limited, resuming in 53s");
        assert!(!limited.due(Duration::from_secs(62)) && limited.due(Duration::from_secs(63)));
    }

    #[test]
    fn an_answer_over_the_clients_bounds_is_not_asked_for_again_by_itself() {
        let now = Duration::from_secs(10);
        // A 200 whose body broke a bound reads as a lost answer (a change may have landed)...
        let mut flood = err(200);
        flood.lost = true;
        assert!(Failure::new(flood.clone(), None, now).retry_at.is_some());
        // ...but asking again would only bring the same flood.
        flood.over_limit = true;
        let failure = Failure::new(flood, None, now);
        assert_eq!(failure.retry_at, None);
        assert_eq!(failure.next_step(now), "r retries");
    }
}
