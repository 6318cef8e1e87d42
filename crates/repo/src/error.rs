//! The version store's one error type.

use domain::app::{RepoPath, Revision};

/// What can go wrong in the version store.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The base of a write is stale: the head moved and changed some of the same paths.
    #[error("the app changed since {base}: {} changed meanwhile", paths.iter().map(RepoPath::as_str).collect::<Vec<_>>().join(", "))]
    Conflict { base: Revision, head: Revision, paths: Vec<RepoPath> },
    /// No such revision in this app.
    #[error("no revision {0} in this app")]
    UnknownRevision(String),
    /// No such file at that revision.
    #[error("no file {0} at this revision")]
    NoSuchFile(RepoPath),
    /// The changes cannot be applied as asked (a path used twice, a file where a folder is).
    #[error("{0}")]
    InvalidChange(String),
    /// The write would make the app larger than allowed; nothing was committed.
    #[error("the app would grow to {size} bytes, over the limit of {max}")]
    TooLarge { size: u64, max: u64 },
    /// The app's repository does not exist.
    #[error("the app's repository is missing")]
    MissingRepository,
    /// libgit2 or the file system failed; details for the log only.
    #[error("git failure: {0}")]
    Git(#[from] git2::Error),
    /// A blocking task died.
    #[error("the git worker failed: {0}")]
    Worker(String),
}
