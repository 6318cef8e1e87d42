//! [`Accounts`]: sign-in, sessions, tokens and user administration.

use crate::cache::PrincipalCache;
use crate::error::AccountsError;
use crate::secrets::{TOKEN_PREFIX, generate_password, hash_password, random_secret, secret_hash, verify_password};
use crate::throttle::ThrottlePolicy;
use domain::paging::{Page, PageRequest};
use domain::ports::{AccountStore, UserChange};
use domain::user::{Credential, check_new_password};
use domain::{Principal, Role, UserSummary, Username};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// The name of the admin created on an empty database.
pub const FIRST_ADMIN: &str = "admin";
/// The longest API token name.
const MAX_TOKEN_NAME: usize = 100;

/// The account service. Cheap to clone; build it once at start-up.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    throttle: ThrottlePolicy,
    session_lifetime: Duration,
    /// A hash to verify against when the user does not exist, so that both cases take as long.
    decoy_hash: Arc<str>,
    /// Resolved sessions and tokens, for a few seconds (see `cache`).
    recent: Arc<PrincipalCache>,
}

/// A session just opened: the secret goes into the cookie and is not kept anywhere else.
#[derive(Debug)]
pub struct NewSession {
    pub secret: String,
    pub principal: Principal,
    pub expires_at: OffsetDateTime,
}

/// An API token just created; `token` is shown once.
#[derive(Debug)]
pub struct NewToken {
    pub id: i64,
    pub token: String,
}

/// The admin created on first start; `generated` says whether the password was invented here
/// (and so must be shown to the operator once).
#[derive(Debug)]
pub struct FirstAdmin {
    pub username: Username,
    pub password: String,
    pub generated: bool,
}

/// An admin's change to a user (`PATCH /api/v1/users/{username}`).
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub role: Option<Role>,
    pub password: Option<String>,
    pub disabled: Option<bool>,
}

impl Accounts {
    /// A service over `store` with the given back-off policy and session lifetime.
    pub fn new(
        store: Arc<dyn AccountStore>,
        throttle: ThrottlePolicy,
        session_lifetime: Duration,
    ) -> Result<Self, AccountsError> {
        let decoy_hash = hash_password(&random_secret()).map_err(AccountsError::Internal)?;
        Ok(Self { store, throttle, session_lifetime, decoy_hash: decoy_hash.into(), recent: Arc::default() })
    }

    /// How long a browser session lasts after sign-in.
    pub fn session_lifetime(&self) -> Duration {
        self.session_lifetime
    }

