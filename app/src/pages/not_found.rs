//! What a page shows when there is nothing to show: an unknown URL, or a page whose app or
//! record cannot be loaded.

use crate::auth::SignedInUser;
use crate::components::errors::ErrorBanner;
use crate::components::header::Header;
use crate::components::page_title::PageTitle;
use leptos::prelude::*;

/// The page of an unknown URL (the server answers 404), under the usual header for a signed-in
/// user, with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::services::respond_with(http::StatusCode::NOT_FOUND);
    let SignedInUser(me) = expect_context::<SignedInUser>();
    let location = leptos_router::hooks::use_location();
    let path = Signal::derive(move || location.pathname.get());
    view! {
        <PageTitle text="Not found"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { me.await.ok().flatten().map(|me| view! { <Header me path/> }) })}
        </Suspense>
        <main class="page page-narrow">
            <h1>"Page not found"</h1>
            <p class="muted">"There is nothing at this address."</p>
            <p><a class="button" href="/">"Back to the app list"</a></p>
        </main>
    }
}

/// Why a page cannot show what it is about (a missing app, build or run, or a server that cannot
/// be reached), and a way back to the app list. The rest of an app page's body is hidden.
#[component]
pub fn CannotShow(#[prop(into)] message: String) -> impl IntoView {
    // The services' messages start in lower case ("no app \"x\""); here it stands alone. (ASCII
    // only: Unicode's case tables would cost the editor bundle 4 KB.)
    let mut message = message;
    if let Some(first) = message.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    view! {
        <div class="cannot-show" data-testid="cannot-show">
            <ErrorBanner message/>
            <p><a class="button" href="/" data-testid="back-to-apps">"Back to the app list"</a></p>
        </div>
    }
}
