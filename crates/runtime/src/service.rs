//! The deploy-and-run service: deploys succeeded builds to a target (the embedded runtime,
//! `local`, for now), keeps the deployment history with one-click rollback, refuses a breaking
//! contract change without a major version bump unless an admin gives a reason, runs deployed apps
//! on demand through a bounded queue, and records every state change in the audit log.

use crate::cancel::RunControls;
use crate::install::{Installed, install};
use crate::run::{RunEnd, RunInput, RunLimits, run};
use crate::secrets::SecretBox;
use crate::webhooks::Hooks;
use apps::{Apps, AppsError};
use build::Builds;
use build::sandbox::Sandbox;
use build::toolbox::Toolbox;
use domain::deploy::{
    AuditEvent, DeployStep, Deployment, NewDeployment, NewRun, Run, RunFinish, Target, TargetRequest, TestResult,
};
use domain::manifest::contract::Contract;
use domain::paging::{Page, PageRequest};
use domain::ports::{AuditStore, DeployStore, ReleaseStore, WebhookStore};
use domain::{Principal, Role};
use serde_json::{Map, Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Semaphore, oneshot, watch};

/// Where the runtime keeps its files, and its limits.
#[derive(Debug, Clone)]
pub struct RuntimeSettings {
    /// Installed packages: `<apps>/<sha256>/`.
    pub apps_dir: PathBuf,
    /// Scratch folders of runs, removed when they end.
    pub runs_dir: PathBuf,
    pub limits: RunLimits,
    /// Runs at the same time.
    pub concurrency: usize,
    /// Runs waiting for a slot at most; more get `Busy`.
    pub queue: usize,
}

/// The service; cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn DeployStore>,
    pub(crate) webhooks: Arc<dyn WebhookStore>,
    audit: Arc<dyn AuditStore>,
    releases: Arc<dyn ReleaseStore>,
    pub(crate) apps: Apps,
    builds: Builds,
    sandbox: Option<Sandbox>,
    toolbox: Arc<Toolbox>,
    pub(crate) secrets: SecretBox,
    pub(crate) settings: RuntimeSettings,
    slots: Semaphore,
    pub(crate) waiting: AtomicUsize,
    pub(crate) hooks: Hooks,
    /// The cancel switches of queued and running runs.
    controls: RunControls,
}

/// The stores the runtime uses (one SQLite store implements them all).
pub struct RuntimeStores {
    pub deploy: Arc<dyn DeployStore>,
    pub webhooks: Arc<dyn WebhookStore>,
    pub audit: Arc<dyn AuditStore>,
    /// Which builds belong to approved releases (protected targets take only those).
    pub releases: Arc<dyn ReleaseStore>,
}

/// What `run` answers: the finished run when asked to wait, else the queued one.
pub enum Started {
    Queued(Run),
    Finished(Run),
}

pub(crate) fn require_admin(actor: &Principal) -> Result<(), AppsError> {
    if actor.role.allows(Role::Admin) {
        Ok(())
    } else {
        Err(AppsError::Forbidden(format!("this needs the admin role; you are {}", actor.role)))
    }
}

fn internal(err: impl std::fmt::Display) -> AppsError {
    AppsError::Internal(err.to_string())
}

/// install.json inside a package.
fn packaged_install_json(bytes: &[u8]) -> Result<Value, AppsError> {
    let unpacked = apps::archive::unpack(bytes)?;
    let (_, text) = unpacked
        .files
        .iter()
        .find(|(p, _)| p.as_str() == "install.json")
        .ok_or_else(|| AppsError::Invalid("the package has no install.json".into()))?;
    serde_json::from_slice(text).map_err(|e| AppsError::Invalid(format!("the package's install.json: {e}")))
}

impl Runtime {
    pub fn new(
        stores: RuntimeStores,
        apps: Apps,
        builds: Builds,
        sandbox: Option<Sandbox>,
        toolbox: Arc<Toolbox>,
        secrets: SecretBox,
        settings: RuntimeSettings,
    ) -> Self {
        let slots = Semaphore::new(settings.concurrency.max(1));
        let RuntimeStores { deploy: store, webhooks, audit, releases } = stores;
        Runtime {
            inner: Arc::new(Inner {
                store,
                webhooks,
                audit,
                releases,
                apps,
                builds,
                sandbox,
                toolbox,
                secrets,
                settings,
                slots,
                waiting: AtomicUsize::new(0),
                hooks: Hooks::new(),
                controls: RunControls::default(),
            }),
        }
    }

    /// At start-up: runs and deployments a stopped server left unfinished end as failed; then the webhook
    /// delivery writer and dispatcher start (deliveries stored before a stop are dispatched).
    pub async fn start(&self) -> Result<(), AppsError> {
        let failed = self.inner.store.fail_unfinished_runs("the server stopped during this run").await?;
        if failed > 0 {
            tracing::warn!(failed, "runs interrupted by a restart were marked failed");
        }
        let failed = self.inner.store.fail_unfinished_deployments("the server stopped during this deployment").await?;
        if failed > 0 {
            tracing::warn!(failed, "deployments interrupted by a restart were marked failed");
        }
        self.start_webhooks();
        Ok(())
    }

    async fn audit(&self, actor: &str, action: &str, subject: &str, detail: Value) {
        self.inner.apps.audit().record_durable(actor, action, subject, detail).await;
    }

    /// Every target (admins only: targets name remote systems).
    pub async fn targets(&self, actor: &Principal) -> Result<Vec<Target>, AppsError> {
        require_admin(actor)?;
        Ok(self.inner.store.list_targets().await?)
    }

