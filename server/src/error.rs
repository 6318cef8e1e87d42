//! The HTTP layer's one error type and the JSON error body of the API contract:
//! `{"error": "<stable_code>", "message": "<what to do>", ...details}`.

use accounts::AccountsError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// An error answer: status, stable code, a message for people, and optional detail fields.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Box<Map<String, Value>>,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: Box::default(), retry_after_secs: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in, or send an API token as `Authorization: Bearer <token>`",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than the limit of {limit} bytes"),
        )
        .with("limit_bytes", limit)
    }

    /// A failure that is not the client's: the cause goes to the log (with the request's span,
    /// so its request id), the client gets an opaque message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server; the log has the details under this response's x-request-id",
        )
    }

    /// Adds a detail field to the body.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }

    /// The default answer for a bare status code (used for framework rejections and unknown routes).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::UNAUTHORIZED => return Self::unauthorized(),
            StatusCode::FORBIDDEN => ("forbidden", "your role does not allow this"),
            StatusCode::NOT_FOUND => ("not_found", "there is no such resource; see GET /api/v1/openapi.json"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this resource does not accept that method"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("bad_request", "send the body as JSON with `Content-Type: application/json`")
            }
            StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "too many requests; wait and try again"),
            s if s.is_server_error() => ("internal", "something went wrong on the server"),
            _ => ("bad_request", "the request could not be understood"),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.code, "message": self.message });
        if let Value::Object(fields) = &mut body {
            fields.extend(*self.details);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<AccountsError> for ApiError {
    fn from(err: AccountsError) -> Self {
        match err {
            AccountsError::BadCredentials => {
                Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong user name or password")
            }
            AccountsError::RateLimited { retry_after } => {
                let secs = retry_after.as_secs().max(1);
                let mut err = Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("too many failed sign-ins; try again in {secs} s"),
                )
                .with("retry_after_seconds", secs);
                err.retry_after_secs = Some(secs);
                err
            }
            AccountsError::Invalid(message) => Self::bad_request(message),
            AccountsError::Conflict(message) => Self::conflict(message),
            AccountsError::NotFound => Self::not_found("no such user"),
            AccountsError::Internal(cause) => Self::internal(cause),
        }
    }
}

impl From<apps::AppsError> for ApiError {
    fn from(err: apps::AppsError) -> Self {
        use apps::AppsError;
        match err {
            AppsError::InvalidPath { path, reason } => {
                Self::new(StatusCode::BAD_REQUEST, "invalid_path", format!("invalid path {path:?}: {reason}"))
                    .with("path", path)
            }
            AppsError::UnsafeArchive(reason) => {
                Self::bad_request(format!("the archive was refused and nothing was stored: {reason}"))
                    .with("reason", reason)
            }
            AppsError::Invalid(message) => Self::bad_request(message),
            AppsError::Forbidden(message) => Self::forbidden(message),
            AppsError::NotFound(message) => Self::not_found(message),
            AppsError::Conflict { head, paths } => {
                let message = err_message_for_conflict(&paths);
                Self::conflict(message)
                    .with("head", head.to_string())
                    .with("paths", paths.iter().map(|p| Value::from(p.as_str())).collect::<Vec<_>>())
            }
            AppsError::TooLarge(message) => Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message),
            AppsError::Breaking { changes } => Self::new(
                StatusCode::CONFLICT,
                "breaking_change",
                format!(
                    "this build breaks the deployed contract ({}) without a major version bump; bump the major version, or deploy with a reason",
                    changes.join("; ")
                ),
            )
            .with("changes", changes.into_iter().map(Value::from).collect::<Vec<_>>()),
            AppsError::Busy(message) => Self::new(StatusCode::TOO_MANY_REQUESTS, "busy", message),
            AppsError::StateConflict(message) => Self::new(StatusCode::CONFLICT, "conflict", message),
            // The UI's server fns answer with the same statuses, from `AppsError::status()`.
            AppsError::Internal(cause) => Self::internal(cause),
        }
    }
}

fn err_message_for_conflict(paths: &[domain::app::RepoPath]) -> String {
    let names: Vec<&str> = paths.iter().map(|p| p.as_str()).collect();
    format!(
        "someone saved {} since your version; reload them, merge your edits, and save again with the new head as base",
        names.join(", ")
    )
}
