//! The editor's working copy: the app's files at a base revision plus everything the user changed
//! since (edits, new files, renames, deletions), not yet saved. Plain data with no browser or
//! server parts, so every rule here is unit-tested; the page keeps one in a signal and stores it
//! in the browser (see `drafts`) so that nothing typed is lost on a reload.

use domain::app::RepoPath;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One change of a save, as the server fn takes it (text files only: the editor does not edit
/// binary files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum TextChange {
    Put { path: String, text: String },
    Delete { path: String },
    Move { from: String, path: String },
}

/// A file of the working copy, under its current path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingFile {
    /// Where the file is at the base revision; `None` for a file created since.
    pub origin: Option<String>,
    /// Its text at the base revision, once loaded.
    pub saved: Option<String>,
    /// Its text now, once edited (or created).
    pub text: Option<String>,
    /// Not UTF-8 text: shown, never edited.
    pub binary: bool,
}

impl WorkingFile {
    fn at_base(path: &str) -> Self {
        WorkingFile { origin: Some(path.to_owned()), ..Default::default() }
    }

    /// The text the user sees, when known.
    pub fn current(&self) -> Option<&str> {
        self.text.as_deref().or(self.saved.as_deref())
    }

    fn edited(&self) -> bool {
        match (&self.text, &self.saved) {
            (None, _) => false,
            (Some(text), Some(saved)) => text != saved,
            (Some(_), None) => true,
        }
    }
}

/// The app's files at `base` with the user's unsaved changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingCopy {
    pub base: String,
    files: BTreeMap<String, WorkingFile>,
    /// Paths at the base revision the user deleted.
    deleted: BTreeSet<String>,
}