    pub(crate) async fn target(&self, name: &str) -> Result<Target, AppsError> {
        self.inner.store.find_target(name).await?.ok_or_else(|| AppsError::NotFound(format!("no target {name:?}")))
    }

    /// Deploys build `build_id` to `target` (admins only). A build whose contract breaks the one
    /// deployed there without a major version bump needs `reason`, which is audited.
    pub async fn deploy(
        &self,
        actor: &Principal,
        build_id: i64,
        target: &str,
        reason: Option<&str>,
    ) -> Result<Deployment, AppsError> {
        require_admin(actor)?;
        self.deploy_as(actor, build_id, target, reason.map(str::trim).filter(|r| !r.is_empty()), None).await
    }

    async fn deploy_as(
        &self,
        actor: &Principal,
        build_id: i64,
        target_name: &str,
        reason: Option<&str>,
        rollback_of: Option<i64>,
    ) -> Result<Deployment, AppsError> {
        let target = self.target(target_name).await?;
        let build = self.inner.builds.get(build_id).await?;
        let (package, path) = self.inner.builds.package(build_id).await?;
        let bytes = tokio::fs::read(&path).await.map_err(internal)?;
        let install_json = packaged_install_json(&bytes)?;
        let version = install_json.get("programVersion").and_then(Value::as_str).unwrap_or("").to_owned();

        let mut steps = Vec::new();
        if target.protected {
            let release = self.inner.releases.approved_release_of_build(build_id).await?.ok_or_else(|| {
                AppsError::StateConflict(format!(
                    "{} is protected: it takes only approved releases, and build #{build_id} is not part of one; \
                     release it and have it reviewed",
                    target.name
                ))
            })?;
            steps.push(DeployStep::new("review", "succeeded", format!("release {} is approved", release.version)));
        } else {
            steps.push(DeployStep::new("review", "skipped", format!("{} is not protected", target.name)));
        }
        let live = self.inner.store.live_deployment(build.app_id, target.id, None).await?;
        let mut breaking = Vec::new();
        match &live {
            None => steps.push(DeployStep::new(
                "contract",
                "skipped",
                format!("nothing is deployed to {} yet", target.name),
            )),
            Some(live) => {
                let (_, live_path) = self.inner.builds.package(live.build).await?;
                let live_bytes = tokio::fs::read(&live_path).await.map_err(internal)?;
                let (old, new) = (Contract::of(&packaged_install_json(&live_bytes)?), Contract::of(&install_json));
                let bumped = matches!((old.major, new.major), (Some(o), Some(n)) if n > o);
                breaking = old.diff(&new).iter().filter(|c| c.is_breaking()).map(|c| c.describe()).collect();
                if !breaking.is_empty() && !bumped && reason.is_none() && rollback_of.is_none() {
                    return Err(AppsError::Breaking { changes: breaking });
                }
                let against = format!("against the live {} (deployment #{})", live.version, live.id);
                steps.push(match (breaking.len(), bumped) {
                    (0, _) => DeployStep::new("contract", "succeeded", format!("no breaking change {against}")),
                    (n, true) => DeployStep::new(
                        "contract",
                        "succeeded",
                        format!("{n} breaking change(s) {against}, with a major version bump"),
                    ),
                    (n, false) if rollback_of.is_some() => DeployStep::new(
                        "contract",
                        "succeeded",
                        format!("{n} breaking change(s) {against}, taken back by a rollback"),
                    ),
                    (n, false) => DeployStep::new(
                        "contract",
                        "succeeded",
                        format!("{n} breaking change(s) {against}, deployed with a reason"),
                    ),
                });
                if bumped {
                    breaking.clear();
                }
            }
        }
        if target.require_tests {
            let results = self.run_tests_of(Some(actor), &build).await?;
            if results.is_empty() {
                return Err(AppsError::Invalid(format!(
                    "{} takes only tested builds, and {} has no test cases yet",
                    target.name, build.app
                )));
            }
            let failed: Vec<String> = results
                .iter()
                .filter(|r| !r.passed)
                .map(|r| format!("{}: {}", r.name, r.failures.join(", ")))
                .collect();
            if !failed.is_empty() {
                return Err(AppsError::Invalid(format!(
                    "{} takes only builds that pass every test case; failed: {}",
                    target.name,
                    failed.join("; ")
                )));
            }
            steps.push(DeployStep::new(
                "tests",
                "succeeded",
                format!("{} of {} test cases passed", results.len(), results.len()),
            ));
        } else {
            steps.push(DeployStep::new("tests", "skipped", format!("{} does not require tests", target.name)));
        }
        steps.push(match target.kind.as_str() {
            "local" => DeployStep::new("install", "running", "installing into the embedded runtime"),
            _ => DeployStep::new("upload", "running", format!("sending the package to target {}", target.name)),
        });
        let new = NewDeployment {
            app_id: build.app_id,
            build_id,
            target_id: target.id,
            version: version.clone(),
            revision: build.revision.clone(),
            override_reason: reason.map(str::to_owned),
            breaking: breaking.clone(),
            rollback_of,
            steps: steps.clone(),
            requested_by: actor.user_id,
        };
        let deployment = self.inner.store.create_deployment(&new).await?;
        let action = if rollback_of.is_some() { "rollback" } else { "deploy" };
        self.audit(
            actor.username.as_str(),
            action,
            &build.app,
            json!({"deployment": deployment.id, "build": build_id, "version": version, "target": target.name,
                   "breaking": breaking, "reason": reason, "rollback_of": rollback_of}),
        )
        .await;
        if target.kind != "local" {
            // A remote deploy takes a while (a remote build, a platform upload): it goes on in the
            // background; the deployment's status, reason and last step tell how it ended.
            let remote = self.remote_job(&target, &build, &package, bytes, reason).await?;
            let this = self.clone();
            let id = deployment.id;
            tokio::spawn(async move {
                let ended = remote.await;
                if let Ok(summary) = &ended {
                    tracing::info!(deployment = id, %summary, "remote deploy succeeded");
                }
                this.finish(id, steps, ended).await;
            });
            return Ok(deployment);
        }
        // Installing into the embedded runtime is quick: done before answering.
        let apps_dir = self.inner.settings.apps_dir.clone();
        let sha = package.sha256.clone();
        let installed =
            tokio::task::spawn_blocking(move || install(&apps_dir, &sha, &bytes)).await.map_err(internal)?;
        let ended =
            installed.map(|_| "installed: runs use this version from now on".to_owned()).map_err(|err| err.to_string());
        let status = if ended.is_ok() { "succeeded" } else { "failed" };
        self.finish(deployment.id, steps, ended).await;
        tracing::info!(deployment = deployment.id, app = %build.app, build = build_id, target = %target.name, status, "deployed");
        self.inner.store.find_deployment(deployment.id).await?.ok_or_else(|| internal("the deployment vanished"))
    }

