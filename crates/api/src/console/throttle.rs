//! Sign-in throttling: at most [`LIMIT`] failed sign-ins within any [`WINDOW`] per peer
//! address (an IPv6 peer by its /64, which one host usually holds whole) and, apart, per
//! access key. Past either, sign-ins are refused (429 with `Retry-After`) without the key
//! pair being compared, until the oldest failure of the window is older than [`WINDOW`].
//!
//! An attempt counts as a failure from the moment it is let through ([`Throttle::begin`]) and
//! is taken back only when it succeeds, so concurrent attempts cannot pass the limit between
//! a check and its record. A success takes back only its own attempt: failures elsewhere (of
//! another peer on the same key, or of this peer on other keys) only age out.
//!
//! What is kept: failure times, by peer address and by the SHA-256 of the access key (never
//! a secret, and a fixed size whatever a client sends), at most [`MAX_ENTRIES`] entries;
//! past it entries with no failure in the window go first, then the one whose latest failure
//! is oldest.
//!
//! Hand-written rather than a rate-limiting crate (such as `governor`): those meter every
//! event as it comes, while this must count only failures, known after the check, and take
//! a success's attempt back.

use sha2::{Digest as _, Sha256};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per peer, and per access key, within [`WINDOW`].
pub const LIMIT: usize = 10;
/// The window failures are counted over.
pub const WINDOW: Duration = Duration::from_secs(5 * 60);
/// At most this many peers and access keys are remembered at once.
pub const MAX_ENTRIES: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Peer(IpAddr),
    AccessKey([u8; 32]),
}

/// Failure times by peer and by access key, in [`super::Sessions`].
pub struct Throttle {
    limit: usize,
    window: Duration,
    max_entries: usize,
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl Default for Throttle {
    fn default() -> Throttle {
        Throttle::new(LIMIT, WINDOW, MAX_ENTRIES)
    }
}

/// An attempt let through, counted as a failure until [`Attempt::succeeded`].
#[must_use]
pub struct Attempt {
    keys: [Key; 2],
    at: Instant,
}

/// The address a peer is counted by: IPv4 (an IPv4-mapped IPv6 address too) as it is, IPv6
/// by its /64.
fn peer_key(ip: IpAddr) -> Key {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let masked = u128::from(v6) & !((1u128 << 64) - 1);
            Key::Peer(IpAddr::V6(masked.into()))
        }
        v4 => Key::Peer(v4),
    }
}

impl Throttle {
    pub fn new(limit: usize, window: Duration, max_entries: usize) -> Throttle {
        Throttle {
            limit,
            window,
            max_entries,
            failures: Mutex::default(),
        }
    }

    /// Lets an attempt of `peer` with `access_key` through, counted as a failure, or refuses
    /// it with how long to wait (whole seconds, at least one).
    pub fn begin(&self, peer: IpAddr, access_key: &str, now: Instant) -> Result<Attempt, u64> {
        let keys = [
            peer_key(peer),
            Key::AccessKey(Sha256::digest(access_key.as_bytes()).into()),
        ];
        let mut map = self.lock();
        let mut wait = Duration::ZERO;
        for key in &keys {
            if let Some(times) = map.get_mut(key) {
                self.forget_old(times, now);
                if times.len() >= self.limit
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max((*oldest + self.window).saturating_duration_since(now));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }
        for key in keys {
            if !map.contains_key(&key) && map.len() >= self.max_entries {
                self.evict(&mut map, now);
            }
            map.entry(key).or_default().push_back(now);
        }
        Ok(Attempt { keys, at: now })
    }

    /// Takes a successful attempt back (it was counted as a failure).
    pub fn succeeded(&self, attempt: Attempt) {
        let mut map = self.lock();
        for key in &attempt.keys {
            if let Some(times) = map.get_mut(key) {
                if let Some(i) = times.iter().rposition(|t| *t == attempt.at) {
                    times.remove(i);
                }
                if times.is_empty() {
                    map.remove(key);
                }
            }
        }
    }

    /// How many peers and access keys are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn forget_old(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
    }

