//! Releases, contract diffs, reviews and notifications: thin handlers over `reviews::Releases`.

use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::json::{ApiJson, ApiQuery, optional_json};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::manifest::contract::ContractDiff;
use domain::release::{Proposal, Release, Review, ReviewComment, ReviewState, ReviewView};
use serde::Deserialize;
use serde_json::{Value, json};

/// `?from=&to=`: `to` defaults to the head, `from` to the last release's revision.
#[derive(Deserialize)]
pub struct ContractQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The contract changes between two versions.
pub async fn contract_diff(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<ContractQuery>,
) -> Result<Json<ContractDiff>, ApiError> {
    let (_, _, head) = state.apps.locate(&app, q.to.as_deref()).await?;
    let from = match q.from {
        Some(from) => from,
        None => state
            .releases
            .list(&app)
            .await?
            .into_iter()
            .next()
            .map(|r| r.revision)
            .ok_or_else(|| ApiError::bad_request("give `from`: the app has no release to compare with"))?,
    };
    Ok(Json(state.apps.contract_diff(&app, &from, head.as_str()).await?))
}

/// The app's releases, highest version first.
pub async fn list(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
) -> Result<Json<Vec<Release>>, ApiError> {
    Ok(Json(state.releases.list(&app).await?))
}

/// `{"rev"?, "notes"?}` of a new release.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    rev: Option<String>,
    notes: Option<String>,
}

/// Releases a revision (the head when `rev` is absent). 201 with the release.
pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Path(app): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Release>), ApiError> {
    let body: ReleaseBody = optional_json(&body)?;
    let release = state.releases.create(&who.0, &app, body.rev.as_deref(), body.notes.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(release)))
}

/// `?rev=` of a proposal.
#[derive(Deserialize)]
pub struct ProposalQuery {
    rev: Option<String>,
}

/// What a release of `rev` (the head) would be: version, contract changes, suggested version, notes.
pub async fn proposal(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(app): Path<String>,
    ApiQuery(q): ApiQuery<ProposalQuery>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(state.releases.propose(&app, q.rev.as_deref()).await?))
}

/// One release.
pub async fn get(
    State(state): State<AppState>,
    _who: SignedIn,
    Path((app, version)): Path<(String, String)>,
) -> Result<Json<Release>, ApiError> {
    Ok(Json(state.releases.get(&app, &version).await?))
}

/// A developer asks for a review of a release. 201 `{"id"}`.
pub async fn request_review(
    State(state): State<AppState>,
    who: SignedIn,
    Path((app, version)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = state.releases.request_review(&who.0, &app, &version).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// `?state=open|approved|changes_requested`.
#[derive(Deserialize)]
pub struct ReviewsQuery {
    state: Option<String>,
}

/// Reviews newest first.
pub async fn reviews(
    State(state): State<AppState>,
    _who: SignedIn,
    ApiQuery(q): ApiQuery<ReviewsQuery>,
) -> Result<Json<Vec<Review>>, ApiError> {
    let wanted = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(ReviewState::parse(text).ok_or_else(|| {
            ApiError::bad_request(format!("state {text:?} is not open, approved or changes_requested"))
        })?),
    };
    Ok(Json(state.releases.reviews(wanted).await?))
}

/// One review with the contract changes and commits since the release before.
pub async fn review(
    State(state): State<AppState>,
    _who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<ReviewView>, ApiError> {
    Ok(Json(state.releases.review(id).await?))
}

/// `{"body", "path"?, "line"?, "pointer"?}` of a comment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    body: String,
    path: Option<String>,
    line: Option<u32>,
    pointer: Option<String>,
}

/// Comments on a review. 201 with the comment.
pub async fn comment(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<ReviewComment>), ApiError> {
    let comment = state
        .releases
        .comment(&who.0, id, &body.body, body.path.as_deref(), body.line, body.pointer.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

/// Approves a review (reviewers and admins, not the release's author).
pub async fn approve(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(state.releases.decide(&who.0, id, true).await?))
}

/// Asks for changes (reviewers and admins, not the release's author).
pub async fn request_changes(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(state.releases.decide(&who.0, id, false).await?))
}

/// The signed-in user's notifications: `{"items", "unread"}`.
pub async fn notifications(State(state): State<AppState>, who: SignedIn) -> Result<Json<Value>, ApiError> {
    let (items, unread) = state.releases.notifications(&who.0, 50).await?;
    Ok(Json(json!({ "items": items, "unread": unread })))
}

/// `{"ids"?}`: which notifications to mark read (all when absent).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    ids: Option<Vec<i64>>,
}

/// Marks notifications read. 204.
pub async fn mark_read(
    State(state): State<AppState>,
    who: SignedIn,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let body: ReadBody = optional_json(&body)?;
    state.releases.mark_read(&who.0, body.ids.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
