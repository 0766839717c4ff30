//! What one server lets in: sessions in total and per key (each a place in the registry,
//! freed when its session ends however it ends), and failed authentications per address,
//! past which that address is turned away at once for a while.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc};

use crate::runtime::Signal;

/// How long failed authentications are remembered (and an address that had too many is
/// turned away).
pub const FAILURE_WINDOW: Duration = Duration::from_secs(600);

/// The configurable limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub sessions: usize,
    pub sessions_per_key: usize,
    pub idle: Duration,
    pub auth_failures: u32,
}

/// Why a session was not let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Full {
    Server(usize),
    Key(usize),
}

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Full::Server(n) => write!(f, "the server already has its {n} sessions"),
            Full::Key(n) => write!(f, "your key already has its {n} sessions"),
        }
    }
}

struct Live {
    fingerprint: String,
    stop: mpsc::UnboundedSender<(Signal, &'static str)>,
}

#[derive(Default)]
struct Sessions {
    live: HashMap<u64, Live>,
    next: u64,
}

/// The sessions running now.
#[derive(Clone, Default)]
pub struct Registry {
    inner: Arc<Mutex<Sessions>>,
    emptied: Arc<Notify>,
}

/// A session's place; dropping it frees the place.
pub struct Place {
    id: u64,
    registry: Registry,
}

impl Registry {
    /// A place for a session of `fingerprint`, unless a limit is reached. `stop` is how the
    /// server tells it to end (and why).
    pub fn admit(
        &self,
        limits: &Limits,
        fingerprint: &str,
        stop: mpsc::UnboundedSender<(Signal, &'static str)>,
    ) -> Result<Place, Full> {
        let mut s = self.lock();
        if s.live.len() >= limits.sessions {
            return Err(Full::Server(limits.sessions));
        }
        let mine = s
            .live
            .values()
            .filter(|l| l.fingerprint == fingerprint)
            .count();
        if mine >= limits.sessions_per_key {
            return Err(Full::Key(limits.sessions_per_key));
        }
        s.next += 1;
        let id = s.next;
        s.live.insert(
            id,
            Live {
                fingerprint: fingerprint.to_string(),
                stop,
            },
        );
        Ok(Place {
            id,
            registry: self.clone(),
        })
    }

    pub fn len(&self) -> usize {
        self.lock().live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().live.is_empty()
    }

    /// Tell every session to end, saying `why`.
    pub fn stop_all(&self, signal: Signal, why: &'static str) {
        for live in self.lock().live.values() {
            let _ = live.stop.send((signal, why));
        }
    }

    /// Wait until no session is left.
    pub async fn emptied(&self) {
        loop {
            let notified = self.emptied.notified();
            if self.is_empty() {
                return;
            }
            notified.await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let empty = {
            let mut s = self.registry.lock();
            s.live.remove(&self.id);
            s.live.is_empty()
        };
        if empty {
            self.registry.emptied.notify_waiters();
        }
    }
}

/// Failed authentications by address, within [`FAILURE_WINDOW`].
#[derive(Clone, Default)]
pub struct Failures {
    inner: Arc<Mutex<HashMap<IpAddr, (u32, Instant)>>>,
}

impl Failures {
    /// One more failure from `ip`; how many it has had in the window.
    pub fn add(&self, ip: IpAddr) -> u32 {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Old entries go as new ones come, so the map stays as small as the attack.
        map.retain(|_, (_, since)| now.duration_since(*since) < FAILURE_WINDOW);
        let entry = map.entry(ip).or_insert((0, now));
        entry.0 += 1;
        entry.0
    }

    /// Whether `ip` had `limit` failures or more in the window.
    pub fn blocked(&self, ip: IpAddr, limit: u32) -> bool {
        let map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&ip)
            .is_some_and(|(n, since)| *n >= limit && since.elapsed() < FAILURE_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            sessions: 3,
            sessions_per_key: 2,
            idle: Duration::from_secs(60),
            auth_failures: 3,
        }
    }

    #[test]
    fn places_are_limited_in_total_and_per_key_and_freed_when_dropped() {
        let r = Registry::default();
        let (tx, _rx) = mpsc::unbounded_channel();
        let a1 = r.admit(&limits(), "A", tx.clone()).unwrap();
        let _a2 = r.admit(&limits(), "A", tx.clone()).unwrap();
        assert_eq!(
            r.admit(&limits(), "A", tx.clone()).err(),
            Some(Full::Key(2))
        );
        let _b1 = r.admit(&limits(), "B", tx.clone()).unwrap();
        assert_eq!(
            r.admit(&limits(), "C", tx.clone()).err(),
            Some(Full::Server(3))
        );
        drop(a1);
        assert!(r.admit(&limits(), "A", tx).is_ok());
    }

    #[test]
    fn an_address_is_blocked_after_its_failures_and_others_are_not() {
        let f = Failures::default();
        let bad: IpAddr = "127.0.0.2".parse().unwrap();
        let good: IpAddr = "127.0.0.3".parse().unwrap();
        for _ in 0..3 {
            assert!(!f.blocked(bad, 3));
            f.add(bad);
        }
        assert!(f.blocked(bad, 3));
        assert!(!f.blocked(good, 3));
    }

    #[tokio::test]
    async fn stop_all_reaches_every_session_and_emptied_waits_for_the_last() {
        let r = Registry::default();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let place = r.admit(&limits(), "A", tx).unwrap();
        r.stop_all(Signal::Stop(15), "shutting down");
        assert_eq!(rx.recv().await, Some((Signal::Stop(15), "shutting down")));
        let waiter = tokio::spawn({
            let r = r.clone();
            async move { r.emptied().await }
        });
        drop(place);
        waiter.await.unwrap();
    }
}
