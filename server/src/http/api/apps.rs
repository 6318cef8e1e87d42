//! Apps: `GET/POST /api/v1/apps`, `GET/DELETE /api/v1/apps/{app}`, `GET /api/v1/templates`.

use crate::error::ApiError;
use crate::http::api::versions::RevQuery;
use crate::http::auth::SignedIn;
use crate::http::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use apps::templates::{TEMPLATES, Template};
use apps::{AppSummary, CreatedApp, ImportedApp};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
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
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<AppSummary>>, ApiError> {
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
    Ok((StatusCode::CREATED, Json(state.apps.create(&who.0, &body.name, &body.template).await?)))
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
    state.apps.archive(&who.0, &app).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?name=` of an import.
#[derive(Deserialize)]
pub struct ImportQuery {
    name: Option<String>,
}

/// Imports a .zip, .tcx or .abx (the raw request body) as a new app (developers and admins).
/// 201 `{"slug","head","problems"}`; unsafe archives get 400 and nothing is stored.
pub async fn import(
    State(state): State<AppState>,
    who: SignedIn,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<ImportedApp>), ApiError> {
    // Authorization before looking at the body.
    apps::require_writer(&who.0)?;
    let body = body.map_err(|err| ApiError::from_status(err.status()))?;
    if body.is_empty() {
        return Err(ApiError::bad_request("send the archive (.zip, .tcx or .abx) as the request body"));
    }
    Ok((StatusCode::CREATED, Json(state.apps.import(&who.0, &body, query.name.as_deref()).await?)))
}

/// The app at `?rev=` (the head when absent) as a zip.
pub async fn export(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(query): ApiQuery<RevQuery>,
) -> Result<Response, ApiError> {
    let (file_name, bytes) = state.apps.export(&app, query.rev.as_deref()).await?;
    let disposition = format!("attachment; filename=\"{file_name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/zip")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("slugs and hex are header-safe")),
        ],
        bytes,
    )
        .into_response())
}
