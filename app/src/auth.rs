//! Who is signed in, as the UI sees it, and the calls that sign in and out.

use domain::Me;
use leptos::prelude::*;

/// The signed-in user (or `None`), loaded once per page with the HTML.
#[derive(Clone, Copy)]
pub struct SignedInUser(pub Resource<Result<Option<Me>, ServerFnError>>);

/// Creates the [`SignedInUser`] resource and provides it to every component below.
pub fn provide_current_user() {
    // Blocking: the page's HTML depends on it, and it costs nothing (the server resolved the
    // principal before rendering).
    let resource = Resource::new_blocking(|| (), |_| current_user());
    provide_context(SignedInUser(resource));
}

/// The principal the server's auth layer resolved for this request, if any.
#[cfg(feature = "ssr")]
pub fn principal() -> Option<domain::Principal> {
    use_context::<http::request::Parts>()?.extensions.get::<domain::Principal>().cloned()
}

/// The user the request was made for, as resolved by the server's auth layer.
#[server(prefix = "/rpc")]
pub async fn current_user() -> Result<Option<Me>, ServerFnError> {
    Ok(principal().as_ref().map(domain::Principal::me))
}

/// What a sign-in attempt came to, in words for the form.
#[cfg(feature = "browser")]
pub async fn sign_in(username: &str, password: &str) -> Result<(), String> {
    let body = serde_json::json!({ "username": username, "password": password });
    let request = gloo_net::http::Request::post("/api/v1/session").json(&body).map_err(|err| err.to_string())?;
    let response = request.send().await.map_err(|_| NO_ANSWER.to_owned())?;
    match response.status() {
        200..=299 => Ok(()),
        401 => Err("Wrong user name or password.".to_owned()),
        _ => Err(error_message(response).await),
    }
}

/// Ends this browser's session.
#[cfg(feature = "browser")]
pub async fn sign_out() -> Result<(), String> {
    let response = gloo_net::http::Request::delete("/api/v1/session").send().await.map_err(|_| NO_ANSWER.to_owned())?;
    if response.ok() || response.status() == 401 { Ok(()) } else { Err(error_message(response).await) }
}

/// What a REST call from the browser says when no answer came.
#[cfg(feature = "browser")]
pub(crate) const NO_ANSWER: &str = "The server did not answer. Is it running?";

/// The `message` of an API error body, or a generic text when there is none.
#[cfg(feature = "browser")]
pub(crate) async fn error_message(response: gloo_net::http::Response) -> String {
    let status = response.status();
    response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|body| body.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| format!("The server answered {status}."))
}

/// Loads `path` anew from the server, which renders it for whoever is signed in now (in the
/// browser; nothing on the server, which never calls it).
pub fn reload_at(path: &str) {
    #[cfg(feature = "browser")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "browser"))]
    let _ = path;
}