    /// Checks a user name and password and opens a session.
    ///
    /// Unknown users, disabled users and wrong passwords all give [`AccountsError::BadCredentials`]
    /// after the same argon2 work. While the account or the address is backing off, the password
    /// is not even checked: the answer is [`AccountsError::RateLimited`].
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<NewSession, AccountsError> {
        let now = OffsetDateTime::now_utc();
        // An invalid name cannot exist; it is throttled under its raw text like any other.
        let name = Username::parse(username).ok();
        let account_key = format!("account:{}", name.as_ref().map_or(username, Username::as_str));
        let address_key = address.map(|ip| format!("address:{ip}"));
        self.check_throttle(&account_key, self.throttle.account_free_attempts, now).await?;
        if let Some(key) = &address_key {
            self.check_throttle(key, self.throttle.address_free_attempts, now).await?;
        }

        let stored = match &name {
            Some(name) => self.store.find_user_for_sign_in(name).await?,
            None => None,
        };
        let hash = stored.as_ref().map_or_else(|| self.decoy_hash.to_string(), |u| u.password_hash.clone());
        let password_owned = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password_owned, &hash))
            .await
            .map_err(|err| AccountsError::Internal(format!("password check: {err}")))?;

        let user = match stored {
            Some(user) if matches && !user.disabled => user,
            _ => {
                self.store.record_failure(&account_key, now).await?;
                if let Some(key) = &address_key {
                    self.store.record_failure(key, now).await?;
                }
                return Err(AccountsError::BadCredentials);
            }
        };
        self.store.clear_failures(&account_key).await?;

        let secret = random_secret();
        let expires_at = now + self.session_lifetime;
        let id = self.store.create_session(user.id, &secret_hash(&secret), expires_at).await?;
        let principal = Principal {
            user_id: user.id,
            username: user.username,
            role: user.role,
            credential: Credential::Session(id),
        };
        Ok(NewSession { secret, principal, expires_at })
    }

    async fn check_throttle(&self, key: &str, free_attempts: u32, now: OffsetDateTime) -> Result<(), AccountsError> {
        let count = self.store.failures(key).await?;
        match self.throttle.wait(count, free_attempts, now) {
            Some(retry_after) => Err(AccountsError::RateLimited { retry_after }),
            None => Ok(()),
        }
    }

    /// The principal of a session cookie's value, if the session is live.
    pub async fn authenticate_session(&self, secret: &str) -> Result<Option<Principal>, AccountsError> {
        let key = secret_hash(secret);
        if let Some(principal) = self.recent.get(&key) {
            return Ok(Some(principal));
        }
        let found = self.store.find_session(&key, OffsetDateTime::now_utc()).await?;
        if let Some(principal) = &found {
            self.recent.put(key, principal.clone());
        }
        Ok(found)
    }

    /// The principal of a bearer token, if it is valid.
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<Principal>, AccountsError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let key = secret_hash(token);
        if let Some(principal) = self.recent.get(&key) {
            return Ok(Some(principal));
        }
        let found = self.store.find_token(&key, OffsetDateTime::now_utc()).await?;
        if let Some(principal) = &found {
            self.recent.put(key, principal.clone());
        }
        Ok(found)
    }

    /// Ends the session the principal signed in with (a token has no session to end).
    pub async fn sign_out(&self, principal: &Principal) -> Result<(), AccountsError> {
        if let Credential::Session(id) = principal.credential {
            self.store.delete_session(id).await?;
            self.recent.forget_credential(principal.credential);
        }
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64, AccountsError> {
        Ok(self.store.purge_expired_sessions(OffsetDateTime::now_utc()).await?)
    }

    /// Creates an API token acting as `owner`, with a name to recognise it by.
    pub async fn create_token(&self, owner: &Principal, name: &str) -> Result<NewToken, AccountsError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
            return Err(AccountsError::Invalid(format!("a token name needs 1 to {MAX_TOKEN_NAME} characters")));
        }
        let token = format!("{TOKEN_PREFIX}{}", random_secret());
        let id = self.store.create_token(owner.user_id, name, &secret_hash(&token)).await?;
        Ok(NewToken { id, token })
    }

    /// Adds a user after checking the name and the password.
    pub async fn create_user(&self, username: &str, password: &str, role: Role) -> Result<UserSummary, AccountsError> {
        let name = Username::parse(username).map_err(|err| AccountsError::Invalid(err.to_string()))?;
        check_new_password(password).map_err(|err| AccountsError::Invalid(err.to_string()))?;
        let hash = self.hash(password).await?;
        Ok(self.store.create_user(&name, &hash, role).await?)
    }

    /// One page of users, ordered by creation.
    pub async fn list_users(&self, page: &PageRequest) -> Result<Page<UserSummary>, AccountsError> {
        let limit = page.limit().map_err(|err| AccountsError::Invalid(err.to_string()))?;
        let after = match &page.cursor {
            None => None,
            Some(cursor) => Some(
                cursor
                    .parse::<i64>()
                    .map_err(|_| AccountsError::Invalid("the cursor is not one this list gave out".into()))?,
            ),
        };
        let users = self.store.list_users(after, limit + 1).await?;
        Ok(Page::from_overfetch(users, limit, |user| user.id.to_string()))
    }

    /// Applies an admin's change to a user.
    ///
    /// A new password ends the user's other sessions; disabling ends all of them. The last active
    /// admin can be neither demoted nor disabled.
    pub async fn update_user(
        &self,
        actor: &Principal,
        username: &str,
        patch: UserPatch,
    ) -> Result<UserSummary, AccountsError> {
        let name = Username::parse(username).map_err(|_| AccountsError::NotFound)?;
        let user = self.store.find_user(&name).await?.ok_or(AccountsError::NotFound)?;
        let loses_admin = user.role == Role::Admin
            && !user.disabled
            && (patch.role.is_some_and(|r| r != Role::Admin) || patch.disabled == Some(true));
        if loses_admin && self.store.count_active_admins().await? <= 1 {
            return Err(AccountsError::Conflict("at least one active admin must remain".into()));
        }
        let password_hash = match &patch.password {
            Some(password) => {
                check_new_password(password).map_err(|err| AccountsError::Invalid(err.to_string()))?;
                Some(self.hash(password).await?)
            }
            None => None,
        };
        let change = UserChange { role: patch.role, password_hash, disabled: patch.disabled };
        let updated = self.store.update_user(user.id, &change).await?;
        self.recent.forget_user(user.id);
        if patch.disabled == Some(true) {
            self.store.delete_user_sessions(user.id, None).await?;
        } else if patch.password.is_some() {
            let keep = match actor.credential {
                Credential::Session(id) if actor.user_id == user.id => Some(id),
                _ => None,
            };
            self.store.delete_user_sessions(user.id, keep).await?;
        }
        Ok(updated)
    }

    /// On an empty database, creates the admin `admin` with `password`, or a generated one.
    /// Returns `None` when users already exist.
    pub async fn ensure_first_admin(&self, password: Option<&str>) -> Result<Option<FirstAdmin>, AccountsError> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let (password, generated) = match password {
            Some(given) => (given.to_owned(), false),
            None => (generate_password(), true),
        };
        let user = self.create_user(FIRST_ADMIN, &password, Role::Admin).await?;
        Ok(Some(FirstAdmin { username: user.username, password, generated }))
    }

    async fn hash(&self, password: &str) -> Result<String, AccountsError> {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|err| AccountsError::Internal(format!("password hashing: {err}")))?
            .map_err(AccountsError::Internal)
    }
}
