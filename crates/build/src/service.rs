//! The build service: a durable queue (rows in the database), a pool of workers that run the
//! [`pipeline`](crate::pipeline), live logs, cancelling, and recovery after a restart.
//!
//! Queueing writes a row and wakes a worker; a worker claims the oldest queued row in one
//! statement, so a build runs once even with many workers. Events from the pipeline are written
//! to the database in order (lines batched) before anyone is told about them: a log read after a
//! notification always has the new lines. On start-up, builds a stopped server left running are
//! queued again once, then failed with a reason; nothing stays "running" forever.
//!
//! Errors are the service layer's `AppsError` (builds are app resources), so the HTTP layer maps
//! them once.

use crate::Files;
use crate::pipeline::{self, Event, Settings, Step, Stop};
use apps::{Apps, AppsError, require_writer};
use domain::Principal;
use domain::build::{Build, BuildStatus, LogLine, PackageInfo};
use domain::paging::{Page, PageRequest};
use domain::ports::{BuildEnd, BuildStore, Recovered};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};

/// Times a build is started before a restart fails it instead.
const MAX_ATTEMPTS: u32 = 2;
/// Lines written in one transaction at most; also flushed every [`FLUSH_EVERY`].
const LOG_BATCH: usize = 200;
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// The build service; cheap to clone.
#[derive(Clone)]
pub struct Builds {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn BuildStore>,
    apps: Apps,
    settings: Settings,
    workers: usize,
    wake: Notify,
    /// Cancel switches of the builds running in this process.
    running: Mutex<HashMap<i64, watch::Sender<bool>>>,
    /// Bumped after every write of a build's state or log: live views wait on it.
    changes: watch::Sender<u64>,
}

impl Builds {
    pub fn new(store: Arc<dyn BuildStore>, apps: Apps, settings: Settings, workers: usize) -> Self {
        let inner = Inner {
            store,
            apps,
            settings,
            workers: workers.max(1),
            wake: Notify::new(),
            running: Mutex::default(),
            changes: watch::channel(0).0,
        };
        Builds { inner: Arc::new(inner) }
    }

    /// Recovers builds a stopped server left running, then starts the workers.
    pub async fn start(&self) -> Result<(), AppsError> {
        let reason = "it was interrupted twice; build again";
        for recovered in self.inner.store.recover_builds(MAX_ATTEMPTS, reason).await? {
            match recovered {
                Recovered::Requeued(id) => tracing::warn!(build = id, "build interrupted by a restart; queued again"),
                Recovered::Ended(id) => tracing::warn!(build = id, "build interrupted by a restart; ended"),
            }
        }
        for worker in 0..self.inner.workers {
            let this = self.clone();
            tokio::spawn(async move { this.work(worker).await });
        }
        Ok(())
    }

    /// Queues a build of `rev` (the head when `None`).
    pub async fn enqueue(&self, actor: &Principal, slug: &str, rev: Option<&str>) -> Result<Build, AppsError> {
        require_writer(actor)?;
        let (app_id, slug, revision) = self.inner.apps.locate(slug, rev).await?;
        let build = self.inner.store.create_build(app_id, revision.as_str(), actor.user_id).await?;
        tracing::info!(build = build.id, app = %slug, rev = %revision, by = %actor.username, "build queued");
        let detail = serde_json::json!({"build": build.id, "revision": revision.as_str()});
        self.inner.apps.audit().record(actor.username.as_str(), "build.queue", slug.as_str(), detail);
        self.inner.wake.notify_one();
        self.changed();
        Ok(build)
    }

    /// A build with its steps.
    pub async fn get(&self, id: i64) -> Result<Build, AppsError> {
        self.inner.store.find_build(id).await?.ok_or_else(|| not_found(id))
    }

