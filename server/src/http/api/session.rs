//! `POST /api/v1/session` (sign in), `DELETE /api/v1/session` (sign out), `GET /api/v1/me`.

use crate::error::ApiError;
use crate::http::auth::{SignedIn, cleared_session_cookie, client_address, session_cookie};
use crate::http::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Extensions, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Me;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct SignInResponse {
    username: String,
    role: domain::Role,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: time::OffsetDateTime,
}

/// Checks the credentials and sets the session cookie. 401 on bad credentials (one answer for
/// unknown users and wrong passwords), 429 while backing off.
pub async fn sign_in(
    State(state): State<AppState>,
    extensions: Extensions,
    ApiJson(body): ApiJson<SignInRequest>,
) -> Result<Response, ApiError> {
    let address = client_address(&extensions);
    let session = match state.accounts.sign_in(&body.username, &body.password, address).await {
        Ok(session) => session,
        Err(err) => {
            tracing::info!(reason = %err, ?address, "sign-in refused");
            return Err(err.into());
        }
    };
    tracing::info!(user = %session.principal.username, "signed in");
    let cookie = session_cookie(&session.secret, state.accounts.session_lifetime(), state.settings.secure_cookies);
    let body = SignInResponse {
        username: session.principal.username.to_string(),
        role: session.principal.role,
        expires_at: session.expires_at,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Ends the session of this cookie and clears it. 204.
pub async fn sign_out(State(state): State<AppState>, SignedIn(principal): SignedIn) -> Result<Response, ApiError> {
    state.accounts.sign_out(&principal).await?;
    tracing::info!(user = %principal.username, "signed out");
    let cookie = cleared_session_cookie(state.settings.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// `{"username","role"}` of the caller.
pub async fn me(SignedIn(principal): SignedIn) -> Json<Me> {
    Json(principal.me())
}
