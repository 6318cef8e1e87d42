//! The app service's one error type.

use domain::app::{PathError, RepoPath, Revision};
use domain::ports::StoreError;
use repo::RepoError;

/// What can go wrong in an app operation; the HTTP layer maps each variant once.
#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    /// A path broke a rule.
    #[error("invalid path {path:?}: {reason}")]
    InvalidPath { path: String, reason: PathError },
    /// An uploaded archive is unsafe (links, `..`, a bomb...); the text names the reason.
    #[error("unsafe archive: {0}")]
    UnsafeArchive(String),
    /// Other bad input (a name, a template, a revision, base64).
    #[error("{0}")]
    Invalid(String),
    /// The actor's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// No such app, revision or file.
    #[error("{0}")]
    NotFound(String),
    /// The save's base is stale for some of its paths.
    #[error("the app changed since your version: {} changed meanwhile", paths.iter().map(RepoPath::as_str).collect::<Vec<_>>().join(", "))]
    Conflict { head: Revision, paths: Vec<RepoPath> },
    /// A file or the app would be over its size limit.
    #[error("{0}")]
    TooLarge(String),
    /// A deploy would break playbooks (these contract changes) without a major version bump,
    /// and no reason was given.
    #[error("this build changes the app's contract without a major version bump: {}", changes.join("; "))]
    Breaking { changes: Vec<String> },
    /// The thing is in a state that refuses this (a version not above the last release, a review
    /// already open or approved); the text says which.
    #[error("{0}")]
    StateConflict(String),
    /// Too much is waiting already (runs); try again later.
    #[error("{0}")]
    Busy(String),
    /// Storage or git failed; details for the log only.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl AppsError {
    /// The HTTP status this error answers with, wherever the app service is reached from (the
    /// REST API adds its error codes and details on top; the UI's server fns use this alone).
    pub fn status(&self) -> u16 {
        match self {
            AppsError::InvalidPath { .. } | AppsError::UnsafeArchive(_) | AppsError::Invalid(_) => 400,
            AppsError::Forbidden(_) => 403,
            AppsError::NotFound(_) => 404,
            AppsError::Conflict { .. } | AppsError::Breaking { .. } | AppsError::StateConflict(_) => 409,
            AppsError::Busy(_) => 429,
            AppsError::TooLarge(_) => 413,
            AppsError::Internal(_) => 500,
        }
    }
}

impl From<StoreError> for AppsError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => AppsError::Invalid(format!("{what} already exists")),
            StoreError::NotFound => AppsError::NotFound("no such app".into()),
            StoreError::Backend(source) => AppsError::Internal(source.to_string()),
        }
    }
}

impl From<RepoError> for AppsError {
    fn from(err: RepoError) -> Self {
        match err {
            RepoError::Conflict { head, paths, .. } => AppsError::Conflict { head, paths },
            RepoError::UnknownRevision(rev) => AppsError::NotFound(format!("no revision {rev} in this app")),
            RepoError::NoSuchFile(path) => AppsError::NotFound(format!("no file {path} at this revision")),
            RepoError::InvalidChange(message) => AppsError::Invalid(message),
            RepoError::TooLarge { size, max } => {
                AppsError::TooLarge(format!("the app would grow to {size} bytes, over the limit of {max} bytes"))
            }
            other @ (RepoError::MissingRepository | RepoError::Git(_) | RepoError::Worker(_)) => {
                AppsError::Internal(other.to_string())
            }
        }
    }
}
