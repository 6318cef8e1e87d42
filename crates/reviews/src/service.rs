//! The `Releases` service: releases, proposals, reviews, comments, decisions, notifications.

use crate::notes;
use apps::{Apps, AppsError, parse_path, require_writer};
use build::Builds;
use domain::build::{Build, BuildStatus};
use domain::history::{CommitInfo, HistoryFilter};
use domain::manifest::contract::{Bump, semver};
use domain::paging::PageRequest;
use domain::ports::{ReleaseStore, StoreError};
use domain::release::{
    NewComment, NewNotification, NewRelease, Notification, Proposal, Release, Review, ReviewComment, ReviewState,
    ReviewView,
};
use domain::{Principal, Role};
use serde_json::json;
use std::sync::Arc;

/// How many commits a proposal or a review lists at most.
const COMMITS_SHOWN: u32 = 100;
/// The longest comment or release notes, in characters.
const MAX_TEXT: usize = 20_000;

/// Releases, reviews and notifications over the app store and the builds.
#[derive(Clone)]
pub struct Releases {
    store: Arc<dyn ReleaseStore>,
    apps: Apps,
    builds: Builds,
    /// Held across a release's version check, tag and row: two releases at once would otherwise
    /// both pass the check, and the loser would take back the winner's tag.
    creating: Arc<tokio::sync::Mutex<()>>,
}

impl Releases {
    pub fn new(store: Arc<dyn ReleaseStore>, apps: Apps, builds: Builds) -> Self {
        Self { store, apps, builds, creating: Arc::default() }
    }

    /// The app's releases, highest version first.
    pub async fn list(&self, slug: &str) -> Result<Vec<Release>, AppsError> {
        let (app_id, _) = self.apps.find(slug).await?;
        Ok(self.store.list_releases(app_id).await?)
    }

    /// One release by version.
    pub async fn get(&self, slug: &str, version: &str) -> Result<Release, AppsError> {
        let (app_id, slug) = self.apps.find(slug).await?;
        self.store
            .find_release(app_id, version)
            .await?
            .ok_or_else(|| AppsError::NotFound(format!("{slug} has no release {version}")))
    }

    /// What a release of `rev` (the head when `None`) would be.
    pub async fn propose(&self, slug: &str, rev: Option<&str>) -> Result<Proposal, AppsError> {
        let (app_id, slug, revision) = self.apps.locate(slug, rev).await?;
        // A broken or missing install.json is a problem to show, not a page that fails.
        let (version, unreadable) = match self.program_version(slug.as_str(), revision.as_str()).await {
            Ok(version) => (version, None),
            Err(AppsError::Invalid(why) | AppsError::NotFound(why)) => (None, Some(why)),
            Err(other) => return Err(other),
        };
        let last = self.store.list_releases(app_id).await?.into_iter().next();
        let (contract, commits) = match &last {
            Some(last) => (
                self.apps.contract_diff(slug.as_str(), &last.revision, revision.as_str()).await.ok(),
                self.commits_between(slug.as_str(), Some(&last.revision), revision.as_str()).await?,
            ),
            None => (None, self.commits_between(slug.as_str(), None, revision.as_str()).await?),
        };
        let suggested_version = match (&last, &contract) {
            (Some(last), Some(diff)) => diff.suggested_bump.apply(&last.version),
            _ => Some("1.0.0".to_owned()),
        };
        let mut problems: Vec<String> = unreadable.into_iter().collect();
        match version.as_deref().map(|v| (v, semver(v))) {
            None if !problems.is_empty() => {}
            None => problems.push("install.json has no programVersion".to_owned()),
            Some((v, None)) => problems.push(format!("programVersion {v:?} is not X.Y.Z")),
            Some((v, Some(numbers))) => {
                if let Some(last) = &last {
                    if semver(&last.version).is_some_and(|l| numbers <= l) {
                        problems.push(format!(
                            "programVersion {v} is not above the last release {}: raise it in install.json",
                            last.version
                        ));
                    } else if let Some(diff) = contract.as_ref().filter(|d| d.suggested_bump == Bump::Major)
                        && semver(&last.version).is_some_and(|l| numbers.0 <= l.0)
                    {
                        problems.push(format!(
                            "{} breaking contract change(s) since {}: the version should be {} or higher",
                            diff.changes.iter().filter(|c| c.breaking).count(),
                            last.version,
                            suggested_version.as_deref().unwrap_or("a new major")
                        ));
                    }
                }
            }
        }
        let notes = notes::draft(version.as_deref().unwrap_or("?"), contract.as_ref(), &commits);
        Ok(Proposal {
            revision: revision.to_string(),
            version,
            last,
            contract,
            suggested_version,
            problems,
            notes,
            commits,
        })
    }

