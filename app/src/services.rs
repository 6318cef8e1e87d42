//! What every server fn does first: find the signed-in principal and the app service, and turn
//! the service's errors into messages the UI may show (internal causes stay in the server log).

use leptos::prelude::*;

/// The signed-in principal and the app service, or the error the UI shows.
pub fn apps_service() -> Result<(domain::Principal, apps::Apps), ServerFnError> {
    let principal = crate::auth::principal().ok_or_else(|| ServerFnError::new("Sign in first."))?;
    let apps = use_context::<apps::Apps>().ok_or_else(|| ServerFnError::new("the app service is not available"))?;
    Ok((principal, apps))
}

/// Sets the HTTP status of the page or server fn being answered (when there is one).
pub fn respond_with(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// The service error as the UI may show it, with the matching HTTP status.
pub fn shown(err: apps::AppsError) -> ServerFnError {
    match err {
        apps::AppsError::Internal(cause) => {
            tracing::error!(%cause, "app service failure");
            ServerFnError::new("Something went wrong on the server; the log has the details.")
        }
        other => {
            // A user error: answer 4xx, so the server's log keeps 5xx for real failures.
            if let Ok(status) = http::StatusCode::from_u16(other.status()) {
                respond_with(status);
            }
            ServerFnError::new(other.to_string())
        }
    }
}

/// The signed-in principal and the build service, or the error the UI shows.
pub fn builds_service() -> Result<(domain::Principal, build::Builds), ServerFnError> {
    let principal = crate::auth::principal().ok_or_else(|| ServerFnError::new("Sign in first."))?;
    let builds =
        use_context::<build::Builds>().ok_or_else(|| ServerFnError::new("the build service is not available"))?;
    Ok((principal, builds))
}

/// The signed-in principal and the runtime service, or the error the UI shows.
pub fn runtime_service() -> Result<(domain::Principal, runtime::Runtime), ServerFnError> {
    let principal = crate::auth::principal().ok_or_else(|| ServerFnError::new("Sign in first."))?;
    let runtime =
        use_context::<runtime::Runtime>().ok_or_else(|| ServerFnError::new("the runtime is not available"))?;
    Ok((principal, runtime))
}

/// The signed-in principal and the releases service, or the error the UI shows.
pub fn releases_service() -> Result<(domain::Principal, reviews::Releases), ServerFnError> {
    let principal = crate::auth::principal().ok_or_else(|| ServerFnError::new("Sign in first."))?;
    let releases = use_context::<reviews::Releases>()
        .ok_or_else(|| ServerFnError::new("the releases service is not available"))?;
    Ok((principal, releases))
}

/// The signed-in principal and the snippet service, or the error the UI shows.
pub fn snippets_service() -> Result<(domain::Principal, apps::Snippets), ServerFnError> {
    let principal = crate::auth::principal().ok_or_else(|| ServerFnError::new("Sign in first."))?;
    let snippets =
        use_context::<apps::Snippets>().ok_or_else(|| ServerFnError::new("the snippet service is not available"))?;
    Ok((principal, snippets))
}
