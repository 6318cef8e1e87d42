//! The editor page's state and what the user can do with it. [`Ide`] is a bundle of signals
//! (cheap to copy into every handler); the rules live in [`WorkingCopy`] and [`Tabs`], this module
//! only sequences them with server calls and the Monaco bridge.

use super::api::{self, SaveResult};
use super::bridge::{Bridge, ClientStorage, client_value};
use super::tabs::Tabs;
use super::workspace::WorkingCopy;
use crate::components::errors::readable;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{BTreeMap, BTreeSet};

/// What the status bar says about saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Idle,
    Saving,
    Saved(String),
    Info(String),
    Failed(String),
}

/// A save that answered "conflict": the server's side of each path, and how the user settled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub head: String,
    pub paths: Vec<String>,
    /// The server's text at `head` (`None`: deleted there, or not text); loaded when shown.
    pub theirs: BTreeMap<String, Option<String>>,
    /// Paths settled so far, with the text to keep (`None`: take theirs).
    pub settled: BTreeMap<String, Option<String>>,
}

impl Conflict {
    /// The first path still to settle.
    pub fn next(&self) -> Option<&str> {
        self.paths.iter().map(String::as_str).find(|p| !self.settled.contains_key(*p))
    }
}

/// The editor page's state.
#[derive(Clone, Copy)]
pub struct Ide {
    pub slug: StoredValue<String>,
    pub user: StoredValue<String>,
    /// Viewing an old version, or a reviewer: nothing can be changed.
    pub read_only: bool,
    pub copy: RwSignal<WorkingCopy>,
    pub tabs: RwSignal<Tabs>,
    /// Folders the user made that hold no file yet (git keeps no empty folders).
    pub folders: RwSignal<BTreeSet<String>>,
    pub save_state: RwSignal<SaveState>,
    pub message: RwSignal<String>,
    pub cursor: RwSignal<(u32, u32)>,
    pub conflict: RwSignal<Option<Conflict>>,
    pub quick_open: RwSignal<bool>,
    /// The snippet picker is open (Ctrl/Cmd+J).
    pub snippet_picker: RwSignal<bool>,
    /// The users' snippets this user may use, once loaded (in the browser).
    pub snippets: RwSignal<Option<crate::pages::snippets::api::SnippetList>>,
    /// Why the active file could not be shown.
    pub open_error: RwSignal<Option<String>>,
    pub editor_ready: RwSignal<bool>,
    /// A line to move to once the file is shown (from the problems panel).
    pub pending_line: RwSignal<Option<(String, u32)>>,
    pub bridge: StoredValue<Option<Bridge>, ClientStorage>,
}

impl Ide {
    pub fn new(slug: String, user: String, read_only: bool, copy: WorkingCopy) -> Self {
        Ide {
            slug: StoredValue::new(slug),
            user: StoredValue::new(user),
            read_only,
            copy: RwSignal::new(copy),
            tabs: RwSignal::new(Tabs::default()),
            folders: RwSignal::new(BTreeSet::new()),
            save_state: RwSignal::new(SaveState::Idle),
            message: RwSignal::new(String::new()),
            cursor: RwSignal::new((1, 1)),
            conflict: RwSignal::new(None),
            quick_open: RwSignal::new(false),
            snippet_picker: RwSignal::new(false),
            snippets: RwSignal::new(None),
            open_error: RwSignal::new(None),
            editor_ready: RwSignal::new(false),
            pending_line: RwSignal::new(None),
            bridge: client_value(None),
        }
    }

    /// The app's slug (empty once the page is gone, for tasks that outlive it).
    pub fn slug(&self) -> String {
        self.slug.try_get_value().unwrap_or_default()
    }

    /// Whether the page is still there: tasks that awaited the server check this before they
    /// touch the page's state (reading a signal of a page that is gone would panic).
    pub fn alive(&self) -> bool {
        self.copy.try_with_untracked(|_| ()).is_some()
    }

    /// Brings `path` to the front (loading it first if needed).
    pub fn open(&self, path: &str) {
        self.tabs.update(|tabs| tabs.open(path));
    }

