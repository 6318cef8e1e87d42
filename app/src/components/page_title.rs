//! The browser tab's title for a page.
//!
//! Pages render inside the signed-in shell's `<Suspense>`, and a leptos_meta `<Title>` there can
//! stall the streamed response (seen as pages that never finish loading, now and then under
//! load). So the server renders the root's plain "AppBuilder" title and each page sets its own
//! once it is live in the browser.

use leptos::prelude::*;

/// Sets the document title to "`text` · AppBuilder" in the browser.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "browser")]
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!("{text} · AppBuilder"));
        }
        #[cfg(not(feature = "browser"))]
        let _ = &text;
    });
}
