//! What every handler can reach, built once in `startup`.

use accounts::Accounts;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use std::sync::Arc;
use store::SqliteStore;

/// Shared state of the HTTP server. Cheap to clone (everything inside is shared).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub accounts: Accounts,
    pub store: SqliteStore,
    pub settings: Arc<HttpSettings>,
}

/// The settings the HTTP layer reads per request.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub data_dir: PathBuf,
    pub max_body_bytes: usize,
    pub secure_cookies: bool,
    /// Origins besides the request's own host that may send state-changing requests.
    pub allowed_origins: Vec<String>,
}