    pub fn close(&self, path: &str) {
        self.tabs.update(|tabs| tabs.close(path));
        // A closed tab's unsaved changes stay in the working copy; its model goes, and is made
        // again from the working copy when the file is opened again.
        self.with_bridge(|bridge| bridge.forget(path));
    }

    /// Shows the active tab in Monaco, reading its text from the server the first time. (Reads
    /// signals untracked: the page's effect says what it follows.)
    pub fn show_active(&self) {
        if !self.editor_ready.get_untracked() {
            return;
        }
        let Some(path) = self.tabs.with_untracked(|tabs| tabs.active.clone()) else {
            self.with_bridge(Bridge::show_nothing);
            return;
        };
        self.open_error.set(None);
        let file = self.copy.with_untracked(|copy| copy.file(&path).cloned());
        let Some(file) = file else { return };
        if file.binary {
            self.with_bridge(Bridge::show_nothing);
            return;
        }
        match file.current() {
            Some(text) => self.show_text(&path, text),
            None => {
                let ide = *self;
                let origin = file.origin.clone().unwrap_or_else(|| path.clone());
                let base = self.copy.with_untracked(|copy| copy.base.clone());
                spawn_local(async move {
                    let answer = api::file_text(ide.slug(), base, origin).await;
                    if !ide.alive() {
                        return;
                    }
                    match answer {
                        Ok(text) => {
                            ide.copy.update(|copy| copy.loaded(&path, text));
                            if ide.tabs.with_untracked(|tabs| tabs.active.as_deref() == Some(&path)) {
                                ide.show_active();
                            }
                        }
                        Err(err) => ide.open_error.set(Some(format!("Could not open {path}: {}", readable(&err)))),
                    }
                });
            }
        }
    }

    fn show_text(&self, path: &str, text: &str) {
        let copy = self.copy;
        let owned = path.to_owned();
        let read_only = self.read_only;
        let line = self.pending_line.with_untracked(|p| p.as_ref().filter(|(p, _)| p == path).map(|(_, l)| *l));
        self.with_bridge(|bridge| {
            bridge.show(path, text, move |text| {
                if !read_only {
                    copy.update(|copy| copy.edit(&owned, text));
                }
            });
            if let Some(line) = line {
                bridge.reveal_line(line);
            }
        });
        if line.is_some() {
            self.pending_line.set(None);
        }
    }

    /// Opens `path` with the cursor on `line`.
    pub fn go_to(&self, path: &str, line: u32) {
        self.pending_line.set(Some((path.to_owned(), line)));
        if self.tabs.with_untracked(|t| t.active.as_deref() == Some(path)) {
            self.show_active();
        } else {
            self.open(path);
        }
    }

    /// Replaces the text an open editor shows for `path` (the working copy changed under it).
    pub fn replace_text(&self, path: &str, text: &str) {
        self.with_bridge(|bridge| bridge.replace_text(path, text));
    }

    /// Sets the squiggles of every open file.
    pub fn set_markers(&self, markers_for: &dyn Fn(&str) -> Vec<monaco::Marker>) {
        self.bridge.with_value(|bridge| {
            if let Some(bridge) = bridge {
                bridge.set_markers(markers_for);
            }
        });
    }

    /// Offers the app's param and output names (from install.json's text) in Python completions.
    pub fn set_contract_names(&self, names_json: &str) {
        self.with_bridge(|bridge| bridge.set_contract_names(names_json));
    }

    pub(super) fn with_bridge(&self, f: impl FnOnce(&mut Bridge)) {
        self.bridge.update_value(|bridge| {
            if let Some(bridge) = bridge {
                f(bridge);
            }
        });
    }

    /// Moves the keyboard focus into the editor.
    pub fn focus_editor(&self) {
        self.with_bridge(|bridge| bridge.focus());
    }

