//! `/apps/{app}`: the editor. A file tree, tabs, Monaco, a status bar, and saving every change
//! as one commit; `?path=` opens a file, `?rev=` shows an old version read-only.
//!
//! The server renders the frame with the file tree; Monaco is loaded and created in the browser
//! only (see `bridge`). Unsaved work lives in a [`workspace::WorkingCopy`] that is mirrored to
//! the browser's storage on every change (`drafts`), so a reload loses nothing.

// The editor itself (`Workbench` and what it uses) runs only in the editor bundle; the server and
// the main bundle compile it too (its server fns, its tests, the history pages' shared parts),
// where most of it is unused.
#![cfg_attr(not(feature = "editor-bundle"), allow(dead_code))]

pub(crate) mod api;
pub(crate) mod bridge;
mod conflict;
mod drafts;
mod file_tree;
#[cfg_attr(not(feature = "browser"), allow(dead_code))]
mod keys;
mod layout_form;
mod metadata;
mod on_demand;
mod picker_keys;
mod problems;
mod quick_open;
mod snippet_picker;
mod state;
mod tabs;
mod tree;
mod workspace;

use crate::components::app_nav::{AppNav, AppSection};
use crate::components::confirm::confirm;
use crate::components::errors::ErrorBanner;
#[cfg(feature = "editor-bundle")]
use crate::components::errors::readable;
use crate::components::format::query_value;
use api::AppFiles;
use domain::Me;
use leptos::prelude::*;
use state::{Ide, SaveState};
use workspace::WorkingCopy;

/// The editor's route in the router of the main bundle. The editor has a bundle of its own
/// (`start_editor`, much smaller than the main one), which the server loads instead of the main
/// bundle on this page; so the server renders the frame and a loading line, and the editor bundle
/// draws the rest ([`start`]). Links to the editor load it as a new page ([`load_editor_links_anew`]);
/// should the router still come here (a navigation made in code), the page is loaded anew too.
#[component]
pub fn EditorPage() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        Effect::new(move |_| {
            let target = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
            if let Some(window) = web_sys::window() {
                let _ = window.location().replace(&target);
            }
        });
    }
    view! { <p class="muted page-pad" data-testid="editor-opening">"Opening the app…"</p> }
}

/// Makes the main bundle's router leave links to the editor page to the browser, which loads the
/// page anew with the editor's bundle: each click on such a link is marked `rel="external"`
/// (which the router honours) before the router sees it.
#[cfg(feature = "hydrate")]
pub fn load_editor_links_anew() {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let mark = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let Some(link) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        let href = link.get_attribute("href").unwrap_or_default();
        let path = href.split(['?', '#']).next().unwrap_or_default();
        if path.starts_with('/') && !path.starts_with("//") && is_editor_path(path) {
            let rel = link.get_attribute("rel").unwrap_or_default();
            if !rel.split_whitespace().any(|r| r == "external") {
                let _ = link.set_attribute(
                    "rel",
                    rel.split_whitespace().chain(["external"]).collect::<Vec<_>>().join(" ").as_str(),
                );
            }
        }
    });
    let options = web_sys::AddEventListenerOptions::new();
    options.set_capture(true);
    let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
        "click",
        mark.as_ref().unchecked_ref(),
        &options,
    );
    // For the page's whole life.
    mark.forget();
}

/// Whether `path` (a request's path) is the editor page, `/apps/{app}`: the page the editor
/// bundle serves.
#[cfg_attr(feature = "editor-bundle", allow(dead_code))]
pub fn is_editor_path(path: &str) -> bool {
    editor_slug(path).is_some()
}

/// The app's name (as it is in the path, still percent-encoded) when `path` is `/apps/{app}`.
#[cfg_attr(feature = "editor-bundle", allow(dead_code))]
pub fn editor_slug(path: &str) -> Option<&str> {
    let slug = path.trim_start_matches('/').trim_end_matches('/').strip_prefix("apps/")?;
    (!slug.is_empty() && !slug.contains('/')).then_some(slug)
}

/// Replaces the server-rendered frame with `page`, drawn live, and marks the page live.
#[cfg(feature = "editor-bundle")]
fn replace_page(page: impl FnOnce() -> AnyView + 'static) {
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        body.set_text_content(None);
    }
    leptos::mount::mount_to_body(page);
    crate::mark_live();
}

