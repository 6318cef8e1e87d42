//! The server fns of the builds pages; they call the same `build::Builds` service as the REST API.

#[cfg(feature = "ssr")]
use crate::services::{apps_service, builds_service, shown};
use domain::app::AppSummary;
use domain::build::Build;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// An app's builds, with the app and what the signed-in user may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildList {
    pub app: AppSummary,
    pub can_write: bool,
    pub items: Vec<Build>,
    pub next_cursor: Option<String>,
}

/// One build with its app's name and what the signed-in user may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildView {
    pub build: Build,
    pub app_name: String,
    pub can_write: bool,
    /// The targets the user may deploy to (admins only; empty for others).
    pub targets: Vec<String>,
}

/// An app's builds, newest first, 30 at a time.
#[server(prefix = "/rpc", input = Json)]
pub async fn load_builds(slug: String, cursor: Option<String>) -> Result<BuildList, ServerFnError> {
    let (principal, apps) = apps_service()?;
    let (_, builds) = builds_service()?;
    let app = apps.get(&slug).await.map_err(shown)?;
    let page = builds.list(&slug, &domain::paging::PageRequest { limit: Some(30), cursor }).await.map_err(shown)?;
    Ok(BuildList {
        app,
        can_write: apps::require_writer(&principal).is_ok(),
        items: page.items,
        next_cursor: page.next_cursor,
    })
}

/// Queues a build of `rev` (the head when `None`); its id.
#[server(prefix = "/rpc", input = Json)]
pub async fn queue_build(slug: String, rev: Option<String>) -> Result<i64, ServerFnError> {
    let (principal, builds) = builds_service()?;
    let build = builds.enqueue(&principal, &slug, rev.as_deref().filter(|r| !r.is_empty())).await.map_err(shown)?;
    Ok(build.id)
}

/// One build, its steps and its app's name.
#[server(prefix = "/rpc", input = Json)]
pub async fn load_build(id: i64) -> Result<BuildView, ServerFnError> {
    // Every service is taken from the context before the first await (the context is the
    // request's, and is not there after an await in server rendering).
    let (principal, apps) = apps_service()?;
    let (_, builds) = builds_service()?;
    let (_, runtime) = crate::services::runtime_service()?;
    let build = builds.get(id).await.map_err(shown)?;
    let app_name = apps.get(&build.app).await.map(|a| a.display_name).unwrap_or_else(|_| build.app.clone());
    let targets = if principal.role.allows(domain::Role::Admin) {
        runtime.targets(&principal).await.map_err(shown)?.into_iter().map(|t| t.name).collect()
    } else {
        Vec::new()
    };
    Ok(BuildView { build, app_name, can_write: apps::require_writer(&principal).is_ok(), targets })
}

/// Cancels a queued or running build.
#[server(prefix = "/rpc", input = Json)]
pub async fn cancel_build(id: i64) -> Result<Build, ServerFnError> {
    let (principal, builds) = builds_service()?;
    builds.cancel(&principal, id).await.map_err(shown)
}
