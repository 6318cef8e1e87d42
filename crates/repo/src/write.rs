//! Writing: creating a repository, committing changes against a base, restoring a revision.

use crate::error::RepoError;
use crate::repos::{AppRepos, RepoKey};
use domain::app::{FileChange, RepoPath, Revision};
use git2::build::TreeUpdateBuilder;
use git2::{FileMode, ObjectType, Oid, Repository, RepositoryInitOptions, Tree};
use std::collections::HashSet;
use std::path::Path;
use time::OffsetDateTime;

/// The branch every app's history lives on.
pub(crate) const BRANCH: &str = "refs/heads/main";

/// Who a commit is by.
#[derive(Debug, Clone)]
pub struct Signature {
    pub name: String,
    pub email: String,
    pub time: OffsetDateTime,
}

impl Signature {
    fn to_git(&self) -> Result<git2::Signature<'static>, RepoError> {
        let time = git2::Time::new(self.time.unix_timestamp(), 0);
        Ok(git2::Signature::new(&self.name, &self.email, &time)?)
    }
}

/// The app's size before a write, and the most it may grow to.
#[derive(Debug, Clone, Copy)]
pub struct SizeBudget {
    pub current: u64,
    pub max: u64,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitOutcome {
    /// The head after the write.
    pub revision: Revision,
    /// The head before the write (the new commit's parent).
    pub parent: Revision,
    /// False when the changes left the tree as it was (no commit was made).
    pub changed: bool,
    /// How many bytes the app's files grew (negative: shrank).
    pub size_delta: i64,
}

impl CommitOutcome {
    fn unchanged(head: Oid) -> Self {
        CommitOutcome { revision: revision(head), parent: revision(head), changed: false, size_delta: 0 }
    }
}

impl AppRepos {
    /// Creates the app's bare repository with one commit holding `files`.
    pub async fn create(
        &self,
        key: &RepoKey,
        files: Vec<(RepoPath, Vec<u8>)>,
        author: &Signature,
        message: &str,
    ) -> Result<Revision, RepoError> {
        let author = author.clone();
        let message = message.to_owned();
        self.at_path(key, move |path: &Path| {
            if path.exists() {
                return Err(RepoError::InvalidChange("the app's repository exists already".into()));
            }
            let mut options = RepositoryInitOptions::new();
            options.bare(true).initial_head("main").mkpath(true);
            let author = author.to_git()?;
            let repo = Repository::init_opts(path, &options)?;
            crate::repos::drop_empty_pack_dir(path);
            let empty = repo.find_tree(repo.treebuilder(None)?.write()?)?;
            let changes =
                files.into_iter().map(|(path, content)| FileChange::Put { path, content }).collect::<Vec<_>>();
            let (tree, _) = apply(&repo, &empty, &changes)?;
            let tree = repo.find_tree(tree)?;
            let oid = repo.commit(Some(BRANCH), &author, &author, &message, &tree, &[])?;
            Ok(revision(oid))
        })
        .await
    }

    /// Commits `changes` on top of the head, if `base` allows it.
    ///
    /// When the head is `base`, the changes apply directly. When the head moved, the write still
    /// goes through on top of the head if none of the changed paths differ between `base` and the
    /// head (Gitea's rule); otherwise it is a [`RepoError::Conflict`] naming those paths.
    pub async fn commit(
        &self,
        key: &RepoKey,
        base: &Revision,
        changes: Vec<FileChange>,
        author: &Signature,
        message: &str,
        size: SizeBudget,
    ) -> Result<CommitOutcome, RepoError> {
        check_distinct_paths(&changes)?;
        let _guard = self.write_lock(key).await;
        let author = author.clone();
        let (base, message) = (base.clone(), message.to_owned());
        self.with_repo(key, move |repo| {
            let author = author.to_git()?;
            let head = repo.find_reference(BRANCH)?.peel_to_commit()?;
            let head_tree = head.tree()?;
            if head.id().to_string() != base.as_str() {
                let base_tree = find_commit(repo, &base)?.tree()?;
                let paths: Vec<RepoPath> = changes
                    .iter()
                    .flat_map(FileChange::paths)
                    .filter(|path| entry_id(&base_tree, path) != entry_id(&head_tree, path))
                    .cloned()
                    .collect();
                if !paths.is_empty() {
                    return Err(RepoError::Conflict { base, head: revision(head.id()), paths });
                }
            }
            let (tree, size_delta) = apply(repo, &head_tree, &changes)?;
            let new_size = size.current.saturating_add_signed(size_delta);
            if size_delta > 0 && new_size > size.max {
                return Err(RepoError::TooLarge { size: new_size, max: size.max });
            }
            if tree == head_tree.id() {
                return Ok(CommitOutcome::unchanged(head.id()));
            }
            let tree = repo.find_tree(tree)?;
            let oid = repo.commit(None, &author, &author, &message, &tree, &[&head])?;
            crate::branch::advance(repo, head.id(), oid, &message)?;
            Ok(CommitOutcome { revision: revision(oid), parent: revision(head.id()), changed: true, size_delta })
        })
        .await
    }

