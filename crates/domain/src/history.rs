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

/// Which commits a history listing keeps (all of them by default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryFilter {
    /// Commits that changed this file.
    pub path: Option<RepoPath>,
    /// Commits whose author's name or email contains this, ignoring case.
    pub author: Option<String>,
    /// Commits made at or after this time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
    /// Commits made at or before this time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
    /// Stop at this revision, leaving it out: the commits made since an earlier version.
    pub after: Option<Revision>,
}

impl HistoryFilter {
    /// A filter from what people type: an author, and days or RFC 3339 times (blank means no
    /// bound). The error says which bound is not a time.
    pub fn from_text(
        path: Option<RepoPath>,
        author: Option<&str>,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<HistoryFilter, String> {
        let bound =
            |text: Option<&str>, end_of_day: bool, name: &str| match text.map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => HistoryFilter::parse_time(t, end_of_day)
                    .map(Some)
                    .ok_or_else(|| format!("{name} {t:?} is not a day (2026-11-28) or an RFC 3339 time")),
            };
        Ok(HistoryFilter {
            path,
            author: author.map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned),
            since: bound(since, false, "since")?,
            until: bound(until, true, "until")?,
            after: None,
        })
    }

    /// A time bound as people type it: RFC 3339 (`2026-11-28T09:30:00Z`) or a day (`2026-11-28`,
    /// taken in UTC from its start, or to its end when `end_of_day`).
    pub fn parse_time(text: &str, end_of_day: bool) -> Option<OffsetDateTime> {
        let text = text.trim();
        if let Ok(at) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
            return Some(at);
        }
        let day = time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        let at = if end_of_day { day.with_hms_milli(23, 59, 59, 999).ok()? } else { day.midnight() };
        Some(at.assume_utc())
    }

    /// Whether a commit by `author` at `time` passes the author and time rules (not the path).
    pub fn admits(&self, author: &Author, time: OffsetDateTime) -> bool {
        let by = self.author.as_deref().map(str::trim).filter(|a| !a.is_empty()).is_none_or(|wanted| {
            let wanted = wanted.to_lowercase();
            author.name.to_lowercase().contains(&wanted) || author.email.to_lowercase().contains(&wanted)
        });
        by && self.since.is_none_or(|since| time >= since) && self.until.is_none_or(|until| time <= until)
    }
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

#[cfg(test)]
mod filter_tests {
    use super::*;

    #[test]
    fn time_bounds_are_days_or_rfc3339() {
        let start = HistoryFilter::parse_time("2026-11-28", false).expect("a day");
        let end = HistoryFilter::parse_time("2026-11-28", true).expect("a day");
        assert_eq!((start.hour(), end.hour(), end.minute()), (0, 23, 59));
        let exact = HistoryFilter::parse_time("2026-11-28T09:30:00+01:00", false).expect("rfc3339");
        assert_eq!(exact.unix_timestamp(), start.unix_timestamp() + 8 * 3600 + 1800);
        assert_eq!(HistoryFilter::parse_time("28/11/2026", false), None);
    }

    #[test]
    fn author_and_time_rules_combine() {
        let at = HistoryFilter::parse_time("2026-11-28T12:00:00Z", false).expect("time");
        let ada = Author { name: "Ada".into(), email: "ada@example.org".into() };
        let filter = HistoryFilter { author: Some("EXAMPLE.org".into()), since: Some(at), ..HistoryFilter::default() };
        assert!(filter.admits(&ada, at));
        assert!(!filter.admits(&ada, at - time::Duration::seconds(1)));
        assert!(!HistoryFilter { author: Some("bob".into()), ..HistoryFilter::default() }.admits(&ada, at));
    }
}
