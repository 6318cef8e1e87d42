//! The test cases section of the runs page: an app's saved test cases (inputs and the outputs
//! they must give), removing them, and running them all against the live build.

use super::api::{remove_test_case, run_test_cases};
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::when;
use domain::deploy::{TestCase, TestResult};
use leptos::prelude::*;

/// `live_build` is the build deployed to the embedded runtime, when there is one.
#[component]
pub fn TestCases(slug: String, cases: Vec<TestCase>, live_build: Option<i64>, can_run: bool) -> impl IntoView {
    let cases = RwSignal::new(cases);
    let results = RwSignal::new(None::<Vec<TestResult>>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let run_all = move |_| {
        let Some(build) = live_build else { return };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match run_test_cases(build).await {
                Ok(done) => results.set(Some(done)),
                Err(err) => error.set(Some(readable(&err))),
            }
            busy.set(false);
        });
    };
    let remove = move |slug: String, id: i64| {
        leptos::task::spawn_local(async move {
            match remove_test_case(slug, id).await {
                Ok(()) => cases.update(|all| all.retain(|c| c.id != id)),
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    let run_button = (can_run && live_build.is_some()).then(|| {
        view! {
            <button class="button" data-testid="run-tests" on:click=run_all
                disabled=move || busy.get() || cases.with(Vec::is_empty)>
                {move || if busy.get() { "Running the tests…" } else { "Run all against the live build" }}
            </button>
        }
    });
    view! {
        <section class="test-cases" data-testid="test-cases">
            <div class="section-head"><h2>"Test cases"</h2> {run_button}</div>
            <p class="muted">"Inputs and the outputs they must give, saved from succeeded runs. A target can require every test case to pass before it takes a build."</p>
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
            {move || cases.with(Vec::is_empty).then(|| view! {
                <p class="muted" data-testid="no-test-cases">"No test cases yet: open a succeeded run and choose Save as test case."</p>
            })}
            <table class="table" class:hidden=move || cases.with(Vec::is_empty)>
                <thead><tr><th>"Name"</th><th>"Expected outputs"</th><th>"By"</th><th>"When"</th><th>"Last result"</th><th></th></tr></thead>
                <tbody>
                    <For each=move || cases.get() key=|c| c.id let:case>
                        <CaseRow case=case.clone() results can_run
                            on_remove={
                                let slug = slug.clone();
                                move |id| remove(slug.clone(), id)
                            }/>
                    </For>
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn CaseRow(
    case: TestCase,
    results: RwSignal<Option<Vec<TestResult>>>,
    can_run: bool,
    on_remove: impl Fn(i64) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let (id, name) = (case.id, case.name.clone());
    let expected: Vec<String> = case
        .expected
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| format!("{name} = {}", value.as_str().map_or_else(|| value.to_string(), str::to_owned)))
        .collect();
    let result = move || results.with(|r| r.as_ref().and_then(|all| all.iter().find(|t| t.case == id).cloned()));
    view! {
        <tr data-testid="test-case" data-name=case.name.clone()>
            <td>{case.name.clone()}</td>
            <td class="mono">{expected.into_iter().map(|line| view! { <div>{line}</div> }).collect_view()}</td>
            <td>{case.created_by.clone()}</td>
            <td class="nowrap">{when(&case.created_at)}</td>
            <td data-testid="test-result">
                {move || result().map(|r| {
                    let verdict = if r.passed { "passed" } else { "failed" };
                    view! {
                        <span class=format!("badge badge-{}", if r.passed { "succeeded" } else { "failed" }) data-testid="verdict">{verdict}</span>
                        " " {(r.run > 0).then(|| view! { <a href=format!("/runs/{}", r.run)>{format!("run #{}", r.run)}</a> })}
                        {r.failures.into_iter().map(|f| view! { <div class="muted">{f}</div> }).collect_view()}
                    }
                })}
            </td>
            <td>{can_run.then(|| view! {
                <button class="button button-quiet" data-testid="remove-test" title="Remove this test case"
                    on:click=move |_| if crate::components::confirm::confirm(&format!("Remove the test case {name}?")) { on_remove(id) }>"Remove"</button>
            })}</td>
        </tr>
    }
}