    /// A new, empty file, opened at once.
    pub fn create_file(&self, path: &str) -> Result<(), String> {
        let mut result = Ok(());
        self.copy.update(|copy| result = copy.create(path));
        result?;
        let path = path.trim().to_owned();
        self.folders.update(|folders| folders.retain(|f| !path.starts_with(&format!("{f}/"))));
        self.open(&path);
        Ok(())
    }

    /// A folder that shows in the tree until a file is made in it.
    pub fn create_folder(&self, path: &str) -> Result<(), String> {
        let path = path.trim().trim_end_matches('/');
        domain::app::RepoPath::parse(path).map_err(|err| format!("{path}: {err}"))?;
        if self.copy.with_untracked(|copy| copy.contains(path)) {
            return Err(format!("{path} is a file"));
        }
        self.folders.update(|folders| {
            folders.insert(path.to_owned());
        });
        Ok(())
    }

    pub fn rename(&self, from: &str, to: &str) -> Result<(), String> {
        let to = to.trim().trim_end_matches('/');
        if self.folders.with_untracked(|folders| folders.contains(from)) {
            self.folders.update(|folders| {
                folders.remove(from);
                folders.insert(to.to_owned());
            });
            return Ok(());
        }
        let mut result = Ok(());
        self.copy.update(|copy| result = copy.rename(from, to));
        result?;
        self.tabs.update(|tabs| tabs.renamed(from, to));
        let copy = self.copy;
        self.with_bridge(|bridge| bridge.retain(|p| copy.with_untracked(|c| c.contains(p))));
        Ok(())
    }

    pub fn delete(&self, path: &str) {
        self.folders.update(|folders| {
            folders.retain(|f| f != path && !f.starts_with(&format!("{path}/")));
        });
        self.copy.update(|copy| {
            copy.delete(path);
        });
        self.forget_missing();
    }

    /// Throws away every unsaved change.
    pub fn discard_all(&self) {
        let paths: Vec<String> = self.copy.with_untracked(|copy| copy.paths().map(str::to_owned).collect());
        let deleted: Vec<String> = self.copy.with_untracked(|copy| copy.deleted().map(str::to_owned).collect());
        self.copy.update(|copy| {
            for path in &paths {
                copy.discard(path);
            }
            for path in &deleted {
                copy.undelete(path);
            }
        });
        self.folders.set(BTreeSet::new());
        self.forget_missing();
        // Open models still hold the discarded text: show the base text again.
        self.refresh_models();
        self.save_state.set(SaveState::Info("Changes discarded".into()));
    }

    fn forget_missing(&self) {
        let copy = self.copy;
        self.tabs.update(|tabs| tabs.retain(|p| copy.with_untracked(|c| c.contains(p))));
        self.with_bridge(|bridge| bridge.retain(|p| copy.with_untracked(|c| c.contains(p))));
    }

    /// Makes every open model show the working copy's text; files whose text is unknown (the
    /// server changed them) are dropped from Monaco and read again when shown.
    fn refresh_models(&self) {
        let copy = self.copy.get_untracked();
        self.with_bridge(|bridge| {
            bridge.retain(|p| copy.file(p).and_then(|f| f.current()).is_some());
        });
        let paths: Vec<String> = copy.paths().map(str::to_owned).collect();
        for path in paths {
            if let Some(text) = copy.file(&path).and_then(|f| f.current()) {
                self.with_bridge(|bridge| bridge.replace_text(&path, text));
            }
        }
        self.show_active();
    }

