//! The server fns of the history, commit, compare and blame pages.

#[cfg(feature = "ssr")]
use crate::services::{apps_service, shown};
use domain::app::AppSummary;
use domain::history::{BlameLine, ChangedFile, CommitDetail, CommitInfo};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The app as its history pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    pub app: AppSummary,
    /// Whether the signed-in user may restore versions.
    pub can_write: bool,
}

/// A page of history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commits {
    pub items: Vec<CommitInfo>,
    pub next_cursor: Option<String>,
}

/// The app and what the signed-in user may do with it.
#[server(prefix = "/rpc", input = Json)]
pub async fn load_app(slug: String) -> Result<AppInfo, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let app = apps.get(&slug).await.map_err(shown)?;
    Ok(AppInfo { app, can_write: apps::require_writer(&principal).is_ok() })
}

/// Which commits the history page lists: of one path, by an author, within days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    pub path: Option<String>,
    pub author: Option<String>,
    /// A day (2026-11-28) or an RFC 3339 time.
    pub since: Option<String>,
    pub until: Option<String>,
}

/// History newest first, as `query` filters it, 50 at a time.
#[server(prefix = "/rpc", input = Json)]
pub async fn load_history(slug: String, query: HistoryQuery, cursor: Option<String>) -> Result<Commits, ServerFnError> {
    let (_, apps) = apps_service()?;
    let path = query.path.as_deref().filter(|p| !p.is_empty()).map(apps::parse_path).transpose().map_err(shown)?;
    let filter = domain::history::HistoryFilter::from_text(
        path,
        query.author.as_deref(),
        query.since.as_deref(),
        query.until.as_deref(),
    )
    .map_err(|why| shown(apps::AppsError::Invalid(why)))?;
    let page = domain::paging::PageRequest { limit: Some(50), cursor };
    let page = apps.history_filtered(&slug, filter, &page).await.map_err(shown)?;
    Ok(Commits { items: page.items, next_cursor: page.next_cursor })
}

/// One commit with the files it changed, and the contract changes when it touched the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitView {
    pub detail: CommitDetail,
    pub contract: Option<domain::manifest::contract::ContractDiff>,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_commit(slug: String, rev: String) -> Result<CommitView, ServerFnError> {
    let (_, apps) = apps_service()?;
    let detail = apps.commit_detail(&slug, &rev).await.map_err(shown)?;
    let manifest = detail.files.iter().any(|f| matches!(f.path.as_str(), "install.json" | "layout.json"));
    let contract = match detail.commit.parents.first() {
        Some(parent) if manifest => apps
            .contract_diff(&slug, parent.as_str(), detail.commit.revision.as_str())
            .await
            .ok()
            .filter(|diff| !diff.changes.is_empty()),
        _ => None,
    };
    Ok(CommitView { detail, contract })
}

/// Each line of `path` at `rev` (the head when `None`) with the commit that last changed it.
#[server(prefix = "/rpc", input = Json)]
pub async fn load_blame(slug: String, rev: Option<String>, path: String) -> Result<Vec<BlameLine>, ServerFnError> {
    let (_, apps) = apps_service()?;
    apps.blame(&slug, rev.as_deref().filter(|r| !r.is_empty()), &path).await.map_err(shown)
}

/// The compare page: recent versions to pick from, the two compared (the two newest by default),
/// the files that differ and the contract changes (none when a version's install.json is unreadable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub recent: Vec<CommitInfo>,
    pub from: Option<String>,
    pub to: String,
    pub files: Vec<ChangedFile>,
    pub contract: Option<domain::manifest::contract::ContractDiff>,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_comparison(
    slug: String,
    from: Option<String>,
    to: Option<String>,
) -> Result<Comparison, ServerFnError> {
    let (_, apps) = apps_service()?;
    let page = domain::paging::PageRequest { limit: Some(50), cursor: None };
    let recent = apps.history(&slug, None, &page).await.map_err(shown)?.items;
    let to = to.or_else(|| recent.first().map(|c| c.revision.to_string())).unwrap_or_default();
    let from = from.or_else(|| recent.get(1).map(|c| c.revision.to_string()));
    let (files, contract) = match &from {
        Some(from) => {
            let diff = apps.diff(&slug, from, &to, None).await.map_err(shown)?;
            (diff.files.into_iter().map(|f| f.file).collect(), apps.contract_diff(&slug, from, &to).await.ok())
        }
        None => (Vec::new(), None),
    };
    Ok(Comparison { recent, from, to, files, contract })
}
