//! Deploy targets, deployments, runs and audit events as the API shows them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// A place packages deploy to. Secrets are never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    /// `local`, `appbuilder` or `threatconnect`.
    pub kind: String,
    pub url: Option<String>,
    pub access_id: Option<String>,
    pub protected: bool,
    /// Deploys here must pass every saved test case of the app first.
    pub require_tests: bool,
    /// Whether a secret (token, key) is stored for it.
    pub has_secret: bool,
}

/// A deployment of one build to one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: i64,
    pub app: String,
    #[serde(skip)]
    pub app_id: i64,
    pub build: i64,
    pub target: String,
    #[serde(skip)]
    pub target_id: i64,
    pub version: String,
    pub revision: String,
    /// `running`, `succeeded`, `failed`.
    pub status: String,
    pub reason: Option<String>,
    /// The admin's reason for deploying a breaking change.
    pub override_reason: Option<String>,
    /// The breaking contract changes it brought, described.
    pub breaking: Vec<String>,
    pub rollback_of: Option<i64>,
    /// What the deployment did, in order: the contract check, the tests, the install or upload.
    pub steps: Vec<DeployStep>,
    pub requested_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// One step of a deployment as the deploy panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployStep {
    /// `contract`, `tests`, `install` (the embedded runtime) or `upload` (a remote target).
    pub name: String,
    /// `done`, `skipped`, `running` or `failed`.
    pub status: String,
    /// What happened, in words.
    pub detail: String,
}

impl DeployStep {
    pub fn new(name: &str, status: &str, detail: impl Into<String>) -> Self {
        Self { name: name.to_owned(), status: status.to_owned(), detail: detail.into() }
    }
}

/// A new deployment's row.
#[derive(Debug, Clone)]
pub struct NewDeployment {
    pub app_id: i64,
    pub build_id: i64,
    pub target_id: i64,
    pub version: String,
    pub revision: String,
    pub override_reason: Option<String>,
    pub breaking: Vec<String>,
    pub rollback_of: Option<i64>,
    /// The steps done before the row is written; the last one is still running.
    pub steps: Vec<DeployStep>,
    pub requested_by: i64,
}

/// One output variable a run wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOutput {
    /// `#App:<run id>:<name>!<Type>`.
    pub variable: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: Value,
}

/// A run of an app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: i64,
    pub app: String,
    #[serde(skip)]
    pub app_id: i64,
    pub build: i64,
    pub deployment: Option<i64>,
    pub version: String,
    pub revision: String,
    /// `manual`, `rerun`, `webhook`, `test`.
    pub trigger: String,
    /// `queued`, `running`, `succeeded`, `failed`.
    pub status: String,
    /// The inputs, secret values masked.
    pub inputs: Value,
    pub outputs: Vec<RunOutput>,
    pub exit_message: Option<String>,
    pub exit_code: Option<i32>,
    /// Why it failed when the app did not say (a time limit, the memory cap, the server).
    pub reason: Option<String>,
    pub log: String,
    pub python: Option<String>,
    pub duration_ms: Option<u64>,
    /// What a webhook app answered its caller (`{"status","headers"?,"body"?}`), if it did.
    pub response: Option<Value>,
    pub requested_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// A new run's row.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub app_id: i64,
    pub build_id: i64,
    pub deployment_id: Option<i64>,
    pub version: String,
    pub revision: String,
    pub trigger: String,
    pub inputs: Value,
    pub secrets: Option<Vec<u8>>,
    pub requested_by: Option<i64>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunFinish {
    pub status: String,
    pub response: Option<Value>,
    pub outputs: Vec<RunOutput>,
    pub exit_message: Option<String>,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub log: String,
    pub python: Option<String>,
    pub duration_ms: Option<u64>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: Value,
}

/// An event to append to the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEvent {
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: Value,
}

