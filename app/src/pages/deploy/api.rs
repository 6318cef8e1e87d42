//! The server fns of the deploy and run pages; they call the same `runtime::Runtime` service as
//! the REST API.

#[cfg(feature = "ssr")]
use crate::services::{apps_service, runtime_service, shown};
use domain::app::AppSummary;
use domain::deploy::{Deployment, Run, TestCase, TestResult};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a Deploy click led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeployOutcome {
    Deployed(Box<Deployment>),
    /// Refused: these contract changes break playbooks; deploy again with a reason.
    Breaking(Vec<String>),
}

/// Deploys a build (admins).
#[server(prefix = "/rpc", input = Json)]
pub async fn deploy_build(build: i64, target: String, reason: Option<String>) -> Result<DeployOutcome, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    match runtime.deploy(&principal, build, &target, reason.as_deref()).await {
        Ok(deployment) => Ok(DeployOutcome::Deployed(Box::new(deployment))),
        Err(apps::AppsError::Breaking { changes }) => Ok(DeployOutcome::Breaking(changes)),
        Err(err) => Err(shown(err)),
    }
}

/// One deployment as it is now (the deploy panel follows a running one).
#[server(prefix = "/rpc", input = Json)]
pub async fn load_deployment(id: i64) -> Result<Deployment, ServerFnError> {
    let (_, runtime) = runtime_service()?;
    runtime.deployment(id).await.map_err(shown)
}

/// An app's deployments and whether the user may roll back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentList {
    pub app: AppSummary,
    pub is_admin: bool,
    pub items: Vec<Deployment>,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_deployments(slug: String) -> Result<DeploymentList, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let (_, runtime) = runtime_service()?;
    let app = apps.get(&slug).await.map_err(shown)?;
    let page = runtime
        .deployments(&slug, &domain::paging::PageRequest { limit: Some(100), cursor: None })
        .await
        .map_err(shown)?;
    Ok(DeploymentList { app, is_admin: principal.role.allows(domain::Role::Admin), items: page.items })
}

/// Redeploys the deployment before `id` on its target (admins).
#[server(prefix = "/rpc", input = Json)]
pub async fn roll_back(id: i64) -> Result<Deployment, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    runtime.rollback(&principal, id).await.map_err(shown)
}

/// What is live on the local target: its deployment, install.json and layout.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Live {
    pub deployment: Deployment,
    pub install: Value,
    pub layout: Option<Value>,
}

/// The runs page: the app, whether the user may run it, what is live, the recent runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunsView {
    pub app: AppSummary,
    pub can_run: bool,
    pub is_admin: bool,
    pub live: Option<Live>,
    pub runs: Vec<Run>,
    pub hooks: Vec<domain::deploy::Webhook>,
    pub tests: Vec<TestCase>,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_runs(slug: String) -> Result<RunsView, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let (_, runtime) = runtime_service()?;
    let app = apps.get(&slug).await.map_err(shown)?;
    let live = runtime.live(&slug, "local").await.map_err(shown)?.map(|(deployment, install, layout)| Live {
        deployment,
        install,
        layout,
    });
    let runs =
        runtime.runs(&slug, &domain::paging::PageRequest { limit: Some(30), cursor: None }).await.map_err(shown)?.items;
    let hooks = runtime.webhooks(&slug).await.map_err(shown)?;
    let tests = runtime.test_cases(&slug).await.map_err(shown)?;
    let is_admin = principal.role.allows(domain::Role::Admin);
    Ok(RunsView { app, can_run: apps::require_writer(&principal).is_ok(), is_admin, live, runs, hooks, tests })
}

/// Runs the live version with `inputs` and waits for it; the run's id.
#[server(prefix = "/rpc", input = Json)]
pub async fn start_run(slug: String, inputs: Map<String, Value>) -> Result<i64, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    match runtime.run(&principal, &slug, "local", inputs, true).await.map_err(shown)? {
        runtime::Started::Queued(run) | runtime::Started::Finished(run) => Ok(run.id),
    }
}

/// One run, its app's name and whether the user may run it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub run: Run,
    pub app_name: String,
    pub can_run: bool,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_run(id: i64) -> Result<RunView, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let (_, runtime) = runtime_service()?;
    let run = runtime.get_run(id).await.map_err(shown)?;
    let app_name = apps.get(&run.app).await.map(|a| a.display_name).unwrap_or_else(|_| run.app.clone());
    Ok(RunView { run, app_name, can_run: apps::require_writer(&principal).is_ok() })
}

/// Cancels a queued or running run (developers and admins).
#[server(prefix = "/rpc", input = Json)]
pub async fn cancel_run(id: i64) -> Result<(), ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    runtime.cancel_run(&principal, id).await.map(|_| ()).map_err(shown)
}

/// Runs a run again with the same inputs and waits; the new run's id.
#[server(prefix = "/rpc", input = Json)]
pub async fn run_again(id: i64) -> Result<i64, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    match runtime.rerun(&principal, id, true).await.map_err(shown)? {
        runtime::Started::Queued(run) | runtime::Started::Finished(run) => Ok(run.id),
    }
}

/// Saves a succeeded run as a test case named `name` (developers and admins).
#[server(prefix = "/rpc", input = Json)]
pub async fn save_test_case(run: i64, name: String) -> Result<TestCase, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    runtime.test_case_from_run(&principal, run, &name).await.map_err(shown)
}

/// Removes a test case (developers and admins).
#[server(prefix = "/rpc", input = Json)]
pub async fn remove_test_case(slug: String, id: i64) -> Result<(), ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    runtime.delete_test_case(&principal, &slug, id).await.map_err(shown)
}

/// Runs every test case of the build's app against the build (developers and admins).
#[server(prefix = "/rpc", input = Json)]
pub async fn run_test_cases(build: i64) -> Result<Vec<TestResult>, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    runtime.run_tests(&principal, build).await.map_err(shown)
}
