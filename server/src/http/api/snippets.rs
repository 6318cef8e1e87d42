//! Users' editor snippets: thin handlers over `apps::Snippets`.

use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::snippets::{SnippetDraft, UserSnippet};

/// The signed-in user's snippets and everyone's shared ones.
pub async fn list(State(state): State<AppState>, who: SignedIn) -> Result<Json<Vec<UserSnippet>>, ApiError> {
    Ok(Json(state.snippets.list(&who.0).await?))
}

/// Adds a snippet (developers and admins). 201.
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    ApiJson(draft): ApiJson<SnippetDraft>,
) -> Result<(StatusCode, Json<UserSnippet>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.snippets.create(&who.0, draft).await?)))
}

/// Replaces one of the user's snippets.
pub async fn update(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    ApiJson(draft): ApiJson<SnippetDraft>,
) -> Result<Json<UserSnippet>, ApiError> {
    Ok(Json(state.snippets.update(&who.0, id, draft).await?))
}

/// Removes a snippet (its owner or an admin). 204.
pub async fn delete(State(state): State<AppState>, who: SignedIn, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    state.snippets.delete(&who.0, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
