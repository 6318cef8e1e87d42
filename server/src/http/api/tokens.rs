//! `POST /api/v1/tokens`: API tokens for scripts and CI.

use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    name: String,
}

#[derive(Serialize)]
pub struct CreatedToken {
    id: i64,
    name: String,
    /// Shown once: only its hash is stored.
    token: String,
}

/// Creates a token that acts as the caller, with the caller's role. 201 `{"id","token"}`.
pub async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    ApiJson(body): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let created = state.accounts.create_token(&principal, &body.name).await?;
    tracing::info!(user = %principal.username, token_id = created.id, "API token created");
    let detail = serde_json::json!({"token": created.id, "name": body.name.trim()});
    state
        .apps
        .audit()
        .record_durable(principal.username.as_str(), "token.create", principal.username.as_str(), detail)
        .await;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken { id: created.id, name: body.name.trim().to_owned(), token: created.token }),
    ))
}
