//! `/apps/{app}/commits/{rev}`: one version — who, when, why, what changed — with Restore.

use super::api::{AppInfo, CommitView, load_app, load_commit};
use super::diff_view::DiffView;
use super::{AppFrame, use_query, use_slug};
use crate::components::app_nav::AppSection;
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{short, when};
use crate::components::page_title::PageTitle;
use crate::pages::editor::api::{SaveResult, restore_version};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The commit page.
#[component]
pub fn CommitPage() -> impl IntoView {
    let slug = use_slug();
    let params = use_params_map();
    let rev = move || params.with(|p| p.get("rev").unwrap_or_default());
    let path = use_query("path");
    let info = Resource::new(slug.clone(), load_app);
    let detail = {
        let slug = slug.clone();
        Resource::new(move || (slug(), rev()), |(slug, rev)| load_commit(slug, rev))
    };
    view! {
        <PageTitle text="Revision"/>
        <AppFrame section=AppSection::History info>
            <Suspense fallback=|| view! { <p class="muted">"Loading the version…"</p> }>
                {
                    let (slug, path) = (slug.clone(), path.clone());
                    move || {
                        let (slug, path) = (slug(), path());
                        Suspend::new(async move {
                            match (detail.await, info.await) {
                                (Ok(view), Ok(info)) => view! { <Commit slug info view path/> }.into_any(),
                                (Err(err), _) | (_, Err(err)) => view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </AppFrame>
    }
}

#[component]
fn Commit(slug: String, info: AppInfo, view: CommitView, path: Option<String>) -> impl IntoView {
    let CommitView { detail, contract } = view;
    let commit = detail.commit;
    let revision = commit.revision.to_string();
    let is_head = info.app.head.as_str() == revision;
    let parent = commit.parents.first().map(ToString::to_string);
    let (subject, body) = match commit.message.split_once('\n') {
        Some((subject, body)) => (subject.to_owned(), body.trim().to_owned()),
        None => (commit.message.clone(), String::new()),
    };
    let browse = format!("/apps/{slug}?rev={revision}");
    let parent_link = parent.clone().map(|p| {
        let href = format!("/apps/{slug}/commits/{p}");
        view! { <span>"parent " <a class="mono" href=href>{short(&p)}</a></span> }
    });
    let restore = (info.can_write && !is_head).then(|| {
        view! { <RestoreButton slug=slug.clone() rev=revision.clone() head=info.app.head.to_string()/> }
    });
    view! {
        <header class="commit-head" data-testid="commit-head">
            <div>
                <h1 data-testid="commit-subject">{subject}</h1>
                {(!body.is_empty()).then(|| view! { <pre class="commit-body">{body}</pre> })}
                <p class="muted">
                    <strong>{commit.author.name}</strong> " saved this on " {when(&commit.time)} " · "
                    <span class="mono" title=revision.clone()>{short(&revision)}</span> " · " {parent_link}
                    {is_head.then(|| view! { " · " <span class="chip">"latest"</span> })}
                </p>
            </div>
            <div class="commit-actions">
                <a class="button" href=browse data-testid="browse-version">"Browse files at this version"</a>
                {restore}
            </div>
        </header>
        {contract.map(|diff| view! { <crate::pages::releases::ContractChanges diff/> })}
        <DiffView slug from=parent to=revision files=detail.files path=path.unwrap_or_default()/>
    }
}

/// Makes a new version whose files are this one's (history is never rewritten).
#[component]
fn RestoreButton(slug: String, rev: String, head: String) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let history = format!("/apps/{slug}/history");
    let restore = move |_| {
        if !crate::components::confirm::confirm(&format!("Make a new version with the files of {}?", short(&rev))) {
            return;
        }
        busy.set(true);
        let (slug, rev, head, navigate, history) =
            (slug.clone(), rev.clone(), head.clone(), navigate.clone(), history.clone());
        leptos::task::spawn_local(async move {
            match restore_version(slug, rev, head).await {
                Ok(SaveResult::Saved { .. }) => navigate(&history, Default::default()),
                Ok(SaveResult::Conflict { .. }) => {
                    error.set(Some("Someone saved a newer version meanwhile; reload the page and try again.".into()))
                }
                Err(err) => error.set(Some(readable(&err))),
            }
            busy.set(false);
        });
    };
    view! {
        <button class="button button-primary" data-testid="restore" on:click=restore disabled=move || busy.get()>
            {move || if busy.get() { "Restoring…" } else { "Restore this version" }}
        </button>
        {move || error.get().map(|message| view! { <ErrorBanner message/> })}
    }
}
