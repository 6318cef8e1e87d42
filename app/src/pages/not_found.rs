//! What an unknown page URL shows.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;

/// A plain "not found" page with a way back. The server answers such URLs with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle text="Not found"/>
        <main class="page page-narrow">
            <h1>"Page not found"</h1>
            <p class="muted">"There is nothing at this address."</p>
            <p><a class="button" href="/">"Back to the app list"</a></p>
        </main>
    }
}
