//! Reading: head, trees, files, history, one commit, diffs and blame, at any revision.

use crate::error::RepoError;
use crate::repos::{AppRepos, RepoKey};
use crate::write::{BRANCH, entry_id, find_commit, revision};
use domain::app::{RepoPath, Revision};
use domain::history::{
    Author, BlameLine, ChangeStatus, ChangedFile, CommitDetail, CommitInfo, Diff, DiffLine, FileDiff, HistoryFilter,
    Hunk, Stats, Tree, TreeEntry,
};
use git2::{
    BlameOptions, Delta, DiffFindOptions, DiffFormat, DiffOptions, ObjectType, Oid, Patch, Repository, TreeWalkMode,
    TreeWalkResult,
};
use std::path::Path;
use time::OffsetDateTime;

/// What an app's row keeps about its head: which commit, when it was made, its install.json (if
/// any) and the total size of its files.
#[derive(Debug, Clone)]
pub struct HeadFacts {
    pub revision: Revision,
    pub time: OffsetDateTime,
    pub install_json: Option<Vec<u8>>,
    pub size: u64,
}

impl AppRepos {
    /// The head's facts (see [`HeadFacts`]) unless the head is `known`: then `None`, without
    /// reading its tree.
    pub async fn head_facts_unless(
        &self,
        key: &RepoKey,
        known: Option<Revision>,
    ) -> Result<Option<HeadFacts>, RepoError> {
        self.with_repo(key, move |repo| {
            let head = repo.find_reference(BRANCH)?.peel_to_commit()?;
            if known.is_some_and(|known| known.as_str() == head.id().to_string()) {
                return Ok(None);
            }
            let tree = head.tree()?;
            let install_json = match tree.get_name("install.json") {
                Some(entry) if entry.kind() == Some(ObjectType::Blob) => {
                    Some(repo.find_blob(entry.id())?.content().to_vec())
                }
                _ => None,
            };
            let time = OffsetDateTime::from_unix_timestamp(head.time().seconds()).unwrap_or(OffsetDateTime::UNIX_EPOCH);
            let size = crate::write::tree_size(repo, &tree)?;
            Ok(Some(HeadFacts { revision: revision(head.id()), time, install_json, size }))
        })
        .await
    }

    /// The revision `main` points at.
    pub async fn head(&self, key: &RepoKey) -> Result<Revision, RepoError> {
        self.with_repo(key, head_of).await
    }