/// What the editor page's address asks for: `/apps/{app}?path=…&rev=…`.
#[cfg(feature = "editor-bundle")]
struct Address {
    slug: String,
    path: Option<String>,
    rev: Option<String>,
}

#[cfg(feature = "editor-bundle")]
impl Address {
    fn current() -> Option<Self> {
        let location = web_sys::window()?.location();
        let pathname = location.pathname().ok()?;
        let slug = js_sys::decode_uri_component(editor_slug(&pathname)?).ok()?.as_string()?;
        let query = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
        let get = |key: &str| query.get(key).filter(|value| !value.is_empty());
        Some(Self { slug, path: get("path"), rev: get("rev") })
    }
}

/// The editor bundle's start: loads who is signed in and the app's files, then replaces the
/// server-rendered frame with the live page (header and editor), so the frame stays on screen
/// until the live page can take its place.
#[cfg(feature = "editor-bundle")]
pub fn start() {
    // Monaco is most of what the page waits for: start fetching it now, while the data loads
    // (the bridge's own `load` later finds it loading or loaded).
    wasm_bindgen_futures::spawn_local(async {
        let _ = monaco::Monaco::load().await;
    });
    // Leptos's executor starts with the mount (`replace_page`); this task runs before it.
    wasm_bindgen_futures::spawn_local(async move {
        let Some(address) = Address::current() else {
            // The server sent this bundle for `/apps/{app}`, but the app's name does not decode.
            let message = "This address does not name an app.".to_owned();
            replace_page(move || view! { <main class="page"><ErrorBanner message/></main> }.into_any());
            return;
        };
        let me = crate::auth::current_user();
        let files = api::load_app_files(address.slug.clone(), address.rev.clone());
        let (me, files) = futures::join!(me, files);
        let Address { slug, path, rev } = address;
        let page = move || {
            let me = match me {
                Ok(Some(me)) => me,
                // Signed out meanwhile: the server renders the sign-in form at this address.
                Ok(None) => {
                    crate::auth::reload_at(&format!("/apps/{slug}"));
                    return ().into_any();
                }
                Err(err) => {
                    let message = format!("AppBuilder could not tell who you are: {}", readable(&err));
                    return view! { <main class="page"><ErrorBanner message/></main> }.into_any();
                }
            };
            provide_context(me.clone());
            let title = files.as_ref().map_or_else(|_| slug.clone(), |files| files.app.display_name.clone());
            let page = match files {
                Ok(files) => view! { <Workbench files path viewing=rev/> }.into_any(),
                Err(err) => view! { <crate::pages::not_found::CannotShow message=readable(&err)/> }.into_any(),
            };
            view! {
                <crate::components::header::Header me path=format!("/apps/{slug}")/>
                <main class="page"><crate::components::page_title::PageTitle text=title/>{page}</main>
            }
            .into_any()
        };
        replace_page(page);
    });
}

