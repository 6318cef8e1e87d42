//! AppBuilder's user interface, written with Leptos.
//!
//! The same crate is compiled three times: with `ssr` into the server, which renders every page to
//! HTML; with `hydrate` to the main wasm bundle, which takes over that HTML in the browser; and
//! with `editor-bundle` to the editor page's own, smaller bundle, which draws the editor in the
//! browser without the router or the other pages ([`start_editor`], `docs/editor.md`). The route
//! table is in [`App`]; each page lives in `pages/` with the server fns it uses. Server fns reach the rest of
//! the system only through what the server puts into the request (the signed-in principal) or
//! provides as context; this crate never names a storage adapter.
//!
//! Sign-in and sign-out call the public REST API (`/api/v1/session`), like any other client, and
//! then reload the page so the server renders it for the new user.

// The editor page's view types nest deeper than rustc's default limit when built for wasm.
#![recursion_limit = "256"]

pub mod auth;
mod components;
mod pages;

/// The app an editor page's path names (`/apps/{app}`), for the server's status of that page.
#[cfg(feature = "ssr")]
pub use pages::editor::editor_slug;
#[cfg(feature = "ssr")]
mod services;

use components::shell::SignedInShell;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};
use pages::admin::AdminPage;
use pages::app_list::AppListPage;
use pages::builds::{BuildPage, BuildsPage};
use pages::deploy::{DeploymentsPage, RunPage, RunsPage};
use pages::editor::EditorPage;
use pages::guides::{GuidePage, GuidesPage};
use pages::history::{BlamePage, CommitPage, ComparePage, HistoryPage};
use pages::not_found::NotFound;
use pages::releases::{ReleasesPage, ReviewPage, ReviewsPage};
use pages::snippets::SnippetsPage;

/// The HTML document around the app, rendered on the server only. The stylesheet and the
/// scripts come from `options.site_pkg_dir` (the current build's folder, `pkg/<build id>`).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="dark"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <link rel="stylesheet" id="leptos" href=format!("/{}/appbuilder.css", options.site_pkg_dir)/>
                <AutoReload options=options.clone()/>
                <PageScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The root component: the signed-in user and the route table.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    auth::provide_current_user();
    mark_hydrated();

    view! {
        <Title formatter=|page: String| if page.is_empty() { "AppBuilder".to_owned() } else { format!("{page} · AppBuilder") }/>
        <Router>
            // Pages about one app or record render whole before they are sent (`SsrMode::Async`),
            // so a missing one answers 404: with streaming, the status is sent before the data
            // that decides it has loaded.
            <Routes fallback=|| view! { <NotFound/> }>
                <ParentRoute path=path!("") view=SignedInShell>
                    <Route path=path!("") view=AppListPage/>
                    <Route path=path!("apps/:app") view=EditorPage/>
                    <Route path=path!("apps/:app/history") ssr=SsrMode::Async view=HistoryPage/>
                    <Route path=path!("apps/:app/commits/:rev") ssr=SsrMode::Async view=CommitPage/>
                    <Route path=path!("apps/:app/compare") ssr=SsrMode::Async view=ComparePage/>
                    <Route path=path!("apps/:app/blame") ssr=SsrMode::Async view=BlamePage/>
                    <Route path=path!("apps/:app/builds") ssr=SsrMode::Async view=BuildsPage/>
                    <Route path=path!("builds/:id") ssr=SsrMode::Async view=BuildPage/>
                    <Route path=path!("apps/:app/deployments") ssr=SsrMode::Async view=DeploymentsPage/>
                    <Route path=path!("apps/:app/runs") ssr=SsrMode::Async view=RunsPage/>
                    <Route path=path!("runs/:id") ssr=SsrMode::Async view=RunPage/>
                    <Route path=path!("apps/:app/releases") ssr=SsrMode::Async view=ReleasesPage/>
                    <Route path=path!("reviews") view=ReviewsPage/>
                    <Route path=path!("reviews/:id") ssr=SsrMode::Async view=ReviewPage/>
                    <Route path=path!("guides") view=GuidesPage/>
                    <Route path=path!("guides/:guide") ssr=SsrMode::Async view=GuidePage/>
                    <Route path=path!("snippets") view=SnippetsPage/>
                    <Route path=path!("admin") view=AdminPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Sets `data-hydrated` on `<body>` once the wasm has taken over the page, so that browser tests
/// (and people debugging) can tell a live page from server-rendered HTML.
fn mark_hydrated() {
    Effect::new(|_| mark_live());
}

/// Marks the page as live (`<body data-hydrated="true">`), in the browser.
pub(crate) fn mark_live() {
    #[cfg(feature = "browser")]
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// The script that brings the page to life: the editor bundle on the editor page of a signed-in
/// user, the main bundle (hydrating the server's HTML) everywhere else.
#[component]
fn PageScripts(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let path = use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_owned()).unwrap_or_default();
        if pages::editor::is_editor_path(&path) && auth::principal().is_some() {
            let pkg = options.site_pkg_dir.to_string();
            let start = format!(
                "import('/{pkg}/editor.js').then(m => m.default({{module_or_path: '/{pkg}/editor_bg.wasm'}}).then(() => m.start_editor()));"
            );
            // The same nonce Leptos gives its own inline scripts, so that a nonce-based
            // Content-Security-Policy, should the server send one, lets this one run too.
            let nonce = leptos::nonce::use_nonce();
            return view! {
                <link rel="modulepreload" href=format!("/{pkg}/editor.js")/>
                <link rel="preload" href=format!("/{pkg}/editor_bg.wasm") r#as="fetch" r#type="application/wasm" crossorigin=""/>
                <script type="module" nonce=nonce>{start}</script>
            }
            .into_any();
        }
    }
    view! { <HydrationScripts options/> }.into_any()
}

/// For bench/validate.sh: the mean milliseconds of one run of the metadata validator (the code the
/// editor runs on every keystroke) over `files` (a JSON object `{"path": "text"}`), timed over
/// `iterations` runs in this browser.
#[cfg(feature = "editor-bundle")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn validator_benchmark(files: &str, iterations: u32) -> f64 {
    let texts: std::collections::BTreeMap<String, String> = serde_json::from_str(files).unwrap_or_default();
    let files = domain::manifest::Files { paths: texts.keys().cloned().collect(), texts, slug: "oracle-app".into() };
    let iterations = iterations.max(1);
    let start = js_sys::Date::now();
    for _ in 0..iterations {
        std::hint::black_box(domain::manifest::validate(std::hint::black_box(&files)));
    }
    (js_sys::Date::now() - start) / f64::from(iterations)
}

/// The editor bundle's entry point: called by the script the server puts into the editor page.
#[cfg(feature = "editor-bundle")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn start_editor() {
    console_error_panic_hook::set_once();
    pages::editor::start();
}

/// The main bundle's entry point: called by the hydration script the server puts into every
/// page but the editor.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    pages::editor::load_editor_links_anew();
    leptos::mount::hydrate_body(App);
}
