//! The Deploy panel on a succeeded build's page (admins): pick a target, deploy, and watch the
//! deployment's steps — the contract check, the tests, the install or the upload — until it ends.

use super::StateBadge;
#[cfg(feature = "browser")]
use super::api::load_deployment;
use super::api::{DeployOutcome, deploy_build};
use crate::components::errors::{ErrorBanner, readable};
use domain::deploy::{DeployStep, Deployment};
use leptos::prelude::*;

/// Deploy a succeeded build: pick a target; a breaking change asks for a reason.
#[component]
pub fn DeployPanel(build_id: i64, targets: Vec<String>) -> impl IntoView {
    let target = RwSignal::new(targets.first().cloned().unwrap_or_else(|| "local".into()));
    let reason = RwSignal::new(String::new());
    let breaking = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<Deployment>);
    let error = RwSignal::new(None::<String>);
    let deploy = move |_| {
        busy.set(true);
        error.set(None);
        let why = Some(reason.get_untracked()).filter(|r| !r.trim().is_empty());
        leptos::task::spawn_local(async move {
            match deploy_build(build_id, target.get_untracked(), why).await {
                Ok(DeployOutcome::Deployed(d)) => {
                    breaking.set(Vec::new());
                    done.set(Some(*d));
                }
                Ok(DeployOutcome::Breaking(changes)) => breaking.set(changes),
                Err(err) => error.set(Some(readable(&err))),
            }
            busy.set(false);
        });
    };
    follow(done);
    // Effects run only in the browser, once this panel is live: tests wait for it before clicking.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <section class="deploy-panel" data-testid="deploy-panel" data-ready=move || ready.get().to_string()>
            <h2>"Deploy"</h2>
            <label>"Target "
                <select data-testid="deploy-target" on:change=move |ev| target.set(event_target_value(&ev))>
                    {targets.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select>
            </label>
            {move || (!breaking.get().is_empty()).then(|| view! {
                <div class="breaking" role="alert" data-testid="breaking-changes">
                    <p>"This build breaks the deployed contract without a major version bump:"</p>
                    <ul>{breaking.get().into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                    <label>"Reason (recorded in the audit log) "
                        <input type="text" data-testid="deploy-reason" prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))/>
                    </label>
                </div>
            })}
            <button class="button button-primary" data-testid="deploy-button" on:click=deploy
                disabled=move || busy.get() || done.with(|d| d.as_ref().is_some_and(|d| d.status == "running"))>
                {move || if busy.get() { "Deploying…" } else { "Deploy" }}
            </button>
            {move || done.get().map(|d| view! { <Progress deployment=d/> })}
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
        </section>
    }
}

/// Looks at a running deployment again every second until it ends (remote deploys take a while).
fn follow(deployment: RwSignal<Option<Deployment>>) {
    #[cfg(feature = "browser")]
    {
        let handle = set_interval_with_handle(
            move || {
                let Some(id) =
                    deployment.with_untracked(|d| d.as_ref().filter(|d| d.status == "running").map(|d| d.id))
                else {
                    return;
                };
                leptos::task::spawn_local(async move {
                    if let Ok(now) = load_deployment(id).await {
                        deployment.set(Some(now));
                    }
                });
            },
            std::time::Duration::from_secs(1),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "browser"))]
    let _ = deployment;
}

#[component]
fn Progress(deployment: Deployment) -> impl IntoView {
    let d = deployment;
    view! {
        <div class="deploy-progress" data-testid="deployed" data-status=d.status.clone()>
            <p>
                "Deployment #" {d.id} " of " {d.version.clone()} " to " {d.target.clone()} ": "
                <StateBadge status=d.status.clone()/> " "
                {(d.status == "succeeded" && d.target == "local").then(|| view! { <a href=format!("/apps/{}/runs", d.app)>"Run it"</a> })}
                " " <a href=format!("/apps/{}/deployments", d.app)>"History"</a>
            </p>
            <ol class="build-steps" data-testid="deploy-steps">
                {d.steps.into_iter().map(|step| view! { <StepRow step/> }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
fn StepRow(step: DeployStep) -> impl IntoView {
    let DeployStep { name, status, detail } = step;
    let mark = crate::pages::builds::step_mark(&status);
    let class = format!("build-step step-{status}");
    let label = name.clone();
    view! {
        <li class=class data-testid="deploy-step" data-step=name data-status=status>
            <span class="step-mark" aria-hidden="true">{mark}</span>
            <span class="step-name">{label}</span>
            <span class="step-summary">{detail}</span>
        </li>
    }
}