    /// Releases `rev` (the head when `None`): its programVersion must be X.Y.Z and above every
    /// earlier release. The build is the revision's succeeded (or still running) build, else a
    /// new one is queued. Tags the revision `v<version>`. Developers and admins.
    pub async fn create(
        &self,
        actor: &Principal,
        slug: &str,
        rev: Option<&str>,
        notes: Option<&str>,
    ) -> Result<Release, AppsError> {
        require_writer(actor)?;
        // On a task of its own: it runs to the end even when the caller goes away, so a tag never
        // stays behind without its release.
        let this = self.clone();
        let (actor, slug) = (actor.clone(), slug.to_owned());
        let (rev, notes) = (rev.map(str::to_owned), notes.map(str::to_owned));
        tokio::spawn(async move { this.create_now(&actor, &slug, rev.as_deref(), notes.as_deref()).await })
            .await
            .map_err(|err| AppsError::Internal(format!("the release task failed: {err}")))?
    }

    async fn create_now(
        &self,
        actor: &Principal,
        slug: &str,
        rev: Option<&str>,
        notes: Option<&str>,
    ) -> Result<Release, AppsError> {
        let (app_id, slug, revision) = self.apps.locate(slug, rev).await?;
        let version = self
            .program_version(slug.as_str(), revision.as_str())
            .await?
            .ok_or_else(|| AppsError::Invalid("install.json has no programVersion".into()))?;
        let numbers = semver(&version)
            .filter(|(a, b, c)| [a, b, c].iter().all(|n| i64::try_from(**n).is_ok()))
            .ok_or_else(|| AppsError::Invalid(format!("programVersion {version:?} is not X.Y.Z (like 1.2.0)")))?;
        let _one_at_a_time = self.creating.lock().await;
        if let Some(last) = self.store.list_releases(app_id).await?.into_iter().next()
            && semver(&last.version).is_some_and(|l| numbers <= l)
        {
            return Err(not_higher(&version, &last.version));
        }
        let notes = match notes.map(str::trim).filter(|n| !n.is_empty()) {
            Some(notes) if notes.chars().count() > MAX_TEXT => {
                return Err(AppsError::Invalid(format!("release notes are limited to {MAX_TEXT} characters")));
            }
            Some(notes) => notes.to_owned(),
            None => self.propose(slug.as_str(), Some(revision.as_str())).await?.notes,
        };
        let build = self.build_of(actor, slug.as_str(), revision.as_str()).await?;
        let tag = format!("v{version}");
        let tagged = self.apps.tag(actor, slug.as_str(), &revision, &tag, &notes).await.map_err(|err| match err {
            AppsError::Invalid(why) => AppsError::StateConflict(why),
            other => other,
        })?;
        let new = NewRelease {
            app_id,
            version: numbers,
            revision: revision.to_string(),
            build_id: build.id,
            notes,
            author_id: actor.user_id,
        };
        let release = match self.store.create_release(&new).await {
            Ok(release) => release,
            Err(err) => {
                // The database failed (the lock keeps other releases out): a tag made here goes too.
                if tagged && let Err(undo) = self.apps.delete_tag(slug.as_str(), &tag).await {
                    tracing::error!(app = %slug, %tag, error = %undo, "cannot take back the tag of a failed release");
                }
                return Err(match err {
                    StoreError::Conflict(highest) => not_higher(&version, &highest),
                    other => other.into(),
                });
            }
        };
        self.apps.audit().record(
            actor.username.as_str(),
            "release.create",
            slug.as_str(),
            json!({"version": release.version, "revision": release.revision, "build": release.build}),
        );
        Ok(release)
    }

    /// A developer asks for a review of a release; reviewers and admins are notified.
    pub async fn request_review(&self, actor: &Principal, slug: &str, version: &str) -> Result<i64, AppsError> {
        require_writer(actor)?;
        let release = self.get(slug, version).await?;
        if release.review_state == Some(ReviewState::Approved) {
            return Err(AppsError::StateConflict(format!("{} {} is approved already", release.app, release.version)));
        }
        let id = self.store.create_review(release.id, actor.user_id).await.map_err(|err| match err {
            StoreError::Conflict(_) => {
                AppsError::StateConflict(format!("{} {} has an open review already", release.app, release.version))
            }
            other => other.into(),
        })?;
        let people = self.store.user_ids_with_roles(&[Role::Reviewer, Role::Admin]).await?;
        let text = format!("{} asks for a review of {} {}", actor.username, release.app, release.version);
        self.notify(actor, people, "review_requested", &text, id).await;
        self.apps.audit().record(
            actor.username.as_str(),
            "review.request",
            &release.app,
            json!({"review": id, "version": release.version}),
        );
        Ok(id)
    }

