//! `/runs/{id}`: one run — status, version, trigger, inputs (secrets masked), the output
//! variables with their values, the exit message, the log and the time; Run again.

use super::StateBadge;
use super::api::{RunView, cancel_run, load_run, run_again, save_test_case};
use crate::components::app_nav::{AppNav, AppSection};
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{short, when};
use crate::components::record_page::record_page;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn RunPage() -> impl IntoView {
    record_page("Run", "run", load_run, |view| view! { <RunDetail view/> })
}

#[component]
fn RunDetail(view: RunView) -> impl IntoView {
    let RunView { run, app_name, can_run } = view;
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = run.id;
    let again = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match run_again(id).await {
                Ok(next) => navigate(&format!("/runs/{next}"), Default::default()),
                Err(err) => {
                    error.set(Some(readable(&err)));
                    busy.set(false);
                }
            }
        });
    };
    let succeeded = run.status == "succeeded";
    let active = run.status == "queued" || run.status == "running";
    if active {
        reload_when_ended(id);
    }
    let cancelling = RwSignal::new(false);
    let cancel = move |_| {
        cancelling.set(true);
        leptos::task::spawn_local(async move {
            if let Err(err) = cancel_run(id).await {
                error.set(Some(readable(&err)));
                cancelling.set(false);
            }
        });
    };
    let actions = can_run.then(|| {
        view! {
            {active.then(|| view! {
                <button class="button button-danger" data-testid="run-cancel" on:click=cancel disabled=move || cancelling.get()>
                    {move || if cancelling.get() { "Cancelling…" } else { "Cancel" }}
                </button>
            })}
            {succeeded.then(|| view! { <SaveAsTestCase run=id error/> })}
            <button class="button" data-testid="run-again" on:click=again disabled=move || busy.get()>
                {move || if busy.get() { "Running…" } else { "Run again" }}
            </button>
        }
    });
    let inputs: Vec<(String, String)> = run
        .inputs
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect();
    view! {
        <AppNav slug=run.app.clone() name=app_name current=AppSection::Runs>{actions}</AppNav>
        <div class="app-page-body">
            <div class="page-head"><h1>"Run #" {run.id} " " <StateBadge status=run.status.clone()/></h1></div>
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
            <dl class="facts">
                <dt>"Version"</dt><dd>{run.version.clone()} " " <span class="mono muted">{short(&run.revision)}</span> " · build " <a href=format!("/builds/{}", run.build)>{format!("#{}", run.build)}</a></dd>
                <dt>"Trigger"</dt><dd>{run.trigger.clone()} {run.requested_by.clone().map(|u| format!(" by {u}"))}</dd>
                <dt>"When"</dt><dd>{when(&run.created_at)}</dd>
                <dt>"Took"</dt><dd>{crate::pages::builds::duration(run.duration_ms)}</dd>
                <dt>"Python"</dt><dd>{run.python.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Exit message"</dt><dd data-testid="exit-message">{run.exit_message.clone().unwrap_or_default()}</dd>
                {run.reason.clone().map(|r| view! { <dt>"Reason"</dt><dd data-testid="run-reason">{r}</dd> })}
            </dl>
            <h2>"Outputs"</h2>
            <table class="table" data-testid="outputs">
                <thead><tr><th>"Variable"</th><th>"Value"</th></tr></thead>
                <tbody>
                    {run.outputs.iter().map(|o| view! {
                        <tr data-testid="output-row"><td class="mono">{o.variable.clone()}</td>
                            <td class="mono">{o.value.as_str().map_or_else(|| o.value.to_string(), str::to_owned)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>"Inputs"</h2>
            <table class="table" data-testid="inputs">
                <tbody>{inputs.into_iter().map(|(k, v)| view! { <tr><td class="mono">{k}</td><td class="mono">{v}</td></tr> }).collect_view()}</tbody>
            </table>
            <h2>"Log"</h2>
            <pre class="build-log" data-testid="run-log">{run.log.clone()}</pre>
        </div>
    }
}

/// While the run is queued or running, looks at it every second and shows it again once it ends.
fn reload_when_ended(id: i64) {
    #[cfg(feature = "browser")]
    {
        let handle = set_interval_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    if let Ok(now) = load_run(id).await
                        && now.run.status != "queued"
                        && now.run.status != "running"
                        && let Some(window) = web_sys::window()
                    {
                        let _ = window.location().reload();
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
    let _ = id;
}

/// "Save as test case": names the case; its inputs are this run's, its expected outputs the
/// outputs this run wrote.
#[component]
fn SaveAsTestCase(run: i64, error: RwSignal<Option<String>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        leptos::task::spawn_local(async move {
            match save_test_case(run, name.get_untracked()).await {
                Ok(case) => {
                    saved.set(Some(case.name));
                    open.set(false);
                }
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    view! {
        {move || match (open.get(), saved.get()) {
            (_, Some(done)) => view! { <span class="muted" data-testid="test-saved">"Saved as test case “" {done} "”"</span> }.into_any(),
            (true, None) => view! {
                <form class="save-test" on:submit=save>
                    <input type="text" data-testid="test-name" placeholder="Test case name" required maxlength="100" autofocus
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <button class="button button-primary" type="submit" data-testid="test-save">"Save"</button>
                    <button class="button button-quiet" type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </form>
            }.into_any(),
            (false, None) => view! {
                <button class="button" data-testid="save-test-case" title="Keep these inputs and outputs as a test case"
                    on:click=move |_| open.set(true)>"Save as test case"</button>
            }.into_any(),
        }}
    }
}