    /// Saves every change as one commit (Ctrl/Cmd+S).
    pub fn save(&self) {
        if self.read_only || self.conflict.with_untracked(Option::is_some) {
            return;
        }
        if self.save_state.with_untracked(|s| *s == SaveState::Saving) {
            return;
        }
        let sent = self.copy.get_untracked();
        if !sent.has_changes() {
            self.save_state.set(SaveState::Info("Nothing to save".into()));
            return;
        }
        self.save_state.set(SaveState::Saving);
        let ide = *self;
        let message = self.message.get_untracked();
        spawn_local(async move {
            let answer = api::save_changes(ide.slug(), sent.base.clone(), message, sent.changes()).await;
            if !ide.alive() {
                return;
            }
            match answer {
                Ok(SaveResult::Saved { revision, others }) => {
                    ide.copy.update(|copy| *copy = copy.after_save(&sent, &revision));
                    ide.message.set(String::new());
                    if !others.is_empty() {
                        ide.follow_server(&revision, others).await;
                    }
                    ide.save_state.set(SaveState::Saved(revision));
                }
                Ok(SaveResult::Conflict { head, paths }) => {
                    ide.save_state.set(SaveState::Failed(format!(
                        "Not saved: {} changed on the server since your version",
                        paths.join(", ")
                    )));
                    ide.conflict.set(Some(Conflict { head, paths, theirs: BTreeMap::new(), settled: BTreeMap::new() }));
                }
                Err(err) => ide.save_state.set(SaveState::Failed(format!("Not saved: {}", readable(&err)))),
            }
        });
    }

    /// Moves the working copy to `revision`, taking the server's version of `changed` files the
    /// user did not touch.
    pub async fn follow_server(&self, revision: &str, changed: Vec<String>) {
        let answer = api::load_app_files(self.slug(), Some(revision.to_owned())).await;
        if !self.alive() {
            return;
        }
        match answer {
            Ok(files) => {
                self.copy.update(|copy| {
                    copy.advance(revision, files.files.iter().map(|f| f.path.as_str()), &changed);
                });
                self.forget_missing();
                self.refresh_models();
            }
            Err(err) => self.save_state.set(SaveState::Failed(readable(&err))),
        }
    }

    /// Loads the server's text of a conflicting path, once.
    pub fn load_theirs(&self, path: &str) {
        let Some(head) = self
            .conflict
            .with_untracked(|c| c.as_ref().filter(|c| !c.theirs.contains_key(path)).map(|c| c.head.clone()))
        else {
            return;
        };
        let ide = *self;
        let path = path.to_owned();
        spawn_local(async move {
            // A file the server no longer has (or cannot show as text) is "deleted there".
            let theirs = api::file_text(ide.slug(), head, path.clone()).await.ok().flatten();
            if !ide.alive() {
                return;
            }
            ide.conflict.update(|c| {
                if let Some(c) = c {
                    c.theirs.insert(path, theirs);
                }
            });
        });
    }

    /// Settles one conflicting path: `Some(text)` keeps that text (mine, maybe merged by hand),
    /// `None` takes the server's. When the last one is settled the working copy moves to the new
    /// head and the next save can go through.
    pub fn settle(&self, path: &str, keep: Option<String>) {
        self.conflict.update(|c| {
            if let Some(c) = c {
                c.settled.insert(path.to_owned(), keep);
            }
        });
        let Some(conflict) = self.conflict.get_untracked().filter(|c| c.next().is_none()) else { return };
        let ide = *self;
        spawn_local(async move {
            let old_base = ide.copy.with_untracked(|copy| copy.base.clone());
            let answer = api::changed_paths(ide.slug(), old_base, conflict.head.clone()).await;
            if !ide.alive() {
                return;
            }
            let changed = match answer {
                Ok(changed) => changed,
                Err(err) => return ide.save_state.set(SaveState::Failed(readable(&err))),
            };
            ide.follow_server(&conflict.head, changed).await;
            if !ide.alive() {
                return;
            }
            ide.copy.update(|copy| {
                for (path, keep) in &conflict.settled {
                    let theirs = conflict.theirs.get(path).cloned().flatten();
                    if let Some(text) = keep {
                        copy.edit(path, text.clone());
                    }
                    copy.resolve(path, theirs, keep.is_some());
                }
            });
            ide.forget_missing();
            ide.refresh_models();
            ide.conflict.set(None);
            let left = ide.copy.with_untracked(WorkingCopy::change_count);
            ide.save_state.set(SaveState::Info(if left == 0 {
                "Conflict settled: you took the server's version".into()
            } else {
                "Conflict settled: press Ctrl+S to save".into()
            }));
        });
    }
}
