//! The server fns of the releases and review pages; they call the same `reviews::Releases`
//! service as the REST API (roles and the separation of duties are enforced there).

#[cfg(feature = "ssr")]
use crate::services::{apps_service, releases_service, runtime_service, shown};
use domain::app::AppSummary;
use domain::deploy::DeploymentChanges;
use domain::release::{Notification, Proposal, Release, Review, ReviewComment, ReviewView};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The releases page: the app, the releases, and what releasing the head would be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasesView {
    pub app: AppSummary,
    pub can_write: bool,
    pub releases: Vec<Release>,
    pub proposal: Proposal,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_releases(slug: String) -> Result<ReleasesView, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let (_, releases) = releases_service()?;
    let app = apps.get(&slug).await.map_err(shown)?;
    let list = releases.list(&slug).await.map_err(shown)?;
    let proposal = releases.propose(&slug, None).await.map_err(shown)?;
    Ok(ReleasesView { app, can_write: apps::require_writer(&principal).is_ok(), releases: list, proposal })
}

/// Releases `rev` with `notes` (developers and admins).
#[server(prefix = "/rpc", input = Json)]
pub async fn create_release(slug: String, rev: String, notes: String) -> Result<Release, ServerFnError> {
    let (principal, releases) = releases_service()?;
    releases.create(&principal, &slug, Some(&rev), Some(&notes)).await.map_err(shown)
}

/// Asks for a review of a release; the review's id.
#[server(prefix = "/rpc", input = Json)]
pub async fn ask_review(slug: String, version: String) -> Result<i64, ServerFnError> {
    let (principal, releases) = releases_service()?;
    releases.request_review(&principal, &slug, &version).await.map_err(shown)
}

/// A review's page: the review and whether the signed-in user may decide it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPageView {
    pub view: ReviewView,
    pub app_name: String,
    /// A reviewer or admin who is not the release's author.
    pub can_decide: bool,
    /// Why not, when the user is a reviewer or admin (the author).
    pub why_not: Option<String>,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_review(id: i64) -> Result<ReviewPageView, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let (_, releases) = releases_service()?;
    let view = releases.review(id).await.map_err(shown)?;
    let app_name = apps.get(&view.review.app).await.map(|a| a.display_name).unwrap_or_else(|_| view.review.app.clone());
    let decider = matches!(principal.role, domain::Role::Reviewer | domain::Role::Admin);
    let author = view.review.release.author == principal.username.as_str();
    let why_not = (decider && author).then(|| "You released this version: someone else reviews it.".to_owned());
    Ok(ReviewPageView { view, app_name, can_decide: decider && !author, why_not })
}

/// What a comment is anchored to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub path: Option<String>,
    pub line: Option<u32>,
    pub pointer: Option<String>,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn add_comment(id: i64, body: String, anchor: Anchor) -> Result<ReviewComment, ServerFnError> {
    let (principal, releases) = releases_service()?;
    releases
        .comment(&principal, id, &body, anchor.path.as_deref(), anchor.line, anchor.pointer.as_deref())
        .await
        .map_err(shown)
}

/// Approves (or asks for changes to) a review.
#[server(prefix = "/rpc", input = Json)]
pub async fn decide_review(id: i64, approve: bool) -> Result<Review, ServerFnError> {
    let (principal, releases) = releases_service()?;
    releases.decide(&principal, id, approve).await.map_err(shown)
}

/// The reviews page: every review, and the user's notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub reviews: Vec<Review>,
    pub notifications: Vec<Notification>,
    pub unread: u32,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_inbox() -> Result<Inbox, ServerFnError> {
    let (principal, releases) = releases_service()?;
    let reviews = releases.reviews(None).await.map_err(shown)?;
    let (notifications, unread) = releases.notifications(&principal, 50).await.map_err(shown)?;
    Ok(Inbox { reviews, notifications, unread })
}

/// How many notifications the user has not read (the header's badge).
#[server(prefix = "/rpc", input = Json)]
pub async fn unread_notifications() -> Result<u32, ServerFnError> {
    let (principal, releases) = releases_service()?;
    Ok(releases.notifications(&principal, 1).await.map_err(shown)?.1)
}

/// Marks the user's notifications read (these, or all).
#[server(prefix = "/rpc", input = Json)]
pub async fn read_notifications(ids: Option<Vec<i64>>) -> Result<(), ServerFnError> {
    let (principal, releases) = releases_service()?;
    releases.mark_read(&principal, ids.as_deref()).await.map_err(shown)
}

/// What a deployment brought since the one before it on its target.
#[server(prefix = "/rpc", input = Json)]
pub async fn load_deployment_changes(id: i64) -> Result<DeploymentChanges, ServerFnError> {
    let (_, runtime) = runtime_service()?;
    runtime.deployment_changes(id).await.map_err(shown)
}