    /// An app's builds, newest first (the cursor is the last id seen).
    pub async fn list(&self, slug: &str, page: &PageRequest) -> Result<Page<Build>, AppsError> {
        let (app_id, _) = self.inner.apps.find(slug).await?;
        let limit = page.limit().map_err(|err| AppsError::Invalid(err.to_string()))?;
        let before = page
            .cursor
            .as_deref()
            .map(str::parse::<i64>)
            .transpose()
            .map_err(|_| AppsError::Invalid("bad cursor".into()))?;
        let rows = self.inner.store.list_builds(app_id, before, limit + 1).await?;
        Ok(Page::from_overfetch(rows, limit, |b| b.id.to_string()))
    }

    /// Log lines after `after` (at most `limit`).
    pub async fn log(&self, id: i64, after: i64, limit: u32) -> Result<Vec<LogLine>, AppsError> {
        self.get(id).await?;
        Ok(self.inner.store.read_log(id, after, limit).await?)
    }

    /// A receiver that changes whenever any build's state or log was written.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    /// Cancels a queued build, or stops a running one (its sandboxed program is killed).
    pub async fn cancel(&self, actor: &Principal, id: i64) -> Result<Build, AppsError> {
        require_writer(actor)?;
        let build = self.get(id).await?;
        if build.status.is_final() {
            return Err(AppsError::Invalid(format!("build {id} has already ended ({})", build.status.as_str())));
        }
        let reason = format!("cancelled by {}", actor.username);
        self.inner.store.cancel_build(id, &reason).await?.ok_or_else(|| not_found(id))?;
        if let Some(switch) = self.running().get(&id) {
            let _ = switch.send(true);
        }
        tracing::info!(build = id, by = %actor.username, "build cancel requested");
        self.inner.apps.audit().record(
            actor.username.as_str(),
            "build.cancel",
            &build.app,
            serde_json::json!({"build": id}),
        );
        self.changed();
        self.get(id).await
    }

