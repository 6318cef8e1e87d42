//! The version store: every app is a bare git repository, and every save is a commit.
//!
//! [`AppRepos`] owns the folder of repositories. Shaped like Gitea's and crates.io's index
//! writers: no work tree (blob → tree update → commit → ref), one function computes a
//! repository's path, libgit2 runs on the blocking pool so it never stalls the async runtime,
//! writes to one app are serialised by a per-app lock while different apps write in parallel,
//! and every write names the revision it was based on — a stale base that touched the same
//! paths is a [`RepoError::Conflict`], never a silent overwrite. History is only ever appended
//! to: a restore is a new commit.

mod branch;
mod error;
mod read;
mod repos;
mod write;

pub use error::RepoError;
pub use read::HeadFacts;
pub use repos::{AppRepos, RepoKey};
pub use write::{CommitOutcome, Signature, SizeBudget};