impl WorkingCopy {
    /// The files of revision `base`, unchanged.
    pub fn new<'a>(base: &str, paths: impl IntoIterator<Item = &'a str>) -> Self {
        WorkingCopy {
            base: base.to_owned(),
            files: paths.into_iter().map(|p| (p.to_owned(), WorkingFile::at_base(p))).collect(),
            deleted: BTreeSet::new(),
        }
    }

    /// Every current path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    pub fn file(&self, path: &str) -> Option<&WorkingFile> {
        self.files.get(path)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Records the base text of the file now at `path`, read from the server at its origin
    /// (`None`: not UTF-8 text). A no-op for new files, which have no base text.
    pub fn loaded(&mut self, path: &str, text: Option<String>) {
        if let Some(file) = self.files.get_mut(path)
            && file.origin.is_some()
        {
            match text {
                Some(text) => file.saved = Some(text),
                None => file.binary = true,
            }
        }
    }

    /// The user's text for `path` now.
    pub fn edit(&mut self, path: &str, text: String) {
        if let Some(file) = self.files.get_mut(path) {
            file.text = Some(text);
        }
    }

    /// Whether `path` differs from the base revision (edited, new or renamed).
    pub fn is_dirty(&self, path: &str) -> bool {
        self.files.get(path).is_some_and(|f| f.origin.as_deref() != Some(path) || f.edited())
    }

    /// Whether anything would be saved.
    pub fn has_changes(&self) -> bool {
        !self.deleted.is_empty() || self.files.keys().any(|p| self.is_dirty(p))
    }

    /// How many files a save would touch.
    pub fn change_count(&self) -> usize {
        self.deleted.len() + self.files.keys().filter(|p| self.is_dirty(p)).count()
    }

    /// Paths deleted since the base revision.
    pub fn deleted(&self) -> impl Iterator<Item = &str> {
        self.deleted.iter().map(String::as_str)
    }

    /// A new, empty file.
    pub fn create(&mut self, path: &str) -> Result<(), String> {
        let path = self.free_path(path)?;
        let mut file = WorkingFile { text: Some(String::new()), ..Default::default() };
        // A file made where one was deleted replaces it: a put over the old file.
        if self.deleted.remove(&path) {
            file.origin = Some(path.clone());
        }
        self.files.insert(path, file);
        Ok(())
    }

    /// Renames a file, or a folder with everything in it.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), String> {
        let moves = self.under(from);
        if moves.is_empty() {
            return Err(format!("there is no file or folder {from}"));
        }
        let targets: Vec<(String, String)> = moves
            .into_iter()
            .map(|old| {
                let new = if old == from { to.to_owned() } else { format!("{to}{}", &old[from.len()..]) };
                (old, new)
            })
            .collect();
        for (_, new) in &targets {
            let new = self.free_path(new)?;
            if self.deleted.contains(&new) || self.files.values().any(|f| f.origin.as_deref() == Some(&new)) {
                return Err(format!("{new} held another file before your changes; save first, then rename"));
            }
        }
        for (old, new) in targets {
            let file = self.files.remove(&old).expect("listed above");
            self.files.insert(new, file);
        }
        Ok(())
    }

    /// Deletes a file, or a folder with everything in it; returns the paths removed.
    pub fn delete(&mut self, path: &str) -> Vec<String> {
        let removed = self.under(path);
        for path in &removed {
            let file = self.files.remove(path).expect("listed above");
            if let Some(origin) = file.origin {
                self.deleted.insert(origin);
            }
        }
        removed
    }

    /// Undoes every change to `path` (a new file goes away; a renamed one goes back).
    pub fn discard(&mut self, path: &str) {
        let Some(file) = self.files.remove(path) else { return };
        if let Some(origin) = file.origin {
            let back = WorkingFile { saved: file.saved, binary: file.binary, ..WorkingFile::at_base(&origin) };
            self.files.insert(origin, back);
        }
    }

    /// Undoes a deletion.
    pub fn undelete(&mut self, origin: &str) {
        if self.deleted.remove(origin) && !self.files.contains_key(origin) {
            self.files.insert(origin.to_owned(), WorkingFile::at_base(origin));
        }
    }

    /// The changes a save sends, one per path.
    pub fn changes(&self) -> Vec<TextChange> {
        let mut changes: Vec<TextChange> =
            self.deleted.iter().map(|path| TextChange::Delete { path: path.clone() }).collect();
        for (path, file) in &self.files {
            let text = || file.current().unwrap_or_default().to_owned();
            match file.origin.as_deref() {
                None => changes.push(TextChange::Put { path: path.clone(), text: text() }),
                Some(origin) if origin == path => {
                    if file.edited() {
                        changes.push(TextChange::Put { path: path.clone(), text: text() });
                    }
                }
                Some(origin) if file.edited() => {
                    changes.push(TextChange::Delete { path: origin.to_owned() });
                    changes.push(TextChange::Put { path: path.clone(), text: text() });
                }
                Some(origin) => changes.push(TextChange::Move { from: origin.to_owned(), path: path.clone() }),
            }
        }
        changes
    }

    /// What a draft keeps: the changes without the base texts (read from the server again).
    pub fn draft(&self) -> WorkingCopy {
        let mut draft = self.clone();
        for file in draft.files.values_mut() {
            file.saved = None;
        }
        draft
    }

    /// After `sent` (a snapshot of this copy) was saved as `revision`: the saved changes are the
    /// base now, and whatever the user typed while the save was under way stays a change.
    pub fn after_save(&self, sent: &WorkingCopy, revision: &str) -> WorkingCopy {
        let mut next = sent.clone();
        next.committed(revision);
        for (path, file) in &self.files {
            let typed = file.current();
            if typed != sent.file(path).and_then(WorkingFile::current)
                && let Some(text) = typed
            {
                next.edit(path, text.to_owned());
            }
        }
        next
    }

    /// After a save landed as `revision`: the user's changes are now the base.
    pub fn committed(&mut self, revision: &str) {
        self.base = revision.to_owned();
        self.deleted.clear();
        for (path, file) in &mut self.files {
            file.origin = Some(path.clone());
            if let Some(text) = file.text.take() {
                file.saved = Some(text);
            }
        }
    }

    /// Moves the base to `revision`, whose files are `paths`; `changed` are the paths that differ
    /// between the old base and `revision`. Unchanged-by-the-user files follow the server (their
    /// base text is forgotten, to be read again); the user's changes stay. Returns the paths whose
    /// text must be read again because an editor may show them.
    pub fn advance<'a>(
        &mut self,
        revision: &str,
        paths: impl IntoIterator<Item = &'a str>,
        changed: &[String],
    ) -> Vec<String> {
        let at_head: BTreeSet<&str> = paths.into_iter().collect();
        let mut stale = Vec::new();
        self.base = revision.to_owned();
        for path in changed {
            let untouched = self.files.get(path).is_some_and(|f| !f.edited() && f.origin.as_deref() == Some(path));
            if untouched {
                if at_head.contains(path.as_str()) {
                    let file = self.files.get_mut(path).expect("checked");
                    file.saved = None;
                    file.text = None;
                    stale.push(path.clone());
                } else {
                    self.files.remove(path);
                }
            } else if !self.files.contains_key(path) && !self.deleted.contains(path) && at_head.contains(path.as_str())
            {
                self.files.insert(path.clone(), WorkingFile::at_base(path));
            } else if self.deleted.contains(path) && !at_head.contains(path.as_str()) {
                // Deleted here and there: nothing left to delete.
                self.deleted.remove(path);
            } else if let Some(file) = self.files.get_mut(path) {
                // The user's version stays; the base text is the server's now.
                file.saved = None;
                if !at_head.contains(path.as_str()) && file.origin.as_deref() == Some(path) {
                    file.origin = None;
                }
            }
        }
        stale
    }

    /// After a conflict: the server's text of `path` at the (new) base. With `keep_mine` the
    /// user's text stays and will overwrite the server's on the next save; otherwise the
    /// server's text replaces it.
    pub fn resolve(&mut self, path: &str, server_text: Option<String>, keep_mine: bool) {
        let Some(file) = self.files.get_mut(path) else { return };
        if !keep_mine {
            file.text = None;
        }
        match server_text {
            Some(text) => {
                file.saved = Some(text);
                file.origin = Some(path.to_owned());
            }
            None => {
                // The server deleted the file: keeping mine makes it a new file again.
                file.saved = None;
                file.origin = None;
                if !keep_mine {
                    self.files.remove(path);
                }
            }
        }
    }

    /// Checks that `path` is a valid, unused file path that does not clash with a folder.
    fn free_path(&self, path: &str) -> Result<String, String> {
        let path = RepoPath::parse(path.trim()).map_err(|err| format!("{}: {err}", path.trim()))?.to_string();
        if self.files.contains_key(&path) {
            return Err(format!("{path} exists already"));
        }
        if self.files.keys().any(|p| p.starts_with(&format!("{path}/"))) {
            return Err(format!("{path} is a folder"));
        }
        let mut prefix = String::new();
        for segment in path.split('/').collect::<Vec<_>>().split_last().map(|(_, dirs)| dirs).unwrap_or(&[]) {
            prefix.push_str(segment);
            if self.files.contains_key(&prefix) {
                return Err(format!("{prefix} is a file, so it cannot hold {path}"));
            }
            prefix.push('/');
        }
        Ok(path)
    }

    /// `path` itself, or every file in the folder `path`.
    fn under(&self, path: &str) -> Vec<String> {
        let folder = format!("{}/", path.trim_end_matches('/'));
        self.files.keys().filter(|p| p.as_str() == path || p.starts_with(&folder)).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy() -> WorkingCopy {
        let mut copy = WorkingCopy::new("base", ["app.py", "install.json", "lib/util.py"]);
        copy.loaded("app.py", Some("print(1)\n".into()));
        copy
    }

    #[test]
    fn an_edit_is_dirty_until_the_text_is_back_to_the_saved_one() {
        let mut copy = copy();
        assert!(!copy.has_changes());
        copy.edit("app.py", "print(2)\n".into());
        assert!(copy.is_dirty("app.py"));
        assert_eq!(copy.changes(), vec![TextChange::Put { path: "app.py".into(), text: "print(2)\n".into() }]);
        copy.edit("app.py", "print(1)\n".into());
        assert!(!copy.is_dirty("app.py"));
        assert!(copy.changes().is_empty());
    }

    #[test]
    fn new_renamed_and_deleted_files_become_one_change_each() {
        let mut copy = copy();
        copy.create("docs/notes.md").unwrap();
        copy.rename("install.json", "manifest/install.json").unwrap();
        copy.delete("lib");
        let changes = copy.changes();
        assert_eq!(
            changes,
            vec![
                TextChange::Delete { path: "lib/util.py".into() },
                TextChange::Put { path: "docs/notes.md".into(), text: String::new() },
                TextChange::Move { from: "install.json".into(), path: "manifest/install.json".into() },
            ]
        );
        assert_eq!(copy.change_count(), 3);
    }

    #[test]
    fn a_renamed_and_edited_file_is_saved_as_delete_and_put() {
        let mut copy = copy();
        copy.rename("app.py", "main.py").unwrap();
        copy.edit("main.py", "print(3)\n".into());
        assert_eq!(
            copy.changes(),
            vec![
                TextChange::Delete { path: "app.py".into() },
                TextChange::Put { path: "main.py".into(), text: "print(3)\n".into() },
            ]
        );
    }

    #[test]
    fn renaming_a_folder_moves_everything_in_it() {
        let mut copy = copy();
        copy.rename("lib", "pkg").unwrap();
        assert!(copy.contains("pkg/util.py"));
        assert!(!copy.contains("lib/util.py"));
    }

    #[test]
    fn bad_and_clashing_paths_are_refused_with_a_reason() {
        let mut copy = copy();
        assert!(copy.create("app.py").unwrap_err().contains("exists"));
        assert!(copy.create("lib").unwrap_err().contains("folder"));
        assert!(copy.create("app.py/x.py").unwrap_err().contains("is a file"));
        assert!(copy.create("../x.py").is_err());
        assert!(copy.create(".git/config").is_err());
        assert!(copy.rename("nothing", "x").is_err());
        assert!(!copy.has_changes(), "refused operations change nothing");
    }

    #[test]
    fn a_file_created_where_one_was_deleted_overwrites_it() {
        let mut copy = copy();
        copy.delete("install.json");
        copy.create("install.json").unwrap();
        copy.edit("install.json", "{}".into());
        assert_eq!(copy.changes(), vec![TextChange::Put { path: "install.json".into(), text: "{}".into() }]);
    }

    #[test]
    fn discard_and_undelete_return_to_the_base() {
        let mut copy = copy();
        copy.rename("app.py", "main.py").unwrap();
        copy.edit("main.py", "x".into());
        copy.discard("main.py");
        copy.create("new.py").unwrap();
        copy.discard("new.py");
        copy.delete("install.json");
        copy.undelete("install.json");
        assert!(!copy.has_changes(), "{:?}", copy.changes());
        assert_eq!(copy.file("app.py").and_then(WorkingFile::current), Some("print(1)\n"));
    }

    #[test]
    fn after_a_commit_the_changes_are_the_base() {
        let mut copy = copy();
        copy.edit("app.py", "print(2)\n".into());
        copy.rename("install.json", "x.json").unwrap();
        copy.committed("next");
        assert_eq!(copy.base, "next");
        assert!(!copy.has_changes());
        assert_eq!(copy.file("app.py").and_then(|f| f.saved.as_deref()), Some("print(2)\n"));
    }

    #[test]
    fn typing_during_a_save_stays_a_change_after_it() {
        let mut copy = copy();
        copy.edit("app.py", "print(2)\n".into());
        let sent = copy.clone();
        copy.edit("app.py", "print(3)\n".into());
        let next = copy.after_save(&sent, "next");
        assert_eq!(next.base, "next");
        assert_eq!(next.changes(), vec![TextChange::Put { path: "app.py".into(), text: "print(3)\n".into() }]);
        assert_eq!(next.file("app.py").and_then(|f| f.saved.as_deref()), Some("print(2)\n"));
    }

    #[test]
    fn a_draft_keeps_the_changes_but_not_the_base_texts() {
        let mut copy = copy();
        copy.loaded("install.json", Some("{}".into()));
        copy.edit("app.py", "draft".into());
        let draft = copy.draft();
        assert_eq!(draft.file("install.json").and_then(|f| f.saved.as_deref()), None);
        assert_eq!(draft.changes(), copy.changes());
    }

    #[test]
    fn advancing_follows_the_server_and_keeps_the_users_changes() {
        let mut copy = copy();
        copy.loaded("install.json", Some("{}".into()));
        copy.edit("app.py", "mine\n".into());
        let stale = copy.advance(
            "head",
            ["app.py", "install.json", "added.py"],
            &["install.json".into(), "added.py".into(), "lib/util.py".into(), "app.py".into()],
        );
        assert_eq!(stale, vec!["install.json".to_owned()]);
        assert!(copy.contains("added.py"));
        assert!(!copy.contains("lib/util.py"), "deleted on the server, untouched here");
        assert_eq!(copy.file("app.py").and_then(|f| f.text.as_deref()), Some("mine\n"));
        assert!(copy.is_dirty("app.py"));
        assert_eq!(copy.base, "head");
    }

    #[test]
    fn resolving_a_conflict_keeps_mine_or_takes_theirs() {
        let mut copy = copy();
        copy.edit("app.py", "mine\n".into());
        copy.resolve("app.py", Some("theirs\n".into()), true);
        assert_eq!(copy.changes(), vec![TextChange::Put { path: "app.py".into(), text: "mine\n".into() }]);
        copy.resolve("app.py", Some("theirs\n".into()), false);
        assert!(!copy.has_changes());
        assert_eq!(copy.file("app.py").and_then(WorkingFile::current), Some("theirs\n"));
    }

    #[test]
    fn the_working_copy_round_trips_through_json_for_drafts() {
        let mut copy = copy();
        copy.edit("app.py", "draft".into());
        copy.delete("lib/util.py");
        let json = serde_json::to_string(&copy).unwrap();
        let back: WorkingCopy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, copy);
    }
}
