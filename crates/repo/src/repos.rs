//! Where the repositories live, and how work on them is scheduled.

use crate::error::RepoError;
use git2::{ErrorCode, Repository};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use tokio::sync::OwnedMutexGuard;

/// Holds an app's write lock until dropped.
pub(crate) type WriteGuard = OwnedMutexGuard<()>;

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
    /// Per-app state, created on first use.
    apps: Mutex<HashMap<RepoKey, Arc<Slot>>>,
    /// How many slots hold an open repository, and how many may (see [`Inner::close_idle`]).
    open_handles: AtomicUsize,
    handle_limit: usize,
    /// Counts uses, so each slot knows when it was last used.
    uses: AtomicU64,
}

/// How many repositories stay open at most by default. Each open repository holds libgit2's
/// caches and a few file descriptors; a server with more apps than this reopens the ones used
/// least recently (a fraction of a millisecond each).
pub const DEFAULT_OPEN_REPOSITORIES: usize = 256;

/// What is kept per app: the write lock, and the open repository. Opening a repository costs
/// dozens of file-system calls (config files, ownership checks, ref and object stores), so one
/// handle is kept per app and reused by every read and write (libgit2 handles are `Send` but not
/// `Sync`, hence the mutex; work on one app is short and runs on the blocking pool).
#[derive(Default)]
struct Slot {
    write: Arc<tokio::sync::Mutex<()>>,
    repo: Mutex<Option<Handle>>,
    /// The value of [`Inner::uses`] at this slot's last use.
    last_used: AtomicU64,
}

/// An open repository, and whether it had no `objects/pack` folder when it was opened.
///
/// libgit2 re-lists `objects/pack` every time it looks for an object that is not there — and a
/// save looks for each object it writes first (blob, trees, commit), so every save listed the
/// folder three times. Repositories written only by this server never have packs, so their empty
/// `objects/pack` is removed (at creation and start-up) and their handle has no pack store to
/// refresh. Should packs appear later (someone ran `git gc`), the folder is back and the handle
/// is opened again on its next use; checking costs one `stat`.
struct Handle {
    repo: Repository,
    packless: bool,
}

impl Handle {
    fn open(path: &Path) -> Result<Handle, RepoError> {
        let packless = !path.join(PACK_DIR).exists();
        Ok(Handle { repo: open(path)?, packless })
    }

    /// Whether packs appeared since the handle was opened (and it cannot see them).
    fn stale(&self, path: &Path) -> bool {
        self.packless && path.join(PACK_DIR).exists()
    }
}

/// Where git keeps packs, inside a bare repository.
const PACK_DIR: &str = "objects/pack";

