//! Releases and reviews: a release is a git tag `v<programVersion>` on a revision plus its build;
//! a developer asks for a review of it, reviewers comment on lines and manifest fields and approve
//! or request changes (never the release's author); protected targets take approved releases only.
//! Notifications tell people about review requests and answers.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The state of a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Asked for, not decided yet.
    Open,
    Approved,
    ChangesRequested,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Open => "open",
            ReviewState::Approved => "approved",
            ReviewState::ChangesRequested => "changes_requested",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewState> {
        match text {
            "open" => Some(ReviewState::Open),
            "approved" => Some(ReviewState::Approved),
            "changes_requested" => Some(ReviewState::ChangesRequested),
            _ => None,
        }
    }
}

/// A release of an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub id: i64,
    pub app: String,
    #[serde(skip)]
    pub app_id: i64,
    /// The revision's programVersion (X.Y.Z).
    pub version: String,
    /// `v<version>`.
    pub tag: String,
    pub revision: String,
    /// The build of the revision the release ships.
    pub build: i64,
    pub notes: String,
    pub author: String,
    #[serde(skip)]
    pub author_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The newest review's id and state, when one was asked for.
    pub review: Option<i64>,
    pub review_state: Option<ReviewState>,
}

/// A new release's row.
#[derive(Debug, Clone)]
pub struct NewRelease {
    pub app_id: i64,
    pub version: (u64, u64, u64),
    pub revision: String,
    pub build_id: i64,
    pub notes: String,
    pub author_id: i64,
}

impl NewRelease {
    pub fn version_text(&self) -> String {
        let (major, minor, patch) = self.version;
        format!("{major}.{minor}.{patch}")
    }
}

/// A comment in a review: on the release as a whole, on a line of a file, or on a manifest field
/// (a JSON pointer into install.json or layout.json, with `path` naming the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewComment {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub path: Option<String>,
    pub line: Option<u32>,
    pub pointer: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A new comment's row.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub review_id: i64,
    pub author_id: i64,
    pub body: String,
    pub path: Option<String>,
    pub line: Option<u32>,
    pub pointer: Option<String>,
}

/// A review of a release, with its comments oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: i64,
    pub app: String,
    pub release: Release,
    pub state: ReviewState,
    pub requested_by: String,
    #[serde(skip)]
    pub requested_by_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub comments: Vec<ReviewComment>,
}

/// A line in someone's notification list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    /// `review_requested`, `review_comment`, `review_approved`, `review_changes_requested`.
    pub kind: String,
    pub text: String,
    /// Where it leads in the UI, e.g. `/reviews/12`.
    pub link: String,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub read: bool,
}

/// A notification for one user.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: i64,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub actor_id: i64,
}

/// What the release form proposes for a revision: its version, the contract changes since the
/// last release, the version those changes call for, and notes drafted from both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub revision: String,
    /// programVersion at the revision.
    pub version: Option<String>,
    /// The highest release so far.
    pub last: Option<Release>,
    /// From the last release's revision to this one.
    pub contract: Option<crate::manifest::contract::ContractDiff>,
    /// The last release's version raised as the contract changes call for (1.0.0 first).
    pub suggested_version: Option<String>,
    /// What stops or should stop this release, for people (empty: go ahead).
    pub problems: Vec<String>,
    /// Release notes drafted from the commit messages and the contract changes.
    pub notes: String,
    /// The commits since the last release, newest first.
    pub commits: Vec<crate::history::CommitInfo>,
}

/// A review as its page shows it: the review, the contract changes and the commits since the
/// release before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub review: Review,
    /// The version of the release before, when there is one.
    pub previous: Option<String>,
    pub contract: Option<crate::manifest::contract::ContractDiff>,
    pub commits: Vec<crate::history::CommitInfo>,
}
