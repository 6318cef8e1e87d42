//! The storage ports: what services need from a database, as traits the adapters implement.
//!
//! Services hold these as `Arc<dyn Trait>`, so the SQLite adapter of the embedded default and any
//! later one (Postgres) are interchangeable, and tests use the real SQLite adapter on a temp file.

use crate::{Principal, Role, UserSummary, Username};
use async_trait::async_trait;
use time::OffsetDateTime;

/// What went wrong in a storage adapter, in terms a service can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (the detail names what was taken).
    #[error("already exists: {0}")]
    Conflict(String),
    /// The row to change does not exist.
    #[error("not found")]
    NotFound,
    /// The database failed; the source is for the log, never for the client.
    #[error("storage failure: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A user row as sign-in needs it, with the password hash. Never leaves the services layer.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: i64,
    pub username: Username,
    pub role: Role,
    pub disabled: bool,
    pub password_hash: String,
}

/// A change to a user; `None` leaves the field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
}

/// How many recent sign-in failures a throttle key has, and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: u32,
    pub last_failure: OffsetDateTime,
}

/// Users, sessions, API tokens and sign-in throttling.
///
/// Secrets never reach this trait in clear: sessions and tokens are looked up by the SHA-256 of
/// the secret, and passwords arrive as argon2 hashes.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Adds a user; `Conflict` when the name is taken.
    async fn create_user(
        &self,
        username: &Username,
        password_hash: &str,
        role: Role,
    ) -> Result<UserSummary, StoreError>;
    /// The user with this name, with its password hash, for sign-in.
    async fn find_user_for_sign_in(&self, username: &Username) -> Result<Option<StoredUser>, StoreError>;
    /// The user with this name.
    async fn find_user(&self, username: &Username) -> Result<Option<UserSummary>, StoreError>;
    /// Users ordered by id, those with an id above `after_id`, at most `limit`.
    async fn list_users(&self, after_id: Option<i64>, limit: u32) -> Result<Vec<UserSummary>, StoreError>;
    /// Applies a change; `NotFound` when there is no such user.
    async fn update_user(&self, id: i64, change: &UserChange) -> Result<UserSummary, StoreError>;
    /// How many users exist at all (zero on a fresh database).
    async fn count_users(&self) -> Result<u64, StoreError>;
    /// How many admins are not disabled.
    async fn count_active_admins(&self) -> Result<u64, StoreError>;

    /// Stores a session for the user; returns its id.
    async fn create_session(
        &self,
        user_id: i64,
        secret_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<i64, StoreError>;
    /// The principal of a live session: not expired at `now`, user not disabled.
    async fn find_session(&self, secret_hash: &[u8], now: OffsetDateTime) -> Result<Option<Principal>, StoreError>;
    /// Ends one session (sign-out). Ending an unknown session is not an error.
    async fn delete_session(&self, session_id: i64) -> Result<(), StoreError>;
    /// Ends every session of a user, except `keep` (the one making the change) when given.
    async fn delete_user_sessions(&self, user_id: i64, keep: Option<i64>) -> Result<(), StoreError>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError>;

    /// Stores an API token for the user; returns its id.
    async fn create_token(&self, user_id: i64, name: &str, secret_hash: &[u8]) -> Result<i64, StoreError>;
    /// The principal of a token whose user is not disabled; notes the time of use.
    async fn find_token(&self, secret_hash: &[u8], now: OffsetDateTime) -> Result<Option<Principal>, StoreError>;

    /// The sign-in failures recorded for a throttle key (an account or an address).
    async fn failures(&self, key: &str) -> Result<Option<FailureCount>, StoreError>;
    /// Records one more failure for a key; returns the new count.
    async fn record_failure(&self, key: &str, now: OffsetDateTime) -> Result<FailureCount, StoreError>;
    /// Forgets a key's failures (after a successful sign-in).
    async fn clear_failures(&self, key: &str) -> Result<(), StoreError>;
}

/// An app as the database knows it (its files are in its repository).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRecord {
    pub id: i64,
    pub slug: crate::app::AppSlug,
    pub repo_key: String,
    pub display_name: String,
    pub runtime_level: String,
    pub template: Option<String>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub size_bytes: u64,
    /// The head the row describes; `None` when not known (a row from before it was kept).
    pub head_revision: Option<crate::app::Revision>,
}

/// A new app's row.
#[derive(Debug, Clone)]
pub struct NewApp<'a> {
    pub slug: &'a crate::app::AppSlug,
    pub repo_key: &'a str,
    pub display_name: &'a str,
    pub runtime_level: &'a str,
    pub template: Option<&'a str>,
    pub created_by: i64,
    pub size_bytes: u64,
    /// The first commit.
    pub head_revision: &'a crate::app::Revision,
}