    /// Every file at `rev` (the head when `None`), sorted by path.
    pub async fn tree(&self, key: &RepoKey, rev: Option<Revision>) -> Result<Tree, RepoError> {
        self.with_repo(key, move |repo| {
            let commit = resolve(repo, rev.as_ref())?;
            let odb = repo.odb()?;
            let mut entries = Vec::new();
            let mut failure = None;
            commit.tree()?.walk(TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() != Some(ObjectType::Blob) {
                    return TreeWalkResult::Ok;
                }
                let path = format!("{dir}{}", entry.name().unwrap_or_default());
                match (RepoPath::parse(&path), odb.read_header(entry.id())) {
                    (Ok(path), Ok((size, _))) => {
                        entries.push(TreeEntry { path, size: size as u64, kind: "file".into() })
                    }
                    (_, Err(err)) => {
                        failure = Some(err);
                        return TreeWalkResult::Abort;
                    }
                    (Err(_), _) => tracing::warn!(path, "skipping a file whose path the store would refuse"),
                }
                TreeWalkResult::Ok
            })?;
            if let Some(err) = failure {
                return Err(err.into());
            }
            entries.sort_by(|a, b| a.path.cmp(&b.path));
            Ok(Tree { revision: revision(commit.id()), entries })
        })
        .await
    }

    /// A file's bytes at `rev` (the head when `None`), with the revision read.
    pub async fn read_file(
        &self,
        key: &RepoKey,
        rev: Option<Revision>,
        path: RepoPath,
    ) -> Result<(Revision, Vec<u8>), RepoError> {
        self.with_repo(key, move |repo| {
            let commit = resolve(repo, rev.as_ref())?;
            let id = entry_id(&commit.tree()?, &path).ok_or(RepoError::NoSuchFile(path))?;
            Ok((revision(commit.id()), repo.find_blob(id)?.content().to_vec()))
        })
        .await
    }

    /// History, newest first, starting at `from` (the head when `None`), of the app or of one
    /// path. Returns at most `limit` commits and the revision to continue from, if any.
    pub async fn history(
        &self,
        key: &RepoKey,
        from: Option<Revision>,
        path: Option<RepoPath>,
        limit: usize,
    ) -> Result<(Vec<CommitInfo>, Option<Revision>), RepoError> {
        self.history_filtered(key, from, HistoryFilter { path, ..HistoryFilter::default() }, limit).await
    }

    /// History as [`AppRepos::history`], keeping the commits `filter` admits. The walk follows
    /// first parents and stops at `filter.after`, or at the first commit older than `filter.since`.
    pub async fn history_filtered(
        &self,
        key: &RepoKey,
        from: Option<Revision>,
        filter: HistoryFilter,
        limit: usize,
    ) -> Result<(Vec<CommitInfo>, Option<Revision>), RepoError> {
        let stop = filter.after.as_ref().map(|r| Oid::from_str(r.as_str())).transpose().ok().flatten();
        self.with_repo(key, move |repo| {
            let mut next = Some(resolve(repo, from.as_ref())?);
            let mut items = Vec::new();
            while let Some(commit) = next.take() {
                if Some(commit.id()) == stop {
                    break;
                }
                let time = commit_time(&commit);
                if filter.since.is_some_and(|since| time < since) {
                    break;
                }
                let parent = commit.parents().next();
                let touches = match &filter.path {
                    None => true,
                    Some(path) => {
                        let before = parent.as_ref().map(|p| p.tree()).transpose()?.and_then(|t| entry_id(&t, path));
                        entry_id(&commit.tree()?, path) != before
                    }
                };
                if touches && filter.admits(&commit_author(&commit), time) {
                    if items.len() == limit {
                        return Ok((items, Some(revision(commit.id()))));
                    }
                    items.push(commit_info(repo, &commit)?);
                }
                next = parent;
            }
            Ok((items, None))
        })
        .await
    }

    /// One commit with the files it changed.
    pub async fn commit_detail(&self, key: &RepoKey, rev: Revision) -> Result<CommitDetail, RepoError> {
        self.with_repo(key, move |repo| {
            let commit = find_commit(repo, &rev)?;
            let parent_tree = commit.parents().next().map(|p| p.tree()).transpose()?;
            let diff = tree_diff(repo, parent_tree.as_ref(), &commit.tree()?, None)?;
            let files = file_diffs(&diff, false)?.into_iter().map(|f| f.file).collect();
            Ok(CommitDetail { commit: commit_info(repo, &commit)?, files })
        })
        .await
    }

    /// The structured diff between two revisions, of every file or of one path.
    pub async fn diff(
        &self,
        key: &RepoKey,
        from: Revision,
        to: Revision,
        path: Option<RepoPath>,
    ) -> Result<Diff, RepoError> {
        self.with_repo(key, move |repo| {
            let old = find_commit(repo, &from)?.tree()?;
            let new = find_commit(repo, &to)?.tree()?;
            let diff = tree_diff(repo, Some(&old), &new, path.as_ref())?;
            Ok(Diff { from, to, files: file_diffs(&diff, true)? })
        })
        .await
    }

    /// The same diff as unified text (`git diff` format).
    pub async fn diff_unified(
        &self,
        key: &RepoKey,
        from: Revision,
        to: Revision,
        path: Option<RepoPath>,
    ) -> Result<String, RepoError> {
        self.with_repo(key, move |repo| {
            let old = find_commit(repo, &from)?.tree()?;
            let new = find_commit(repo, &to)?.tree()?;
            let diff = tree_diff(repo, Some(&old), &new, path.as_ref())?;
            let mut text = Vec::new();
            diff.print(DiffFormat::Patch, |_, _, line| {
                if matches!(line.origin(), '+' | '-' | ' ') {
                    text.push(line.origin() as u8);
                }
                text.extend_from_slice(line.content());
                true
            })?;
            Ok(String::from_utf8_lossy(&text).into_owned())
        })
        .await
    }

    /// Each line of a file at `rev` (the head when `None`) with the commit that last changed it.
    pub async fn blame(
        &self,
        key: &RepoKey,
        rev: Option<Revision>,
        path: RepoPath,
    ) -> Result<Vec<BlameLine>, RepoError> {
        self.with_repo(key, move |repo| {
            let commit = resolve(repo, rev.as_ref())?;
            let id = entry_id(&commit.tree()?, &path).ok_or_else(|| RepoError::NoSuchFile(path.clone()))?;
            let blob = repo.find_blob(id)?;
            let mut options = BlameOptions::new();
            options.newest_commit(commit.id());
            let blame = repo.blame_file(Path::new(path.as_str()), Some(&mut options))?;
            let text = String::from_utf8_lossy(blob.content());
            let mut lines = Vec::new();
            for (index, content) in text.lines().enumerate() {
                let number = index + 1;
                let hunk =
                    blame.get_line(number).ok_or_else(|| RepoError::Worker(format!("blame has no line {number}")))?;
                let author = hunk.final_signature();
                lines.push(BlameLine {
                    line: number as u32,
                    revision: revision(hunk.final_commit_id()),
                    author: author_of(&author),
                    time: time_of(author.when()),
                    content: content.to_owned(),
                });
            }
            Ok(lines)
        })
        .await
    }
}

