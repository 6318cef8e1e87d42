//! Errors as people read them.

use leptos::prelude::*;

/// The message of a server fn error without the framework's prefix.
pub fn readable(err: &ServerFnError) -> String {
    let text = err.to_string();
    text.strip_prefix("error running server function: ").unwrap_or(&text).to_owned()
}

/// A red banner with `message`, announced to screen readers.
#[component]
pub fn ErrorBanner(#[prop(into)] message: String) -> impl IntoView {
    view! { <p class="banner banner-error" role="alert" data-testid="error-banner">{message}</p> }
}
