//! Moving the app's branch to a new commit.
//!
//! git (and libgit2) move a branch by writing `refs/heads/main.lock` and renaming it over the
//! old file: one new inode and one freed inode per save. On ext4 without a journal — this
//! machine's file system — every new inode is allocated after skipping each recently freed one
//! in its group, so a stream of saves slowed itself down: a third of the CPU of the save
//! benchmark went to that skipping (`recently_deleted` in the kernel profile).
//!
//! This process is the only writer of its repositories (it removes stale locks at start-up on
//! that ground) and moves a branch only while holding the app's write lock, so it may overwrite
//! the ref file in place: the new id has the same length as the old one, and one 41-byte
//! `pwrite` into an existing file either happens or does not — a killed process leaves the old
//! id or the new one, never a mix or an empty file. Readers in this process go through the same
//! repository handle and lock, so they never see a write half done.
//!
//! libgit2 moves the branch the usual way (lock file, compare-and-swap on `from`) when the ref
//! file is missing (packed by `git gc`) or does not hold `from`, when someone holds `main.lock`
//! (the save then fails as it always did, instead of writing under another writer's lock), and
//! when the branch keeps a reflog (so the log has no gaps). What this does not guard against: a
//! `git pack-refs --prune` or `git gc` run *while* a save moves the branch can check the old id,
//! miss the new one and drop the loose file — run git maintenance only on a stopped server.

use crate::error::RepoError;
use crate::write::BRANCH;
use git2::{Oid, Repository};
use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;

/// Points the branch at `to`, provided it points at `from`.
pub(crate) fn advance(repo: &Repository, from: Oid, to: Oid, message: &str) -> Result<(), RepoError> {
    if overwrite_in_place(repo, from, to) {
        return Ok(());
    }
    repo.reference_matching(BRANCH, to, true, from, message)?;
    Ok(())
}

/// Overwrites the loose ref file when it holds exactly `from` and a newline; false otherwise
/// (nothing written).
fn overwrite_in_place(repo: &Repository, from: Oid, to: Oid) -> bool {
    let git_dir = repo.path();
    if git_dir.join(format!("{BRANCH}.lock")).exists() || git_dir.join("logs").join(BRANCH).exists() {
        return false;
    }
    let Ok(file) = OpenOptions::new().read(true).write(true).open(git_dir.join(BRANCH)) else {
        return false;
    };
    let expected = format!("{from}\n");
    // Room for a longer id than SHA-1's (it then does not match, and libgit2 moves the branch).
    let mut current = [0u8; 128];
    match file.read_at(&mut current, 0) {
        Ok(read) if current[..read] == *expected.as_bytes() => {}
        _ => return false,
    }
    let new = format!("{to}\n");
    debug_assert_eq!(new.len(), expected.len());
    file.write_all_at(new.as_bytes(), 0).is_ok()
}
