//! The REST API of `../shared/API.md`, version 1. Handlers are thin: check input, call a
//! service, map the error.

pub mod apps;
pub mod builds;
pub mod deploy;
pub mod health;
pub mod releases;
pub mod session;
pub mod snippets;
pub mod tokens;
pub mod users;
pub mod versions;

use crate::http::auth::require_signed_in;
use crate::state::{AppState, HttpSettings};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use axum::routing::{get, patch, post};

/// The `/api/v1` routes. Every route needs a signed-in user except `POST /session`. Saves take
/// the upload limit instead of the small JSON one (`HttpSettings::body_limit_for` says the same).
pub fn routes(settings: &HttpSettings) -> Router<AppState> {
    let uploads = DefaultBodyLimit::max(settings.max_upload_bytes);
    let signed_in = Router::new()
        .route("/session", axum::routing::delete(session::sign_out))
        .route("/me", get(session::me))
        .route("/tokens", post(tokens::create))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{username}", patch(users::update))
        .route("/templates", get(apps::templates))
        .route("/apps", get(apps::list).post(apps::create))
        .route("/apps/import", post(apps::import).layer(uploads))
        .route("/apps/{app}", get(apps::get).delete(apps::archive))
        .route("/apps/{app}/archive", get(apps::export))
        .route("/apps/{app}/tree", get(versions::tree))
        .route("/apps/{app}/files/{*path}", get(versions::file))
        .route("/apps/{app}/commits", get(versions::history).post(versions::save).layer(uploads))
        .route("/apps/{app}/commits/{rev}", get(versions::commit))
        .route("/apps/{app}/diff", get(versions::diff))
        .route("/apps/{app}/blame/{*path}", get(versions::blame))
        .route("/apps/{app}/restore", post(versions::restore))
        .route("/apps/{app}/problems", get(versions::problems))
        .route("/apps/{app}/builds", get(builds::list).post(builds::create))
        .route("/builds/{id}", get(builds::get))
        .route("/builds/{id}/log", get(builds::log))
        .route("/builds/{id}/package", get(builds::package))
        .route("/builds/{id}/cancel", post(builds::cancel))
        .route("/targets", get(deploy::targets).post(deploy::create_target))
        .route("/targets/{name}", patch(deploy::update_target).delete(deploy::delete_target))
        .route("/deployments", post(deploy::deploy))
        .route("/deployments/{id}", get(deploy::deployment))
        .route("/deployments/{id}/rollback", post(deploy::rollback))
        .route("/apps/{app}/deployments", get(deploy::deployments))
        .route("/apps/{app}/runs", get(deploy::runs).post(deploy::run))
        .route("/runs/{id}", get(deploy::get_run))
        .route("/runs/{id}/rerun", post(deploy::rerun))
        .route("/runs/{id}/cancel", post(deploy::cancel_run))
        .route("/runs/{id}/test-case", post(deploy::test_case_from_run))
        .route("/audit", get(deploy::audit))
        .route("/apps/{app}/webhooks", get(deploy::webhooks).post(deploy::create_webhook))
        .route("/webhooks/{id}", axum::routing::delete(deploy::delete_webhook))
        .route("/webhooks/{id}/deliveries", get(deploy::deliveries))
        .route("/apps/{app}/tests", get(deploy::test_cases).post(deploy::create_test_case))
        .route("/apps/{app}/tests/{id}", axum::routing::delete(deploy::delete_test_case))
        .route("/builds/{id}/tests", post(deploy::run_tests))
        .route("/deployments/{id}/changes", get(deploy::deployment_changes))
        .route("/apps/{app}/contract-diff", get(releases::contract_diff))
        .route("/apps/{app}/releases", get(releases::list).post(releases::create))
        .route("/apps/{app}/releases/proposal", get(releases::proposal))
        .route("/apps/{app}/releases/{version}", get(releases::get))
        .route("/apps/{app}/releases/{version}/reviews", post(releases::request_review))
        .route("/reviews", get(releases::reviews))
        .route("/reviews/{id}", get(releases::review))
        .route("/reviews/{id}/comments", post(releases::comment))
        .route("/reviews/{id}/approve", post(releases::approve))
        .route("/reviews/{id}/request-changes", post(releases::request_changes))
        .route("/notifications", get(releases::notifications))
        .route("/notifications/read", post(releases::mark_read))
        .route("/snippets", get(snippets::list).post(snippets::create))
        .route("/snippets/{id}", axum::routing::put(snippets::update).delete(snippets::delete))
        .route_layer(from_fn(require_signed_in));
    let public = Router::new().route("/session", post(session::sign_in));
    signed_in.merge(public)
}
