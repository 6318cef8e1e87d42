//! `/admin` (admins): the users, the deploy targets and the audit log — who changed what, when —
//! newest first, filterable by action, with "load older".

use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::when;
use crate::components::page_title::PageTitle;
mod targets;
mod users;

#[cfg(feature = "ssr")]
use crate::services::{runtime_service, shown};
use domain::deploy::{AuditEvent, Target};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// A page of the audit log and the targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminView {
    pub targets: Vec<Target>,
    pub events: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_admin(cursor: Option<String>) -> Result<AdminView, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    let targets = runtime.targets(&principal).await.map_err(shown)?;
    let page = runtime
        .audit_log(&principal, &domain::paging::PageRequest { limit: Some(100), cursor })
        .await
        .map_err(shown)?;
    Ok(AdminView { targets, events: page.items, next_cursor: page.next_cursor })
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let first = Resource::new(|| (), |()| load_admin(None));
    view! {
        <PageTitle text="Admin"/>
        <div class="app-page"><div class="app-page-body">
            <div class="page-head"><h1>"Admin"</h1></div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(data) => view! { <Admin data/> }.into_any(),
                        Err(err) => view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                    }
                })}
            </Transition>
        </div></div>
    }
}

#[component]
fn Admin(data: AdminView) -> impl IntoView {
    let events = RwSignal::new(data.events);
    let cursor = RwSignal::new(data.next_cursor);
    let filter = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let more = move |_| {
        let Some(next) = cursor.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            match load_admin(Some(next)).await {
                Ok(page) => {
                    events.update(|e| e.extend(page.events));
                    cursor.set(page.next_cursor);
                }
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    let shown = move || {
        let needle = filter.get().to_lowercase();
        events
            .get()
            .into_iter()
            .filter(|e| {
                needle.is_empty()
                    || e.action.contains(&needle)
                    || e.subject.to_lowercase().contains(&needle)
                    || e.actor.to_lowercase().contains(&needle)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <users::Users/>
        <targets::Targets targets=data.targets/>
        <h2>"Audit log"</h2>
        <input type="search" class="filter" placeholder="Filter by action, subject or user" data-testid="audit-filter"
            prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
        <table class="table" data-testid="audit">
            <thead><tr><th>"When"</th><th>"Who"</th><th>"Action"</th><th>"On"</th><th>"Details"</th></tr></thead>
            <tbody>
                {move || shown().into_iter().map(|e| view! {
                    <tr data-testid="audit-row">
                        <td class="nowrap">{when(&e.at)}</td><td>{e.actor}</td><td class="mono">{e.action}</td>
                        <td>{e.subject}</td><td class="mono audit-detail">{e.detail.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {move || error.get().map(|message| view! { <ErrorBanner message/> })}
        {move || cursor.get().is_some().then(|| view! { <button class="button load-more" on:click=more>"Load older events"</button> })}
    }
}
