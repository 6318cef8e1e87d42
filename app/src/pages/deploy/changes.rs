//! "What changed" on a deployment: the commits and contract changes it brought since the
//! deployment before it on the same target — what a reviewer checks for a running version.

use crate::components::errors::readable;
use crate::components::format::{subject, when};
use crate::pages::releases::{ContractChanges, load_deployment_changes};
use domain::deploy::DeploymentChanges;
use leptos::prelude::*;

#[component]
pub fn WhatChanged(id: i64) -> impl IntoView {
    let shown = RwSignal::new(None::<Result<DeploymentChanges, String>>);
    let open = RwSignal::new(false);
    let toggle = move |_| {
        open.update(|o| *o = !*o);
        if open.get_untracked() && shown.with_untracked(Option::is_none) {
            leptos::task::spawn_local(async move {
                shown.set(Some(load_deployment_changes(id).await.map_err(|e| readable(&e))));
            });
        }
    };
    view! {
        <button class="button button-quiet" data-testid="what-changed" aria-expanded=move || open.get().to_string() on:click=toggle>
            "What changed"
        </button>
        {move || open.get().then(|| match shown.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="inline-error" role="alert">{message}</p> }.into_any(),
            Some(Ok(changes)) => view! { <Changes changes/> }.into_any(),
        })}
    }
}

#[component]
fn Changes(changes: DeploymentChanges) -> impl IntoView {
    let Some(previous) = changes.previous else {
        return view! { <p class="muted" data-testid="changes-first">"The first deployment to this target."</p> }
            .into_any();
    };
    let app = changes.deployment.app.clone();
    let went_back = changes.commits.is_empty() && previous.revision != changes.deployment.revision;
    view! {
        <div class="deployment-changes" data-testid="deployment-changes">
            <p>"Since " {previous.version.clone()} " (deployment #" {previous.id} ")"
                {went_back.then(|| view! { <span class="muted">": an older version again (a rollback)"</span> })}</p>
            <ul class="commit-list">
                {changes.commits.iter().map(|c| view! {
                    <li data-testid="changed-commit"><a href=format!("/apps/{app}/commits/{}", c.revision)>{subject(&c.message).to_owned()}</a>
                        " " <span class="muted">{c.author.name.clone()} " · " {when(&c.time)}</span></li>
                }).collect_view()}
            </ul>
            {changes.contract.map(|diff| view! { <ContractChanges diff/> })}
        </div>
    }
    .into_any()
}
