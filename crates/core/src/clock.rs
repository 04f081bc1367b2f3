//! The store's clock: the wall clock, never earlier than the latest time it has shown.
//!
//! Retention compares instants with "now", and stamps new versions with it (a WORM rule
//! protects a version until its last-modified time plus the rule's days; a default retention
//! runs from the write). A wall clock set backwards would stamp earlier times and so free
//! data early; this clock keeps the latest time seen instead. The store persists that time
//! (the setting [`CLOCK_SETTING`]) when it opens and with every write into a bucket that has
//! retention, so a restart with a clock set backwards does not go back either.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The setting that keeps the latest time the store has shown, in Unix milliseconds (8 bytes,
/// big-endian).
pub const CLOCK_SETTING: &str = "clock/latest-ms";

/// Where the current wall-clock time comes from, in Unix milliseconds: the system's clock,
/// or (in tests) one the test sets.
#[derive(Clone)]
pub struct WallClock(pub Arc<dyn Fn() -> i64 + Send + Sync>);

impl WallClock {
    pub fn system() -> WallClock {
        WallClock(Arc::new(system_now_ms))
    }

    /// A clock that reads `ms`, for tests that move time.
    pub fn manual(ms: Arc<AtomicI64>) -> WallClock {
        WallClock(Arc::new(move || ms.load(Ordering::Acquire)))
    }
}

impl Default for WallClock {
    fn default() -> Self {
        WallClock::system()
    }
}

impl std::fmt::Debug for WallClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WallClock")
    }
}

fn system_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A clock that never goes back: the wall clock's time, or the latest time already shown
/// when the wall clock is behind it.
pub struct Clock {
    wall: WallClock,
    latest: AtomicI64,
}

impl Clock {
    pub fn new(wall: WallClock) -> Clock {
        Clock {
            wall,
            latest: AtomicI64::new(i64::MIN),
        }
    }

    /// Now, in Unix milliseconds: never earlier than any time this clock has shown or seen.
    pub fn now_ms(&self) -> i64 {
        let wall = (self.wall.0)();
        let before = self.latest.fetch_max(wall, Ordering::AcqRel);
        before.max(wall)
    }

    /// Takes in a time shown before (read back from the store).
    pub fn observe(&self, ms: i64) {
        self.latest.fetch_max(ms, Ordering::AcqRel);
    }

    pub fn encode(ms: i64) -> [u8; 8] {
        ms.to_be_bytes()
    }

    pub fn decode(bytes: &[u8]) -> Option<i64> {
        Some(i64::from_be_bytes(bytes.try_into().ok()?))
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("latest", &self.latest.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wall_clock_set_backwards_does_not_take_the_clock_back() {
        let wall = Arc::new(AtomicI64::new(1_000));
        let clock = Clock::new(WallClock::manual(wall.clone()));
        assert_eq!(clock.now_ms(), 1_000);
        wall.store(500, Ordering::Relaxed);
        assert_eq!(clock.now_ms(), 1_000);
        wall.store(2_000, Ordering::Relaxed);
        assert_eq!(clock.now_ms(), 2_000);
        clock.observe(5_000);
        assert_eq!(clock.now_ms(), 5_000);
        assert_eq!(Clock::decode(&Clock::encode(-7)), Some(-7));
        assert_eq!(Clock::decode(b"short"), None);
    }
}
