//! A short-lived, in-process memory of resolved credentials.
//!
//! Every request resolves its cookie or token; without this, that is a database round trip (and
//! two thread switches) per request. Entries live [`TTL`] at most and are dropped at once when
//! the service changes what they say (sign-out, role, password, disabled), so within this
//! process a change applies to the next request. What it can delay by up to [`TTL`]: a session
//! reaching its expiry time, and a token's `last_used_at` note. AppBuilder's embedded default is
//! one process; several processes on one database would each keep their own memory.

use domain::Principal;
use domain::user::Credential;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a resolved credential is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(10);
/// Past this many entries the memory starts over (it is only a shortcut).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub(crate) struct PrincipalCache {
    entries: Mutex<HashMap<[u8; 32], (Principal, Instant)>>,
}

impl PrincipalCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (Principal, Instant)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The principal remembered for a secret's hash, if still fresh.
    pub(crate) fn get(&self, key: &[u8; 32]) -> Option<Principal> {
        let mut entries = self.entries();
        match entries.get(key) {
            Some((principal, at)) if at.elapsed() < TTL => Some(principal.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn put(&self, key: [u8; 32], principal: Principal) {
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (principal, Instant::now()));
    }

    /// Forgets everything about one user (their role, password or state changed).
    pub(crate) fn forget_user(&self, user_id: i64) {
        self.entries().retain(|_, (principal, _)| principal.user_id != user_id);
    }

    /// Forgets one session or token (signed out).
    pub(crate) fn forget_credential(&self, credential: Credential) {
        self.entries().retain(|_, (principal, _)| principal.credential != credential);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Role, Username};

    fn principal(user_id: i64, session: i64) -> Principal {
        Principal {
            user_id,
            username: Username::parse("someone").expect("a name"),
            role: Role::Developer,
            credential: Credential::Session(session),
        }
    }

    #[test]
    fn entries_are_forgotten_per_user_and_per_credential() {
        let cache = PrincipalCache::default();
        cache.put([1; 32], principal(1, 10));
        cache.put([2; 32], principal(1, 11));
        cache.put([3; 32], principal(2, 20));
        assert_eq!(cache.get(&[1; 32]).map(|p| p.user_id), Some(1));
        cache.forget_credential(Credential::Session(10));
        assert!(cache.get(&[1; 32]).is_none());
        assert!(cache.get(&[2; 32]).is_some());
        cache.forget_user(1);
        assert!(cache.get(&[2; 32]).is_none());
        assert!(cache.get(&[3; 32]).is_some(), "other users stay");
    }

    #[test]
    fn stale_entries_are_not_served() {
        let cache = PrincipalCache::default();
        cache.entries().insert([9; 32], (principal(1, 1), Instant::now() - TTL));
        assert!(cache.get(&[9; 32]).is_none());
        assert!(cache.entries().is_empty(), "a stale entry is dropped when met");
    }
}
