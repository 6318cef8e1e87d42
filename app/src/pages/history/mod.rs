//! The pages reviewers live in: `/apps/{app}/history` (every version, or one file's with
//! `?path=`), `/apps/{app}/commits/{rev}` (one version and what it changed, with Restore),
//! `/apps/{app}/compare?from=&to=` (any two versions) and `/apps/{app}/blame?path=&rev=`.

mod api;
mod blame;
mod commit;
mod compare;
mod diff_view;

pub use blame::BlamePage;
pub use commit::CommitPage;
pub use compare::ComparePage;

use crate::components::app_nav::{AppNav, AppSection};
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{query_value, short, subject, when};
use crate::components::page_title::PageTitle;
use crate::pages::not_found::CannotShow;
use api::{AppInfo, Commits, HistoryQuery, load_app, load_history};
use domain::history::CommitInfo;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The app's slug from the route.
fn use_slug() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("app").unwrap_or_default())
}

/// A query parameter, `None` when absent or empty.
fn use_query(name: &'static str) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    let query = use_query_map();
    move || query.with(|q| q.get(name).filter(|v| !v.is_empty()))
}

/// The frame of an app's history pages: the app bar (once the app is known) and the page.
#[component]
fn AppFrame(section: AppSection, info: Resource<Result<AppInfo, ServerFnError>>, children: Children) -> impl IntoView {
    view! {
        <div class="app-page">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(info) => view! {
                            <AppNav slug=info.app.slug.to_string() name=info.app.display_name current=section/>
                        }.into_any(),
                        Err(err) => view! { <CannotShow message=readable(&err)/> }.into_any(),
                    }
                })}
            </Suspense>
            <div class="app-page-body">{children()}</div>
        </div>
    }
}