/// The editor around one app's files.
#[component]
fn Workbench(files: AppFiles, path: Option<String>, viewing: Option<String>) -> impl IntoView {
    let user = use_context::<Me>().map(|me| me.username.to_string()).unwrap_or_default();
    let read_only = viewing.is_some() || !files.can_write;
    let slug = files.app.slug.to_string();
    let head = files.revision.clone();
    let copy = WorkingCopy::new(&files.revision, files.files.iter().map(|f| f.path.as_str()));
    let first = path
        .filter(|p| copy.contains(p))
        .or_else(|| ["app.py", "run.py", "README.md"].into_iter().find(|p| copy.contains(p)).map(str::to_owned));
    let ide = Ide::new(slug.clone(), user, read_only, copy);
    provide_context(ide);
    if let Some(first) = first {
        ide.open(&first);
    }

    // The first run picks up a draft this browser kept; every later run keeps the working copy.
    Effect::new(move |first_run: Option<()>| {
        ide.copy.track();
        if read_only {
            return;
        }
        if first_run.is_none() {
            restore_draft(ide, head.clone());
        } else {
            ide.copy.with_untracked(|copy| drafts::keep(&ide.user.get_value(), &ide.slug(), copy));
        }
    });

    let container = NodeRef::<leptos::html::Div>::new();
    start_monaco(ide, container);
    let python = problems::python_problems(ide);
    let problems = problems::problems(ide, python);
    let problems_open = RwSignal::new(false);
    let metadata_open = RwSignal::new(false);
    problems::keep_markers(ide, problems);
    problems::keep_contract_names(ide);
    snippet_picker::keep_user_snippets(ide);
    Effect::new(move |_| problems::load_checked_files(ide));
    Effect::new(move |_| {
        ide.tabs.track();
        ide.editor_ready.track();
        ide.show_active();
    });
    #[cfg(feature = "browser")]
    {
        let listener = keys::listen(move |shortcut| match shortcut {
            keys::Shortcut::Save => ide.save(),
            keys::Shortcut::QuickOpen => ide.quick_open.set(true),
            keys::Shortcut::Snippets if !read_only => ide.snippet_picker.set(true),
            keys::Shortcut::Snippets => {}
        });
        StoredValue::new_local(listener);
    }

    let title = files.app.display_name.clone();
    let revision_banner = viewing.map(|rev| {
        let latest = format!("/apps/{slug}");
        let short = rev.chars().take(10).collect::<String>();
        view! {
            <p class="banner banner-info" data-testid="read-only-banner">
                "Viewing version " <code>{short}</code> " read-only. "
                <a href=latest>"Back to the latest version"</a>
            </p>
        }
    });
    let reviewer_banner = (!files.can_write).then(|| {
        view! { <p class="banner banner-info" data-testid="reviewer-banner">"You can read this app; your role cannot change it."</p> }
    });
    let body = view! {
        <div class="ide-body">
            <aside class="ide-sidebar" aria-label="Files">
                <file_tree::FileTree/>
            </aside>
            <section class="ide-main">
                <TabBar/>
                <div class="ide-editor-area">
                    <div class="monaco-host" node_ref=container data-testid="monaco-host"
                        class:hidden=move || ide.tabs.with(|t| t.active.is_none())></div>
                    <EditorOverlay/>
                    {move || metadata_open.get().then(|| view! { <div class="metadata-host"><on_demand::MetadataForms problems/></div> })}
                </div>
                <problems::ProblemsPanel problems open=problems_open/>
                {(!read_only).then(|| view! { <SaveBar/> })}
                <StatusBar problems problems_open/>
            </section>
        </div>
    }
    .into_any();
    view! {
        <div class="ide" data-testid="ide" data-read-only=read_only.to_string()>
            <AppNav slug=files.app.slug.to_string() name=title current=AppSection::Code>
                <button class="button button-quiet" data-testid="metadata-toggle" aria-pressed=move || metadata_open.get().to_string()
                    title="Edit install.json through forms" on:click=move |_| metadata_open.update(|o| *o = !*o)>
                    {move || if metadata_open.get() { "Back to code" } else { "Metadata" }}
                </button>
                {move || ide.tabs.with(|t| t.active.clone()).map(|path| {
                    let (slug, path) = (ide.slug(), query_value(&path));
                    view! {
                        <a class="button button-quiet" href=format!("/apps/{slug}/history?path={path}") data-testid="file-history">"File history"</a>
                        <a class="button button-quiet" href=format!("/apps/{slug}/blame?path={path}") data-testid="file-blame">"Blame"</a>
                    }
                })}
                <button class="button button-quiet" on:click=move |_| ide.quick_open.set(true) title="Open a file by name (Ctrl+P)"
                    data-testid="quick-open-button">"Go to file…"</button>
                {(!read_only).then(|| view! {
                    <button class="button button-quiet" on:click=move |_| ide.snippet_picker.set(true)
                        title="Insert a snippet (Ctrl+J)" data-testid="snippet-picker-button">"Snippets…"</button>
                })}
                {(!read_only).then(|| view! { <crate::pages::builds::BuildButton slug=files.app.slug.to_string()/> })}
            </AppNav>
            {revision_banner}
            {reviewer_banner}
            {body}
            <conflict::ConflictView/>
            <quick_open::QuickOpen/>
            <snippet_picker::SnippetPicker/>
        </div>
    }
}

