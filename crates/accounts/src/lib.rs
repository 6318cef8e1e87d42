//! The account service: who may come in, and as whom.
//!
//! [`Accounts`] holds the rules that the HTTP API, the Leptos server fns and the command line
//! share: argon2id password hashes, sign-in with per-account and per-address back-off, browser
//! sessions and API tokens (random secrets handed out once, stored as SHA-256), user
//! administration that never leaves the system without an active admin, and the first admin
//! of an empty database. It reaches storage only through `domain::ports::AccountStore`.

mod cache;
mod error;
mod secrets;
mod service;
mod throttle;

pub use cache::TTL as PRINCIPAL_CACHE_TTL;
pub use error::AccountsError;
pub use secrets::{SESSION_TOKEN_BYTES, TOKEN_PREFIX, generate_password};
pub use service::{Accounts, FirstAdmin, NewSession, NewToken, UserPatch};
pub use throttle::ThrottlePolicy;
