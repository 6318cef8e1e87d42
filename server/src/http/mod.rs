//! The HTTP surface: one router for the REST API, the Leptos server fns and pages, and the
//! static web assets, wrapped in the layers every request goes through.

pub mod api;
pub mod auth;
mod hooks;
pub mod json;
mod pages;

pub use pages::current_build;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::HeaderName;
use std::any::Any;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the whole application router over `state`.
pub fn router(state: AppState) -> Router {
    let max_body = state.settings.max_body_bytes;
    let hard_limit = max_body.max(state.settings.max_upload_bytes);
    Router::new()
        .route("/healthz", get(api::health::healthz))
        .route("/hooks/{token}", axum::routing::any(hooks::deliver))
        .nest("/api/v1", api::routes(&state.settings))
        .merge(pages::routes(&state))
        .fallback(fallback)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id, user = tracing::field::Empty)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(CompressionLayer::new())
                .layer(from_fn_with_state(state.settings.clone(), json::json_error_bodies))
                .layer(DefaultBodyLimit::max(max_body))
                .layer(from_fn_with_state(state.settings.clone(), auth::refuse_foreign_origin))
                .layer(from_fn_with_state(state.accounts.clone(), auth::resolve_principal))
                // Innermost: it changes the body type, which the middleware above do not take.
                .layer(RequestBodyLimitLayer::new(hard_limit)),
        )
        .with_state(state)
}

/// Unknown paths: API-like ones answer in JSON (401 before 404, so that signed-out callers learn
/// nothing about which routes exist); everything else is a static asset or the 404 page.
async fn fallback(axum::extract::State(state): axum::extract::State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path == "/api" || path.starts_with("/rpc/") {
        if request.extensions().get::<domain::Principal>().is_none() {
            return ApiError::unauthorized().into_response();
        }
        return ApiError::not_found(format!("there is no API route {} {path}", request.method())).into_response();
    }
    pages::static_file_or_not_found(state, request).await
}

fn panic_response(cause: Box<dyn Any + Send + 'static>) -> Response {
    let text = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    ApiError::internal(format!("panic: {text}")).into_response()
}