/// `/apps/{app}/history`.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let slug = use_slug();
    let path = use_query("path");
    let (author, since, until) = (use_query("author"), use_query("since"), use_query("until"));
    let query = {
        let path = path.clone();
        move || HistoryQuery { path: path(), author: author(), since: since(), until: until() }
    };
    let info = Resource::new(slug.clone(), load_app);
    let first = {
        let (slug, query) = (slug.clone(), query.clone());
        Resource::new(move || (slug(), query()), |(slug, query)| load_history(slug, query, None))
    };
    let heading = {
        let (slug, path) = (slug.clone(), path.clone());
        move || match path() {
            Some(path) => view! {
                <h1>"History of " <code data-testid="history-path">{path}</code></h1>
                <a href=format!("/apps/{}/history", slug())>"All files"</a>
            }
            .into_any(),
            None => view! { <h1>"History"</h1> }.into_any(),
        }
    };
    view! {
        <PageTitle text="History"/>
        <AppFrame section=AppSection::History info>
            <div class="page-head">{heading.clone()}</div>
            <Filters query=query.clone()/>
            <Transition fallback=|| view! { <p class="muted">"Loading history…"</p> }>
                {
                    let (slug, query) = (slug.clone(), query.clone());
                    move || {
                        let (slug, query) = (slug(), query());
                        Suspend::new(async move {
                            match first.await {
                                Ok(commits) => view! { <CommitList slug query commits/> }.into_any(),
                                Err(err) => view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
        </AppFrame>
    }
}

/// Author and day filters: a plain GET form, so the filtered history has a URL to share.
#[component]
fn Filters(query: impl Fn() -> HistoryQuery + Clone + Send + Sync + 'static) -> impl IntoView {
    let q = query.clone();
    let value = move |pick: fn(&HistoryQuery) -> Option<String>| {
        let q = q.clone();
        move || pick(&q()).unwrap_or_default()
    };
    let path = value(|q| q.path.clone());
    view! {
        <form class="history-filters" method="get" data-testid="history-filters">
            {move || (!path().is_empty()).then(|| view! { <input type="hidden" name="path" value=path()/> })}
            <label>"Author " <input type="text" name="author" placeholder="name or email" data-testid="filter-author" prop:value=value(|q| q.author.clone())/></label>
            <label>"From " <input type="date" name="since" data-testid="filter-since" prop:value=value(|q| q.since.clone())/></label>
            <label>"To " <input type="date" name="until" data-testid="filter-until" prop:value=value(|q| q.until.clone())/></label>
            <button class="button" type="submit" data-testid="filter-apply">"Filter"</button>
        </form>
    }
}

/// The commits, newest first, with "load more" and a pick of two versions to compare.
#[component]
fn CommitList(slug: String, query: HistoryQuery, commits: Commits) -> impl IntoView {
    let items = RwSignal::new(commits.items);
    let cursor = RwSignal::new(commits.next_cursor);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let newest = items.with_untracked(|i| i.first().map(|c| c.revision.to_string()));
    let older = items.with_untracked(|i| i.get(1).map(|c| c.revision.to_string()));
    let compare_to = RwSignal::new(newest);
    let compare_from = RwSignal::new(older);
    let slug = StoredValue::new(slug);
    let query = StoredValue::new(query);

    let load_more = move |_| {
        let Some(next) = cursor.get_untracked() else { return };
        loading.set(true);
        let (slug, query) = (slug.get_value(), query.get_value());
        leptos::task::spawn_local(async move {
            match load_history(slug, query, Some(next)).await {
                Ok(page) => {
                    items.update(|i| i.extend(page.items));
                    cursor.set(page.next_cursor);
                }
                Err(err) => error.set(Some(readable(&err))),
            }
            loading.set(false);
        });
    };
    let compare_href = move || match (compare_from.get(), compare_to.get()) {
        (Some(from), Some(to)) => format!("/apps/{}/compare?from={from}&to={to}", slug.get_value()),
        _ => String::new(),
    };
    if items.with_untracked(Vec::is_empty) {
        // Every app has a first version, so only the filters can leave nothing: the path (a file
        // never saved) or the others, which "clear" drops (keeping the path).
        let (path, filtered) =
            query.with_value(|q| (q.path.clone(), q.author.is_some() || q.since.is_some() || q.until.is_some()));
        let all = format!("/apps/{}/history", slug.get_value());
        let (message, clear) = match path {
            Some(path) if filtered => {
                ("No versions match these filters. ", format!("{all}?path={}", query_value(&path)))
            }
            Some(_) => ("No version changed this file. ", all),
            None => ("No versions match these filters. ", all),
        };
        return view! {
            <p class="muted" data-testid="history-none">{message} <a href=clear data-testid="filter-clear">"Clear the filters"</a></p>
        }
        .into_any();
    }
    view! {
        <div class="history-tools">
            <a class="button" href=compare_href data-testid="compare-selected"
                class:disabled=move || compare_from.with(Option::is_none)>"Compare selected versions"</a>
            <span class="muted">"Pick an older version in the left column and a newer one in the right."</span>
        </div>
        <table class="table history" data-testid="history">
            <thead>
                <tr><th title="Compare from">"A"</th><th title="Compare to">"B"</th><th>"Change"</th><th>"Author"</th><th>"When"</th><th>"Files"</th></tr>
            </thead>
            <tbody>
                <For each=move || items.get() key=|c| c.revision.to_string() let:commit>
                    <CommitRow slug=slug.get_value() commit compare_from compare_to/>
                </For>
            </tbody>
        </table>
        {move || error.get().map(|message| view! { <ErrorBanner message/> })}
        {move || cursor.get().is_some().then(|| view! {
            <button class="button load-more" data-testid="load-more" on:click=load_more disabled=move || loading.get()>
                {move || if loading.get() { "Loading…" } else { "Load older versions" }}
            </button>
        })}
    }
    .into_any()
}

#[component]
fn CommitRow(
    slug: String,
    commit: CommitInfo,
    compare_from: RwSignal<Option<String>>,
    compare_to: RwSignal<Option<String>>,
) -> impl IntoView {
    let revision = commit.revision.to_string();
    let (r1, r2, r3, r4) = (revision.clone(), revision.clone(), revision.clone(), revision.clone());
    let href = format!("/apps/{slug}/commits/{revision}");
    let stats = commit.stats;
    view! {
        <tr data-testid="commit-row" data-revision=revision.clone()>
            <td><input type="radio" name="compare-from" aria-label="Compare from this version"
                prop:checked=move || compare_from.get().as_deref() == Some(r1.as_str())
                on:change=move |_| compare_from.set(Some(r2.clone()))/></td>
            <td><input type="radio" name="compare-to" aria-label="Compare to this version"
                prop:checked=move || compare_to.get().as_deref() == Some(r3.as_str())
                on:change=move |_| compare_to.set(Some(r4.clone()))/></td>
            <td>
                <a href=href data-testid="commit-link">{subject(&commit.message).to_owned()}</a>
                <div class="muted mono">{short(&revision)}</div>
            </td>
            <td>{commit.author.name}</td>
            <td class="nowrap">{when(&commit.time)}</td>
            <td class="nowrap">
                {format!("{} file{} ", stats.files, if stats.files == 1 { "" } else { "s" })}
                <span class="plus">"+" {stats.additions}</span> " " <span class="minus">"−" {stats.deletions}</span>
            </td>
        </tr>
    }
}