    /// Records how a deployment's last step ended, and with it the deployment.
    async fn finish(&self, id: i64, mut steps: Vec<DeployStep>, ended: Result<String, String>) {
        let (status, failure) = match &ended {
            Ok(_) => ("succeeded", None),
            Err(why) => ("failed", Some(why.as_str())),
        };
        if let Some(last) = steps.last_mut() {
            last.status = if ended.is_ok() { "succeeded" } else { "failed" }.to_owned();
            last.detail = match &ended {
                Ok(summary) | Err(summary) => summary.clone(),
            };
        }
        if let Err(err) = self.inner.store.finish_deployment(id, status, failure, &steps).await {
            tracing::error!(deployment = id, error = %err, "cannot record the end of a deployment");
        }
    }

    /// The work of a remote deploy, ready to run in the background.
    async fn remote_job(
        &self,
        target: &Target,
        build: &domain::build::Build,
        package: &domain::build::PackageInfo,
        bytes: Vec<u8>,
        reason: Option<&str>,
    ) -> Result<RemoteJob, AppsError> {
        let sealed = self
            .inner
            .store
            .target_secret(&target.name)
            .await?
            .ok_or_else(|| AppsError::Invalid(format!("target {} has no secret", target.name)))?;
        let secret = self.inner.secrets.open(&sealed).map_err(internal)?;
        let url = target.url.clone().ok_or_else(|| AppsError::Invalid(format!("target {} has no url", target.name)))?;
        match target.kind.as_str() {
            "threatconnect" => {
                let access_id = target.access_id.clone().unwrap_or_default();
                let file_name = package.file_name.clone();
                Ok(Box::pin(async move {
                    crate::remote::deploy_threatconnect(&url, &access_id, &secret, &file_name, bytes).await
                }))
            }
            "appbuilder" => {
                let (_, files) = self.inner.apps.snapshot(&build.app, Some(&build.revision)).await?;
                let files: Vec<(String, Vec<u8>)> = files.into_iter().map(|(p, b)| (p.to_string(), b)).collect();
                let display_name = self.inner.apps.get(&build.app).await?.display_name;
                let token = String::from_utf8(secret)
                    .map_err(|_| AppsError::Invalid("the target's token is not text".into()))?;
                let (slug, reason) = (build.app.clone(), reason.map(str::to_owned));
                Ok(Box::pin(async move {
                    crate::remote::deploy_appbuilder(&url, &token, &slug, &display_name, files, reason.as_deref()).await
                }))
            }
            other => Err(AppsError::Invalid(format!("unknown target kind {other}"))),
        }
    }

    /// Saves a test case for the app (developers and admins): inputs, and the outputs (by name)
    /// they must produce.
    pub async fn create_test_case(
        &self,
        actor: &Principal,
        slug: &str,
        name: &str,
        inputs: Map<String, Value>,
        expected: Map<String, Value>,
    ) -> Result<domain::deploy::TestCase, AppsError> {
        apps::require_writer(actor)?;
        let (app_id, slug) = self.inner.apps.find(slug).await?;
        // Secrets are known from the live version's install.json when there is one.
        let live = self.inner.store.live_deployment(app_id, self.target("local").await?.id, None).await?;
        let (masked, secret) = match &live {
            Some(live) => mask(&self.installed(live.build).await?, &inputs),
            None => (inputs.clone(), Map::new()),
        };
        let sealed = (!secret.is_empty())
            .then(|| self.inner.secrets.seal(&serde_json::to_vec(&secret).expect("JSON serialises")));
        self.save_test_case(actor, app_id, slug.as_str(), name, masked, sealed, expected).await
    }

