//! What every handler can reach, built once in `startup`.

use accounts::Accounts;
use apps::Apps;
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
    pub apps: Apps,
    pub builds: build::Builds,
    pub runtime: runtime::Runtime,
    pub releases: reviews::Releases,
    pub snippets: apps::Snippets,
    pub store: SqliteStore,
    pub settings: Arc<HttpSettings>,
}

/// The settings the HTTP layer reads per request.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub data_dir: PathBuf,
    pub max_body_bytes: usize,
    /// The larger limit of saves and imports (see [`HttpSettings::body_limit_for`]).
    pub max_upload_bytes: usize,
    pub secure_cookies: bool,
    /// Origins besides the request's own host that may send state-changing requests.
    pub allowed_origins: Vec<String>,
}

impl HttpSettings {
    /// The body limit of a request path: saves (`.../commits`) and imports take uploads, every
    /// other route takes small JSON bodies. The router applies the same split per route.
    pub fn body_limit_for(&self, path: &str) -> usize {
        if path.ends_with("/commits") || path.ends_with("/apps/import") {
            self.max_upload_bytes
        } else {
            self.max_body_bytes
        }
    }
}
