//! `/builds/{id}`: one build — its state, its steps with times and summaries, its log streaming
//! live while it runs, the package to download, Cancel for developers.

use super::api::{BuildView, cancel_build, load_build};
use super::live::{Connection, follow};
use super::{StatusBadge, duration};
use crate::components::app_nav::{AppNav, AppSection};
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{short, when};
use crate::components::record_page::record_page;
use domain::build::{Build, BuildStep, LogLine};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn BuildPage() -> impl IntoView {
    record_page("Build", "build", load_build, |view| view! { <BuildDetail view/> })
}

#[component]
fn BuildDetail(view: BuildView) -> impl IntoView {
    let BuildView { build: first, app_name, can_write, targets } = view;
    let id = first.id;
    let slug = first.app.clone();
    let build = RwSignal::new(first);
    let lines = RwSignal::new(Vec::<LogLine>::new());
    let connection = RwSignal::new(Connection::Connecting);
    follow(id, build, lines, connection);

    let cancelling = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let cancel = move |_| {
        cancelling.set(true);
        leptos::task::spawn_local(async move {
            match cancel_build(id).await {
                // The live log brings every later state (and may already have brought the end):
                // the answer only helps when the stream is not there.
                Ok(latest)
                    if connection.get_untracked() != Connection::Live
                        && connection.get_untracked() != Connection::Ended =>
                {
                    build.set(latest)
                }
                Ok(_) => {}
                Err(err) => error.set(Some(readable(&err))),
            }
            cancelling.set(false);
        });
    };
    let slug_for_actions = slug.clone();
    let actions = move || {
        let b = build.get();
        let download = b.package.as_ref().map(|p| view! {
            <a class="button" href=format!("/api/v1/builds/{id}/package") download=p.file_name.clone() data-testid="download-package">
                "Download " {p.file_name.clone()}
            </a>
        });
        let stop = (can_write && !b.status.is_final()).then(|| view! {
            <button class="button button-danger" data-testid="cancel-build" on:click=cancel disabled=move || cancelling.get()>
                {move || if cancelling.get() { "Cancelling…" } else { "Cancel" }}
            </button>
        });
        // After a failed or cancelled build: build the app's head again (with the fix saved).
        let again = (can_write && b.status.is_final() && b.status != domain::build::BuildStatus::Succeeded)
            .then(|| view! { <super::BuildButton slug=slug_for_actions.clone()/> });
        view! { {download} {stop} {again} }
    };
    // A memo: the panel is made once when the build succeeds, not again on every live update.
    let succeeded = Memo::new(move |_| build.with(|b| b.status == domain::build::BuildStatus::Succeeded));
    // The Deploy panel is drawn in the browser only (after hydration): it is an admin's action,
    // not content worth rendering on the server.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let revision_href = format!("/apps/{slug}/commits/{}", build.with_untracked(|b| b.revision.clone()));
    view! {
        <AppNav slug=slug.clone() name=app_name current=AppSection::Builds>{actions}</AppNav>
        <div class="app-page-body build-page">
            <div class="page-head">
                <h1>"Build #" {id} " " {move || view! { <StatusBadge status=build.get().status/> }}</h1>
                <span class="muted" data-testid="build-connection">{move || match connection.get() {
                    Connection::Connecting => "connecting to the live log…",
                    Connection::Live => "live",
                    Connection::Ended => "",
                    Connection::Lost => "the live log was lost; reload the page",
                }}</span>
            </div>
            <BuildFacts state=build revision_href/>
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
            {move || build.get().reason.map(|reason| view! {
                <p class="build-reason" role="status" data-testid="build-reason">{reason}</p>
            })}
            {move || (mounted.get() && succeeded.get() && !targets.is_empty()).then(|| view! { <crate::pages::deploy::DeployPanel build_id=id targets=targets.clone()/> })}
            <ol class="build-steps" data-testid="build-steps">
                // Drawn anew (not hydrated) once the page is live, then kept up to date: a page
                // loaded while its build ran once kept its server-rendered steps after the live
                // log had brought the end (a browser journey in CI; not reproduced since).
                {move || {
                    let rows = build.get().steps.into_iter().map(|step| view! { <StepRow step/> }).collect_view();
                    if mounted.get() { Either::Right(rows) } else { Either::Left(rows) }
                }}
            </ol>
            <LogView lines/>
        </div>
    }
}

#[component]
fn BuildFacts(state: RwSignal<Build>, revision_href: String) -> impl IntoView {
    move || {
        let b = state.get();
        view! {
            <dl class="facts">
                <dt>"Revision"</dt><dd class="mono"><a href=revision_href.clone()>{short(&b.revision)}</a></dd>
                <dt>"Requested by"</dt><dd>{b.requested_by.clone()}</dd>
                <dt>"Queued"</dt><dd>{when(&b.queued_at)}</dd>
                <dt>"Took"</dt><dd data-testid="build-duration">{duration(b.duration_ms)}</dd>
                <dt>"Python"</dt><dd>{b.python.clone().unwrap_or_else(|| "—".into())}</dd>
                {b.package.clone().map(|p| view! {
                    <dt>"Package"</dt>
                    <dd><span class="mono" data-testid="package-sha256" title="sha256">{p.sha256.clone()}</span> " · " {p.size} " bytes"</dd>
                })}
                {(b.attempts > 1).then(|| view! { <dt>"Attempts"</dt><dd>{b.attempts}</dd> })}
            </dl>
        }
    }
}

#[component]
fn StepRow(step: BuildStep) -> impl IntoView {
    let mark = step_mark(&step.status);
    view! {
        <li class=format!("build-step step-{}", step.status) data-testid="build-step" data-step=step.name.clone() data-status=step.status.clone()>
            <span class="step-mark" aria-hidden="true">{mark}</span>
            <span class="step-name">{step.name.clone()}</span>
            <span class="step-summary">{step.summary.clone().unwrap_or_default()}</span>
            <span class="step-time muted">{duration(step.duration_ms)}</span>
        </li>
    }
}

/// The mark shown beside a build's or deployment's step in this status.
pub fn step_mark(status: &str) -> &'static str {
    match status {
        "succeeded" => "✓",
        "failed" => "✗",
        "skipped" => "–",
        "cancelled" => "■",
        _ => "…",
    }
}

/// The log, following the end while the reader is at the end.
#[component]
fn LogView(lines: RwSignal<Vec<LogLine>>) -> impl IntoView {
    let container = NodeRef::<leptos::html::Pre>::new();
    Effect::new(move |_| {
        lines.track();
        if let Some(pre) = container.get() {
            let near_end = pre.scroll_height() - pre.scroll_top() - pre.client_height() < 80;
            if near_end {
                pre.set_scroll_top(pre.scroll_height());
            }
        }
    });
    view! {
        <h2>"Log"</h2>
        <pre class="build-log" data-testid="build-log" node_ref=container tabindex="0">
            {move || lines.get().into_iter().map(|line| {
                // A finding links to the guide section that explains it.
                let guide = domain::guides::log_line_code(&line.step, &line.line).map(|code| {
                    let href = domain::guides::guide_href(&code);
                    view! { <a class="log-guide" href=href data-testid="log-guide" title=format!("What {code} means")>"Guide"</a> }
                });
                view! {
                    <div class="log-line"><span class="log-step">{line.step}</span>{line.line}{guide}</div>
                }
            }).collect_view()}
        </pre>
    }
}
