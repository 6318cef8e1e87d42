//! `GET /healthz`: for load balancers and `systemd` watchdogs.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// 200 `{"status":"ok"}` when the database answers and the data directory is a directory;
/// 503 with the failing part otherwise.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = state.store.ping().await;
    let data_dir = tokio::fs::metadata(&state.settings.data_dir).await.map(|m| m.is_dir());
    match (database, data_dir) {
        (Ok(()), Ok(true)) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        (database, data_dir) => {
            tracing::error!(?database, ?data_dir, "health check failed");
            let failing = if database.is_err() { "database" } else { "data_dir" };
            let body = json!({
                "status": "unavailable",
                "error": "unavailable",
                "message": format!("the {failing} does not answer; see the server log"),
                "failing": failing,
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}