    /// A new commit on top of the head whose tree is `rev`'s. `base` must be the head: restoring
    /// replaces every file, so any newer change would be lost silently.
    pub async fn restore(
        &self,
        key: &RepoKey,
        rev: &Revision,
        base: &Revision,
        author: &Signature,
        message: &str,
    ) -> Result<CommitOutcome, RepoError> {
        let _guard = self.write_lock(key).await;
        let author = author.clone();
        let (rev, base, message) = (rev.clone(), base.clone(), message.to_owned());
        self.with_repo(key, move |repo| {
            let author = author.to_git()?;
            let head = repo.find_reference(BRANCH)?.peel_to_commit()?;
            let target = find_commit(repo, &rev)?.tree()?;
            if head.id().to_string() != base.as_str() {
                let base_tree = find_commit(repo, &base)?.tree()?;
                let paths = changed_paths(repo, &base_tree, &head.tree()?)?;
                return Err(RepoError::Conflict { base, head: revision(head.id()), paths });
            }
            if target.id() == head.tree_id() {
                return Ok(CommitOutcome::unchanged(head.id()));
            }
            let size_delta = tree_size(repo, &target)? as i64 - tree_size(repo, &head.tree()?)? as i64;
            let oid = repo.commit(None, &author, &author, &message, &target, &[&head])?;
            crate::branch::advance(repo, head.id(), oid, &message)?;
            Ok(CommitOutcome { revision: revision(oid), parent: revision(head.id()), changed: true, size_delta })
        })
        .await
    }
}

impl AppRepos {
    /// Tags `rev` as `refs/tags/<name>`: an annotated tag by `tagger` with `message`. A tag of
    /// that name on another revision is refused; on the same revision it is kept as it is.
    /// True when this call made the tag.
    pub async fn tag(
        &self,
        key: &RepoKey,
        rev: &Revision,
        name: &str,
        tagger: &Signature,
        message: &str,
    ) -> Result<bool, RepoError> {
        if !git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
            return Err(RepoError::InvalidChange(format!("{name:?} is not a valid tag name")));
        }
        let _guard = self.write_lock(key).await;
        let (rev, name, message, tagger) = (rev.clone(), name.to_owned(), message.to_owned(), tagger.clone());
        self.with_repo(key, move |repo| {
            let commit = find_commit(repo, &rev)?;
            if let Ok(existing) = repo.find_reference(&format!("refs/tags/{name}")) {
                let target = existing.peel_to_commit()?.id();
                return if target == commit.id() {
                    Ok(false)
                } else {
                    Err(RepoError::InvalidChange(format!("tag {name} names another revision ({target})")))
                };
            }
            repo.tag(&name, commit.as_object(), &tagger.to_git()?, &message, false)?;
            Ok(true)
        })
        .await
    }

    /// Removes a tag (a release whose record could not be written takes its tag back).
    pub async fn delete_tag(&self, key: &RepoKey, name: &str) -> Result<(), RepoError> {
        let _guard = self.write_lock(key).await;
        let name = name.to_owned();
        self.with_repo(key, move |repo| match repo.tag_delete(&name) {
            Ok(()) => Ok(()),
            Err(err) if err.code() == git2::ErrorCode::NotFound => Ok(()),
            Err(err) => Err(err.into()),
        })
        .await
    }

    /// The app's tags and the revisions they name.
    pub async fn tags(&self, key: &RepoKey) -> Result<Vec<(String, Revision)>, RepoError> {
        self.with_repo(key, move |repo| {
            let mut tags = Vec::new();
            for name in repo.tag_names(None)?.iter().flatten() {
                let commit = repo.find_reference(&format!("refs/tags/{name}"))?.peel_to_commit()?;
                tags.push((name.to_owned(), revision(commit.id())));
            }
            Ok(tags)
        })
        .await
    }
}

pub(crate) fn revision(oid: Oid) -> Revision {
    Revision::parse(&oid.to_string()).expect("git ids are 40 lower-case hex digits")
}

pub(crate) fn find_commit<'r>(repo: &'r Repository, rev: &Revision) -> Result<git2::Commit<'r>, RepoError> {
    let oid = Oid::from_str(rev.as_str()).map_err(|_| RepoError::UnknownRevision(rev.to_string()))?;
    repo.find_commit(oid).map_err(|_| RepoError::UnknownRevision(rev.to_string()))
}

