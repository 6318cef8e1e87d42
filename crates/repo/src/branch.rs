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
//! id or the new one, never a mix or an empty file. When the ref file is not what that needs
//! (missing because `git gc` packed it, or not holding `from`), libgit2 moves the branch the usual
//! way, checking that it still points at `from`.

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
    let Ok(file) = OpenOptions::new().read(true).write(true).open(repo.path().join(BRANCH)) else {
        return false;
    };
    let expected = format!("{from}\n");
    let mut current = [0u8; 64];
    match file.read_at(&mut current, 0) {
        Ok(read) if current[..read] == *expected.as_bytes() => {}
        _ => return false,
    }
    let new = format!("{to}\n");
    debug_assert_eq!(new.len(), expected.len());
    file.write_all_at(new.as_bytes(), 0).is_ok()
}
