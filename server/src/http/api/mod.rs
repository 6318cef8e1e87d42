//! The REST API of `../shared/API.md`, version 1. Handlers are thin: check input, call a
//! service, map the error.

pub mod health;
pub mod session;
pub mod tokens;
pub mod users;

use crate::http::auth::require_signed_in;
use crate::state::AppState;
use axum::Router;
use axum::middleware::from_fn;
use axum::routing::{get, patch, post};

/// The `/api/v1` routes. Every route needs a signed-in user except `POST /session`.
pub fn routes() -> Router<AppState> {
    let signed_in = Router::new()
        .route("/session", axum::routing::delete(session::sign_out))
        .route("/me", get(session::me))
        .route("/tokens", post(tokens::create))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{username}", patch(users::update))
        .route_layer(from_fn(require_signed_in));
    let public = Router::new().route("/session", post(session::sign_in));
    signed_in.merge(public)
}
