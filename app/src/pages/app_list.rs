//! `/`: the apps, with a filter and a form to start a new app from a template.

use crate::components::page_title::PageTitle;
use domain::app::AppSummary;
use domain::{Me, Role};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A template as the new-app form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateChoice {
    pub name: String,
    pub title: String,
    pub description: String,
}

#[cfg(feature = "ssr")]
use crate::services::{apps_service as service, shown};

/// Live apps whose slug or name contains `query`, by slug (the first 500).
#[server(prefix = "/rpc")]
pub async fn list_apps(query: String) -> Result<Vec<AppSummary>, ServerFnError> {
    let (_, apps) = service()?;
    let page = domain::paging::PageRequest { limit: Some(domain::paging::MAX_LIMIT), cursor: None };
    apps.list(Some(query.trim()), &page).await.map(|page| page.items).map_err(shown)
}

/// The templates a new app can start from.
#[server(prefix = "/rpc")]
pub async fn app_templates() -> Result<Vec<TemplateChoice>, ServerFnError> {
    service()?;
    Ok(apps::templates::TEMPLATES
        .iter()
        .map(|t| TemplateChoice { name: t.name.into(), title: t.title.into(), description: t.description.into() })
        .collect())
}

/// Creates an app (developers and admins); returns its slug.
#[server(prefix = "/rpc")]
pub async fn new_app(name: String, template: String) -> Result<String, ServerFnError> {
    let (principal, apps) = service()?;
    apps.create(&principal, &name, &template).await.map(|created| created.slug.to_string()).map_err(shown)
}

/// The app list page.
#[component]
pub fn AppListPage() -> impl IntoView {
    let me = use_context::<Me>();
    let can_create = me.as_ref().is_some_and(|me| me.role.allows(Role::Developer));
    let query = RwSignal::new(String::new());
    let create = ServerAction::<NewApp>::new();
    let apps = Resource::new(move || (query.get(), create.version().get()), |(query, _)| list_apps(query));

    view! {
        <PageTitle text="Apps"/>
        <section class="page-head">
            <h1>"Apps"</h1>
            <input class="filter" type="search" placeholder="Filter by name or slug" aria-label="Filter apps"
                bind:value=query data-testid="app-filter"/>
        </section>
        {can_create.then(|| view! { <NewAppForm create/> })}
        <section data-testid="app-list">
            <Transition fallback=|| view! { <p class="muted">"Loading apps…"</p> }>
                {move || Suspend::new(async move {
                    match apps.await {
                        Ok(list) if list.is_empty() => view! { <EmptyList filtered=!query.get_untracked().is_empty()/> }.into_any(),
                        Ok(list) => view! { <AppTable apps=list/> }.into_any(),
                        Err(err) => view! { <p class="banner banner-error" role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn EmptyList(filtered: bool) -> impl IntoView {
    view! {
        <div class="empty-state">
            <h2>{if filtered { "No app matches" } else { "No apps yet" }}</h2>
            <p class="muted">
                {if filtered {
                    "Try another part of the name or slug."
                } else {
                    "Start one from a template above, or import a .zip, .tcx or .abx through the API."
                }}
            </p>
        </div>
    }
}

#[component]
fn AppTable(apps: Vec<AppSummary>) -> impl IntoView {
    view! {
        <table class="table" data-testid="app-table">
            <thead>
                <tr><th>"App"</th><th>"Runtime level"</th><th>"Revision"</th><th>"Updated"</th><th>"Created by"</th><th></th></tr>
            </thead>
            <tbody>
                {apps.into_iter().map(|app| {
                    let archive = format!("/api/v1/apps/{}/archive", app.slug);
                    let updated = app.updated_at.date().to_string();
                    view! {
                        <tr data-testid="app-row">
                            <td>
                                <a class="app-name" href=format!("/apps/{}", app.slug) data-testid="app-link">{app.display_name}</a>
                                <div class="muted mono">{app.slug.to_string()}</div>
                            </td>
                            <td><span class="chip">{app.runtime_level}</span></td>
                            <td class="mono" title=app.head.to_string()>{app.head.as_str()[..8].to_owned()}</td>
                            <td class="nowrap">{updated}</td>
                            <td>{app.created_by}</td>
                            <td class="actions"><a href=archive download>"Download .zip"</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Name and template of a new app.
#[component]
fn NewAppForm(create: ServerAction<NewApp>) -> impl IntoView {
    let templates = Resource::new(|| (), |_| app_templates());
    let name_input = NodeRef::<leptos::html::Input>::new();
    // After a successful create the form is ready for the next app.
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_)))
            && let Some(input) = name_input.get()
        {
            input.set_value("");
        }
    });
    let error = move || match create.value().get() {
        Some(Err(err)) => Some(crate::components::errors::readable(&err)),
        _ => None,
    };
    view! {
        <ActionForm action=create attr:class="card new-app" attr:data-testid="new-app-form">
            <div class="new-app-fields">
                <label>
                    "Name"
                    <input name="name" required minlength="3" maxlength="100" placeholder="e.g. IP Reputation Lookup"
                        node_ref=name_input data-testid="new-app-name"/>
                </label>
                <label>
                    "Template"
                    <select name="template" data-testid="new-app-template">
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                templates.await.unwrap_or_default().into_iter().map(|t| view! {
                                    <option value=t.name.clone() title=t.description>{t.title}</option>
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <button class="button button-primary" type="submit" data-testid="new-app-create"
                    disabled=move || create.pending().get()>
                    "Create app"
                </button>
            </div>
            {move || error().map(|message| view! { <p class="form-error" role="alert" data-testid="new-app-error">{message}</p> })}
            // Which app was made, by its address (a name already taken gets a numbered one), and
            // the way into it.
            {move || match create.value().get() {
                Some(Ok(slug)) => Some(view! {
                    <p class="form-note" role="status" data-testid="new-app-created">"Created " <code>{slug.clone()}</code> ". "
                        <a href=format!("/apps/{slug}") data-testid="new-app-open">"Open it in the editor"</a></p>
                }),
                _ => None,
            }}
        </ActionForm>
    }
}