/// The revision `main` points at in an open repository.
pub(crate) fn head_of(repo: &Repository) -> Result<Revision, RepoError> {
    Ok(revision(repo.find_reference(BRANCH)?.peel_to_commit()?.id()))
}

fn resolve<'r>(repo: &'r Repository, rev: Option<&Revision>) -> Result<git2::Commit<'r>, RepoError> {
    match rev {
        Some(rev) => find_commit(repo, rev),
        None => Ok(repo.find_reference(BRANCH)?.peel_to_commit()?),
    }
}

fn author_of(signature: &git2::Signature<'_>) -> Author {
    Author {
        name: String::from_utf8_lossy(signature.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(signature.email_bytes()).into_owned(),
    }
}

fn time_of(time: git2::Time) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(time.seconds()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn commit_time(commit: &git2::Commit<'_>) -> OffsetDateTime {
    time_of(commit.time())
}

fn commit_author(commit: &git2::Commit<'_>) -> Author {
    author_of(&commit.author())
}

fn commit_info(repo: &Repository, commit: &git2::Commit<'_>) -> Result<CommitInfo, RepoError> {
    let parent_tree = commit.parents().next().map(|p| p.tree()).transpose()?;
    let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&commit.tree()?), None)?;
    let stats = diff.stats()?;
    Ok(CommitInfo {
        revision: revision(commit.id()),
        parents: commit.parent_ids().map(revision).collect(),
        author: author_of(&commit.author()),
        message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
        time: time_of(commit.time()),
        stats: Stats {
            files: stats.files_changed() as u32,
            additions: stats.insertions() as u32,
            deletions: stats.deletions() as u32,
        },
    })
}

fn tree_diff<'r>(
    repo: &'r Repository,
    old: Option<&git2::Tree<'r>>,
    new: &git2::Tree<'r>,
    path: Option<&RepoPath>,
) -> Result<git2::Diff<'r>, RepoError> {
    let mut options = DiffOptions::new();
    options.context_lines(3);
    if let Some(path) = path {
        options.pathspec(path.as_str()).disable_pathspec_match(true);
    }
    let mut diff = repo.diff_tree_to_tree(old, Some(new), Some(&mut options))?;
    if path.is_none() {
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    }
    Ok(diff)
}

