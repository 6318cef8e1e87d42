//! Builds as the API shows them: status, steps with times, the log, the package.
//! Shared by the store (rows), the build service and the UI (it compiles to wasm32).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where a build is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BuildStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl BuildStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BuildStatus::Queued => "queued",
            BuildStatus::Running => "running",
            BuildStatus::Succeeded => "succeeded",
            BuildStatus::Failed => "failed",
            BuildStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Succeeded, Self::Failed, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Succeeded, failed or cancelled: nothing will change any more.
    pub fn is_final(self) -> bool {
        matches!(self, BuildStatus::Succeeded | BuildStatus::Failed | BuildStatus::Cancelled)
    }
}

/// The package a successful build wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageInfo {
    pub file_name: String,
    pub sha256: String,
    pub size: u64,
}

/// One step of a build and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildStep {
    /// `validate`, `python`, `dependencies`, `package`, `artifact`.
    pub name: String,
    /// `running`, `succeeded`, `failed`, `skipped`, `cancelled`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    pub duration_ms: Option<u64>,
    pub summary: Option<String>,
}

/// A build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Build {
    pub id: i64,
    pub app: String,
    #[serde(skip)]
    pub app_id: i64,
    pub revision: String,
    pub status: BuildStatus,
    pub requested_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub queued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    pub duration_ms: Option<u64>,
    /// How many times a worker started it (more than one after a restart).
    pub attempts: u32,
    pub cancel_requested: bool,
    /// Why it failed or was cancelled.
    pub reason: Option<String>,
    /// The interpreter the checks used.
    pub python: Option<String>,
    pub package: Option<PackageInfo>,
    /// Filled by `GET /builds/{id}`; empty in lists.
    #[serde(default)]
    pub steps: Vec<BuildStep>,
}

/// One line of a build's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub seq: i64,
    pub step: String,
    pub line: String,
}

/// Milliseconds between two times, when both are known.
pub fn duration_ms(from: Option<OffsetDateTime>, to: Option<OffsetDateTime>) -> Option<u64> {
    let (from, to) = (from?, to?);
    u64::try_from((to - from).whole_milliseconds()).ok()
}
