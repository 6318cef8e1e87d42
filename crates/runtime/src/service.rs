//! The deploy-and-run service: deploys succeeded builds to a target (the embedded runtime,
//! `local`, for now), keeps the deployment history with one-click rollback, refuses a breaking
//! contract change without a major version bump unless an admin gives a reason, runs deployed apps
//! on demand through a bounded queue, and records every state change in the audit log.

use crate::install::{Installed, install};
use crate::run::{RunEnd, RunInput, RunLimits, run};
use crate::secrets::SecretBox;
use crate::webhooks::Hooks;
use apps::{Apps, AppsError};
use build::Builds;
use build::sandbox::Sandbox;
use build::toolbox::Toolbox;
use domain::deploy::{AuditEvent, Deployment, NewDeployment, NewRun, Run, RunFinish, Target};
use domain::manifest::contract::Contract;
use domain::paging::{Page, PageRequest};
use domain::ports::{AuditStore, DeployStore, WebhookStore};
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
    pub(crate) apps: Apps,
    builds: Builds,
    sandbox: Option<Sandbox>,
    toolbox: Arc<Toolbox>,
    pub(crate) secrets: SecretBox,
    pub(crate) settings: RuntimeSettings,
    slots: Semaphore,
    pub(crate) waiting: AtomicUsize,
    pub(crate) hooks: Hooks,
}