/// The blob id at `path`, or `None` when there is no file there.
pub(crate) fn entry_id(tree: &Tree<'_>, path: &RepoPath) -> Option<Oid> {
    tree.get_path(Path::new(path.as_str())).ok().filter(|e| e.kind() == Some(ObjectType::Blob)).map(|e| e.id())
}

fn check_distinct_paths(changes: &[FileChange]) -> Result<(), RepoError> {
    let mut seen = HashSet::new();
    for path in changes.iter().flat_map(FileChange::paths) {
        if !seen.insert(path) {
            return Err(RepoError::InvalidChange(format!("{path} is changed twice in one commit")));
        }
    }
    Ok(())
}

/// Applies changes to `tree`; returns the new tree id and how many bytes the files grew.
fn apply(repo: &Repository, tree: &Tree<'_>, changes: &[FileChange]) -> Result<(Oid, i64), RepoError> {
    let odb = repo.odb()?;
    let size_of = |oid: Oid| -> Result<i64, RepoError> { Ok(odb.read_header(oid)?.0 as i64) };
    let mut update = TreeUpdateBuilder::new();
    let mut delta = 0i64;
    for change in changes {
        match change {
            FileChange::Put { path, content } => {
                check_placeable(tree, path)?;
                if let Some(old) = entry_id(tree, path) {
                    delta -= size_of(old)?;
                }
                let blob = repo.blob(content)?;
                update.upsert(path.as_str(), blob, FileMode::Blob);
                delta += content.len() as i64;
            }
            FileChange::Delete { path } => {
                let old = entry_id(tree, path).ok_or_else(|| RepoError::NoSuchFile(path.clone()))?;
                delta -= size_of(old)?;
                update.remove(path.as_str());
            }
            FileChange::Move { from, to } => {
                let entry = tree.get_path(Path::new(from.as_str())).map_err(|_| RepoError::NoSuchFile(from.clone()))?;
                if entry.kind() != Some(ObjectType::Blob) {
                    return Err(RepoError::NoSuchFile(from.clone()));
                }
                if entry_id(tree, to).is_some() {
                    return Err(RepoError::InvalidChange(format!("cannot move {from} to {to}: {to} exists")));
                }
                check_placeable(tree, to)?;
                let mode = if entry.filemode() == i32::from(FileMode::BlobExecutable) {
                    FileMode::BlobExecutable
                } else {
                    FileMode::Blob
                };
                update.remove(from.as_str());
                update.upsert(to.as_str(), entry.id(), mode);
            }
        }
    }
    Ok((update.create_updated(repo, tree)?, delta))
}

/// A file may go at `path` unless a folder is there or a parent is a file.
fn check_placeable(tree: &Tree<'_>, path: &RepoPath) -> Result<(), RepoError> {
    if tree.get_path(Path::new(path.as_str())).is_ok_and(|e| e.kind() == Some(ObjectType::Tree)) {
        return Err(RepoError::InvalidChange(format!("{path} is a folder")));
    }
    let mut prefix = String::new();
    for segment in path.as_str().split('/').collect::<Vec<_>>().split_last().map(|(_, parents)| parents).unwrap_or(&[])
    {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(segment);
        if tree.get_path(Path::new(&prefix)).is_ok_and(|e| e.kind() == Some(ObjectType::Blob)) {
            return Err(RepoError::InvalidChange(format!("cannot create {path}: {prefix} is a file")));
        }
    }
    Ok(())
}

/// The paths whose files differ between two trees.
pub(crate) fn changed_paths(repo: &Repository, old: &Tree<'_>, new: &Tree<'_>) -> Result<Vec<RepoPath>, RepoError> {
    let diff = repo.diff_tree_to_tree(Some(old), Some(new), None)?;
    let mut paths = Vec::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            if let Some(path) = file.path().and_then(Path::to_str).and_then(|p| RepoPath::parse(p).ok())
                && !paths.contains(&path)
            {
                paths.push(path);
            }
        }
    }
    Ok(paths)
}

/// The total size of the files in a tree.
pub(crate) fn tree_size(repo: &Repository, tree: &Tree<'_>) -> Result<u64, RepoError> {
    let odb = repo.odb()?;
    let mut total = 0u64;
    let mut failure = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |_, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            match odb.read_header(entry.id()) {
                Ok((size, _)) => total += size as u64,
                Err(err) => {
                    failure = Some(err);
                    return git2::TreeWalkResult::Abort;
                }
            }
        }
        git2::TreeWalkResult::Ok
    })?;
    match failure {
        Some(err) => Err(err.into()),
        None => Ok(total),
    }
}
