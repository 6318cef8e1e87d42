//! Leptos: server-rendered pages, the server fns under `/rpc`, and the static web assets.

use crate::http::auth::{require_signed_in, signed_out_pages_answer_401};
use crate::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::extract::Request;
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use leptos::context::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};

/// Page routes (open to everyone: signed-out visitors get the sign-in form with 401) and the
/// server fns (signed-in only).
pub fn routes(state: &AppState) -> Router<AppState> {
    let options = state.leptos_options.clone();
    let services = {
        let (apps, builds, runtime) = (state.apps.clone(), state.builds.clone(), state.runtime.clone());
        let (releases, snippets) = (state.releases.clone(), state.snippets.clone());
        move || {
            provide_context(apps.clone());
            provide_context(builds.clone());
            provide_context(runtime.clone());
            provide_context(releases.clone());
            provide_context(snippets.clone());
        }
    };
    let pages = Router::new()
        .leptos_routes_with_context(state, generate_route_list(App), services.clone(), move || shell(options.clone()))
        .layer(from_fn(signed_out_pages_answer_401));
    let server_fns = Router::new()
        .route(
            "/rpc/{*fn_name}",
            any(move |request: Request| leptos_axum::handle_server_fns_with_context(services.clone(), request)),
        )
        .route_layer(from_fn(require_signed_in))
        // A save from the editor carries whole files (up to the per-file limit), like an upload.
        .layer(axum::extract::DefaultBodyLimit::max(state.settings.max_upload_bytes));
    pages.merge(server_fns)
}

/// A file from the site root (`/pkg/...`, `/monaco/<version>/...`, the favicon), or the app's 404
/// page. Monaco's files sit under a versioned path, so browsers may keep them for good.
pub async fn static_file_or_not_found(state: AppState, request: Request) -> Response {
    let handler = leptos_axum::file_and_error_handler::<AppState, _>(shell);
    let uri = request.uri().clone();
    let mut response = handler(uri.clone(), axum::extract::State(state), request).await.into_response();
    if uri.path().starts_with("/monaco/") && response.status().is_success() {
        response
            .headers_mut()
            .insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("public, max-age=31536000, immutable"));
    }
    response
}
