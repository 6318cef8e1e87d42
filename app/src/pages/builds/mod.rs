//! The builds pages: `/apps/{app}/builds` (the app's builds, newest first, with a Build button)
//! and `/builds/{id}` (one build: its steps, its log streaming live, the package to download).
//! A Build button on the editor page starts a build too.

mod api;
mod build_page;
mod live;

pub use api::queue_build;
pub use build_page::{BuildPage, step_mark};

use crate::components::app_nav::{AppNav, AppSection};
use crate::components::errors::readable;
use crate::components::format::{short, when};
use crate::components::page_title::PageTitle;
use crate::pages::not_found::CannotShow;
use api::{BuildList, load_builds};
use domain::build::{Build, BuildStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A status as a coloured badge.
#[component]
pub fn StatusBadge(status: BuildStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", status.as_str()) data-testid="build-status">{status.as_str()}</span> }
}

/// `1.2 s`, `350 ms`, `2 min 5 s`.
pub fn duration(ms: Option<u64>) -> String {
    match ms {
        None => "—".to_owned(),
        Some(ms) if ms < 1_000 => format!("{ms} ms"),
        Some(ms) if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        Some(ms) => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// A button that queues a build of the app's head and opens its page: through the router on the
/// builds page (main bundle), as a new page from the editor (whose bundle has no router).
#[component]
pub fn BuildButton(slug: String) -> impl IntoView {
    #[cfg(not(feature = "editor-bundle"))]
    let open = {
        let navigate = leptos_router::hooks::use_navigate();
        move |href: &str| navigate(href, Default::default())
    };
    #[cfg(feature = "editor-bundle")]
    let open = crate::auth::reload_at;
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let slug = StoredValue::new(slug);
    let start = move |_| {
        busy.set(true);
        #[cfg_attr(feature = "editor-bundle", allow(clippy::clone_on_copy))]
        let open = open.clone();
        leptos::task::spawn_local(async move {
            match queue_build(slug.get_value(), None).await {
                Ok(id) => open(&format!("/builds/{id}")),
                Err(err) => {
                    error.set(Some(readable(&err)));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <button class="button" data-testid="build-button" on:click=start disabled=move || busy.get()
            title="Build the last saved version into a .tcx package">
            {move || if busy.get() { "Queuing…" } else { "Build" }}
        </button>
        {move || error.get().map(|message| view! { <span class="inline-error" role="alert">{message}</span> })}
    }
}

/// `/apps/{app}/builds`.
#[component]
pub fn BuildsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("app").unwrap_or_default());
    let list = Resource::new(slug, |slug| load_builds(slug, None));
    // While a build is queued or running, look again every two seconds.
    #[cfg(feature = "browser")]
    {
        let handle = set_interval_with_handle(
            move || {
                let active = list.with_untracked(|l| {
                    l.as_ref()
                        .and_then(|r| r.as_ref().ok())
                        .is_some_and(|l| l.items.iter().any(|b| !b.status.is_final()))
                });
                if active {
                    list.refetch();
                }
            },
            std::time::Duration::from_secs(2),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
    view! {
        <PageTitle text="Builds"/>
        <div class="app-page">
            <Transition fallback=|| view! { <p class="muted">"Loading builds…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! { <BuildTable list/> }.into_any(),
                        Err(err) => view! { <CannotShow message=readable(&err)/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn BuildTable(list: BuildList) -> impl IntoView {
    let slug = list.app.slug.to_string();
    let actions = list.can_write.then(|| view! { <BuildButton slug=slug.clone()/> });
    let empty = list.items.is_empty();
    view! {
        <AppNav slug=slug.clone() name=list.app.display_name.clone() current=AppSection::Builds>{actions}</AppNav>
        <div class="app-page-body">
            <div class="page-head"><h1>"Builds"</h1></div>
            {empty.then(|| view! {
                <p class="muted" data-testid="no-builds">"No builds yet. A build validates the app, checks its Python, vendors its requirements and writes the .tcx package."</p>
            })}
            <table class="table builds" data-testid="builds" class:hidden=empty>
                <thead><tr><th>"Build"</th><th>"Status"</th><th>"Revision"</th><th>"By"</th><th>"Queued"</th><th>"Took"</th><th>"Package"</th></tr></thead>
                <tbody>
                    {list.items.into_iter().map(|build| view! { <BuildRow slug=slug.clone() item=build/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn BuildRow(slug: String, item: Build) -> impl IntoView {
    let build = item;
    let id = build.id;
    let package = build.package.clone().map(|p| view! {
        <a href=format!("/api/v1/builds/{id}/package") download=p.file_name.clone() data-testid="build-download">{p.file_name.clone()}</a>
    });
    view! {
        <tr data-testid="build-row" data-build=id.to_string()>
            <td><a href=format!("/builds/{id}") data-testid="build-link">{format!("#{id}")}</a></td>
            <td><StatusBadge status=build.status/></td>
            <td class="mono"><a href=format!("/apps/{slug}/commits/{}", build.revision)>{short(&build.revision)}</a></td>
            <td>{build.requested_by.clone()}</td>
            <td class="nowrap">{when(&build.queued_at)}</td>
            <td class="nowrap">{duration(build.duration_ms)}</td>
            <td>{package}</td>
        </tr>
    }
}