    /// Where a succeeded build's package is, with its file name.
    pub async fn package(&self, id: i64) -> Result<(PackageInfo, PathBuf), AppsError> {
        let build = self.get(id).await?;
        let package = build.package.ok_or_else(|| {
            AppsError::NotFound(format!(
                "build {id} has no package ({}); only a succeeded build has one",
                build.status.as_str()
            ))
        })?;
        let path = pipeline::artifact_path(&self.inner.settings.artifacts_dir, &package.sha256);
        if !path.is_file() {
            return Err(AppsError::Internal(format!("the package of build {id} is missing from {}", path.display())));
        }
        Ok((package, path))
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<i64, watch::Sender<bool>>> {
        self.inner.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn changed(&self) {
        self.inner.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    async fn work(&self, worker: usize) {
        loop {
            match self.inner.store.claim_build().await {
                Ok(Some(build)) => {
                    tracing::info!(worker, build = build.id, app = %build.app, "build started");
                    self.changed();
                    self.run(build).await;
                }
                Ok(None) => {
                    // Woken by a new build, or every few seconds in case one was queued elsewhere.
                    let _ = tokio::time::timeout(Duration::from_secs(5), self.inner.wake.notified()).await;
                }
                Err(err) => {
                    tracing::error!(worker, error = %err, "cannot read the build queue");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn run(&self, build: Build) {
        let id = build.id;
        let (switch, cancel) = watch::channel(build.cancel_requested);
        self.running().insert(id, switch.clone());
        // A cancel between the claim and the line above found no switch: look again.
        if matches!(self.inner.store.find_build(id).await, Ok(Some(now)) if now.cancel_requested) {
            let _ = switch.send(true);
        }
        let end = self.steps(&build, cancel).await;
        self.running().remove(&id);
        match self.inner.store.finish_build(id, &end).await {
            Ok(_) => tracing::info!(build = id, status = end.status.as_str(), "build ended"),
            Err(err) => tracing::error!(build = id, error = %err, "cannot record the end of a build"),
        }
        self.changed();
    }

    async fn steps(&self, build: &Build, cancel: watch::Receiver<bool>) -> BuildEnd {
        let ended = |status, reason: Option<String>| BuildEnd { status, reason, python: None, package: None };
        let files: Files = match self.inner.apps.snapshot(&build.app, Some(&build.revision)).await {
            Ok((_, files)) => files.into_iter().map(|(p, b)| (p.to_string(), b)).collect(),
            Err(err) => {
                return ended(BuildStatus::Failed, Some(format!("cannot read the app at {}: {err}", build.revision)));
            }
        };
        let first_seq = match self.inner.store.last_log_seq(build.id).await {
            Ok(last) => last + 1,
            Err(err) => {
                tracing::error!(build = build.id, error = %err, "cannot read the build log");
                return ended(BuildStatus::Failed, Some("internal error (see the server log)".into()));
            }
        };
        let (events, received) = mpsc::unbounded_channel();
        let recorder = tokio::spawn(record(self.clone(), build.id, first_seq, received));
        let work_name = format!("build-{}", build.id);
        let result = pipeline::run(&self.inner.settings, &build.app, &work_name, files, events, cancel).await;
        let _ = recorder.await;
        match result {
            Ok(built) => BuildEnd {
                status: BuildStatus::Succeeded,
                reason: None,
                python: built.python,
                package: Some(PackageInfo {
                    file_name: built.package.file_name,
                    sha256: built.package.sha256,
                    size: built.package.bytes.len() as u64,
                }),
            },
            Err(Stop::Cancelled) => ended(BuildStatus::Cancelled, None),
            Err(Stop::Failed(why)) => ended(BuildStatus::Failed, Some(why)),
            Err(Stop::Internal(why)) => {
                tracing::error!(build = build.id, error = %why, "build failed inside the server");
                ended(BuildStatus::Failed, Some("internal error (see the server log)".into()))
            }
        }
    }
}

fn not_found(id: i64) -> AppsError {
    AppsError::NotFound(format!("no build {id}"))
}

fn position(step: Step) -> u32 {
    Step::ALL.iter().position(|s| *s == step).map_or(0, |i| u32::try_from(i).unwrap_or(0) + 1)
}

/// Writes a build's events to the store in order: lines batched, step changes at once.
async fn record(builds: Builds, build_id: i64, first_seq: i64, mut events: mpsc::UnboundedReceiver<Event>) {
    let store = builds.inner.store.clone();
    let mut seq = first_seq;
    let mut pending: Vec<LogLine> = Vec::new();
    let flush = |pending: &mut Vec<LogLine>| {
        let batch = std::mem::take(pending);
        let store = store.clone();
        async move {
            if let Err(err) = store.append_log(build_id, &batch).await {
                tracing::error!(build = build_id, error = %err, "cannot write the build log");
            }
        }
    };
    loop {
        let event = match tokio::time::timeout(FLUSH_EVERY, events.recv()).await {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(_) => {
                if !pending.is_empty() {
                    flush(&mut pending).await;
                    builds.changed();
                }
                continue;
            }
        };
        match event {
            Event::Line(step, line) => {
                pending.push(LogLine { seq, step: step.as_str().to_owned(), line });
                seq += 1;
                if pending.len() >= LOG_BATCH {
                    flush(&mut pending).await;
                    builds.changed();
                }
            }
            Event::Started(step) => {
                flush(&mut pending).await;
                if let Err(err) = store.start_step(build_id, position(step), step.as_str()).await {
                    tracing::error!(build = build_id, error = %err, "cannot record a step");
                }
                builds.changed();
            }
            Event::Finished(step, end, summary) => {
                flush(&mut pending).await;
                if let Err(err) = store.finish_step(build_id, position(step), end.as_str(), &summary).await {
                    tracing::error!(build = build_id, error = %err, "cannot record a step");
                }
                builds.changed();
            }
        }
    }
    flush(&mut pending).await;
    builds.changed();
}