/// A webhook as admins see it (never its token or secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: i64,
    pub app: String,
    #[serde(skip)]
    pub app_id: i64,
    pub target: String,
    #[serde(skip)]
    pub target_id: i64,
    pub signature_header: Option<String>,
    pub has_secret: bool,
    /// The inputs every delivery's run gets, secrets masked.
    pub inputs: Value,
    pub rate_per_minute: u32,
    pub max_body_bytes: u64,
    /// The caller waits for the run and gets the app's answer.
    pub respond: bool,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub enabled: bool,
}

/// What the server keeps of a webhook to check deliveries (sealed secrets included).
#[derive(Debug, Clone)]
pub struct WebhookSecrets {
    pub webhook: Webhook,
    pub secret: Option<Vec<u8>>,
    pub secret_inputs: Option<Vec<u8>>,
}

/// A new webhook's row.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub app_id: i64,
    pub target_id: i64,
    pub token_hash: String,
    pub signature_header: Option<String>,
    pub secret: Option<Vec<u8>>,
    pub inputs: Value,
    pub secret_inputs: Option<Vec<u8>>,
    pub rate_per_minute: u32,
    pub max_body_bytes: u64,
    pub respond: bool,
    pub created_by: i64,
}

/// A request received on a webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub webhook: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub method: String,
    pub headers: Value,
    pub query: Value,
    #[serde(skip)]
    pub body: Vec<u8>,
    /// `received`, `dispatched`, `failed`.
    pub status: String,
    pub run: Option<i64>,
    pub reason: Option<String>,
}

/// A delivery to store.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub webhook_id: i64,
    pub method: String,
    pub headers: Value,
    pub query: Value,
    pub body: Vec<u8>,
}

/// A new target's row (its secret already sealed).
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub name: String,
    pub kind: String,
    pub url: Option<String>,
    pub access_id: Option<String>,
    pub secret: Option<Vec<u8>>,
    pub protected: bool,
}

/// A change to a target; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TargetChange {
    pub url: Option<String>,
    pub access_id: Option<String>,
    pub secret: Option<Vec<u8>>,
    pub protected: Option<bool>,
    pub require_tests: Option<bool>,
}

/// A saved test case: inputs and the outputs they must produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    pub id: i64,
    #[serde(skip)]
    pub app_id: i64,
    pub name: String,
    /// Secret values masked.
    pub inputs: Value,
    /// Output name -> the value it must have.
    pub expected: Value,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// How one test case went against a build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    pub case: i64,
    pub name: String,
    /// The run it made (0 when the inputs were refused before a run).
    pub run: i64,
    pub passed: bool,
    /// What differed: outputs missing or with other values, a failed run.
    pub failures: Vec<String>,
}

/// A new test case's row.
#[derive(Debug, Clone)]
pub struct NewTestCase {
    pub app_id: i64,
    pub name: String,
    pub inputs: Value,
    pub secret_inputs: Option<Vec<u8>>,
    pub expected: Value,
    pub created_by: i64,
}

/// What an admin gives to add or change a target (`None` or blank leaves a field as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRequest {
    #[serde(default)]
    pub name: String,
    pub kind: Option<String>,
    pub url: Option<String>,
    pub access_id: Option<String>,
    pub secret: Option<String>,
    pub protected: Option<bool>,
    /// Deploys here must pass every saved test case of the app.
    pub require_tests: Option<bool>,
}

impl TargetRequest {
    /// The request with blank text fields taken as absent (what forms send for "leave it").
    pub fn without_blanks(self) -> TargetRequest {
        let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        TargetRequest {
            kind: given(self.kind),
            url: given(self.url),
            access_id: given(self.access_id),
            secret: given(self.secret),
            ..self
        }
    }
}

/// What went in with a deployment since the one before it on the same target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentChanges {
    pub deployment: Deployment,
    /// The newest succeeded deployment before it on that target.
    pub previous: Option<Deployment>,
    /// The commits after the previous deployment's revision up to this one's, newest first
    /// (none when the revision went back, as in a rollback).
    pub commits: Vec<crate::history::CommitInfo>,
    /// The contract changes from the previous deployment's revision to this one's.
    pub contract: Option<crate::manifest::contract::ContractDiff>,
}
