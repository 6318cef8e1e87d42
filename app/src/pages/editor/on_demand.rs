//! The editor's parts that load on first use: the metadata forms, the snippet picker and the
//! conflict view. Each is a split point (`wasm_split`): in the editor bundle, `scripts/build-site`
//! (wasm-split-cli) cuts its code out into a wasm chunk of its own, fetched the first time the
//! part opens, so the page loads without it (docs/editor.md, "Bundle size"). In every other
//! build the call is direct.
//!
//! A chunk that cannot be fetched (the network went away, or the page is older than the builds
//! the site keeps, `scripts/build-site`) shows a readable error with "Try again" where the part
//! would be, and says that a reload keeps unsaved changes (they are in the draft). It never takes
//! the editor down.

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
use std::pin::Pin;

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

/// The metadata forms, fetched on first use (in place: the toolbar's toggle closes them).
#[component]
pub fn MetadataForms(problems: Memo<Vec<Problem>>) -> impl IntoView {
    view! { <Fetched what="the metadata forms" load=Box::new(move || Box::pin(metadata_forms(problems))) over_page=false close=None/> }
}

/// The snippet picker's box, fetched on first use; its status over the page can be closed.
#[component]
pub fn SnippetPickerBox(ide: Ide) -> impl IntoView {
    let close = Callback::new(move |()| ide.snippet_picker.set(false));
    view! { <Fetched what="the snippet picker" load=Box::new(move || Box::pin(snippet_picker(ide))) over_page=true close=Some(close)/> }
}

/// The conflict view's panel, fetched on first use. Its status has no Close: the conflict stays
/// until it is settled (the user's text is safe in the working copy meanwhile).
#[component]
pub fn ConflictPanelFetched(ide: Ide) -> impl IntoView {
    view! { <Fetched what="the conflict view" load=Box::new(move || Box::pin(conflict_panel(ide))) over_page=true close=None/> }
}

/// Starts fetching a part (boxed: one `Fetched` serves every part, which keeps the bundle small).
type Load = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Result<AnyView, NotLoaded>>>> + Send + Sync>;

/// Where a part's fetch stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fetch {
    Loading,
    Failed,
    Done,
}

/// The part `load` gives, once it is here. Until then a status says it is loading or, if it
/// cannot be fetched, shows an error with "Try again" (focused, for the keyboard) and, given
/// `close`, a Close button. `over_page` shows the status over the page, where the part (a dialog)
/// would be, instead of in place.
#[component]
fn Fetched(what: &'static str, load: Load, over_page: bool, close: Option<Callback<()>>) -> impl IntoView {
    let attempt = RwSignal::new(0u32);
    let fetch = RwSignal::new(Fetch::Loading);
    let part = move || {
        attempt.track();
        let part = load();
        // The chunk loads in this browser thread only; Suspend asks for Send.
        Suspend::new(SendWrapper::new(async move {
            let part = part.await;
            fetch.set(if part.is_ok() { Fetch::Done } else { Fetch::Failed });
            part.ok()
        }))
    };
    let retry = move |_| {
        fetch.set(Fetch::Loading);
        attempt.update(|n| *n += 1);
    };
    let retry_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = retry_button.get() {
            let _ = button.focus();
        }
    });
    let status = move || {
        let status = match fetch.get() {
            Fetch::Done => return None,
            Fetch::Loading => view! { <p class="muted" data-testid="part-loading">"Loading " {what} "…"</p> }.into_any(),
            Fetch::Failed => view! {
                <div class="banner banner-error" role="alert" data-testid="part-error">
                    <p>"Could not load " {what} ". Check the connection and try again, or reload the page: unsaved changes are kept."</p>
                    <button class="button" data-testid="part-retry" node_ref=retry_button on:click=retry>"Try again"</button>
                    {close.map(|close| view! {
                        <button class="button button-quiet" data-testid="part-close" on:click=move |_| close.run(())>"Close"</button>
                    })}
                </div>
            }
            .into_any(),
        };
        Some(if over_page {
            view! { <div class="overlay"><div class="part-status">{status}</div></div> }.into_any()
        } else {
            status
        })
    };
    view! {
        {status}
        {part}
    }
}
