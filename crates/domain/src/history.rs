//! What the version store answers: trees, commits, diffs, blame. Shared by the server (which
//! builds them from git) and the UI (which shows them).

use crate::app::{RepoPath, Revision};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A file in an app's tree at one revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEntry {
    pub path: RepoPath,
    pub size: u64,
    /// Always `file`: folders are implied by paths.
    pub kind: String,
}

/// The files of an app at one revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tree {
    pub revision: Revision,
    pub entries: Vec<TreeEntry>,
}

/// Who made a commit, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub name: String,
    pub email: String,
}

/// Lines and files a commit changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub files: u32,
    pub additions: u32,
    pub deletions: u32,
}

/// One commit in a history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub revision: Revision,
    pub parents: Vec<Revision>,
    pub author: Author,
    pub message: String,
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub stats: Stats,
}

/// How a file changed between two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeStatus {
    Added,
    Deleted,
    Modified,
    Renamed,
}

/// A file a commit changed, without its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedFile {
    pub path: RepoPath,
    /// The path before a rename.
    pub old_path: Option<RepoPath>,
    pub status: ChangeStatus,
    pub additions: u32,
    pub deletions: u32,
    pub binary: bool,
}

/// One commit with the files it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitDetail {
    #[serde(flatten)]
    pub commit: CommitInfo,
    pub files: Vec<ChangedFile>,
}

/// A line of a hunk: `+` added, `-` deleted, ` ` context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: char,
    pub old_line: Option<u32>,
    pub new_line: Option<u32>,
    pub content: String,
}

/// A run of changed lines with context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunk {
    pub header: String,
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    pub lines: Vec<DiffLine>,
}

/// One file of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    #[serde(flatten)]
    pub file: ChangedFile,
    pub hunks: Vec<Hunk>,
}

/// The difference between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub from: Revision,
    pub to: Revision,
    pub files: Vec<FileDiff>,
}

/// One line of a file with the commit that last changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlameLine {
    pub line: u32,
    pub revision: Revision,
    pub author: Author,
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub content: String,
}