    /// Saves a run as a test case (developers and admins): its inputs (secrets stay sealed) and
    /// the outputs it wrote as the expected ones.
    pub async fn test_case_from_run(
        &self,
        actor: &Principal,
        run_id: i64,
        name: &str,
    ) -> Result<domain::deploy::TestCase, AppsError> {
        apps::require_writer(actor)?;
        let (run, sealed) =
            self.inner.store.find_run(run_id).await?.ok_or_else(|| AppsError::NotFound(format!("no run {run_id}")))?;
        if run.status != "succeeded" {
            return Err(AppsError::Invalid(format!(
                "run {run_id} {}: only a succeeded run makes a test case",
                run.status
            )));
        }
        // Sealed secrets go on only with the consent of whoever entered them: a test case runs
        // against any build, including code that could write them out.
        let started_it = run.requested_by.as_deref() == Some(actor.username.as_str());
        if sealed.is_some() && !started_it && !actor.role.allows(domain::Role::Admin) {
            return Err(AppsError::Forbidden(format!(
                "run {run_id} has secret inputs that {} entered; only they or an admin can keep them in a test case",
                run.requested_by.as_deref().unwrap_or("a webhook's admin")
            )));
        }
        let expected: Map<String, Value> = run.outputs.iter().map(|o| (o.name.clone(), o.value.clone())).collect();
        let inputs = run.inputs.as_object().cloned().unwrap_or_default();
        self.save_test_case(actor, run.app_id, &run.app, name, inputs, sealed, expected).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn save_test_case(
        &self,
        actor: &Principal,
        app_id: i64,
        slug: &str,
        name: &str,
        masked: Map<String, Value>,
        sealed: Option<Vec<u8>>,
        expected: Map<String, Value>,
    ) -> Result<domain::deploy::TestCase, AppsError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppsError::Invalid("a test case needs a name of 1 to 100 characters".into()));
        }
        if expected.is_empty() {
            return Err(AppsError::Invalid("a test case needs at least one expected output".into()));
        }
        let new = domain::deploy::NewTestCase {
            app_id,
            name: name.to_owned(),
            inputs: Value::Object(masked),
            secret_inputs: sealed,
            expected: Value::Object(expected),
            created_by: actor.user_id,
        };
        let case = self.inner.store.create_test_case(&new).await.map_err(|e| match e {
            domain::ports::StoreError::Conflict(what) => AppsError::Invalid(format!("{what} exists already")),
            other => other.into(),
        })?;
        self.inner.apps.audit().record(
            actor.username.as_str(),
            "test.create",
            slug,
            json!({"test": case.id, "name": case.name}),
        );
        Ok(case)
    }

    /// An app's test cases.
    pub async fn test_cases(&self, slug: &str) -> Result<Vec<domain::deploy::TestCase>, AppsError> {
        let (app_id, _) = self.inner.apps.find(slug).await?;
        Ok(self.inner.store.test_cases(app_id).await?.into_iter().map(|(case, _)| case).collect())
    }

    /// Removes a test case (developers and admins).
    pub async fn delete_test_case(&self, actor: &Principal, slug: &str, id: i64) -> Result<(), AppsError> {
        apps::require_writer(actor)?;
        let (app_id, slug) = self.inner.apps.find(slug).await?;
        self.inner.store.delete_test_case(app_id, id).await.map_err(|e| match e {
            domain::ports::StoreError::NotFound => AppsError::NotFound(format!("no test case {id} in {slug}")),
            other => other.into(),
        })?;
        self.inner.apps.audit().record(actor.username.as_str(), "test.delete", slug.as_str(), json!({"test": id}));
        Ok(())
    }

    /// Runs every test case of the app against a succeeded build (developers and admins).
    pub async fn run_tests(&self, actor: &Principal, build_id: i64) -> Result<Vec<TestResult>, AppsError> {
        apps::require_writer(actor)?;
        let build = self.inner.builds.get(build_id).await?;
        self.run_tests_of(Some(actor), &build).await
    }

    async fn run_tests_of(
        &self,
        actor: Option<&Principal>,
        build: &domain::build::Build,
    ) -> Result<Vec<TestResult>, AppsError> {
        let installed = self.installed(build.id).await?;
        let version = installed.install.get("programVersion").and_then(Value::as_str).unwrap_or_default().to_owned();
        let source = RunSource {
            app_id: build.app_id,
            build_id: build.id,
            deployment_id: None,
            version,
            revision: build.revision.clone(),
        };
        let mut results = Vec::new();
        for (case, sealed) in self.inner.store.test_cases(build.app_id).await? {
            let inputs = case.inputs.as_object().cloned().unwrap_or_default();
            let sealed = self.unseal(sealed.as_deref())?;
            let run = match self
                .start_run(actor, source.clone(), Given { inputs, sealed, webhook_event: None }, "test", true)
                .await
            {
                Ok(Started::Finished(run) | Started::Queued(run)) => run,
                Err(AppsError::Invalid(why)) => {
                    results.push(TestResult {
                        case: case.id,
                        name: case.name,
                        run: 0,
                        passed: false,
                        failures: vec![why],
                    });
                    continue;
                }
                Err(other) => return Err(other),
            };
            let mut failures = Vec::new();
            if run.status != "succeeded" {
                failures.push(format!(
                    "the run failed: {}",
                    run.exit_message.clone().or(run.reason.clone()).unwrap_or_default()
                ));
            }
            for (name, want) in case.expected.as_object().into_iter().flatten() {
                match run.outputs.iter().find(|o| o.name == *name) {
                    None => failures.push(format!("no output {name}")),
                    Some(got) if got.value != *want => {
                        failures.push(format!("{name} was {} instead of {want}", got.value))
                    }
                    Some(_) => {}
                }
            }
            results.push(TestResult {
                case: case.id,
                name: case.name,
                run: run.id,
                passed: failures.is_empty(),
                failures,
            });
        }
        Ok(results)
    }

    /// Adds a remote target (admins only); its secret is sealed and never shown again.
    pub async fn create_target(&self, actor: &Principal, request: TargetRequest) -> Result<Target, AppsError> {
        require_admin(actor)?;
        let request = request.without_blanks();
        let name = request.name.trim().to_owned();
        if name.is_empty()
            || name.len() > 40
            || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(AppsError::Invalid("a target name is 1 to 40 of a-z, 0-9 and -".into()));
        }
        let kind = request.kind.clone().unwrap_or_default();
        if !["appbuilder", "threatconnect"].contains(&kind.as_str()) {
            return Err(AppsError::Invalid("kind is appbuilder or threatconnect (local exists already)".into()));
        }
        let url = check_url(request.url.as_deref())?;
        let Some(secret) = request.secret.filter(|s| !s.is_empty()) else {
            return Err(AppsError::Invalid(if kind == "appbuilder" {
                "an appbuilder target needs secret: an API token of an admin there".into()
            } else {
                "a threatconnect target needs secret: the API user's secret key".into()
            }));
        };
        if kind == "threatconnect" && request.access_id.as_deref().is_none_or(str::is_empty) {
            return Err(AppsError::Invalid("a threatconnect target needs access_id".into()));
        }
        let new = domain::deploy::NewTarget {
            name: name.clone(),
            kind: kind.clone(),
            url: Some(url.clone()),
            access_id: request.access_id,
            secret: Some(self.inner.secrets.seal(secret.as_bytes())),
            protected: request.protected.unwrap_or(false),
        };
        let target = self.inner.store.create_target(&new).await.map_err(|e| match e {
            domain::ports::StoreError::Conflict(what) => AppsError::Invalid(format!("{what} exists already")),
            other => other.into(),
        })?;
        let target = match request.require_tests {
            Some(true) => {
                let change = domain::deploy::TargetChange { require_tests: Some(true), ..Default::default() };
                self.inner.store.update_target(&name, &change).await?
            }
            _ => target,
        };
        self.audit(
            actor.username.as_str(),
            "target.create",
            &name,
            json!({"kind": kind, "url": url, "require_tests": target.require_tests}),
        )
        .await;
        Ok(target)
    }

    /// Changes a target (admins only); a new secret replaces the old one.
    pub async fn update_target(
        &self,
        actor: &Principal,
        name: &str,
        request: TargetRequest,
    ) -> Result<Target, AppsError> {
        require_admin(actor)?;
        let request = request.without_blanks();
        if name == "local" && (request.url.is_some() || request.access_id.is_some() || request.secret.is_some()) {
            return Err(AppsError::Invalid(
                "the local target has no url or secret; only protected and require_tests change".into(),
            ));
        }
        let url = request.url.as_deref().map(|u| check_url(Some(u))).transpose()?;
        let change = domain::deploy::TargetChange {
            url,
            access_id: request.access_id,
            secret: request.secret.filter(|s| !s.is_empty()).map(|s| self.inner.secrets.seal(s.as_bytes())),
            protected: request.protected,
            require_tests: request.require_tests,
        };
        let detail =
            json!({"url": change.url, "secret_changed": change.secret.is_some(), "protected": change.protected});
        let target = self.inner.store.update_target(name, &change).await.map_err(|e| match e {
            domain::ports::StoreError::NotFound => AppsError::NotFound(format!("no target {name:?}")),
            other => other.into(),
        })?;
        self.audit(actor.username.as_str(), "target.update", name, detail).await;
        Ok(target)
    }

    /// Removes a target no deployment names (admins only; `local` stays).
    pub async fn delete_target(&self, actor: &Principal, name: &str) -> Result<(), AppsError> {
        require_admin(actor)?;
        if name == "local" {
            return Err(AppsError::Invalid("the local target is the embedded runtime; it cannot be removed".into()));
        }
        self.inner.store.delete_target(name).await.map_err(|e| match e {
            domain::ports::StoreError::NotFound => AppsError::NotFound(format!("no target {name:?}")),
            domain::ports::StoreError::Conflict(what) => AppsError::Invalid(format!("{what}: it cannot be removed")),
            other => other.into(),
        })?;
        self.audit(actor.username.as_str(), "target.delete", name, json!({})).await;
        Ok(())
    }

    /// Redeploys the deployment before `id` on the same target (admins only).
    pub async fn rollback(&self, actor: &Principal, id: i64) -> Result<Deployment, AppsError> {
        require_admin(actor)?;
        let current = self.deployment(id).await?;
        let previous =
            self.inner.store.live_deployment(current.app_id, current.target_id, Some(id)).await?.ok_or_else(|| {
                AppsError::Invalid(format!(
                    "there is no earlier successful deployment on {} to roll back to",
                    current.target
                ))
            })?;
        self.deploy_as(actor, previous.build, &current.target, None, Some(id)).await
    }

    pub async fn deployment(&self, id: i64) -> Result<Deployment, AppsError> {
        self.inner.store.find_deployment(id).await?.ok_or_else(|| AppsError::NotFound(format!("no deployment {id}")))
    }

    /// The commits and contract changes a deployment brought since the previous one on its target.
    pub async fn deployment_changes(&self, id: i64) -> Result<domain::deploy::DeploymentChanges, AppsError> {
        let deployment = self.deployment(id).await?;
        let previous = self.inner.store.live_deployment(deployment.app_id, deployment.target_id, Some(id)).await?;
        let (commits, contract) = match &previous {
            None => (Vec::new(), None),
            Some(before) => {
                let after = domain::app::Revision::parse(&before.revision).map_err(internal)?;
                let filter = domain::history::HistoryFilter { after: Some(after), ..Default::default() };
                let page = PageRequest { limit: Some(200), cursor: Some(deployment.revision.clone()) };
                let found = self.inner.apps.history_filtered(&deployment.app, filter, &page).await?;
                let mut commits = found.items;
                // A rollback goes back: the whole walk from this revision never meets the previous
                // one. (A walk cut at the page's end is only long, not a rollback.)
                let met = commits.last().and_then(|c| c.parents.first()).map(|p| p.as_str())
                    == Some(before.revision.as_str());
                if found.next_cursor.is_none() && !met {
                    commits.clear();
                }
                let contract =
                    self.inner.apps.contract_diff(&deployment.app, &before.revision, &deployment.revision).await?;
                (commits, Some(contract))
            }
        };
        Ok(domain::deploy::DeploymentChanges { deployment, previous, commits, contract })
    }

    /// An app's deployments, newest first.
    pub async fn deployments(&self, slug: &str, page: &PageRequest) -> Result<Page<Deployment>, AppsError> {
        let (app_id, _) = self.inner.apps.find(slug).await?;
        let limit = page.limit().map_err(|e| AppsError::Invalid(e.to_string()))?;
        let before = cursor(page)?;
        let rows = self.inner.store.list_deployments(app_id, before, limit + 1).await?;
        Ok(Page::from_overfetch(rows, limit, |d| d.id.to_string()))
    }

    /// Runs the version of the app deployed on `target` with `inputs` (developers and admins).
    pub async fn run(
        &self,
        actor: &Principal,
        slug: &str,
        target: &str,
        inputs: Map<String, Value>,
        wait: bool,
    ) -> Result<Started, AppsError> {
        apps::require_writer(actor)?;
        let (app_id, _) = self.inner.apps.find(slug).await?;
        let target = self.target(target).await?;
        if target.kind != "local" {
            return Err(AppsError::Invalid("runs happen in the embedded runtime: use the local target".into()));
        }
        let live = self.inner.store.live_deployment(app_id, target.id, None).await?.ok_or_else(|| {
            AppsError::Invalid(format!("{slug} is not deployed to {}; deploy a build first", target.name))
        })?;
        self.start_run(Some(actor), RunSource::from(&live), Given::plain(inputs), "manual", wait).await
    }

    /// Runs a finished run again with the same inputs (secrets included) on the same version.
    pub async fn rerun(&self, actor: &Principal, id: i64, wait: bool) -> Result<Started, AppsError> {
        apps::require_writer(actor)?;
        let (old, sealed) =
            self.inner.store.find_run(id).await?.ok_or_else(|| AppsError::NotFound(format!("no run {id}")))?;
        let inputs = old.inputs.as_object().cloned().unwrap_or_default();
        let sealed = self.unseal(sealed.as_deref())?;
        let deployment = match old.deployment {
            Some(id) => self.deployment(id).await?,
            None => return Err(AppsError::Invalid("only runs of a deployment can be run again".into())),
        };
        self.start_run(
            Some(actor),
            RunSource::from(&deployment),
            Given { inputs, sealed, webhook_event: None },
            "rerun",
            wait,
        )
        .await
    }

    /// What is live on `target` for the app: the deployment and its install.json and layout.json
    /// (the run form is generated from them); `None` when nothing is deployed there.
    pub async fn live(
        &self,
        slug: &str,
        target: &str,
    ) -> Result<Option<(Deployment, Value, Option<Value>)>, AppsError> {
        let (app_id, _) = self.inner.apps.find(slug).await?;
        let target = self.target(target).await?;
        let Some(live) = self.inner.store.live_deployment(app_id, target.id, None).await? else { return Ok(None) };
        let installed = self.installed(live.build).await?;
        let layout =
            std::fs::read(installed.dir.join("layout.json")).ok().and_then(|b| serde_json::from_slice(&b).ok());
        Ok(Some((live, installed.install, layout)))
    }

    pub async fn get_run(&self, id: i64) -> Result<Run, AppsError> {
        Ok(self.inner.store.find_run(id).await?.ok_or_else(|| AppsError::NotFound(format!("no run {id}")))?.0)
    }

    /// An app's runs, newest first.
    pub async fn runs(&self, slug: &str, page: &PageRequest) -> Result<Page<Run>, AppsError> {
        let (app_id, _) = self.inner.apps.find(slug).await?;
        let limit = page.limit().map_err(|e| AppsError::Invalid(e.to_string()))?;
        let rows = self.inner.store.list_runs(app_id, cursor(page)?, limit + 1).await?;
        Ok(Page::from_overfetch(rows, limit, |r| r.id.to_string()))
    }

    /// The audit log, newest first (admins only).
    pub async fn audit_log(&self, actor: &Principal, page: &PageRequest) -> Result<Page<AuditEvent>, AppsError> {
        require_admin(actor)?;
        let limit = page.limit().map_err(|e| AppsError::Invalid(e.to_string()))?;
        let rows = self.inner.audit.list_events(cursor(page)?, limit + 1).await?;
        Ok(Page::from_overfetch(rows, limit, |e| e.id.to_string()))
    }

    /// The installed package of a deployment (installed again if its folder went missing).
    pub(crate) async fn installed(&self, build_id: i64) -> Result<Installed, AppsError> {
        let (package, path) = self.inner.builds.package(build_id).await?;
        let apps_dir = self.inner.settings.apps_dir.clone();
        tokio::task::spawn_blocking(move || {
            // Installed already (the usual case on every run): no need to read the package again.
            let dir = apps_dir.join(&package.sha256);
            if dir.join(".complete").is_file() {
                return crate::install::load(&dir);
            }
            let bytes = std::fs::read(&path).map_err(|e| crate::RuntimeError::Internal(e.to_string()))?;
            install(&apps_dir, &package.sha256, &bytes)
        })
        .await
        .map_err(internal)?
        .map_err(|e| match e {
            crate::RuntimeError::Invalid(m) => AppsError::Invalid(m),
            crate::RuntimeError::Internal(m) => AppsError::Internal(m),
        })
    }

    /// The plain values of sealed secret inputs (none when `sealed` is `None`).
    pub(crate) fn unseal(&self, sealed: Option<&[u8]>) -> Result<Map<String, Value>, AppsError> {
        match sealed {
            None => Ok(Map::new()),
            Some(sealed) => {
                let plain = self.inner.secrets.open(sealed).map_err(internal)?;
                serde_json::from_slice(&plain).map_err(internal)
            }
        }
    }

    pub(crate) async fn start_run(
        &self,
        actor: Option<&Principal>,
        source: RunSource,
        given: Given,
        trigger: &str,
        wait: bool,
    ) -> Result<Started, AppsError> {
        let installed = self.installed(source.build_id).await?;
        let Given { inputs: mut given, sealed, webhook_event } = given;
        let sealed_names: Vec<String> = sealed.keys().cloned().collect();
        given.extend(sealed);
        let inputs = check_inputs(&installed, given)?;
        let (mut masked, mut secret) = mask(&installed, &inputs);
        // Inputs that arrived sealed stay secret whatever this build's install.json says (a later
        // build may have renamed the param or dropped "encrypt").
        for name in sealed_names {
            if let Some(value) = inputs.get(&name) {
                masked.insert(name.clone(), Value::from("********"));
                secret.insert(name, value.clone());
            }
        }
        let sealed = (!secret.is_empty())
            .then(|| self.inner.secrets.seal(&serde_json::to_vec(&secret).expect("JSON serialises")));
        if self.inner.waiting.load(Ordering::SeqCst) >= self.inner.settings.queue {
            return Err(AppsError::Busy(format!(
                "{} runs are waiting already; try again in a moment",
                self.inner.settings.queue
            )));
        }
        let new = NewRun {
            app_id: source.app_id,
            build_id: source.build_id,
            deployment_id: source.deployment_id,
            version: source.version.clone(),
            revision: source.revision.clone(),
            trigger: trigger.to_owned(),
            inputs: Value::Object(masked),
            secrets: sealed,
            requested_by: actor.map(|a| a.user_id),
        };
        let record = self.inner.store.create_run(&new).await?;
        let (done_tx, done_rx) = oneshot::channel();
        let this = self.clone();
        let id = record.id;
        self.inner.waiting.fetch_add(1, Ordering::SeqCst);
        let cancel = self.inner.controls.register(id);
        tokio::spawn(async move {
            this.execute(id, installed, inputs, webhook_event, cancel).await;
            let _ = done_tx.send(());
        });
        if wait {
            let _ = done_rx.await;
            Ok(Started::Finished(self.get_run(id).await?))
        } else {
            Ok(Started::Queued(record))
        }
    }

    /// Runs a queued run once a slot is free, unless it was cancelled while it waited.
    async fn execute(
        &self,
        id: i64,
        installed: Installed,
        inputs: Map<String, Value>,
        webhook_event: Option<Value>,
        mut cancel: watch::Receiver<bool>,
    ) {
        let permit = self.inner.slots.acquire().await;
        self.inner.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit;
        let cancelled_by = || self.inner.controls.cancelled_by(id).unwrap_or_default();
        if *cancel.borrow() {
            let finish = failed_before_start(&format!("cancelled by {} before it started", cancelled_by()));
            return self.record_end(id, &finish).await;
        }
        if let Err(err) = self.inner.store.start_run(id).await {
            tracing::error!(run = id, error = %err, "cannot record the start of a run");
        }
        let finish = match &self.inner.sandbox {
            None => failed_before_start("this server cannot run apps: bubblewrap (the sandbox) is not installed"),
            Some(sandbox) => {
                let scratch = self.inner.settings.runs_dir.join(id.to_string());
                let input = RunInput { run_id: id, inputs, webhook_event };
                let result = run(
                    sandbox,
                    &self.inner.toolbox,
                    &installed,
                    &input,
                    &scratch,
                    &self.inner.settings.limits,
                    &mut cancel,
                )
                .await;
                let _ = tokio::fs::remove_dir_all(&scratch).await;
                match result {
                    Ok(outcome) => {
                        let reason = match outcome.end {
                            RunEnd::Succeeded | RunEnd::Failed => None,
                            RunEnd::TimedOut => Some(format!(
                                "stopped at the time limit of {} s",
                                self.inner.settings.limits.timeout.as_secs()
                            )),
                            RunEnd::Killed => Some("killed (over the memory limit?)".to_owned()),
                            RunEnd::Cancelled => Some(format!("cancelled by {}", cancelled_by())),
                        };
                        RunFinish {
                            status: if outcome.end == RunEnd::Succeeded { "succeeded" } else { "failed" }.to_owned(),
                            response: outcome.response,
                            outputs: outcome.outputs,
                            exit_message: Some(outcome.exit_message),
                            exit_code: outcome.exit_code,
                            reason,
                            log: outcome.log.join("\n"),
                            python: Some(outcome.python),
                            duration_ms: Some(u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX)),
                        }
                    }
                    Err(err) => {
                        tracing::error!(run = id, error = %err, "a run could not start");
                        failed_before_start("internal error (see the server log)")
                    }
                }
            }
        };
        self.record_end(id, &finish).await;
    }

    /// Records how run `id` ended; from then on it cannot be cancelled.
    async fn record_end(&self, id: i64, finish: &RunFinish) {
        self.inner.controls.finish(id);
        if let Err(err) = self.inner.store.finish_run(id, finish).await {
            tracing::error!(run = id, error = %err, "cannot record the end of a run");
        }
    }

    /// Cancels a queued or running run (developers and admins): a running app is stopped at once,
    /// a queued one never starts; either ends `failed`, "cancelled by <who>". 409 once it ended.
    pub async fn cancel_run(&self, actor: &Principal, id: i64) -> Result<Run, AppsError> {
        apps::require_writer(actor)?;
        let run = self.get_run(id).await?;
        if !self.inner.controls.cancel(id, actor.username.as_str()) {
            return Err(AppsError::StateConflict(format!(
                "run {id} has ended ({}); there is nothing to cancel",
                run.status
            )));
        }
        let detail = json!({"run": id, "status": run.status});
        self.inner.apps.audit().record(actor.username.as_str(), "run.cancel", &run.app, detail);
        Ok(run)
    }
}

