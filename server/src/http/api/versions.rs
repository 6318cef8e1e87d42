//! An app's files and versions: tree, files, saves, history, one commit, diff, blame, restore.

use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use apps::{SaveOutcome, parse_path};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use domain::app::FileChange;
use domain::history::{BlameLine, CommitDetail, CommitInfo, Diff, HistoryFilter, Tree};
use domain::paging::{Page, PageRequest};
use serde::Deserialize;

/// `?rev=`: a revision, the head when absent.
#[derive(Deserialize)]
pub struct RevQuery {
    pub rev: Option<String>,
}

/// The files at a revision.
pub async fn tree(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<RevQuery>,
) -> Result<Json<Tree>, ApiError> {
    Ok(Json(state.apps.tree(&app, q.rev.as_deref()).await?))
}

/// Validation and lint of the app at a revision; `X-Revision` names the revision checked.
pub async fn problems(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<RevQuery>,
) -> Result<Response, ApiError> {
    let (revision, problems) = state.apps.problems(&app, q.rev.as_deref()).await?;
    let mut response = Json(problems).into_response();
    response.headers_mut().insert("x-revision", HeaderValue::from_str(revision.as_str()).expect("a revision is hex"));
    Ok(response)
}

/// A file's raw bytes; `X-Revision` names the revision read.
pub async fn file(
    State(state): State<AppState>,
    _who: SignedIn,
    Path((app, path)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<RevQuery>,
) -> Result<Response, ApiError> {
    let (revision, bytes) = state.apps.read_file(&app, q.rev.as_deref(), &path).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert("x-revision", HeaderValue::from_str(revision.as_str()).expect("a revision is hex"));
    Ok(response)
}

/// A file's new content: UTF-8 text, or `{"base64": "..."}` for binary.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum ContentIn {
    Text(String),
    Base64 { base64: String },
}

/// One change of a save.
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
pub enum ChangeIn {
    Put { path: String, content: ContentIn },
    Delete { path: String },
    Move { from: String, path: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    base: String,
    #[serde(default)]
    message: String,
    changes: Vec<ChangeIn>,
}

fn file_change(change: ChangeIn) -> Result<FileChange, ApiError> {
    Ok(match change {
        ChangeIn::Put { path, content } => {
            let content = match content {
                ContentIn::Text(text) => text.into_bytes(),
                ContentIn::Base64 { base64 } => {
                    base64::engine::general_purpose::STANDARD.decode(base64.as_bytes()).map_err(|err| {
                        ApiError::bad_request(format!("the content of {path:?} is not valid base64: {err}"))
                    })?
                }
            };
            FileChange::Put { path: parse_path(&path)?, content }
        }
        ChangeIn::Delete { path } => FileChange::Delete { path: parse_path(&path)? },
        ChangeIn::Move { from, path } => FileChange::Move { from: parse_path(&from)?, to: parse_path(&path)? },
    })
}

/// Saves changes as one commit (developers and admins): 201 `{"revision"}`; 200 with
/// `"changed": false` when nothing differed; 409 `conflict` with `head` and `paths`.
pub async fn save(
    State(state): State<AppState>,
    who: SignedIn,
    Path(app): Path<String>,
    ApiJson(body): ApiJson<SaveRequest>,
) -> Result<(StatusCode, Json<SaveOutcome>), ApiError> {
    // Authorization before the changes are validated.
    apps::require_writer(&who.0)?;
    let changes = body.changes.into_iter().map(file_change).collect::<Result<Vec<_>, _>>()?;
    let outcome = state.apps.save(&who.0, &app, &body.base, &body.message, changes).await?;
    let status = if outcome.changed { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(outcome)))
}

/// `?path=&author=&since=&until=&limit=&cursor=` of the history (times: RFC 3339 or a day).
#[derive(Deserialize)]
pub struct HistoryQuery {
    path: Option<String>,
    author: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

impl HistoryQuery {
    fn filter(&self) -> Result<HistoryFilter, ApiError> {
        let path = self.path.as_deref().filter(|p| !p.is_empty()).map(apps::parse_path).transpose()?;
        HistoryFilter::from_text(path, self.author.as_deref(), self.since.as_deref(), self.until.as_deref())
            .map_err(ApiError::bad_request)
    }
}

/// History newest first, of the app or of one path.
pub async fn history(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<Page<CommitInfo>>, ApiError> {
    let filter = q.filter()?;
    let page = PageRequest { limit: q.limit, cursor: q.cursor };
    Ok(Json(state.apps.history_filtered(&app, filter, &page).await?))
}

/// One commit with its changed files.
pub async fn commit(
    State(state): State<AppState>,
    _who: SignedIn,
    Path((app, rev)): Path<(String, String)>,
) -> Result<Json<CommitDetail>, ApiError> {
    Ok(Json(state.apps.commit_detail(&app, &rev).await?))
}

/// `?from=&to=&path=&format=unified`.
#[derive(Deserialize)]
pub struct DiffQuery {
    from: String,
    to: String,
    path: Option<String>,
    format: Option<String>,
}

/// The diff between two revisions, structured (JSON) or as unified text.
pub async fn diff(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Result<Response, ApiError> {
    match q.format.as_deref() {
        None | Some("json") => {
            let diff: Diff = state.apps.diff(&app, &q.from, &q.to, q.path.as_deref()).await?;
            Ok(Json(diff).into_response())
        }
        Some("unified") => {
            let text = state.apps.diff_unified(&app, &q.from, &q.to, q.path.as_deref()).await?;
            Ok(([(header::CONTENT_TYPE, "text/x-diff; charset=utf-8")], text).into_response())
        }
        Some(other) => Err(ApiError::bad_request(format!("unknown diff format {other:?}; use json or unified"))),
    }
}

/// Each line of a file with the commit that last changed it.
pub async fn blame(
    State(state): State<AppState>,
    _who: SignedIn,
    Path((app, path)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<RevQuery>,
) -> Result<Json<Vec<BlameLine>>, ApiError> {
    Ok(Json(state.apps.blame(&app, q.rev.as_deref(), &path).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    rev: String,
    base: String,
}

/// A new commit whose files are `rev`'s (developers and admins). 201 `{"revision"}`.
pub async fn restore(
    State(state): State<AppState>,
    who: SignedIn,
    Path(app): Path<String>,
    ApiJson(body): ApiJson<RestoreRequest>,
) -> Result<(StatusCode, Json<SaveOutcome>), ApiError> {
    let outcome = state.apps.restore(&who.0, &app, &body.rev, &body.base).await?;
    let status = if outcome.changed { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(outcome)))
}
