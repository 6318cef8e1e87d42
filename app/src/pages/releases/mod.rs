//! Releases and reviews: `/apps/{app}/releases` (the releases, and a release of the head proposed
//! from the contract changes since the last one), `/reviews` (every review and the user's
//! notifications) and `/reviews/{id}` (one review: contract changes, commits, comments, decision).

mod api;
mod contract;
mod inbox;
mod review;

pub use api::{load_deployment_changes, unread_notifications};
pub use contract::ContractChanges;
pub use inbox::ReviewsPage;
pub use review::ReviewPage;

use crate::components::app_nav::{AppNav, AppSection};
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{short, subject, when};
use crate::components::page_title::PageTitle;
use crate::pages::not_found::CannotShow;
use api::{ReleasesView, ask_review, create_release, load_releases};
use domain::manifest::contract::semver;
use domain::release::{Proposal, Release, ReviewState};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The badge of a review state (or "not reviewed").
#[component]
pub fn ReviewBadge(state: Option<ReviewState>) -> impl IntoView {
    let (class, text) = match state {
        None => ("badge", "not reviewed"),
        Some(ReviewState::Open) => ("badge badge-running", "in review"),
        Some(ReviewState::Approved) => ("badge badge-succeeded", "approved"),
        Some(ReviewState::ChangesRequested) => ("badge badge-failed", "changes requested"),
    };
    view! { <span class=class data-testid="review-state">{text}</span> }
}

