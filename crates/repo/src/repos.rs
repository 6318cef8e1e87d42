//! Where the repositories live, and how work on them is scheduled.

use crate::error::RepoError;
use git2::{ErrorCode, Repository};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::OwnedMutexGuard;

/// The name of an app's repository on disk: 1 to 64 of `a-z 0-9 -`. Chosen once when the app is
/// created and never changed, so renaming an app never moves its history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoKey(String);

impl RepoKey {
    /// Checks a key; `None` when it could name anything but a plain folder.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (1..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RepoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The folder of app repositories. Cheap to clone.
#[derive(Clone)]
pub struct AppRepos {
    inner: Arc<Inner>,
}

struct Inner {
    root: PathBuf,
    /// One write lock per app, created on first use.
    locks: Mutex<HashMap<RepoKey, Arc<tokio::sync::Mutex<()>>>>,
}

impl AppRepos {
    /// Opens (creating if needed) the folder that holds the repositories, and removes lock files
    /// that a killed process left behind (this process is the only writer).
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, RepoError> {
        let root = root.into();
        std::fs::create_dir_all(&root)
            .map_err(|err| RepoError::Worker(format!("creating {}: {err}", root.display())))?;
        remove_stale_locks(&root);
        Ok(Self { inner: Arc::new(Inner { root, locks: Mutex::new(HashMap::new()) }) })
    }

    /// The one place that says where an app's repository is.
    pub fn path(&self, key: &RepoKey) -> PathBuf {
        self.inner.root.join(format!("{key}.git"))
    }

    /// Waits for the app's write lock. Held across a whole read-modify-write.
    pub(crate) async fn write_lock(&self, key: &RepoKey) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.inner.locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            locks.entry(key.clone()).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// Runs libgit2 work on the blocking pool with the app's repository open.
    pub(crate) async fn with_repo<T, F>(&self, key: &RepoKey, work: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: FnOnce(&Repository) -> Result<T, RepoError> + Send + 'static,
    {
        let path = self.path(key);
        tokio::task::spawn_blocking(move || {
            let repo = open(&path)?;
            work(&repo)
        })
        .await
        .map_err(|err| RepoError::Worker(err.to_string()))?
    }

    /// Runs libgit2 work on the blocking pool with a path (for creating a repository).
    pub(crate) async fn at_path<T, F>(&self, key: &RepoKey, work: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: FnOnce(&Path) -> Result<T, RepoError> + Send + 'static,
    {
        let path = self.path(key);
        tokio::task::spawn_blocking(move || work(&path)).await.map_err(|err| RepoError::Worker(err.to_string()))?
    }
}

fn open(path: &Path) -> Result<Repository, RepoError> {
    Repository::open_bare(path).map_err(|err| match err.code() {
        ErrorCode::NotFound => RepoError::MissingRepository,
        _ => RepoError::Git(err),
    })
}

/// Deletes `*.lock` files under each repository's `refs/` and the index/packed-refs locks.
fn remove_stale_locks(root: &Path) {
    let Ok(repos) = std::fs::read_dir(root) else { return };
    for repo in repos.flatten() {
        let mut stack = vec![repo.path()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                if is_dir && !path.ends_with("objects") {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "lock") {
                    tracing::warn!(path = %path.display(), "removing a stale git lock file");
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
}