/// The stores the runtime uses (one SQLite store implements them all).
pub struct RuntimeStores {
    pub deploy: Arc<dyn DeployStore>,
    pub webhooks: Arc<dyn WebhookStore>,
    pub audit: Arc<dyn AuditStore>,
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
        let RuntimeStores { deploy: store, webhooks, audit } = stores;
        Runtime {
            inner: Arc::new(Inner {
                store,
                webhooks,
                audit,
                apps,
                builds,
                sandbox,
                toolbox,
                secrets,
                settings,
                slots,
                waiting: AtomicUsize::new(0),
                hooks: Hooks::new(),
            }),
        }
    }

    /// At start-up: runs a stopped server left unfinished end as failed; then the webhook
    /// delivery writer and dispatcher start (deliveries stored before a stop are dispatched).
    pub async fn start(&self) -> Result<(), AppsError> {
        let failed = self.inner.store.fail_unfinished_runs("the server stopped during this run").await?;
        if failed > 0 {
            tracing::warn!(failed, "runs interrupted by a restart were marked failed");
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
        if target.kind != "local" {
            return Err(AppsError::Invalid(format!(
                "deploying to {} targets is not available yet; use local",
                target.kind
            )));
        }
        let build = self.inner.builds.get(build_id).await?;
        let (package, path) = self.inner.builds.package(build_id).await?;
        let bytes = tokio::fs::read(&path).await.map_err(internal)?;
        let install_json = packaged_install_json(&bytes)?;
        let version = install_json.get("programVersion").and_then(Value::as_str).unwrap_or("").to_owned();

        let live = self.inner.store.live_deployment(build.app_id, target.id, None).await?;
        let mut breaking = Vec::new();
        if let Some(live) = &live {
            let (_, live_path) = self.inner.builds.package(live.build).await?;
            let live_bytes = tokio::fs::read(&live_path).await.map_err(internal)?;
            let (old, new) = (Contract::of(&packaged_install_json(&live_bytes)?), Contract::of(&install_json));
            let bumped = matches!((old.major, new.major), (Some(o), Some(n)) if n > o);
            breaking = old.diff(&new).iter().filter(|c| c.is_breaking()).map(|c| c.describe()).collect();
            if !breaking.is_empty() && !bumped && reason.is_none() && rollback_of.is_none() {
                return Err(AppsError::Breaking { changes: breaking });
            }
            if bumped {
                breaking.clear();
            }
        }
        let new = NewDeployment {
            app_id: build.app_id,
            build_id,
            target_id: target.id,
            version: version.clone(),
            revision: build.revision.clone(),
            override_reason: reason.map(str::to_owned),
            breaking: breaking.clone(),
            rollback_of,
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
        // Installing into the embedded runtime is quick: done before answering.
        let apps_dir = self.inner.settings.apps_dir.clone();
        let sha = package.sha256.clone();
        let installed =
            tokio::task::spawn_blocking(move || install(&apps_dir, &sha, &bytes)).await.map_err(internal)?;
        let (status, failure) = match installed {
            Ok(_) => ("succeeded", None),
            Err(err) => ("failed", Some(err.to_string())),
        };
        self.inner.store.finish_deployment(deployment.id, status, failure.as_deref()).await?;
        tracing::info!(deployment = deployment.id, app = %build.app, build = build_id, target = %target.name, status, "deployed");
        self.inner.store.find_deployment(deployment.id).await?.ok_or_else(|| internal("the deployment vanished"))
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

    /// An app's deployments, newest first.
    pub async fn deployments(&self, slug: &str, page: &PageRequest) -> Result<Page<Deployment>, AppsError> {
        let (app_id, _, _) = self.inner.apps.locate(slug, None).await?;
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
        let (app_id, _, _) = self.inner.apps.locate(slug, None).await?;
        let target = self.target(target).await?;
        if target.kind != "local" {
            return Err(AppsError::Invalid("runs happen in the embedded runtime: use the local target".into()));
        }
        let live = self.inner.store.live_deployment(app_id, target.id, None).await?.ok_or_else(|| {
            AppsError::Invalid(format!("{slug} is not deployed to {}; deploy a build first", target.name))
        })?;
        self.start_run(Some(actor), live, inputs, None, "manual", wait).await
    }

    /// Runs a finished run again with the same inputs (secrets included) on the same version.
    pub async fn rerun(&self, actor: &Principal, id: i64, wait: bool) -> Result<Started, AppsError> {
        apps::require_writer(actor)?;
        let (old, sealed) =
            self.inner.store.find_run(id).await?.ok_or_else(|| AppsError::NotFound(format!("no run {id}")))?;
        let mut inputs = old.inputs.as_object().cloned().unwrap_or_default();
        if let Some(sealed) = sealed {
            let plain = self.inner.secrets.open(&sealed).map_err(internal)?;
            let secret: Map<String, Value> = serde_json::from_slice(&plain).map_err(internal)?;
            inputs.extend(secret);
        }
        let deployment = match old.deployment {
            Some(id) => self.deployment(id).await?,
            None => return Err(AppsError::Invalid("only runs of a deployment can be run again".into())),
        };
        self.start_run(Some(actor), deployment, inputs, None, "rerun", wait).await
    }

    /// What is live on `target` for the app: the deployment and its install.json and layout.json
    /// (the run form is generated from them); `None` when nothing is deployed there.
    pub async fn live(
        &self,
        slug: &str,
        target: &str,
    ) -> Result<Option<(Deployment, Value, Option<Value>)>, AppsError> {
        let (app_id, _, _) = self.inner.apps.locate(slug, None).await?;
        let target = self.target(target).await?;
        let Some(live) = self.inner.store.live_deployment(app_id, target.id, None).await? else { return Ok(None) };
        let installed = self.installed(&live).await?;
        let layout =
            std::fs::read(installed.dir.join("layout.json")).ok().and_then(|b| serde_json::from_slice(&b).ok());
        Ok(Some((live, installed.install, layout)))
    }

    pub async fn get_run(&self, id: i64) -> Result<Run, AppsError> {
        Ok(self.inner.store.find_run(id).await?.ok_or_else(|| AppsError::NotFound(format!("no run {id}")))?.0)
    }

    /// An app's runs, newest first.
    pub async fn runs(&self, slug: &str, page: &PageRequest) -> Result<Page<Run>, AppsError> {
        let (app_id, _, _) = self.inner.apps.locate(slug, None).await?;
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
    pub(crate) async fn installed(&self, deployment: &Deployment) -> Result<Installed, AppsError> {
        let (package, path) = self.inner.builds.package(deployment.build).await?;
        let apps_dir = self.inner.settings.apps_dir.clone();
        tokio::task::spawn_blocking(move || {
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

    pub(crate) async fn start_run(
        &self,
        actor: Option<&Principal>,
        deployment: Deployment,
        given: Map<String, Value>,
        webhook_event: Option<Value>,
        trigger: &str,
        wait: bool,
    ) -> Result<Started, AppsError> {
        let installed = self.installed(&deployment).await?;
        let inputs = check_inputs(&installed, given)?;
        let (masked, secret) = mask(&installed, &inputs);
        let sealed = (!secret.is_empty())
            .then(|| self.inner.secrets.seal(&serde_json::to_vec(&secret).expect("JSON serialises")));
        if self.inner.waiting.load(Ordering::SeqCst) >= self.inner.settings.queue {
            return Err(AppsError::Busy(format!(
                "{} runs are waiting already; try again in a moment",
                self.inner.settings.queue
            )));
        }
        let new = NewRun {
            app_id: deployment.app_id,
            build_id: deployment.build,
            deployment_id: Some(deployment.id),
            version: deployment.version.clone(),
            revision: deployment.revision.clone(),
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
        tokio::spawn(async move {
            this.execute(id, installed, inputs, webhook_event).await;
            let _ = done_tx.send(());
        });
        if wait {
            let _ = done_rx.await;
            Ok(Started::Finished(self.get_run(id).await?))
        } else {
            Ok(Started::Queued(record))
        }
    }

    async fn execute(&self, id: i64, installed: Installed, inputs: Map<String, Value>, webhook_event: Option<Value>) {
        let permit = self.inner.slots.acquire().await;
        self.inner.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit;
        if let Err(err) = self.inner.store.start_run(id).await {
            tracing::error!(run = id, error = %err, "cannot record the start of a run");
        }
        let finish = match &self.inner.sandbox {
            None => failed_before_start("this server cannot run apps: bubblewrap (the sandbox) is not installed"),
            Some(sandbox) => {
                let scratch = self.inner.settings.runs_dir.join(id.to_string());
                let (_cancel_tx, mut cancel) = watch::channel(false);
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
                            RunEnd::Cancelled => Some("cancelled".to_owned()),
                        };
                        RunFinish {
                            status: if outcome.end == RunEnd::Succeeded { "succeeded" } else { "failed" }.to_owned(),
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
        if let Err(err) = self.inner.store.finish_run(id, &finish).await {
            tracing::error!(run = id, error = %err, "cannot record the end of a run");
        }
    }
}

fn failed_before_start(reason: &str) -> RunFinish {
    RunFinish {
        status: "failed".into(),
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
