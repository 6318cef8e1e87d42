//! Targets, deployments, runs and the audit log: thin handlers over `runtime::Runtime`.

use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::json::{ApiJson, ApiQuery, optional_json};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::deploy::{AuditEvent, Deployment, Run, Target};
use domain::paging::{Page, PageRequest};
use runtime::Started;
use serde::Deserialize;
use serde_json::{Map, Value};

/// `?limit=&cursor=` of the lists here.
#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<u32>,
    cursor: Option<String>,
}

impl ListQuery {
    fn page(self) -> PageRequest {
        PageRequest { limit: self.limit, cursor: self.cursor }
    }
}

/// Every target (admins only).
pub async fn targets(State(state): State<AppState>, who: SignedIn) -> Result<Json<Vec<Target>>, ApiError> {
    Ok(Json(state.runtime.targets(&who.0).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployRequest {
    build: i64,
    target: String,
    reason: Option<String>,
}

/// Deploys a build (admins only). 202 with the deployment (`id` among its fields).
pub async fn deploy(
    State(state): State<AppState>,
    who: SignedIn,
    ApiJson(body): ApiJson<DeployRequest>,
) -> Result<(StatusCode, Json<Deployment>), ApiError> {
    let deployment = state.runtime.deploy(&who.0, body.build, &body.target, body.reason.as_deref()).await?;
    Ok((StatusCode::ACCEPTED, Json(deployment)))
}

/// One deployment.
pub async fn deployment(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Deployment>, ApiError> {
    Ok(Json(state.runtime.deployment(id).await?))
}

/// An app's deployment history, newest first.
pub async fn deployments(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Deployment>>, ApiError> {
    Ok(Json(state.runtime.deployments(&app, &query.page()).await?))
}

/// Redeploys the deployment before this one on its target (admins only). 202.
pub async fn rollback(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<Deployment>), ApiError> {
    Ok((StatusCode::ACCEPTED, Json(state.runtime.rollback(&who.0, id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    #[serde(default)]
    inputs: Map<String, Value>,
    target: Option<String>,
    #[serde(default)]
    wait: bool,
}

fn started(run: Started) -> Response {
    match run {
        Started::Queued(run) => (StatusCode::ACCEPTED, Json(run)).into_response(),
        Started::Finished(run) => (StatusCode::OK, Json(run)).into_response(),
    }
}

/// Runs the deployed version (developers and admins): 202 with the queued run, or 200 with the
/// finished run when `wait` is true.
pub async fn run(
    State(state): State<AppState>,
    who: SignedIn,
    Path(app): Path<String>,
    ApiJson(body): ApiJson<RunRequest>,
) -> Result<Response, ApiError> {
    let target = body.target.as_deref().unwrap_or("local");
    Ok(started(state.runtime.run(&who.0, &app, target, body.inputs, body.wait).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RerunRequest {
    #[serde(default)]
    wait: bool,
}

/// Runs a run again with the same inputs.
pub async fn rerun(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let request: RerunRequest = optional_json(&body)?;
    Ok(started(state.runtime.rerun(&who.0, id, request.wait).await?))
}

/// One run: inputs (secrets masked), outputs, exit message, log, duration.
pub async fn get_run(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Run>, ApiError> {
    Ok(Json(state.runtime.get_run(id).await?))
}

/// An app's runs, newest first.
pub async fn runs(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Run>>, ApiError> {
    Ok(Json(state.runtime.runs(&app, &query.page()).await?))
}

/// The audit log, newest first (admins only).
pub async fn audit(
    State(state): State<AppState>,
    who: SignedIn,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<AuditEvent>>, ApiError> {
    Ok(Json(state.runtime.audit_log(&who.0, &query.page()).await?))
}
