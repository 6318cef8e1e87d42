//! Deploying and running: the Deploy panel on a succeeded build's page (admins), the app's
//! deployment history with one-click rollback (`/apps/{app}/deployments`), the run form generated
//! from the live version's install.json and layout.json with the recent runs (`/apps/{app}/runs`),
//! and one run (`/runs/{id}`).

mod api;
mod changes;
mod form;
mod hooks;
mod panel;
mod run_page;
mod tests;

pub use panel::DeployPanel;
pub use run_page::RunPage;

use crate::components::app_nav::{AppNav, AppSection};
use crate::components::confirm::confirm;
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{short, when};
use crate::components::page_title::PageTitle;
use crate::pages::not_found::CannotShow;
use api::{DeploymentList, RunsView, load_deployments, load_runs, roll_back};
use domain::deploy::{Deployment, Run};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn use_slug() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("app").unwrap_or_default())
}

/// A deployment's or run's status as a badge (the build badges' colours).
#[component]
pub fn StateBadge(status: String) -> impl IntoView {
    view! { <span class=format!("badge badge-{status}") data-testid="state">{status.clone()}</span> }
}

/// `/apps/{app}/deployments`.
#[component]
pub fn DeploymentsPage() -> impl IntoView {
    let slug = use_slug();
    let list = Resource::new(slug, load_deployments);
    view! {
        <PageTitle text="Deployments"/>
        <div class="app-page">
            <Transition fallback=|| view! { <p class="muted">"Loading deployments…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(data) => view! { <DeploymentTable data reload=list/> }.into_any(),
                        Err(err) => view! { <CannotShow message=readable(&err)/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn DeploymentTable(data: DeploymentList, reload: Resource<Result<DeploymentList, ServerFnError>>) -> impl IntoView {
    let slug = data.app.slug.to_string();
    let error = RwSignal::new(None::<String>);
    let is_admin = data.is_admin;
    // The live deployment per target: the newest succeeded one; rollback is offered there.
    let mut live_seen = Vec::<String>::new();
    let rows: Vec<(Deployment, bool)> = data
        .items
        .into_iter()
        .map(|d| {
            let live = d.status == "succeeded" && !live_seen.contains(&d.target);
            if live {
                live_seen.push(d.target.clone());
            }
            (d, live)
        })
        .collect();
    let empty = rows.is_empty();
    // What a rollback of the live deployment `d` goes back to: the newest earlier succeeded one
    // on its target. When the list is cut short (a full page), it may lie beyond it: `None`
    // then still offers the rollback and the server says.
    let complete = rows.len() < 100;
    let before = |d: &Deployment| {
        rows.iter()
            .map(|(other, _)| other)
            .find(|other| other.target == d.target && other.id < d.id && other.status == "succeeded")
            .map(|other| (other.id, other.version.clone()))
    };
    let rollbacks: Vec<Option<(i64, String)>> = rows.iter().map(|(d, _)| before(d)).collect();
    view! {
        <AppNav slug=slug.clone() name=data.app.display_name.clone() current=AppSection::Deployments/>
        <div class="app-page-body">
            <div class="page-head"><h1>"Deployments"</h1></div>
            {empty.then(|| view! { <p class="muted" data-testid="no-deployments">"Not deployed yet. Deploy a succeeded build from its page."</p> })}
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
            <table class="table" data-testid="deployments" class:hidden=empty>
                <thead><tr><th>"#"</th><th>"Status"</th><th>"Version"</th><th>"Target"</th><th>"Build"</th><th>"By"</th><th>"When"</th><th>"Notes"</th><th>"Changes"</th><th></th></tr></thead>
                <tbody>
                    {rows.into_iter().zip(rollbacks).map(|((d, live), back_to)| {
                        let id = d.id;
                        let notes = [
                            d.rollback_of.map(|r| format!("rollback of #{r}")),
                            d.override_reason.clone().map(|r| format!("breaking change accepted: {r}")),
                            d.reason.clone(),
                        ].into_iter().flatten().collect::<Vec<_>>().join("; ");
                        let question = match &back_to {
                            Some((to, version)) => format!("Roll back {} from {} (#{id}) to {version} (#{to})?", d.target, d.version),
                            None => format!("Roll back {} from {} (#{id}) to the deployment before it?", d.target, d.version),
                        };
                        let rollback = (is_admin && live && (back_to.is_some() || !complete)).then(|| view! {
                            <button class="button button-quiet" data-testid="rollback" title="Deploy the version before this one again"
                                on:click=move |_| {
                                    if !confirm(&question) {
                                        return;
                                    }
                                    leptos::task::spawn_local(async move {
                                        match roll_back(id).await {
                                            Ok(_) => reload.refetch(),
                                            Err(err) => error.set(Some(readable(&err))),
                                        }
                                    });
                                }>"Roll back"</button>
                        });
                        view! {
                            <tr data-testid="deployment-row" data-live=live.to_string()>
                                <td>{format!("#{id}")}</td>
                                <td><StateBadge status=d.status.clone()/> {live.then(|| view! { <span class="muted">" live"</span> })}</td>
                                <td data-testid="deployment-version">{d.version.clone()}</td>
                                <td>{d.target.clone()}</td>
                                <td><a href=format!("/builds/{}", d.build)>{format!("#{}", d.build)}</a> " " <span class="mono muted">{short(&d.revision)}</span></td>
                                <td>{d.requested_by.clone()}</td>
                                <td class="nowrap">{when(&d.created_at)}</td>
                                <td>{notes}</td>
                                <td><changes::WhatChanged id/></td>
                                <td>{rollback}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/apps/{app}/runs`: the run form of the live version and the recent runs.
#[component]
pub fn RunsPage() -> impl IntoView {
    let slug = use_slug();
    let view = Resource::new(slug, load_runs);
    view! {
        <PageTitle text="Runs"/>
        <div class="app-page">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(data) => view! { <Runs data/> }.into_any(),
                        Err(err) => view! { <CannotShow message=readable(&err)/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Runs(data: RunsView) -> impl IntoView {
    let slug = data.app.slug.to_string();
    let live_exists = data.live.is_some();
    let is_admin = data.is_admin;
    let webhooks = data.hooks;
    let live_build = data.live.as_ref().map(|l| l.deployment.build);
    let (tests, can_run) = (data.tests, data.can_run);
    let form = match (data.live, data.can_run) {
        (Some(live), true) => view! { <form::RunForm slug=slug.clone() live/> }.into_any(),
        (Some(live), false) => view! { <p class="muted">"Version " {live.deployment.version} " is live. Reviewers read runs; developers start them."</p> }.into_any(),
        (None, _) => view! { <p class="muted" data-testid="not-deployed">"Nothing is deployed to the embedded runtime yet: build, then deploy from the build's page."</p> }.into_any(),
    };
    let runs = data.runs;
    let empty = runs.is_empty();
    view! {
        <AppNav slug=slug.clone() name=data.app.display_name.clone() current=AppSection::Runs/>
        <div class="app-page-body">
            <div class="page-head"><h1>"Run"</h1></div>
            {form}
            {live_exists.then(|| view! { <hooks::Hooks slug=slug.clone() is_admin=is_admin hooks=webhooks.clone()/> })}
            <tests::TestCases slug=slug.clone() cases=tests live_build can_run/>
            <h2>"Recent runs"</h2>
            {empty.then(|| view! { <p class="muted">"No runs yet."</p> })}
            <table class="table" data-testid="runs" class:hidden=empty>
                <thead><tr><th>"Run"</th><th>"Status"</th><th>"Version"</th><th>"Trigger"</th><th>"By"</th><th>"When"</th><th>"Took"</th><th>"Exit message"</th></tr></thead>
                <tbody>{runs.into_iter().map(|run| view! { <RunRow run/> }).collect_view()}</tbody>
            </table>
        </div>
    }
}

#[component]
fn RunRow(run: Run) -> impl IntoView {
    view! {
        <tr data-testid="run-row">
            <td><a href=format!("/runs/{}", run.id)>{format!("#{}", run.id)}</a></td>
            <td><StateBadge status=run.status.clone()/></td>
            <td>{run.version.clone()}</td>
            <td>{run.trigger.clone()}</td>
            <td>{run.requested_by.clone().unwrap_or_else(|| "webhook".into())}</td>
            <td class="nowrap">{when(&run.created_at)}</td>
            <td class="nowrap">{crate::pages::builds::duration(run.duration_ms)}</td>
            <td>{run.exit_message.clone().unwrap_or_default()}</td>
        </tr>
    }
}