/// What a save changes in an app's row.
#[derive(Debug, Clone)]
pub struct AppChange {
    pub display_name: Option<String>,
    pub runtime_level: Option<String>,
    pub size_delta: i64,
    /// The save's commit: the row's new head.
    pub revision: crate::app::Revision,
    /// The head the save committed on top of. The row takes `revision` as its head only when it
    /// names this one; otherwise a change before it was not recorded (lost or still queued), and
    /// the row's head becomes unknown — set again from git at the next start.
    pub parent: crate::app::Revision,
}

/// What an app's row says about its head, read again from git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFacts {
    pub display_name: Option<String>,
    pub runtime_level: Option<String>,
    pub size_bytes: u64,
    pub updated_at: OffsetDateTime,
    /// The head these facts were read at.
    pub revision: crate::app::Revision,
}

/// Apps' rows: slugs, names and sizes. Archived apps are invisible through this trait except
/// that their slugs stay taken.
#[async_trait]
pub trait AppStore: Send + Sync {
    /// Adds an app; `Conflict` when the slug is taken.
    async fn create_app(&self, app: &NewApp<'_>) -> Result<AppRecord, StoreError>;
    /// Whether any app, archived or not, has this slug.
    async fn slug_taken(&self, slug: &crate::app::AppSlug) -> Result<bool, StoreError>;
    /// The live app with this slug.
    async fn find_app(&self, slug: &crate::app::AppSlug) -> Result<Option<AppRecord>, StoreError>;
    /// Live apps ordered by slug, after `after`, at most `limit`, whose slug or display name
    /// contains `query` (case-insensitive).
    async fn list_apps(
        &self,
        query: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AppRecord>, StoreError>;
    /// Records saves, in order, in one transaction: each one's new name or runtime level if they
    /// changed, its size change, the time, and its commit as the row's head if the row's head is
    /// its parent (else no head: see [`AppChange::parent`]).
    async fn record_saves(&self, saves: &[(i64, AppChange)]) -> Result<(), StoreError>;
    /// Sets what a row knows about an app's head (after a restart, when saves may have been
    /// committed to git but not yet recorded here).
    async fn set_app_facts(&self, id: i64, facts: &AppFacts) -> Result<(), StoreError>;
    /// Hides an app (its repository is kept).
    async fn archive_app(&self, id: i64) -> Result<(), StoreError>;
}

/// How a build ended, as the worker records it.
#[derive(Debug, Clone)]
pub struct BuildEnd {
    pub status: crate::build::BuildStatus,
    pub reason: Option<String>,
    pub python: Option<String>,
    pub package: Option<crate::build::PackageInfo>,
}

/// What `recover_builds` did with a build the server was running when it stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// Queued again (it had attempts left).
    Requeued(i64),
    /// Ended for good (failed, or cancelled when a cancel was pending), the reason recorded.
    Ended(i64),
}

/// Builds: the queue, steps and logs. Build ids are the queue order.
#[async_trait]
pub trait BuildStore: Send + Sync {
    /// Queues a build of `revision` of app `app_id`.
    async fn create_build(
        &self,
        app_id: i64,
        revision: &str,
        requested_by: i64,
    ) -> Result<crate::build::Build, StoreError>;
    /// Takes the oldest queued build, marking it running (one caller wins each build).
    async fn claim_build(&self) -> Result<Option<crate::build::Build>, StoreError>;
    /// The build, with its steps.
    async fn find_build(&self, id: i64) -> Result<Option<crate::build::Build>, StoreError>;
    /// An app's builds, newest first, older than `before`, at most `limit` (no steps).
    async fn list_builds(
        &self,
        app_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<crate::build::Build>, StoreError>;
    /// Records that a step started (`position` orders them).
    async fn start_step(&self, build_id: i64, position: u32, name: &str) -> Result<(), StoreError>;
    /// Records how a step ended.
    async fn finish_step(&self, build_id: i64, position: u32, status: &str, summary: &str) -> Result<(), StoreError>;
    /// Appends log lines (sequence numbers given by the caller, increasing).
    async fn append_log(&self, build_id: i64, lines: &[crate::build::LogLine]) -> Result<(), StoreError>;
    /// The highest sequence number in a build's log (0 when empty).
    async fn last_log_seq(&self, build_id: i64) -> Result<i64, StoreError>;
    /// Log lines after `after_seq`, at most `limit`.
    async fn read_log(
        &self,
        build_id: i64,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<crate::build::LogLine>, StoreError>;
    /// Ends a running build (a reason already recorded by a cancel is kept when `end.reason` is
    /// `None`); `false` when it was not running.
    async fn finish_build(&self, id: i64, end: &BuildEnd) -> Result<bool, StoreError>;
    /// Cancels a queued build at once, or marks a running one to stop, recording `reason`; the
    /// build as it is now.
    async fn cancel_build(&self, id: i64, reason: &str) -> Result<Option<crate::build::Build>, StoreError>;
    /// At start-up: builds left running by a stopped server are queued again while they have
    /// attempts left (under `max_attempts`), otherwise failed with `reason`.
    async fn recover_builds(&self, max_attempts: u32, reason: &str) -> Result<Vec<Recovered>, StoreError>;
}

/// Targets, deployments and runs.
#[async_trait]
pub trait DeployStore: Send + Sync {
    async fn find_target(&self, name: &str) -> Result<Option<crate::deploy::Target>, StoreError>;
    async fn list_targets(&self) -> Result<Vec<crate::deploy::Target>, StoreError>;
    /// Adds a target; `Conflict` when the name is taken.
    async fn create_target(&self, new: &crate::deploy::NewTarget) -> Result<crate::deploy::Target, StoreError>;
    async fn update_target(
        &self,
        name: &str,
        change: &crate::deploy::TargetChange,
    ) -> Result<crate::deploy::Target, StoreError>;
    /// Removes a target no deployment names; `Conflict` otherwise.
    async fn delete_target(&self, name: &str) -> Result<(), StoreError>;
    /// A target's sealed secret.
    async fn target_secret(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Saves a test case; `Conflict` when the app has one of that name.
    async fn create_test_case(&self, new: &crate::deploy::NewTestCase) -> Result<crate::deploy::TestCase, StoreError>;
    /// An app's test cases with their sealed secrets, by name.
    async fn test_cases(&self, app_id: i64) -> Result<Vec<(crate::deploy::TestCase, Option<Vec<u8>>)>, StoreError>;
    async fn delete_test_case(&self, app_id: i64, id: i64) -> Result<(), StoreError>;
    /// Records a deployment as running.
    async fn create_deployment(
        &self,
        new: &crate::deploy::NewDeployment,
    ) -> Result<crate::deploy::Deployment, StoreError>;
    /// Ends a running deployment with its status, the failure's reason and its final steps.
    async fn finish_deployment(
        &self,
        id: i64,
        status: &str,
        reason: Option<&str>,
        steps: &[crate::deploy::DeployStep],
    ) -> Result<(), StoreError>;
    async fn find_deployment(&self, id: i64) -> Result<Option<crate::deploy::Deployment>, StoreError>;
    /// An app's deployments, newest first, older than `before`.
    async fn list_deployments(
        &self,
        app_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<crate::deploy::Deployment>, StoreError>;
    /// The newest succeeded deployment of the app on the target with an id below `before`
    /// (any id when `None`): what runs there (or ran before it).
    async fn live_deployment(
        &self,
        app_id: i64,
        target_id: i64,
        before: Option<i64>,
    ) -> Result<Option<crate::deploy::Deployment>, StoreError>;
    /// Records a queued run.
    async fn create_run(&self, new: &crate::deploy::NewRun) -> Result<crate::deploy::Run, StoreError>;
    async fn start_run(&self, id: i64) -> Result<(), StoreError>;
    async fn finish_run(&self, id: i64, finish: &crate::deploy::RunFinish) -> Result<(), StoreError>;
    /// A run and its encrypted secret inputs.
    async fn find_run(&self, id: i64) -> Result<Option<(crate::deploy::Run, Option<Vec<u8>>)>, StoreError>;
    async fn list_runs(
        &self,
        app_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<crate::deploy::Run>, StoreError>;
    /// At start-up: runs a stopped server left queued or running end as failed with `reason`.
    async fn fail_unfinished_runs(&self, reason: &str) -> Result<u64, StoreError>;
    /// At start-up: deployments a stopped server left running end as failed (their last step too).
    async fn fail_unfinished_deployments(&self, reason: &str) -> Result<u64, StoreError>;
}

/// Releases, reviews and notifications.
#[async_trait]
pub trait ReleaseStore: Send + Sync {
    /// Adds a release if its version is higher than every earlier release of the app (checked in
    /// the same statement); `Conflict` naming the highest one otherwise.
    async fn create_release(&self, new: &crate::release::NewRelease) -> Result<crate::release::Release, StoreError>;
    async fn find_release(&self, app_id: i64, version: &str) -> Result<Option<crate::release::Release>, StoreError>;
    /// An app's releases, highest version first.
    async fn list_releases(&self, app_id: i64) -> Result<Vec<crate::release::Release>, StoreError>;
    /// The release that ships `build_id` and whose newest review approved it.
    async fn approved_release_of_build(&self, build_id: i64) -> Result<Option<crate::release::Release>, StoreError>;
    /// Opens a review of a release; `Conflict` when one is open already.
    async fn create_review(&self, release_id: i64, requested_by: i64) -> Result<i64, StoreError>;
    /// A review with its release and comments.
    async fn find_review(&self, id: i64) -> Result<Option<crate::release::Review>, StoreError>;
    /// Reviews newest first (no comments), only those in `state` when given.
    async fn list_reviews(
        &self,
        state: Option<crate::release::ReviewState>,
        limit: u32,
    ) -> Result<Vec<crate::release::Review>, StoreError>;
    async fn add_comment(&self, new: &crate::release::NewComment) -> Result<crate::release::ReviewComment, StoreError>;
    /// Records a decision on the newest review of its release while it is not approved;
    /// `Conflict` otherwise.
    async fn decide_review(&self, id: i64, state: crate::release::ReviewState, by: i64) -> Result<(), StoreError>;
    /// The ids of enabled users with one of `roles`.
    async fn user_ids_with_roles(&self, roles: &[Role]) -> Result<Vec<i64>, StoreError>;
    async fn notify(&self, items: &[crate::release::NewNotification]) -> Result<(), StoreError>;
    /// A user's notifications, newest first, and how many are unread.
    async fn notifications(
        &self,
        user_id: i64,
        limit: u32,
    ) -> Result<(Vec<crate::release::Notification>, u32), StoreError>;
    /// Marks the user's notifications read: these ids, or all when `None`.
    async fn mark_read(&self, user_id: i64, ids: Option<&[i64]>) -> Result<(), StoreError>;
}

/// The audit log: append and read.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends events, in order, in one transaction.
    async fn record_events(&self, events: &[crate::deploy::NewAuditEvent]) -> Result<(), StoreError>;
    /// Newest first, older than `before`.
    async fn list_events(&self, before: Option<i64>, limit: u32) -> Result<Vec<crate::deploy::AuditEvent>, StoreError>;
}

/// Webhooks and their deliveries.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook(&self, new: &crate::deploy::NewWebhook) -> Result<crate::deploy::Webhook, StoreError>;
    /// An enabled webhook by the sha256 of its token.
    async fn find_webhook_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<crate::deploy::WebhookSecrets>, StoreError>;
    async fn find_webhook(&self, id: i64) -> Result<Option<crate::deploy::WebhookSecrets>, StoreError>;
    async fn list_webhooks(&self, app_id: i64) -> Result<Vec<crate::deploy::Webhook>, StoreError>;
    async fn disable_webhook(&self, id: i64) -> Result<(), StoreError>;
    /// Stores deliveries in one transaction; their ids, in order.
    async fn store_deliveries(&self, deliveries: &[crate::deploy::NewDelivery]) -> Result<Vec<i64>, StoreError>;
    /// The oldest received deliveries, at most `limit`.
    async fn pending_deliveries(&self, limit: u32) -> Result<Vec<crate::deploy::Delivery>, StoreError>;
    /// Marks a delivery dispatched to a run, or failed with a reason.
    async fn settle_delivery(&self, id: i64, run_id: Option<i64>, reason: Option<&str>) -> Result<(), StoreError>;
    /// A webhook's deliveries, newest first, older than `before`.
    async fn list_deliveries(
        &self,
        webhook_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<crate::deploy::Delivery>, StoreError>;
    /// How many deliveries a webhook has (all statuses).
    async fn count_deliveries(&self, webhook_id: i64) -> Result<u64, StoreError>;
}

/// Users' editor snippets.
#[async_trait]
pub trait SnippetStore: Send + Sync {
    /// The snippets `user_id` may use: their own and everyone's shared ones, by label.
    async fn visible_snippets(&self, user_id: i64) -> Result<Vec<crate::snippets::UserSnippet>, StoreError>;
    /// One snippet and its owner's id.
    async fn find_snippet(&self, id: i64) -> Result<Option<(crate::snippets::UserSnippet, i64)>, StoreError>;
    /// How many snippets a user keeps.
    async fn count_snippets(&self, owner_id: i64) -> Result<u64, StoreError>;
    /// Adds a snippet; `Conflict` when the owner has one with this label and language.
    async fn create_snippet(
        &self,
        owner_id: i64,
        draft: &crate::snippets::SnippetDraft,
    ) -> Result<crate::snippets::UserSnippet, StoreError>;
    /// Replaces a snippet's fields; `Conflict` as above, `NotFound` when it is gone.
    async fn update_snippet(
        &self,
        id: i64,
        draft: &crate::snippets::SnippetDraft,
    ) -> Result<crate::snippets::UserSnippet, StoreError>;
    async fn delete_snippet(&self, id: i64) -> Result<(), StoreError>;
}
