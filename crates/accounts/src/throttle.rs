//! Back-off after failed sign-ins, per account and per address.

use domain::ports::FailureCount;
use std::time::Duration;
use time::OffsetDateTime;

/// How sign-in failures slow down further attempts.
///
/// A key (an account or an address) gets `free_attempts` failures without delay. After that, each
/// attempt must wait `base_delay × 2^(failures − free_attempts)` since the last failure, up to
/// `max_delay`. Failures older than `forget_after` no longer count.
#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    pub account_free_attempts: u32,
    /// Addresses get more: many people may share one (NAT, a proxy).
    pub address_free_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub forget_after: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account_free_attempts: 5,
            address_free_attempts: 20,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(60 * 60),
        }
    }
}

impl ThrottlePolicy {
    /// How long the caller must still wait before trying this key again, if at all.
    pub fn wait(&self, count: Option<FailureCount>, free_attempts: u32, now: OffsetDateTime) -> Option<Duration> {
        let count = count?;
        let since = Duration::try_from(now - count.last_failure).unwrap_or(Duration::ZERO);
        if since >= self.forget_after || count.failures < free_attempts {
            return None;
        }
        let doublings = (count.failures - free_attempts).min(20);
        let delay = self.base_delay.saturating_mul(1 << doublings).min(self.max_delay);
        delay.checked_sub(since).filter(|left| !left.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(n: u32, seconds_ago: i64, now: OffsetDateTime) -> Option<FailureCount> {
        Some(FailureCount { failures: n, last_failure: now - time::Duration::seconds(seconds_ago) })
    }

    #[test]
    fn the_first_failures_are_free_then_the_wait_doubles_up_to_the_cap() {
        let policy = ThrottlePolicy::default();
        let now = OffsetDateTime::now_utc();
        assert_eq!(policy.wait(None, 5, now), None);
        assert_eq!(policy.wait(failures(4, 0, now), 5, now), None);
        assert_eq!(policy.wait(failures(5, 0, now), 5, now), Some(Duration::from_secs(2)));
        assert_eq!(policy.wait(failures(7, 0, now), 5, now), Some(Duration::from_secs(8)));
        assert_eq!(policy.wait(failures(7, 3, now), 5, now), Some(Duration::from_secs(5)));
        assert_eq!(policy.wait(failures(40, 0, now), 5, now), Some(Duration::from_secs(900)));
    }

    #[test]
    fn waits_end_and_old_failures_are_forgotten() {
        let policy = ThrottlePolicy::default();
        let now = OffsetDateTime::now_utc();
        assert_eq!(policy.wait(failures(5, 2, now), 5, now), None);
        assert_eq!(policy.wait(failures(40, 3600, now), 5, now), None);
    }
}
