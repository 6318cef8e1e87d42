//! JSON in and out: an extractor whose rejections use the API's error body, and a safety net that
//! gives every error answer under `/api/` that body, whatever produced it.

use crate::error::ApiError;
use crate::state::HttpSettings;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// `Json<T>` with rejections as [`ApiError`]s: 400 with serde's explanation for malformed or
/// incomplete bodies, 413 for oversize ones.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
    Arc<HttpSettings>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = Arc::<HttpSettings>::from_ref(state).body_limit_for(request.uri().path());
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection, limit)),
        }
    }
}

fn json_rejection(rejection: JsonRejection, limit: usize) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::bad_request("send the body as JSON with `Content-Type: application/json`")
        }
        JsonRejection::JsonSyntaxError(err) => {
            ApiError::bad_request(format!("the body is not valid JSON: {}", err.body_text()))
        }
        JsonRejection::JsonDataError(err) => {
            ApiError::bad_request(format!("the body does not have the expected fields: {}", err.body_text()))
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(limit),
        other => ApiError::bad_request(other.body_text()),
    }
}

/// `Query<T>` with rejections as [`ApiError`]s: 400 naming the parameter that did not parse.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::bad_request(rejection.body_text())),
        }
    }
}

/// Middleware: an error answer under `/api/` that is not already JSON (a method the route does
/// not take, a body over the limit caught before any handler) gets the API's error body.
pub async fn json_error_bodies(State(settings): State<Arc<HttpSettings>>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let limit = settings.body_limit_for(request.uri().path());
    let response = next.run(request).await;
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if api && (response.status().is_client_error() || response.status().is_server_error()) && !is_json {
        let (parts, _) = response.into_parts();
        let error = match parts.status {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(limit),
            status => ApiError::from_status(status),
        };
        let mut fixed = error.into_response();
        for name in [header::ALLOW, header::RETRY_AFTER] {
            if let Some(value) = parts.headers.get(&name) {
                fixed.headers_mut().insert(name, value.clone());
            }
        }
        return fixed;
    }
    response
}

/// A JSON body that may be empty (then the default): for actions whose options are all optional.
pub fn optional_json<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|err| ApiError::bad_request(format!("the body is not valid here: {err}")))
}
