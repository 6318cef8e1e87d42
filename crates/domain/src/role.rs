//! Roles and what they allow.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user may do. Each role allows everything the one before it allows.
///
/// - `Reviewer`: read everything, review.
/// - `Developer`: create and edit apps, build, test-run.
/// - `Admin`: everything, including deploy, targets and users.
///
/// The derived order (`Reviewer < Developer < Admin`) is the order of privilege, so a check is
/// `role >= needed`; see [`Role::allows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reviewer,
    Developer,
    Admin,
}

impl Role {
    /// Every role, least privileged first.
    pub const ALL: [Role; 3] = [Role::Reviewer, Role::Developer, Role::Admin];

    /// The stable lower-case name used in the API, the database and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Developer => "developer",
            Role::Admin => "admin",
        }
    }

    /// Whether a user with this role may do something that needs `needed`.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of `developer`, `reviewer`, `admin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected one of developer, reviewer, admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_allows_everything_and_reviewer_only_reading() {
        assert!(Role::Admin.allows(Role::Developer));
        assert!(Role::Admin.allows(Role::Reviewer));
        assert!(Role::Developer.allows(Role::Reviewer));
        assert!(!Role::Developer.allows(Role::Admin));
        assert!(!Role::Reviewer.allows(Role::Developer));
    }

    #[test]
    fn names_round_trip_through_text_and_json() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            let json = serde_json::to_string(&role).expect("a role serialises");
            assert_eq!(json, format!("\"{role}\""));
        }
        assert_eq!(
            "Admin".parse::<Role>(),
            Err(UnknownRole("Admin".into())),
            "names are case-sensitive, as in the API"
        );
    }
}