/// Loads Monaco into `container` once it is in the page (in the browser only).
fn start_monaco(ide: Ide, container: NodeRef<leptos::html::Div>) {
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let Some(element) = container.get() else { return false };
        #[cfg(feature = "browser")]
        leptos::task::spawn_local(async move {
            let cursor = ide.cursor;
            match bridge::Bridge::start(element.into(), ide.read_only, move |line, column| cursor.set((line, column)))
                .await
            {
                Ok(bridge) => {
                    ide.bridge.set_value(Some(bridge));
                    ide.editor_ready.set(true);
                }
                Err(message) => ide.open_error.set(Some(message)),
            }
        });
        #[cfg(not(feature = "browser"))]
        let _ = (element, ide);
        true
    });
}

/// Picks up the changes this browser kept for the app, and moves them onto the latest version
/// when nobody changed the same files meanwhile (otherwise the next save shows the conflict).
fn restore_draft(ide: Ide, head: String) {
    let Some(draft) = drafts::load(&ide.user.get_value(), &ide.slug()) else { return };
    if !draft.has_changes() {
        return;
    }
    let count = draft.change_count();
    let touched: Vec<String> = draft
        .changes()
        .into_iter()
        .flat_map(|c| match c {
            workspace::TextChange::Put { path, .. } | workspace::TextChange::Delete { path } => vec![path],
            workspace::TextChange::Move { from, path } => vec![from, path],
        })
        .collect();
    let draft_base = draft.base.clone();
    let dirty: Vec<String> = draft.paths().filter(|p| draft.is_dirty(p)).map(str::to_owned).collect();
    ide.copy.set(draft);
    for path in dirty.iter().take(8) {
        ide.open(path);
    }
    let restored = format!("Restored {count} unsaved change{} from this browser", if count == 1 { "" } else { "s" });
    ide.save_state.set(SaveState::Info(restored.clone()));
    if draft_base == head {
        return;
    }
    leptos::task::spawn_local(async move {
        let Ok(changed) = api::changed_paths(ide.slug(), draft_base, head.clone()).await else { return };
        if !ide.alive() {
            return;
        }
        if changed.iter().any(|p| touched.contains(p)) {
            ide.save_state.set(SaveState::Info(format!(
                "{restored}; some of those files changed on the server since, so saving will show both versions"
            )));
        } else {
            ide.follow_server(&head, changed).await;
        }
    });
}

