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

/// The commits and contract changes a deployment brought since the previous one on its target.
pub async fn deployment_changes(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<domain::deploy::DeploymentChanges>, ApiError> {
    Ok(Json(state.runtime.deployment_changes(id).await?))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    target: Option<String>,
    signature_header: Option<String>,
    secret: Option<String>,
    rate_per_minute: Option<u32>,
    max_body_bytes: Option<u64>,
    /// Callers wait for the run and get the app's answer.
    #[serde(default)]
    respond: bool,
    #[serde(default)]
    inputs: Map<String, Value>,
}

/// A new webhook: its id, its URL (with the token, shown this once) and its settings.
#[derive(serde::Serialize)]
pub struct CreatedWebhookBody {
    id: i64,
    url: String,
    token: String,
    #[serde(flatten)]
    webhook: domain::deploy::Webhook,
}

/// Enables a webhook for the app's deployed version (admins only). 201.
pub async fn create_webhook(
    State(state): State<AppState>,
    who: SignedIn,
    Path(app): Path<String>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<WebhookBody>,
) -> Result<(StatusCode, Json<CreatedWebhookBody>), ApiError> {
    let request = runtime::webhooks::WebhookRequest {
        target: body.target,
        signature_header: body.signature_header,
        secret: body.secret,
        rate_per_minute: body.rate_per_minute,
        max_body_bytes: body.max_body_bytes,
        respond: body.respond,
        inputs: body.inputs,
    };
    let created = state.runtime.create_webhook(&who.0, &app, request).await?;
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    let url = format!("{scheme}://{host}/hooks/{}", created.token);
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhookBody { id: created.webhook.id, url, token: created.token, webhook: created.webhook }),
    ))
}

/// An app's webhooks (no tokens or secrets).
pub async fn webhooks(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
) -> Result<Json<Vec<domain::deploy::Webhook>>, ApiError> {
    Ok(Json(state.runtime.webhooks(&app).await?))
}

/// Disables a webhook (admins only). 204.
pub async fn delete_webhook(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.runtime.disable_webhook(&who.0, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?before=&limit=` of the delivery list.
#[derive(Deserialize)]
pub struct DeliveryQuery {
    before: Option<i64>,
    limit: Option<u32>,
}

/// A webhook's deliveries, newest first, with the runs they started.
pub async fn deliveries(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let items = state.runtime.deliveries(id, query.before, limit).await?;
    let total = state.runtime.delivery_count(id).await?;
    Ok(Json(serde_json::json!({"items": items, "total": total})))
}

/// Adds a remote target (admins only). 201 with the target (never its secret).
pub async fn create_target(
    State(state): State<AppState>,
    who: SignedIn,
    ApiJson(body): ApiJson<runtime::TargetRequest>,
) -> Result<(StatusCode, Json<Target>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.runtime.create_target(&who.0, body).await?)))
}

/// Changes a target (admins only).
pub async fn update_target(
    State(state): State<AppState>,
    who: SignedIn,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<runtime::TargetRequest>,
) -> Result<Json<Target>, ApiError> {
    Ok(Json(state.runtime.update_target(&who.0, &name, body).await?))
}

/// Removes a target no deployment names (admins only). 204.
pub async fn delete_target(
    State(state): State<AppState>,
    who: SignedIn,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.runtime.delete_target(&who.0, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCaseBody {
    name: String,
    #[serde(default)]
    inputs: Map<String, Value>,
    expected: Map<String, Value>,
}

/// Saves a test case (developers and admins). 201.
pub async fn create_test_case(
    State(state): State<AppState>,
    who: SignedIn,
    Path(app): Path<String>,
    ApiJson(body): ApiJson<TestCaseBody>,
) -> Result<(StatusCode, Json<domain::deploy::TestCase>), ApiError> {
    let case = state.runtime.create_test_case(&who.0, &app, &body.name, body.inputs, body.expected).await?;
    Ok((StatusCode::CREATED, Json(case)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedBody {
    name: String,
}

/// Saves a succeeded run as a test case: its inputs, and its outputs as the expected ones. 201.
pub async fn test_case_from_run(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NamedBody>,
) -> Result<(StatusCode, Json<domain::deploy::TestCase>), ApiError> {
    let case = state.runtime.test_case_from_run(&who.0, id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(case)))
}

/// An app's test cases.
pub async fn test_cases(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
) -> Result<Json<Vec<domain::deploy::TestCase>>, ApiError> {
    Ok(Json(state.runtime.test_cases(&app).await?))
}

/// Cancels a queued or running run (developers and admins); the run as it was asked. It ends
/// moments later, `failed` with the reason "cancelled by <who>".
pub async fn cancel_run(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Run>, ApiError> {
    Ok(Json(state.runtime.cancel_run(&who.0, id).await?))
}

/// Removes a test case (developers and admins). 204.
pub async fn delete_test_case(
    State(state): State<AppState>,
    who: SignedIn,
    Path((app, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    state.runtime.delete_test_case(&who.0, &app, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs every test case of the build's app against the build (developers and admins).
pub async fn run_tests(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Vec<domain::deploy::TestResult>>, ApiError> {
    Ok(Json(state.runtime.run_tests(&who.0, id).await?))
}