    /// Makes room for one entry: those without a failure in the window go, else the one whose
    /// latest failure is oldest.
    fn evict(&self, map: &mut HashMap<Key, VecDeque<Instant>>, now: Instant) {
        map.retain(|_, times| {
            self.forget_old(times, now);
            !times.is_empty()
        });
        if map.len() < self.max_entries {
            return;
        }
        let stalest = map
            .iter()
            .min_by_key(|(_, times)| times.back().copied())
            .map(|(key, _)| *key);
        if let Some(key) = stalest {
            map.remove(&key);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "203.0.113.7";
    const B: &str = "198.51.100.9";

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// Fails `n` attempts of `peer` with `key` at `now`; all must be let through.
    fn fail(t: &Throttle, peer: &str, key: &str, n: usize, now: Instant) {
        for i in 0..n {
            assert!(t.begin(ip(peer), key, now).is_ok(), "attempt {i}");
        }
    }

    #[test]
    fn failures_age_out_of_the_window() {
        let t = Throttle::new(3, Duration::from_secs(60), 100);
        let start = Instant::now();
        fail(&t, A, "k1", 1, start);
        fail(&t, A, "k2", 2, start + Duration::from_secs(30));
        // The peer is at its limit: 30 s until the first failure ages out.
        let at = start + Duration::from_millis(40_500);
        assert_eq!(t.begin(ip(A), "k3", at).err(), Some(20));
        assert!(
            t.begin(ip(A), "k3", start + Duration::from_secs(60))
                .is_ok()
        );
        // Refused attempts counted nothing: again at the limit until the second batch ages.
        let later = start + Duration::from_secs(61);
        assert_eq!(t.begin(ip(A), "k4", later).err(), Some(29));
    }

    #[test]
    fn an_access_key_is_limited_across_peers() {
        let t = Throttle::new(3, Duration::from_secs(60), 100);
        let now = Instant::now();
        fail(&t, A, "k", 2, now);
        fail(&t, B, "k", 1, now);
        assert_eq!(t.begin(ip("192.0.2.1"), "k", now).err(), Some(60));
        // Another key from B is let through: B has one failure.
        assert!(t.begin(ip(B), "other", now).is_ok());
    }

    #[test]
    fn a_success_takes_back_only_its_own_attempt() {
        let t = Throttle::new(3, Duration::from_secs(60), 100);
        let now = Instant::now();
        fail(&t, A, "k", 2, now);
        let ok = t.begin(ip(B), "k", now).unwrap();
        t.succeeded(ok);
        // A's two failures stand; B's success is gone: one more failure of A reaches the
        // limit of the key.
        fail(&t, A, "k", 1, now);
        assert!(t.begin(ip(B), "k", now).is_err());
        assert!(t.begin(ip(B), "j", now).is_ok());
    }

    #[test]
    fn ipv6_peers_count_by_their_64() {
        let t = Throttle::new(2, Duration::from_secs(60), 100);
        let now = Instant::now();
        fail(&t, "2001:db8:1:2::1", "k1", 1, now);
        fail(&t, "2001:db8:1:2:ffff::9", "k2", 1, now);
        assert!(t.begin(ip("2001:db8:1:2::77"), "k3", now).is_err());
        assert!(t.begin(ip("2001:db8:1:3::1"), "k3", now).is_ok());
        // An IPv4-mapped address is the IPv4 peer.
        fail(&t, A, "k4", 2, now);
        assert!(t.begin(ip("::ffff:203.0.113.7"), "k5", now).is_err());
    }

    #[test]
    fn the_table_is_bounded_and_keeps_recent_failures() {
        let t = Throttle::new(2, Duration::from_secs(60), 10);
        let start = Instant::now();
        fail(&t, A, "held", 2, start);
        // Many peers and keys, one failure each, later: the table never grows past its cap.
        for i in 0..100u32 {
            let peer = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let at = start + Duration::from_secs(70 + u64::from(i));
            assert!(t.begin(peer, &format!("key-{i}"), at).is_ok());
            assert!(t.len() <= 10, "{}", t.len());
        }
        // Past the cap, the entries whose latest failure is oldest go: a peer at its limit
        // stays while older ones make room.
        let t2 = Throttle::new(2, Duration::from_secs(600), 4);
        fail(&t2, A, "k", 2, start + Duration::from_secs(5));
        fail(&t2, B, "old", 2, start);
        fail(&t2, "192.0.2.1", "x", 1, start + Duration::from_secs(6));
        assert_eq!(t2.len(), 4);
        let later = start + Duration::from_secs(7);
        assert!(t2.begin(ip(A), "y", later).is_err());
        assert!(t2.begin(ip(B), "z", later).is_ok(), "B was forgotten");
    }
}
