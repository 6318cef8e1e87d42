//! Apps: `GET/POST /api/v1/apps`, `GET/DELETE /api/v1/apps/{app}`, `GET /api/v1/templates`.

use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::json::ApiJson;
use crate::state::AppState;
use apps::templates::{TEMPLATES, Template};
use apps::{AppSummary, CreatedApp};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::Role;
use domain::paging::Page;
use serde::Deserialize;

/// Query of the app list: `?q=&limit=&cursor=`.
#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// The templates a new app can start from.
pub async fn templates(_who: SignedIn) -> Json<&'static [Template]> {
    Json(TEMPLATES)
}

/// One page of apps, by slug, filtered by `q` (slug or name contains it).
pub async fn list(
    State(state): State<AppState>,
    _who: SignedIn,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Page<AppSummary>>, ApiError> {
    let Query(query) = query.map_err(|err| ApiError::bad_request(err.body_text()))?;
    let page = domain::paging::PageRequest { limit: query.limit, cursor: query.cursor };
    Ok(Json(state.apps.list(query.q.as_deref(), &page).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateApp {
    name: String,
    template: String,
}

/// Creates an app from a template (developers and admins). 201 `{"slug","head"}`.
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    ApiJson(body): ApiJson<CreateApp>,
) -> Result<(StatusCode, Json<CreatedApp>), ApiError> {
    let actor = who.require(Role::Developer)?;
    Ok((StatusCode::CREATED, Json(state.apps.create(actor, &body.name, &body.template).await?)))
}

/// One app with its head.
pub async fn get(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
) -> Result<Json<AppSummary>, ApiError> {
    Ok(Json(state.apps.get(&app).await?))
}

/// Archives an app (admins only): hidden from lists, its history kept. 204.
pub async fn archive(
    State(state): State<AppState>,
    who: SignedIn,
    Path(app): Path<String>,
) -> Result<StatusCode, ApiError> {
    let admin = who.require(Role::Admin)?;
    state.apps.archive(admin, &app).await?;
    Ok(StatusCode::NO_CONTENT)
}