/// What a run is given: plain inputs, inputs that were kept sealed (secrets, masked in the
/// record whatever the build says), and a webhook's request.
pub(crate) struct Given {
    pub(crate) inputs: Map<String, Value>,
    pub(crate) sealed: Map<String, Value>,
    pub(crate) webhook_event: Option<Value>,
}

impl Given {
    pub(crate) fn plain(inputs: Map<String, Value>) -> Self {
        Given { inputs, sealed: Map::new(), webhook_event: None }
    }
}

/// What a run runs: a deployment's build, or a build under test.
#[derive(Debug, Clone)]
pub(crate) struct RunSource {
    pub(crate) app_id: i64,
    pub(crate) build_id: i64,
    pub(crate) deployment_id: Option<i64>,
    pub(crate) version: String,
    pub(crate) revision: String,
}

impl From<&Deployment> for RunSource {
    fn from(d: &Deployment) -> Self {
        RunSource {
            app_id: d.app_id,
            build_id: d.build,
            deployment_id: Some(d.id),
            version: d.version.clone(),
            revision: d.revision.clone(),
        }
    }
}

/// A remote deploy's work: a summary when it worked, the reason when not.
type RemoteJob = std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, String>> + Send>>;

fn check_url(url: Option<&str>) -> Result<String, AppsError> {
    let url = url.map(str::trim).unwrap_or_default();
    if (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > 8
        && !url.contains(char::is_whitespace)
    {
        Ok(url.trim_end_matches('/').to_owned())
    } else {
        Err(AppsError::Invalid("url must be an http(s):// address".into()))
    }
}

fn failed_before_start(reason: &str) -> RunFinish {
    RunFinish {
        status: "failed".into(),
        response: None,
        outputs: Vec::new(),
        exit_message: None,
        exit_code: None,
        reason: Some(reason.into()),
        log: String::new(),
        python: None,
        duration_ms: None,
    }
}

fn cursor(page: &PageRequest) -> Result<Option<i64>, AppsError> {
    page.cursor.as_deref().map(str::parse::<i64>).transpose().map_err(|_| AppsError::Invalid("bad cursor".into()))
}

/// The inputs a run gets: the given ones, checked against install.json (required params present,
/// Booleans boolean, Choice values among validValues).
pub(crate) fn check_inputs(installed: &Installed, given: Map<String, Value>) -> Result<Map<String, Value>, AppsError> {
    let model = domain::manifest::model::InstallJson::read(&installed.install);
    let mut problems = Vec::new();
    for param in &model.params {
        let Some(name) = &param.name else { continue };
        let value = given.get(name);
        let present = value.is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
        if param.required && !present && param.default.is_none() && !param.hidden && !param.service_config {
            problems.push(format!("{name} is required"));
        }
        match (param.kind.as_deref(), value) {
            (Some("Boolean"), Some(v)) if !v.is_boolean() && !v.is_null() => {
                problems.push(format!("{name} must be true or false"))
            }
            (Some("Choice"), Some(Value::String(choice)))
                if !param.valid_values.is_empty() && !param.valid_values.iter().any(|v| v == choice) =>
            {
                problems.push(format!("{name} must be one of {}", param.valid_values.join(", ")))
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(given)
    } else {
        Err(AppsError::Invalid(format!("the inputs are not valid: {}", problems.join("; "))))
    }
}

/// The inputs with every encrypted param's value masked, and those values apart.
pub(crate) fn mask(installed: &Installed, inputs: &Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
    let model = domain::manifest::model::InstallJson::read(&installed.install);
    let secret_names: Vec<&str> = model.params.iter().filter(|p| p.encrypt).filter_map(|p| p.name.as_deref()).collect();
    let mut masked = Map::new();
    let mut secret = Map::new();
    for (name, value) in inputs {
        if secret_names.contains(&name.as_str()) {
            masked.insert(name.clone(), Value::from("********"));
            secret.insert(name.clone(), value.clone());
        } else {
            masked.insert(name.clone(), value.clone());
        }
    }
    (masked, secret)
}
