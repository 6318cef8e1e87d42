//! The storage ports: what services need from a database, as traits the adapters implement.
//!
//! Services hold these as `Arc<dyn Trait>`, so the SQLite adapter of the embedded default and any
//! later one (Postgres) are interchangeable, and tests use the real SQLite adapter on a temp file.

use crate::{Principal, Role, UserSummary, Username};
use async_trait::async_trait;
use time::OffsetDateTime;

/// What went wrong in a storage adapter, in terms a service can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (the detail names what was taken).
    #[error("already exists: {0}")]
    Conflict(String),
    /// The row to change does not exist.
    #[error("not found")]
    NotFound,
    /// The database failed; the source is for the log, never for the client.
    #[error("storage failure: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A user row as sign-in needs it, with the password hash. Never leaves the services layer.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: i64,
    pub username: Username,
    pub role: Role,
    pub disabled: bool,
    pub password_hash: String,
}

/// A change to a user; `None` leaves the field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
}

/// How many recent sign-in failures a throttle key has, and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: u32,
    pub last_failure: OffsetDateTime,
}

/// Users, sessions, API tokens and sign-in throttling.
///
/// Secrets never reach this trait in clear: sessions and tokens are looked up by the SHA-256 of
/// the secret, and passwords arrive as argon2 hashes.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Adds a user; `Conflict` when the name is taken.
    async fn create_user(
        &self,
        username: &Username,
        password_hash: &str,
        role: Role,
    ) -> Result<UserSummary, StoreError>;
    /// The user with this name, with its password hash, for sign-in.
    async fn find_user_for_sign_in(&self, username: &Username) -> Result<Option<StoredUser>, StoreError>;
    /// The user with this name.
    async fn find_user(&self, username: &Username) -> Result<Option<UserSummary>, StoreError>;
    /// Users ordered by id, those with an id above `after_id`, at most `limit`.
    async fn list_users(&self, after_id: Option<i64>, limit: u32) -> Result<Vec<UserSummary>, StoreError>;
    /// Applies a change; `NotFound` when there is no such user.
    async fn update_user(&self, id: i64, change: &UserChange) -> Result<UserSummary, StoreError>;
    /// How many users exist at all (zero on a fresh database).
    async fn count_users(&self) -> Result<u64, StoreError>;
    /// How many admins are not disabled.
    async fn count_active_admins(&self) -> Result<u64, StoreError>;

    /// Stores a session for the user; returns its id.
    async fn create_session(
        &self,
        user_id: i64,
        secret_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<i64, StoreError>;
    /// The principal of a live session: not expired at `now`, user not disabled.
    async fn find_session(&self, secret_hash: &[u8], now: OffsetDateTime) -> Result<Option<Principal>, StoreError>;
    /// Ends one session (sign-out). Ending an unknown session is not an error.
    async fn delete_session(&self, session_id: i64) -> Result<(), StoreError>;
    /// Ends every session of a user, except `keep` (the one making the change) when given.
    async fn delete_user_sessions(&self, user_id: i64, keep: Option<i64>) -> Result<(), StoreError>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError>;

    /// Stores an API token for the user; returns its id.
    async fn create_token(&self, user_id: i64, name: &str, secret_hash: &[u8]) -> Result<i64, StoreError>;
    /// The principal of a token whose user is not disabled; notes the time of use.
    async fn find_token(&self, secret_hash: &[u8], now: OffsetDateTime) -> Result<Option<Principal>, StoreError>;

    /// The sign-in failures recorded for a throttle key (an account or an address).
    async fn failures(&self, key: &str) -> Result<Option<FailureCount>, StoreError>;
    /// Records one more failure for a key; returns the new count.
    async fn record_failure(&self, key: &str, now: OffsetDateTime) -> Result<FailureCount, StoreError>;
    /// Forgets a key's failures (after a successful sign-in).
    async fn clear_failures(&self, key: &str) -> Result<(), StoreError>;
}
