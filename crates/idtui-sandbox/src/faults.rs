//! Fault injection (`--faults SPEC`) so clients can be tested against a misbehaving server.
//!
//! SPEC is a comma-separated list: `latency=200ms` (every request, or `latency=200ms@0.5` for
//! half of them), `5xx=0.1`, `429=0.05`, `retry_after=2`, `drop=0.02`, `truncate=0.02`,
//! `panic=0.01` (the handler panics: how a client copes with a crashing server, and how the
//! dashboard copes with a crash in its embedded sandbox), `seed=7`. Rates are probabilities in 0..=1, drawn from a seeded generator so a run is
//! repeatable.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultSpec {
    pub latency: Option<Duration>,
    pub latency_rate: f64,
    pub server_error: f64,
    pub too_many: f64,
    pub retry_after_secs: u64,
    pub drop: f64,
    pub truncate: f64,
    pub panic: f64,
    pub seed: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid --faults spec: {0}")]
pub struct FaultSpecError(String);

fn parse_rate(key: &str, v: &str) -> Result<f64, FaultSpecError> {
    let r: f64 = v
        .parse()
        .map_err(|_| FaultSpecError(format!("{key}={v}: expected a rate between 0 and 1")))?;
    if !(0.0..=1.0).contains(&r) {
        return Err(FaultSpecError(format!(
            "{key}={v}: rate must be between 0 and 1"
        )));
    }
    Ok(r)
}

fn parse_duration(v: &str) -> Result<Duration, FaultSpecError> {
    let bad = || FaultSpecError(format!("latency={v}: expected e.g. 150ms or 2s"));
    if let Some(ms) = v.strip_suffix("ms") {
        ms.parse().map(Duration::from_millis).map_err(|_| bad())
    } else if let Some(s) = v.strip_suffix('s') {
        s.parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(bad)
    } else {
        v.parse().map(Duration::from_millis).map_err(|_| bad())
    }
}

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec {
            retry_after_secs: 1,
            latency_rate: 1.0,
            ..Default::default()
        };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| FaultSpecError(format!("{part}: expected key=value")))?;
            match key {
                "latency" => {
                    let (d, rate) = match value.split_once('@') {
                        Some((d, r)) => (d, parse_rate(key, r)?),
                        None => (value, 1.0),
                    };
                    spec.latency = Some(parse_duration(d)?);
                    spec.latency_rate = rate;
                }
                "5xx" | "error" => spec.server_error = parse_rate(key, value)?,
                "429" => spec.too_many = parse_rate(key, value)?,
                "retry_after" => {
                    spec.retry_after_secs = value
                        .parse()
                        .map_err(|_| FaultSpecError(format!("{part}: expected seconds")))?
                }
                "drop" => spec.drop = parse_rate(key, value)?,
                "truncate" => spec.truncate = parse_rate(key, value)?,
                "panic" => spec.panic = parse_rate(key, value)?,
                "seed" => {
                    spec.seed = value
                        .parse()
                        .map_err(|_| FaultSpecError(format!("{part}: expected an integer")))?
                }
                other => {
                    return Err(FaultSpecError(format!(
                        "unknown key `{other}` (known: latency, 5xx, 429, retry_after, drop, truncate, panic, seed)"
                    )));
                }
            }
        }
        Ok(spec)
    }
}

/// What to do to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    ServerError,
    TooManyRequests,
    Drop,
    Truncate,
    Panic,
}

/// Seeded generator (splitmix64) shared by all requests.
pub struct FaultDice {
    spec: FaultSpec,
    state: AtomicU64,
}

impl FaultDice {
    pub fn new(spec: FaultSpec) -> Self {
        let state = AtomicU64::new(spec.seed ^ 0x9E37_79B9_7F4A_7C15);
        Self { spec, state }
    }

    pub fn spec(&self) -> &FaultSpec {
        &self.spec
    }

    fn next_unit(&self) -> f64 {
        let mut z = self
            .state
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn hit(&self, rate: f64) -> bool {
        rate > 0.0 && self.next_unit() < rate
    }

    pub fn latency(&self) -> Option<Duration> {
        let d = self.spec.latency?;
        self.hit(self.spec.latency_rate).then_some(d)
    }

    /// Faults decided before the handler runs; `Truncate` is applied to its response.
    pub fn roll(&self) -> Option<Fault> {
        if self.hit(self.spec.drop) {
            Some(Fault::Drop)
        } else if self.hit(self.spec.panic) {
            Some(Fault::Panic)
        } else if self.hit(self.spec.server_error) {
            Some(Fault::ServerError)
        } else if self.hit(self.spec.too_many) {
            Some(Fault::TooManyRequests)
        } else if self.hit(self.spec.truncate) {
            Some(Fault::Truncate)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_spec() {
        let s: FaultSpec =
            "latency=150ms@0.5,5xx=0.1,429=0.2,retry_after=3,drop=0.05,truncate=0.01,seed=9"
                .parse()
                .unwrap();
        assert_eq!(s.latency, Some(Duration::from_millis(150)));
        assert_eq!(s.latency_rate, 0.5);
        assert_eq!(s.server_error, 0.1);
        assert_eq!(s.too_many, 0.2);
        assert_eq!(s.retry_after_secs, 3);
        assert_eq!(s.drop, 0.05);
        assert_eq!(s.truncate, 0.01);
        assert_eq!(s.seed, 9);
    }

    #[test]
    fn rejects_unknown_keys_and_bad_rates() {
        assert!("boom=1".parse::<FaultSpec>().is_err());
        assert!("5xx=1.5".parse::<FaultSpec>().is_err());
        assert!("latency=fast".parse::<FaultSpec>().is_err());
        // Finite but beyond what a Duration holds: an error, not a panic.
        assert!("latency=1e30s".parse::<FaultSpec>().is_err());
        assert!("latency=-1s".parse::<FaultSpec>().is_err());
    }

    #[test]
    fn rates_are_roughly_honoured_and_repeatable() {
        let spec: FaultSpec = "5xx=0.25,seed=1".parse().unwrap();
        let count = |d: &FaultDice| (0..4000).filter(|_| d.roll().is_some()).count();
        let a = count(&FaultDice::new(spec.clone()));
        let b = count(&FaultDice::new(spec));
        assert_eq!(a, b, "same seed, same faults");
        assert!((800..1200).contains(&a), "about a quarter failed, got {a}");
    }
}
