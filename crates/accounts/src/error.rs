//! The account service's one error type.

use domain::ports::StoreError;
use std::time::Duration;

/// What can go wrong in an account operation. The HTTP layer maps each variant to a status once.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Wrong user name or password, unknown or disabled user: deliberately one answer for all.
    #[error("wrong user name or password")]
    BadCredentials,
    /// Too many recent failures for this account or address.
    #[error("too many failed sign-ins; try again in {} s", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// The input breaks a rule; the text says which.
    #[error("{0}")]
    Invalid(String),
    /// The change would clash with existing state (a taken name, the last admin).
    #[error("{0}")]
    Conflict(String),
    /// No such user.
    #[error("no such user")]
    NotFound,
    /// Storage or hashing failed; details go to the log only.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl From<StoreError> for AccountsError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => AccountsError::Conflict(format!("{what} already exists")),
            StoreError::NotFound => AccountsError::NotFound,
            StoreError::Backend(source) => AccountsError::Internal(source.to_string()),
        }
    }
}