    /// A review with the contract changes and commits since the release before it.
    pub async fn review(&self, id: i64) -> Result<ReviewView, AppsError> {
        let review = self.find_review(id).await?;
        let app = review.app.clone();
        let previous = self
            .store
            .list_releases(review.release.app_id)
            .await?
            .into_iter()
            .find(|r| semver(&r.version) < semver(&review.release.version));
        let (contract, commits) = match &previous {
            Some(before) => (
                Some(self.apps.contract_diff(&app, &before.revision, &review.release.revision).await?),
                self.commits_between(&app, Some(&before.revision), &review.release.revision).await?,
            ),
            None => (None, self.commits_between(&app, None, &review.release.revision).await?),
        };
        Ok(ReviewView { review, previous: previous.map(|r| r.version), contract, commits })
    }

    /// Reviews newest first, only those in `state` when given.
    pub async fn reviews(&self, state: Option<ReviewState>) -> Result<Vec<Review>, AppsError> {
        Ok(self.store.list_reviews(state, 200).await?)
    }

    /// A comment on a review: on the release, on `line` of `path`, or on a manifest field
    /// (`pointer` into `path`, which is install.json or layout.json). Anyone signed in.
    pub async fn comment(
        &self,
        actor: &Principal,
        id: i64,
        body: &str,
        path: Option<&str>,
        line: Option<u32>,
        pointer: Option<&str>,
    ) -> Result<ReviewComment, AppsError> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_TEXT {
            return Err(AppsError::Invalid(format!("a comment needs 1 to {MAX_TEXT} characters")));
        }
        let review = self.find_review(id).await?;
        let path = path.map(str::trim).filter(|p| !p.is_empty()).map(parse_path).transpose()?;
        let pointer = pointer.map(str::trim).filter(|p| !p.is_empty());
        if (line.is_some() || pointer.is_some()) && path.is_none() {
            return Err(AppsError::Invalid("a comment on a line or a field names its file (path)".into()));
        }
        if line.is_some() && pointer.is_some() {
            return Err(AppsError::Invalid("a comment is on a line or on a field, not both".into()));
        }
        if let Some(path) = &path {
            let (_, bytes) = self
                .apps
                .read_file(&review.app, Some(&review.release.revision), path.as_str())
                .await
                .map_err(|_| AppsError::Invalid(format!("{path} is not in release {}", review.release.version)))?;
            let lines = String::from_utf8_lossy(&bytes).lines().count().max(1);
            if let Some(line) = line
                && (line == 0 || line as usize > lines)
            {
                return Err(AppsError::Invalid(format!("{path} has {lines} lines; line {line} is not one of them")));
            }
            if let Some(pointer) = pointer {
                let document: serde_json::Value = serde_json::from_slice(&bytes)
                    .map_err(|_| AppsError::Invalid(format!("{path} is not JSON: comment on a line instead")))?;
                if document.pointer(pointer).is_none() {
                    return Err(AppsError::Invalid(format!("{path} has no field at {pointer:?}")));
                }
            }
        }
        let comment = self
            .store
            .add_comment(&NewComment {
                review_id: id,
                author_id: actor.user_id,
                body: body.to_owned(),
                path: path.map(String::from),
                line,
                pointer: pointer.map(str::to_owned),
            })
            .await?;
        let text = format!("{} commented on the review of {} {}", actor.username, review.app, review.release.version);
        let people = Self::involved(&review);
        self.notify(actor, people, "review_comment", &text, id).await;
        Ok(comment)
    }

    /// Approves a review, or asks for changes: reviewers and admins, never the release's author.
    pub async fn decide(&self, actor: &Principal, id: i64, approve: bool) -> Result<Review, AppsError> {
        if !matches!(actor.role, Role::Reviewer | Role::Admin) {
            return Err(AppsError::Forbidden("reviewers and admins decide reviews".into()));
        }
        let review = self.find_review(id).await?;
        if review.release.author_id == actor.user_id {
            return Err(AppsError::Forbidden(format!(
                "{} released {} {}: someone else must review it",
                actor.username, review.app, review.release.version
            )));
        }
        let state = if approve { ReviewState::Approved } else { ReviewState::ChangesRequested };
        self.store.decide_review(id, state, actor.user_id).await.map_err(|err| match err {
            StoreError::Conflict(_) => AppsError::StateConflict(format!(
                "review {id} is approved already, or a newer review of {} {} replaced it",
                review.app, review.release.version
            )),
            other => other.into(),
        })?;
        let (kind, verb) = if approve {
            ("review_approved", "approved")
        } else {
            ("review_changes_requested", "asked for changes to")
        };
        let text = format!("{} {verb} {} {}", actor.username, review.app, review.release.version);
        let people = Self::involved(&review);
        self.notify(actor, people, kind, &text, id).await;
        self.apps.audit().record(
            actor.username.as_str(),
            if approve { "review.approve" } else { "review.request_changes" },
            &review.app,
            json!({"review": id, "version": review.release.version}),
        );
        self.find_review(id).await
    }

    /// The signed-in user's notifications, newest first, and how many are unread.
    pub async fn notifications(&self, actor: &Principal, limit: u32) -> Result<(Vec<Notification>, u32), AppsError> {
        Ok(self.store.notifications(actor.user_id, limit.clamp(1, 200)).await?)
    }

    /// Marks the user's notifications read (these ids, or all).
    pub async fn mark_read(&self, actor: &Principal, ids: Option<&[i64]>) -> Result<(), AppsError> {
        Ok(self.store.mark_read(actor.user_id, ids).await?)
    }

    async fn find_review(&self, id: i64) -> Result<Review, AppsError> {
        self.store.find_review(id).await?.ok_or_else(|| AppsError::NotFound(format!("no review {id}")))
    }

    async fn program_version(&self, slug: &str, rev: &str) -> Result<Option<String>, AppsError> {
        let (_, bytes) = self.apps.read_file(slug, Some(rev), "install.json").await?;
        let install: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| AppsError::Invalid(format!("install.json at {rev} is not valid JSON: {e}")))?;
        Ok(install.get("programVersion").and_then(|v| v.as_str()).map(str::to_owned))
    }

    /// The commits after `after` (all when `None`) up to `to`, newest first.
    async fn commits_between(&self, slug: &str, after: Option<&str>, to: &str) -> Result<Vec<CommitInfo>, AppsError> {
        let after = after.map(|r| domain::app::Revision::parse(r).map_err(|e| AppsError::Internal(e.to_string())));
        let filter = HistoryFilter { after: after.transpose()?, ..HistoryFilter::default() };
        let page = PageRequest { limit: Some(COMMITS_SHOWN), cursor: Some(to.to_owned()) };
        Ok(self.apps.history_filtered(slug, filter, &page).await?.items)
    }

    /// The revision's build a release ships: a succeeded or unfinished one, else a new one.
    async fn build_of(&self, actor: &Principal, slug: &str, revision: &str) -> Result<Build, AppsError> {
        let page = PageRequest { limit: Some(100), cursor: None };
        let builds: Vec<Build> =
            self.builds.list(slug, &page).await?.items.into_iter().filter(|b| b.revision == revision).collect();
        if let Some(good) = builds.iter().find(|b| matches!(b.status, BuildStatus::Succeeded)) {
            return Ok(good.clone());
        }
        if let Some(pending) = builds.iter().find(|b| !b.status.is_final()) {
            return Ok(pending.clone());
        }
        if let Some(failed) = builds.iter().find(|b| matches!(b.status, BuildStatus::Failed)) {
            return Err(AppsError::Invalid(format!(
                "build #{} of this revision failed ({}): fix it, then release",
                failed.id,
                failed.reason.as_deref().unwrap_or("see its log")
            )));
        }
        self.builds.enqueue(actor, slug, Some(revision)).await
    }

    /// Who hears about a review's comments and decisions: the release's author and whoever
    /// asked for the review.
    fn involved(review: &Review) -> Vec<i64> {
        vec![review.release.author_id, review.requested_by_id]
    }

    /// Notifies `people` (never the actor, each once); a failure is logged, not answered.
    async fn notify(&self, actor: &Principal, mut people: Vec<i64>, kind: &str, text: &str, review: i64) {
        people.sort_unstable();
        people.dedup();
        let items: Vec<NewNotification> = people
            .into_iter()
            .filter(|&user| user != actor.user_id)
            .map(|user_id| NewNotification {
                user_id,
                kind: kind.to_owned(),
                text: text.to_owned(),
                link: format!("/reviews/{review}"),
                actor_id: actor.user_id,
            })
            .collect();
        if let Err(err) = self.store.notify(&items).await {
            tracing::error!(review, error = %err, "cannot store notifications");
        }
    }
}

fn not_higher(version: &str, highest: &str) -> AppsError {
    AppsError::StateConflict(format!(
        "version {version} is not above the last release {highest}: raise programVersion in install.json"
    ))
}