/// `/apps/{app}/releases`.
#[component]
pub fn ReleasesPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("app").unwrap_or_default());
    let data = Resource::new(slug, load_releases);
    view! {
        <PageTitle text="Releases"/>
        <div class="app-page">
            <Transition fallback=|| view! { <p class="muted">"Loading releases…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <Releases view reload=data/> }.into_any(),
                        Err(err) => view! { <CannotShow message=readable(&err)/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Releases(view: ReleasesView, reload: Resource<Result<ReleasesView, ServerFnError>>) -> impl IntoView {
    let ReleasesView { app, can_write, releases, proposal } = view;
    let slug = app.slug.to_string();
    let empty = releases.is_empty();
    view! {
        <AppNav slug=slug.clone() name=app.display_name.clone() current=AppSection::Releases/>
        <div class="app-page-body">
            <div class="page-head"><h1>"Releases"</h1></div>
            {can_write.then(|| match proposal.last.clone().filter(|last| last.revision == proposal.revision) {
                // Nothing new since the last release: no form, and no warning about its version.
                Some(last) => view! {
                    <p class="muted" data-testid="release-up-to-date">"Up to date: the head ("
                        <span class="mono">{short(&last.revision)}</span> ") is released as " <strong>{last.version}</strong>
                        ". Save a change to release a new version."</p>
                }.into_any(),
                None => view! { <NewRelease slug=slug.clone() proposal reload/> }.into_any(),
            })}
            <h2>"Released versions"</h2>
            {empty.then(|| view! { <p class="muted" data-testid="no-releases">"No releases yet."</p> })}
            <table class="table" data-testid="releases" class:hidden=empty>
                <thead><tr><th>"Version"</th><th>"Revision"</th><th>"Build"</th><th>"By"</th><th>"When"</th><th>"Review"</th><th></th></tr></thead>
                <tbody>
                    {releases.into_iter().map(|release| view! { <ReleaseRow release can_write/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ReleaseRow(release: Release, can_write: bool) -> impl IntoView {
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let (slug, version) = (release.app.clone(), release.version.clone());
    let ask = move |_| {
        let (slug, version, navigate) = (slug.clone(), version.clone(), navigate.clone());
        leptos::task::spawn_local(async move {
            match ask_review(slug, version).await {
                Ok(id) => navigate(&format!("/reviews/{id}"), Default::default()),
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    let askable = can_write && matches!(release.review_state, None | Some(ReviewState::ChangesRequested));
    let review_link =
        release.review.map(|id| view! { " " <a href=format!("/reviews/{id}")>{format!("review #{id}")}</a> });
    view! {
        <tr data-testid="release-row" data-version=release.version.clone()>
            <td><strong>{release.version.clone()}</strong> " " <span class="mono muted">{release.tag.clone()}</span></td>
            <td><a class="mono" href=format!("/apps/{}/commits/{}", release.app, release.revision)>{short(&release.revision)}</a></td>
            <td><a href=format!("/builds/{}", release.build)>{format!("#{}", release.build)}</a></td>
            <td>{release.author.clone()}</td>
            <td class="nowrap">{when(&release.created_at)}</td>
            <td><ReviewBadge state=release.review_state/> {review_link}</td>
            <td>
                {askable.then(|| view! {
                    <button class="button" data-testid="ask-review" on:click=ask.clone()>"Request review"</button>
                })}
                {move || error.get().map(|message| view! { <span class="inline-error" role="alert">{message}</span> })}
            </td>
        </tr>
    }
}

/// The release form: the head's version, the contract changes since the last release with the
/// version they call for, the commits, and notes to edit.
#[component]
fn NewRelease(
    slug: String,
    proposal: Proposal,
    reload: Resource<Result<ReleasesView, ServerFnError>>,
) -> impl IntoView {
    let notes = RwSignal::new(proposal.notes.clone());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let version = proposal.version.clone().unwrap_or_default();
    let last = proposal.last.as_ref().map(|l| l.version.clone());
    // Refused by the server anyway; the button says so first.
    let releasable = semver(&version).is_some_and(|v| last.as_deref().and_then(semver).is_none_or(|l| v > l));
    let revision = proposal.revision.clone();
    let release = {
        let (slug, revision) = (slug.clone(), revision.clone());
        move |_| {
            busy.set(true);
            error.set(None);
            let (slug, revision) = (slug.clone(), revision.clone());
            leptos::task::spawn_local(async move {
                match create_release(slug, revision, notes.get_untracked()).await {
                    Ok(_) => reload.refetch(),
                    Err(err) => error.set(Some(readable(&err))),
                }
                busy.set(false);
            });
        }
    };
    let commits = proposal.commits.len();
    let label = format!("Release {version}");
    view! {
        <section class="release-form" data-testid="release-form">
            <h2>"Release the head"</h2>
            <dl class="facts">
                <dt>"Revision"</dt><dd class="mono">{short(&revision)}</dd>
                <dt>"Version in install.json"</dt><dd data-testid="release-version">{if version.is_empty() { "none".to_owned() } else { version.clone() }}</dd>
                <dt>"Last release"</dt><dd>{last.clone().unwrap_or_else(|| "none yet".into())}</dd>
                <dt>"Suggested version"</dt><dd data-testid="suggested-version">{proposal.suggested_version.clone().unwrap_or_default()}</dd>
            </dl>
            {(!proposal.problems.is_empty()).then(|| view! {
                <div class="breaking" role="alert" data-testid="release-problems">
                    <ul>{proposal.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                    <a href=format!("/apps/{slug}?path=install.json")>"Open install.json"</a>
                </div>
            })}
            {proposal.contract.clone().map(|diff| view! { <ContractChanges diff/> })}
            <details class="release-commits">
                <summary>{format!("{commits} commit(s) since {}", last.clone().unwrap_or_else(|| "the start".into()))}</summary>
                <ul>{proposal.commits.iter().map(|c| view! { <li>{subject(&c.message)} " " <span class="muted">{c.author.name.clone()}</span></li> }).collect_view()}</ul>
            </details>
            <label class="form-row">"Release notes"
                <textarea rows="8" data-testid="release-notes" prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
            </label>
            <button class="button button-primary" data-testid="release-button" on:click=release
                disabled=move || busy.get() || !releasable>
                {move || if busy.get() { "Releasing…".to_owned() } else { label.clone() }}
            </button>
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
        </section>
    }
}
