//! Leptos: server-rendered pages, the server fns under `/rpc`, and the static web assets.

use crate::http::auth::{require_signed_in, signed_out_pages_answer_401};
use crate::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::extract::Request;
use axum::extract::State;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use http::{HeaderValue, StatusCode, header};
use leptos::config::LeptosOptions;
use leptos::context::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use tower::ServiceExt;
use tower_http::services::ServeDir;

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
        .leptos_routes_with_context(state, page_routes(), services.clone(), move || {
            shell(current_build(options.clone()))
        })
        .layer(from_fn_with_state(state.clone(), missing_apps_editor_is_404))
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

/// `options` pointing at the site's current build: `scripts/build-site` puts each build's
/// bundles in `pkg/<build id>/` (the id is a digest of their content) and names the current one
/// in `pkg/BUILD`. Read on every page, so a site rebuilt under a running server is picked up
/// without a restart. While `BUILD` cannot be read or names no folder (the moment a rebuilt site
/// is swapped in), the build last seen for this site root is used; with none, `pkg/` itself.
pub fn current_build(mut options: LeptosOptions) -> LeptosOptions {
    static LAST_SEEN: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    let pkg = std::path::Path::new(&*options.site_root).join("pkg");
    let named = std::fs::read_to_string(pkg.join("BUILD"))
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|id| is_build_id(id) && pkg.join(id).is_dir());
    let mut last_seen = LAST_SEEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let id = match named {
        Some(id) => {
            last_seen.insert(options.site_root.to_string(), id.clone());
            Some(id)
        }
        None => last_seen.get(&*options.site_root).cloned(),
    };
    if let Some(id) = id {
        options.site_pkg_dir = format!("pkg/{id}").into();
    }
    options
}

/// The editor page of an app that does not exist answers 404. The server renders only that
/// page's frame (the editor bundle draws the rest, and says the app is missing), so the status
/// is decided here; every other page sets its own from what it loads.
async fn missing_apps_editor_is_404(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let missing = match (request.extensions().get::<domain::Principal>(), app::editor_slug(request.uri().path())) {
        (Some(_), Some(slug)) => matches!(state.apps.find(slug).await, Err(apps::AppsError::NotFound(_))),
        _ => false,
    };
    let mut response = next.run(request).await;
    if missing && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    response
}

/// The app's page routes, listed once per process. Leptos lists them by running the app with
/// every resource in the process held back, and a resource first polled meanwhile never loads
/// (leptos#4773): a page rendered by another server in the same process, as in the tests, would
/// hang. Listed once, the routes are known before any router that renders pages exists.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Whether `name` is a build's id (16 lower-case hex digits).
fn is_build_id(name: &str) -> bool {
    name.len() == 16 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A file from the site root (`/pkg/...`, `/monaco/<version>/...`, the favicon), or the app's 404
/// page. A `.gz` twin is sent to browsers that accept gzip, `If-Modified-Since` is answered with
/// `304`, and other methods than GET and HEAD with `405` (Leptos's own file handler passes on
/// neither the condition nor the method).
///
/// What sits under a name that changes with its content is kept by browsers for good: a build's
/// folder `/pkg/<build id>/` (so an editor bundle and the wasm chunks it fetches later always
/// come from the same build, even for a page left open across an upgrade, as `build-site` keeps
/// the two builds before the current one) and Monaco's `/monaco/<version>/`. Anything else under
/// `/pkg/` is asked for again every time (a `304` while unchanged).
pub async fn static_file_or_not_found(state: AppState, request: Request) -> Response {
    let file = {
        let mut copy = Request::new(axum::body::Body::empty());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        let site = ServeDir::new(&*state.leptos_options.site_root).precompressed_gzip();
        match site.oneshot(copy).await {
            Ok(response) => response.map(axum::body::Body::new),
            Err(never) => match never {},
        }
    };
    let status = file.status();
    if status == StatusCode::NOT_FOUND {
        let not_found = leptos_axum::file_and_error_handler::<AppState, _>(|options| shell(current_build(options)));
        return not_found(request.uri().clone(), axum::extract::State(state), request).await.into_response();
    }
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return file; // 405 for a POST, 416 for a range past the end, ...: as ServeDir says.
    }
    let mut file = file;
    // The body depends on Accept-Encoding (a .gz twin or not): shared caches must keep both.
    file.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    const FOR_GOOD: &str = "public, max-age=31536000, immutable";
    let path = request.uri().path();
    let cache = if path.starts_with("/monaco/") {
        FOR_GOOD
    } else if let Some(in_pkg) = path.strip_prefix("/pkg/") {
        let in_a_build = in_pkg.split_once('/').is_some_and(|(folder, _)| is_build_id(folder));
        if in_a_build { FOR_GOOD } else { "no-cache" }
    } else {
        return file;
    };
    file.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    file
}
