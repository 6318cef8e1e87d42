//! Users as the rest of the system sees them: validated names, the signed-in principal, and the
//! shapes the API returns.

use crate::Role;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A user name: 2 to 64 characters of `a-z 0-9 . _ -`, starting with a letter or digit.
///
/// Names are stored and compared in this canonical lower-case form; [`Username::parse`] lower-cases
/// its input so that `Alice` and `alice` are the same account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

/// Why a user name was refused; the text tells the user what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("a user name needs 2 to 64 characters")]
    Length,
    #[error("a user name may only contain a-z, 0-9, '.', '_' and '-'")]
    Characters,
    #[error("a user name must start with a letter or a digit")]
    Start,
}

impl Username {
    /// Checks and canonicalises a user name.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let name = raw.trim().to_ascii_lowercase();
        if !(2..=64).contains(&name.len()) {
            return Err(UsernameError::Length);
        }
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
            return Err(UsernameError::Characters);
        }
        if !name.as_bytes()[0].is_ascii_alphanumeric() {
            return Err(UsernameError::Start);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_newtype!(Username, UsernameError);

/// The shortest password accepted for a new or changed password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (argon2 hashes any length; this bounds the work per attempt).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password may have at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
}

/// Checks a password that is about to be set (not one being tried at sign-in).
pub fn check_new_password(password: &str) -> Result<(), PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// The browser's session cookie; the id is the session's row id.
    Session(i64),
    /// An `Authorization: Bearer` API token; the id is the token's row id.
    Token(i64),
}

/// The user a request acts for, resolved once per request from its credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub username: Username,
    pub role: Role,
    pub credential: Credential,
}

impl Principal {
    /// What the UI and `GET /api/v1/me` show about the signed-in user.
    pub fn me(&self) -> Me {
        Me { username: self.username.to_string(), role: self.role }
    }
}

/// The signed-in user as shown to that user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub role: Role,
}

/// A user as the admin's user list shows it. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: Username,
    pub role: Role,
    pub disabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_canonical_lower_case() {
        assert_eq!(Username::parse(" Alice.Smith ").map(String::from), Ok("alice.smith".into()));
        assert_eq!(Username::parse("a"), Err(UsernameError::Length));
        assert_eq!(Username::parse(&"x".repeat(65)), Err(UsernameError::Length));
        assert_eq!(Username::parse("bob smith"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("bøb"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("-bob"), Err(UsernameError::Start));
    }

    #[test]
    fn user_names_are_checked_when_deserialised() {
        let ok: Username = serde_json::from_str("\"Dev-1\"").expect("valid name");
        assert_eq!(ok.as_str(), "dev-1");
        assert!(serde_json::from_str::<Username>("\"../etc\"").is_err());
    }

    #[test]
    fn new_passwords_need_ten_characters_and_at_most_a_kilobyte() {
        assert_eq!(check_new_password("short"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("ééééééééé"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("long enough"), Ok(()));
        assert_eq!(check_new_password(&"p".repeat(1025)), Err(PasswordError::TooLong));
    }
}
