//! The admin's user routes: `GET/POST /api/v1/users`, `PATCH /api/v1/users/{username}`.

use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use accounts::UserPatch;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::paging::{Page, PageRequest};
use domain::{Role, UserSummary};
use serde::Deserialize;

/// One page of users (admin only).
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<UserSummary>>, ApiError> {
    who.require(Role::Admin)?;
    Ok(Json(state.accounts.list_users(&page).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    username: String,
    password: String,
    role: Role,
}

/// Adds a user (admin only). 201 with the user; 409 when the name is taken.
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<UserSummary>), ApiError> {
    let admin = who.require(Role::Admin)?;
    let user = state.accounts.create_user(&body.username, &body.password, body.role).await?;
    tracing::info!(by = %admin.username, user = %user.username, role = %user.role, "user created");
    let detail = serde_json::json!({"role": user.role.to_string()});
    state.apps.audit().record_durable(admin.username.as_str(), "user.create", user.username.as_str(), detail).await;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    role: Option<Role>,
    password: Option<String>,
    disabled: Option<bool>,
}

/// Changes a user's role, password or disabled flag (admin only).
pub async fn update(
    State(state): State<AppState>,
    who: SignedIn,
    Path(username): Path<String>,
    ApiJson(body): ApiJson<PatchUser>,
) -> Result<Json<UserSummary>, ApiError> {
    let admin = who.require(Role::Admin)?;
    let patch = UserPatch { role: body.role, password: body.password, disabled: body.disabled };
    let changed_password = patch.password.is_some();
    let user = state.accounts.update_user(admin, &username, patch).await?;
    tracing::info!(by = %admin.username, user = %user.username, role = %user.role, disabled = user.disabled, changed_password, "user changed");
    let detail = serde_json::json!({"role": user.role.to_string(), "disabled": user.disabled, "password_changed": changed_password});
    state.apps.audit().record_durable(admin.username.as_str(), "user.update", user.username.as_str(), detail).await;
    Ok(Json(user))
}