impl Inner {
    /// Runs `work` with the app's open repository, opening it on first use (blocking); then
    /// closes the least recently used repositories when more than the limit are open.
    fn using<T>(
        &self,
        slot: &Slot,
        path: &Path,
        work: impl FnOnce(&Repository) -> Result<T, RepoError>,
    ) -> Result<T, RepoError> {
        slot.last_used.store(self.uses.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        let (result, over_limit) = {
            let mut cached = slot.repo.lock().unwrap_or_else(PoisonError::into_inner);
            let mut opened = false;
            if cached.as_ref().is_none_or(|handle| handle.stale(path)) {
                let had_one = cached.take().is_some();
                match Handle::open(path) {
                    Ok(handle) => *cached = Some(handle),
                    Err(err) => {
                        if had_one {
                            self.open_handles.fetch_sub(1, Ordering::Relaxed);
                        }
                        return Err(err);
                    }
                }
                opened = !had_one;
            }
            // Counted while the slot is locked, so `close_idle` never takes a handle not yet
            // counted; the handle stays in the slot while `work` runs, so a panic in `work`
            // leaves it there (and counted).
            let over_limit = opened && self.open_handles.fetch_add(1, Ordering::Relaxed) + 1 > self.handle_limit;
            let handle = cached.as_ref().expect("a handle was just put in");
            (work(&handle.repo), over_limit)
        };
        if over_limit {
            self.close_idle();
        }
        result
    }

    /// Closes the least recently used open repositories until three quarters of the limit are
    /// open (so the next ones opened do not each start a scan). A repository in use right now is
    /// skipped; its slot (and write lock) stays, only the handle goes.
    fn close_idle(&self) {
        // Each slot's last use is read once: other threads keep changing it, and a sort whose
        // keys change under it may panic.
        let mut slots: Vec<(u64, Arc<Slot>)> = self
            .apps
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .map(|slot| (slot.last_used.load(Ordering::Relaxed), slot.clone()))
            .collect();
        slots.sort_unstable_by_key(|(last_used, _)| *last_used);
        let keep = self.handle_limit * 3 / 4;
        for (_, slot) in slots {
            if self.open_handles.load(Ordering::Relaxed) <= keep {
                break;
            }
            let mut cached = match slot.repo.try_lock() {
                Ok(cached) => cached,
                Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => continue,
            };
            if cached.take().is_some() {
                self.open_handles.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

/// Removes `objects/pack` from a repository when it is empty (see [`Handle`]).
pub(crate) fn drop_empty_pack_dir(repo: &Path) {
    // remove_dir only removes an empty folder; a folder with packs stays.
    let _ = std::fs::remove_dir(repo.join(PACK_DIR));
}

impl AppRepos {
    /// Opens (creating if needed) the folder that holds the repositories, and removes lock files
    /// that a killed process left behind (this process is the only writer).
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, RepoError> {
        Self::open_with_limit(root, DEFAULT_OPEN_REPOSITORIES)
    }

    /// [`AppRepos::open`], keeping at most `open_repositories` repositories open at once.
    pub fn open_with_limit(root: impl Into<PathBuf>, open_repositories: usize) -> Result<Self, RepoError> {
        let root = root.into();
        std::fs::create_dir_all(&root)
            .map_err(|err| RepoError::Worker(format!("creating {}: {err}", root.display())))?;
        tidy_after_restart(&root);
        // Every commit and tree is built here from objects this process just wrote or read, so
        // libgit2's re-check that each tree entry and parent exists only adds file-system reads
        // to every save. (Hash verification on read stays on.)
        git2::opts::strict_object_creation(false);
        Ok(Self {
            inner: Arc::new(Inner {
                root,
                apps: Mutex::new(HashMap::new()),
                open_handles: AtomicUsize::new(0),
                handle_limit: open_repositories.max(1),
                uses: AtomicU64::new(0),
            }),
        })
    }

    /// How many repositories are open now (at most the limit, plus those opened meanwhile).
    pub fn open_repositories(&self) -> usize {
        self.inner.open_handles.load(Ordering::Relaxed)
    }

    /// The one place that says where an app's repository is.
    pub fn path(&self, key: &RepoKey) -> PathBuf {
        self.inner.root.join(format!("{key}.git"))
    }

    fn slot(&self, key: &RepoKey) -> Arc<Slot> {
        let mut apps = self.inner.apps.lock().unwrap_or_else(PoisonError::into_inner);
        apps.entry(key.clone()).or_default().clone()
    }

    /// Waits for the app's write lock. Held across a whole read-modify-write.
    pub(crate) async fn write_lock(&self, key: &RepoKey) -> WriteGuard {
        self.slot(key).write.clone().lock_owned().await
    }

    /// Runs libgit2 work on the blocking pool with the app's repository open.
    pub(crate) async fn with_repo<T, F>(&self, key: &RepoKey, work: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: FnOnce(&Repository) -> Result<T, RepoError> + Send + 'static,
    {
        let (path, slot, inner) = (self.path(key), self.slot(key), self.inner.clone());
        tokio::task::spawn_blocking(move || inner.using(&slot, &path, work))
            .await
            .map_err(|err| RepoError::Worker(err.to_string()))?
    }

    /// The heads of several apps, read in one trip to the blocking pool (for lists).
    pub async fn heads(&self, keys: &[RepoKey]) -> Result<Vec<domain::app::Revision>, RepoError> {
        let repos: Vec<_> = keys.iter().map(|key| (self.path(key), self.slot(key))).collect();
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            repos.iter().map(|(path, slot)| inner.using(slot, path, crate::read::head_of)).collect()
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

/// In each repository: deletes the `*.lock` files a killed process left (under `refs/`, the
/// index and packed-refs locks) and an empty `objects/pack` (see [`Handle`]).
fn tidy_after_restart(root: &Path) {
    let Ok(repos) = std::fs::read_dir(root) else { return };
    for repo in repos.flatten() {
        drop_empty_pack_dir(&repo.path());
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