fn file_diffs(diff: &git2::Diff<'_>, with_hunks: bool) -> Result<Vec<FileDiff>, RepoError> {
    let mut files = Vec::new();
    for index in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(index) else { continue };
        let path_of =
            |file: git2::DiffFile<'_>| file.path().and_then(Path::to_str).and_then(|p| RepoPath::parse(p).ok());
        let (Some(old_path), Some(new_path)) = (
            path_of(delta.old_file()).or_else(|| path_of(delta.new_file())),
            path_of(delta.new_file()).or_else(|| path_of(delta.old_file())),
        ) else {
            continue;
        };
        let status = match delta.status() {
            Delta::Added => ChangeStatus::Added,
            Delta::Deleted => ChangeStatus::Deleted,
            Delta::Renamed => ChangeStatus::Renamed,
            _ => ChangeStatus::Modified,
        };
        let patch = Patch::from_diff(diff, index)?;
        let binary = delta.flags().is_binary() || patch.is_none();
        let (mut additions, mut deletions, mut hunks) = (0u32, 0u32, Vec::new());
        if let Some(patch) = patch {
            let (_, adds, dels) = patch.line_stats()?;
            (additions, deletions) = (adds as u32, dels as u32);
            if with_hunks {
                for h in 0..patch.num_hunks() {
                    let (hunk, count) = patch.hunk(h)?;
                    let mut lines = Vec::with_capacity(count);
                    for l in 0..count {
                        let line = patch.line_in_hunk(h, l)?;
                        if !matches!(line.origin(), '+' | '-' | ' ') {
                            continue;
                        }
                        lines.push(DiffLine {
                            kind: line.origin(),
                            old_line: line.old_lineno(),
                            new_line: line.new_lineno(),
                            content: String::from_utf8_lossy(line.content()).trim_end_matches(['\n', '\r']).to_owned(),
                        });
                    }
                    hunks.push(Hunk {
                        header: String::from_utf8_lossy(hunk.header()).trim_end().to_owned(),
                        old_start: hunk.old_start(),
                        old_lines: hunk.old_lines(),
                        new_start: hunk.new_start(),
                        new_lines: hunk.new_lines(),
                        lines,
                    });
                }
            }
        }
        let renamed = status == ChangeStatus::Renamed;
        files.push(FileDiff {
            file: ChangedFile {
                path: new_path,
                old_path: renamed.then_some(old_path),
                status,
                additions,
                deletions,
                binary,
            },
            hunks,
        });
    }
    Ok(files)
}

impl AppRepos {
    /// Every file with its bytes at `rev` (the head when `None`), sorted by path (for export).
    pub async fn files(
        &self,
        key: &RepoKey,
        rev: Option<Revision>,
    ) -> Result<(Revision, Vec<(RepoPath, Vec<u8>)>), RepoError> {
        self.with_repo(key, move |repo| {
            let commit = resolve(repo, rev.as_ref())?;
            let mut files = Vec::new();
            let mut failure = None;
            commit.tree()?.walk(TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() != Some(ObjectType::Blob) {
                    return TreeWalkResult::Ok;
                }
                let path = format!("{dir}{}", entry.name().unwrap_or_default());
                match (RepoPath::parse(&path), repo.find_blob(entry.id())) {
                    (Ok(path), Ok(blob)) => files.push((path, blob.content().to_vec())),
                    (_, Err(err)) => {
                        failure = Some(err);
                        return TreeWalkResult::Abort;
                    }
                    (Err(_), _) => {}
                }
                TreeWalkResult::Ok
            })?;
            if let Some(err) = failure {
                return Err(err.into());
            }
            files.sort_by(|a, b| a.0.cmp(&b.0));
            Ok((revision(commit.id()), files))
        })
        .await
    }
}
