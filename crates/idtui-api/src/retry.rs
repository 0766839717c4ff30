//! When and how long to wait before trying a read again.

use std::time::Duration;

/// Retries apply to idempotent reads only; mutations are sent exactly once.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles for each further one.
    pub base_delay: Duration,
    /// Longest single wait, backoff or `Retry-After`.
    pub max_delay: Duration,
    /// Sum of all waits for one request; past it the last error is returned.
    pub max_total_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_total_delay: Duration::from_secs(15),
        }
    }
}

impl RetryPolicy {
    /// Never try again.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before attempt number `attempt + 1` (attempt counts from 1), or `None` to give
    /// up. A server's `Retry-After` wins over the backoff; if it asks for more than the policy
    /// allows, waiting would only hide the error, so we give up at once.
    pub fn delay(
        &self,
        attempt: u32,
        waited: Duration,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let delay = match retry_after {
            Some(ra) if ra > self.max_delay => return None,
            Some(ra) => ra,
            None => {
                let exp = self
                    .base_delay
                    .saturating_mul(1u32 << (attempt - 1).min(16))
                    .min(self.max_delay);
                // Equal jitter: half fixed, half random, so clients that failed together do
                // not come back together.
                exp / 2 + exp.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
            }
        };
        (waited + delay <= self.max_total_delay).then_some(delay)
    }
}

/// A number in [0, 1) that differs between calls and processes; good enough for jitter.
pub(crate) fn jitter() -> f64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `Retry-After` in seconds (the HTTP-date form is rare on APIs and is ignored).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stops_at_the_attempt_cap() {
        let p = RetryPolicy::default();
        let d1 = p.delay(1, Duration::ZERO, None, 1.0).unwrap();
        let d2 = p.delay(2, Duration::ZERO, None, 1.0).unwrap();
        assert!(d2 > d1);
        assert_eq!(p.delay(p.max_attempts, Duration::ZERO, None, 0.5), None);
    }

    #[test]
    fn jitter_keeps_the_delay_within_half_and_full_backoff() {
        let p = RetryPolicy::default();
        let low = p.delay(3, Duration::ZERO, None, 0.0).unwrap();
        let high = p.delay(3, Duration::ZERO, None, 0.999).unwrap();
        assert_eq!(low, Duration::from_millis(400));
        assert!(high < Duration::from_millis(800) && high > low);
    }

    #[test]
    fn retry_after_wins_and_too_long_gives_up() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(1, Duration::ZERO, Some(Duration::from_secs(2)), 0.5),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            p.delay(1, Duration::ZERO, Some(Duration::from_secs(60)), 0.5),
            None
        );
    }

    #[test]
    fn total_delay_budget_is_respected() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(
                1,
                Duration::from_secs(14),
                Some(Duration::from_secs(2)),
                0.5
            ),
            None
        );
    }

    #[test]
    fn retry_after_parses_seconds_only() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
