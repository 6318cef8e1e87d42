//! Builds: `POST/GET /api/v1/apps/{app}/builds`, `GET /api/v1/builds/{id}`, its log (JSON, or a
//! live server-sent-event stream), its package, and cancelling.

use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::json::{ApiQuery, optional_json};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use domain::build::{Build, LogLine};
use domain::paging::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

/// The body of `POST .../builds`: the revision to build (the head when absent).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BuildRequest {
    rev: Option<String>,
}

/// Queues a build (developers and admins). 202 with the queued build (`id` among its fields).
/// The body may be empty (build the head).
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Path(app): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Build>), ApiError> {
    let request: BuildRequest = optional_json(&body)?;
    let build = state.builds.enqueue(&who.0, &app, request.rev.as_deref()).await?;
    Ok((StatusCode::ACCEPTED, Json(build)))
}

/// `?limit=&cursor=` of the build list.
#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<u32>,
    cursor: Option<String>,
}

/// An app's builds, newest first.
pub async fn list(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Build>>, ApiError> {
    let page = PageRequest { limit: query.limit, cursor: query.cursor };
    Ok(Json(state.builds.list(&app, &page).await?))
}

/// One build with its steps and package.
pub async fn get(State(state): State<AppState>, _who: SignedIn, Path(id): Path<i64>) -> Result<Json<Build>, ApiError> {
    Ok(Json(state.builds.get(id).await?))
}

/// Cancels a queued or running build (developers and admins).
pub async fn cancel(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Build>, ApiError> {
    Ok(Json(state.builds.cancel(&who.0, id).await?))
}

/// `?after=` (a sequence number) of the log.
#[derive(Deserialize)]
pub struct LogQuery {
    after: Option<i64>,
}

/// The JSON log.
#[derive(Serialize)]
pub struct LogPage {
    status: domain::build::BuildStatus,
    lines: Vec<LogLine>,
}

const LOG_PAGE: u32 = 5_000;

/// The log: JSON lines after `?after=`; with `Accept: text/event-stream`, a live stream of
/// `line` events (id = sequence number, so `Last-Event-ID` resumes), `build` events whenever the
/// build's state changes, and one `end` event when it has ended.
pub async fn log(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> Result<Response, ApiError> {
    let wants_stream = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"));
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok());
    let after = resume.or(query.after).unwrap_or(0);
    let build = state.builds.get(id).await?;
    if !wants_stream {
        let lines = state.builds.log(id, after, LOG_PAGE).await?;
        return Ok(Json(LogPage { status: build.status, lines }).into_response());
    }
    let stream =
        LiveLog { builds: state.builds.clone(), id, after, queue: VecDeque::new(), last_build: None, ended: false };
    let events = futures_util::stream::unfold(stream, |mut live| async move {
        live.next().await.map(|event| (Ok::<_, Infallible>(event), live))
    });
    let mut response = Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response();
    // Proxies must not buffer a live log.
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The state of one live log stream.
struct LiveLog {
    builds: build::Builds,
    id: i64,
    after: i64,
    queue: VecDeque<Event>,
    last_build: Option<String>,
    ended: bool,
}

impl LiveLog {
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            if self.ended {
                return None;
            }
            // Subscribe before reading, so a write between the read and the wait is not missed.
            let mut changes = self.builds.changes();
            changes.borrow_and_update();
            if self.poll().await {
                continue;
            }
            let _ = tokio::time::timeout(Duration::from_secs(10), changes.changed()).await;
        }
    }

    /// Reads what is new into the queue; whether anything was.
    async fn poll(&mut self) -> bool {
        // The build before its lines: a build's lines are all stored before it ends, so when the
        // build read is final, the lines read after it are the last ones. (Lines first let a
        // build end between the two reads, and the stream ended without its last lines.)
        let build = self.builds.get(self.id).await;
        let lines = self.builds.log(self.id, self.after, 500).await;
        let (Ok(lines), Ok(build)) = (lines, build) else {
            self.queue.push_back(Event::default().event("error").data("the log cannot be read; reload to try again"));
            self.ended = true;
            return true;
        };
        let had_lines = !lines.is_empty();
        for line in lines {
            self.after = line.seq;
            let data = serde_json::to_string(&line).expect("a log line serialises");
            self.queue.push_back(Event::default().event("line").id(line.seq.to_string()).data(data));
        }
        let json = serde_json::to_string(&build).expect("a build serialises");
        if self.last_build.as_deref() != Some(json.as_str()) {
            self.queue.push_back(Event::default().event("build").data(json.clone()));
            self.last_build = Some(json.clone());
        }
        if build.status.is_final() && !had_lines {
            self.queue.push_back(Event::default().event("end").data(json));
            self.ended = true;
        }
        !self.queue.is_empty()
    }
}

/// The package (`.tcx`) of a succeeded build.
pub async fn package(State(state): State<AppState>, _who: SignedIn, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let (package, path) = state.builds.package(id).await?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|err| apps::AppsError::Internal(format!("reading {}: {err}", path.display())))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    let disposition = format!("attachment; filename=\"{}\"", package.file_name.replace(['"', '\\'], "_"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("\"{}\"", package.sha256)) {
        headers.insert(header::ETAG, value);
    }
    headers.insert("x-sha256", HeaderValue::from_str(&package.sha256).expect("hex is a valid header"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    Ok(response)
}