/// The open files; the active one in front, unsaved ones marked.
#[component]
fn TabBar() -> impl IntoView {
    let ide = expect_context::<Ide>();
    view! {
        <div class="tabbar" role="tablist" aria-label="Open files" data-testid="tabbar">
            {move || ide.tabs.with(|tabs| tabs.open.clone()).into_iter().map(|path| {
                let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
                let (p1, p2, p3, p4, p5) = (path.clone(), path.clone(), path.clone(), path.clone(), path.clone());
                let active = move || ide.tabs.with(|t| t.active.as_deref() == Some(p1.as_str()));
                let dirty = move || ide.copy.with(|c| c.is_dirty(&p2));
                view! {
                    <div class="tab" role="tab" tabindex="0" title=path.clone() data-testid="tab" data-path=path.clone()
                        aria-selected={let active = active.clone(); move || active().to_string()} class:active=active
                        on:click=move |_| ide.open(&p3)
                        on:auxclick=move |ev| if ev.button() == 1 { ide.close(&p4) }>
                        <span class="tab-name">{name}</span>
                        <span class="tab-dirty" data-testid="tab-dirty" class:hidden=move || !dirty() aria-label="unsaved">"●"</span>
                        <button class="tab-close" aria-label=format!("Close {path}")
                            on:click=move |ev| { ev.stop_propagation(); ide.close(&p5) }>"×"</button>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

/// What shows instead of the editor: no file open, a binary file, an error, Monaco loading.
#[component]
fn EditorOverlay() -> impl IntoView {
    let ide = expect_context::<Ide>();
    let binary = move || {
        let active = ide.tabs.with(|t| t.active.clone())?;
        ide.copy.with(|c| c.file(&active).is_some_and(|f| f.binary)).then_some(active)
    };
    view! {
        {move || ide.open_error.get().map(|message| view! { <div class="editor-overlay"><ErrorBanner message/></div> })}
        {move || binary().map(|path| {
            let href = format!("/api/v1/apps/{}/files/{}?rev={}", ide.slug(), query_value(&path), ide.copy.with(|c| c.base.clone()));
            view! {
                <div class="editor-overlay" data-testid="binary-file">
                    <p>"This file is not text, so it cannot be edited here."</p>
                    <a class="button" href=href download>"Download it"</a>
                </div>
            }
        })}
        {move || ide.tabs.with(|t| t.active.is_none()).then(|| view! {
            <div class="editor-overlay empty-editor">
                <p class="muted">"Open a file from the tree, or press Ctrl+P to find one by name."</p>
            </div>
        })}
        {move || (ide.tabs.with(|t| t.active.is_some()) && !ide.editor_ready.get() && ide.open_error.get().is_none()).then(|| view! {
            <div class="editor-overlay" data-testid="editor-loading"><p class="muted">"Loading the editor…"</p></div>
        })}
    }
}

/// The commit message and the save button.
#[component]
fn SaveBar() -> impl IntoView {
    let ide = expect_context::<Ide>();
    let count = move || ide.copy.with(WorkingCopy::change_count);
    let saving = move || ide.save_state.with(|s| *s == SaveState::Saving);
    view! {
        <form class="savebar" on:submit=move |ev| { ev.prevent_default(); ide.save(); }>
            <input class="commit-message" type="text" placeholder="Describe your change (optional)" maxlength="2000"
                aria-label="Commit message" data-testid="commit-message" bind:value=ide.message/>
            <button class="button button-primary" type="submit" data-testid="save-button"
                disabled=move || count() == 0 || saving() title="Save every change as one version (Ctrl+S)">
                {move || if saving() { "Saving…".to_owned() } else if count() == 0 { "Saved".to_owned() } else { format!("Save {} change{}", count(), if count() == 1 { "" } else { "s" }) }}
            </button>
            <button class="button button-quiet" type="button" data-testid="discard-button" disabled=move || count() == 0 || saving()
                on:click=move |_| if confirm("Throw away every unsaved change?") { ide.discard_all() }>
                "Discard"
            </button>
        </form>
    }
}

/// Revision, save state, problem counts (a toggle for the panel), cursor and language.
#[component]
fn StatusBar(problems: Memo<Vec<domain::problem::Problem>>, problems_open: RwSignal<bool>) -> impl IntoView {
    use domain::problem::Severity;
    let count = move |severity: Severity| problems.with(|p| p.iter().filter(|p| p.severity == severity).count());
    let ide = expect_context::<Ide>();
    let revision = move || ide.copy.with(|c| c.base.chars().take(8).collect::<String>());
    let state = move || match ide.save_state.get() {
        SaveState::Idle => (String::new(), ""),
        SaveState::Saving => ("Saving…".to_owned(), "status-busy"),
        SaveState::Saved(rev) => (format!("Saved as {}", &rev[..rev.len().min(8)]), "status-ok"),
        SaveState::Info(text) => (text, ""),
        SaveState::Failed(text) => (text, "status-error"),
    };
    let language = move || {
        ide.tabs.with(|t| t.active.as_deref().map(|p| monaco::language_label(monaco::language_for(p)).to_owned()))
    };
    view! {
        <footer class="statusbar" data-testid="statusbar">
            <span class="mono" title="The version your edits are based on" data-testid="status-revision">{revision}</span>
            {ide.read_only.then(|| view! { <span class="chip">"read-only"</span> })}
            <span class=move || state().1 data-testid="save-state" role="status">{move || state().0}</span>
            <span class="spacer"></span>
            <button class="status-problems" data-testid="problems-toggle" aria-pressed=move || problems_open.get().to_string()
                title="Problems in the app's metadata" on:click=move |_| problems_open.update(|o| *o = !*o)>
                <span class="status-error-count" data-testid="error-count">"✕ " {move || count(Severity::Error)}</span>
                <span class="status-warning-count">" ⚠ " {move || count(Severity::Warning)}</span>
            </button>
            <span data-testid="status-cursor">{move || { let (l, c) = ide.cursor.get(); format!("Ln {l}, Col {c}") }}</span>
            <span>{language}</span>
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::is_editor_path;

    #[test]
    fn only_an_apps_own_page_is_the_editor() {
        for path in ["/apps/phish-triage", "/apps/phish-triage/", "apps/a"] {
            assert!(is_editor_path(path), "{path}");
        }
        for path in
            ["/", "/apps", "/apps/", "/apps/a/history", "/apps/a/commits/abc", "/builds/3", "/reviews", "/apps//x"]
        {
            assert!(!is_editor_path(path), "{path}");
        }
    }
}
