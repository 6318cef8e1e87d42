//! The editor's parts that load on first use: the metadata forms, the snippet picker and the
//! conflict view. Each is a split point (`wasm_split`): in the editor bundle, `scripts/build-site`
//! (wasm-split-cli) cuts its code out into a wasm chunk of its own, fetched the first time the
//! part opens, so the page loads without it (docs/editor.md, "Bundle size"). In every other
//! build the call is direct.
//!
//! A chunk that cannot be fetched (the network went away) shows a readable error with a "Try
//! again" button where the part would be; it never takes the editor down, and what the user
//! typed stays in the working copy.

use super::conflict::ConflictPanel;
use super::metadata::MetadataEditor;
use super::snippet_picker::PickerBox;
use super::state::Ide;
use domain::problem::Problem;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
#[cfg(feature = "editor-bundle")]
use leptos::wasm_split::wasm_split;
use send_wrapper::SendWrapper;
use std::future::Future;

/// A part that could not be fetched.
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// Declares a split point: a function that draws a part. In the editor bundle, `wasm_split`
/// cuts it (and what only it uses) into the chunk `$chunk`, and makes it async (`fallible`: a
/// failed fetch is an `Err`, not an abort). Elsewhere it is a plain async function: the main
/// bundle compiles this module without running it, and the split point's export would keep the
/// part in that bundle.
macro_rules! split_point {
    ($chunk:ident, $(#[$doc:meta])* fn $name:ident($arg:ident: $ty:ty) $body:block) => {
        $(#[$doc])*
        #[cfg(feature = "editor-bundle")]
        #[wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $name($arg: $ty) -> Result<AnyView, NotLoaded> $body

        $(#[$doc])*
        #[cfg(not(feature = "editor-bundle"))]
        async fn $name($arg: $ty) -> Result<AnyView, NotLoaded> $body
    };
}

split_point!(
    metadata_forms,
    /// The metadata forms over install.json and layout.json.
    fn metadata_forms(problems: Memo<Vec<Problem>>) {
        Ok(view! { <MetadataEditor problems/> }.into_any())
    }
);

split_point!(
    snippet_picker,
    /// The snippet picker's box (its list, preview and "save the selection" form).
    fn snippet_picker(ide: Ide) {
        Ok(view! { <PickerBox ide/> }.into_any())
    }
);

split_point!(
    conflict_view,
    /// The conflict view's panel: Monaco's diff editor over each conflicting file.
    fn conflict_panel(ide: Ide) {
        Ok(view! { <ConflictPanel ide/> }.into_any())
    }
);

/// The metadata forms, fetched on first use.
#[component]
pub fn MetadataForms(problems: Memo<Vec<Problem>>) -> impl IntoView {
    view! { <Fetched what="the metadata forms" load=move || metadata_forms(problems)/> }
}

/// The snippet picker's box, fetched on first use.
#[component]
pub fn SnippetPickerBox(ide: Ide) -> impl IntoView {
    view! { <Fetched what="the snippet picker" load=move || snippet_picker(ide)/> }
}

/// The conflict view's panel, fetched on first use.
#[component]
pub fn ConflictPanelFetched(ide: Ide) -> impl IntoView {
    view! { <Fetched what="the conflict view" load=move || conflict_panel(ide)/> }
}

/// The part `load` gives, once it is here: a loading line until then, or, if it cannot be
/// fetched, an error with a button that tries again.
#[component]
fn Fetched<L, F>(what: &'static str, load: L) -> impl IntoView
where
    L: Fn() -> F + Send + Sync + 'static,
    F: Future<Output = Result<AnyView, NotLoaded>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    let loading = RwSignal::new(true);
    let retry = move |_| {
        loading.set(true);
        attempt.update(|n| *n += 1);
    };
    let part = move || {
        attempt.track();
        let part = load();
        // The chunk loads in this browser thread only; Suspend asks for Send.
        Suspend::new(SendWrapper::new(async move {
            let part = part.await;
            loading.set(false);
            part.unwrap_or_else(|NotLoaded| {
                view! {
                    <p class="banner banner-error" role="alert" data-testid="part-error">
                        "Could not load " {what} ": check the connection. "
                        <button class="button button-quiet" data-testid="part-retry" on:click=retry>"Try again"</button>
                    </p>
                }
                .into_any()
            })
        }))
    };
    view! {
        {move || loading.get().then(|| view! { <p class="muted" data-testid="part-loading">"Loading " {what} "…"</p> })}
        {part}
    }
}
