//! The targets section of the admin page: the list with its two switches (protected, tests
//! required) and a form to add a remote target (the secret is sent once and never shown again).

use crate::components::errors::{ErrorBanner, readable};
#[cfg(feature = "ssr")]
use crate::services::{runtime_service, shown};
use domain::deploy::{Target, TargetRequest as TargetForm};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/rpc", input = Json)]
pub async fn add_target(form: TargetForm) -> Result<Vec<Target>, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    runtime.create_target(&principal, form).await.map_err(shown)?;
    runtime.targets(&principal).await.map_err(shown)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn change_target(form: TargetForm) -> Result<Vec<Target>, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    let name = form.name.clone();
    runtime.update_target(&principal, &name, TargetForm { name: String::new(), ..form }).await.map_err(shown)?;
    runtime.targets(&principal).await.map_err(shown)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn remove_target(name: String) -> Result<Vec<Target>, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    runtime.delete_target(&principal, &name).await.map_err(shown)?;
    runtime.targets(&principal).await.map_err(shown)
}

/// A labelled input bound to one text field of `form`.
fn text_field(
    form: RwSignal<TargetForm>,
    label: &'static str,
    id: &'static str,
    kind: &'static str,
    get: fn(&TargetForm) -> Option<String>,
    set: fn(&mut TargetForm, String),
) -> impl IntoView {
    view! {
        <div class="form-row run-field"><label for=id>{label}</label>
            <input id=id type=kind autocomplete="off" data-testid=id prop:value=move || form.with(|f| get(f).unwrap_or_default())
                on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))/></div>
    }
}

#[component]
pub fn Targets(targets: Vec<Target>) -> impl IntoView {
    let list = RwSignal::new(targets);
    let error = RwSignal::new(None::<String>);
    let form = RwSignal::new(TargetForm { kind: Some("appbuilder".into()), ..TargetForm::default() });
    let apply = move |result: Result<Vec<Target>, ServerFnError>| match result {
        Ok(targets) => {
            list.set(targets);
            error.set(None);
        }
        Err(err) => error.set(Some(readable(&err))),
    };
    let switch = move |name: String, protected: Option<bool>, require_tests: Option<bool>| {
        leptos::task::spawn_local(async move {
            apply(change_target(TargetForm { name, protected, require_tests, ..TargetForm::default() }).await);
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let sent = form.get_untracked();
        leptos::task::spawn_local(async move {
            let result = add_target(sent).await;
            if result.is_ok() {
                form.set(TargetForm { kind: Some("appbuilder".into()), ..TargetForm::default() });
            }
            apply(result);
        });
    };
    let field = move |label, id, kind, get, set| text_field(form, label, id, kind, get, set);
    // The remote target being changed: its url and access id, and a secret only when replaced.
    let editing = RwSignal::new(None::<String>);
    let change = RwSignal::new(TargetForm::default());
    let edit = move |t: &Target| {
        change.set(TargetForm {
            name: t.name.clone(),
            url: t.url.clone(),
            access_id: t.access_id.clone(),
            ..TargetForm::default()
        });
        editing.set(Some(t.name.clone()));
    };
    let save_change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let sent = change.get_untracked();
        leptos::task::spawn_local(async move {
            let result = change_target(sent).await;
            if result.is_ok() {
                editing.set(None);
            }
            apply(result);
        });
    };
    let remove = move |name: String| {
        leptos::task::spawn_local(async move {
            apply(remove_target(name).await);
        });
    };
    view! {
        <h2>"Targets"</h2>
        {move || error.get().map(|message| view! { <ErrorBanner message/> })}
        <table class="table" data-testid="targets">
            <thead><tr><th>"Name"</th><th>"Kind"</th><th>"URL"</th><th>"Secret"</th><th>"Protected"</th><th>"Tests required"</th><th></th></tr></thead>
            <tbody>
                {move || list.get().into_iter().map(|t| {
                    let (n1, n2, n3) = (t.name.clone(), t.name.clone(), t.name.clone());
                    let remote = t.kind != "local";
                    let shown = t.clone();
                    view! {
                        <tr data-testid="target-row" data-target=t.name.clone()>
                            <td>{t.name.clone()}</td><td>{t.kind.clone()}</td><td>{t.url.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{if t.has_secret { "stored" } else { "—" }}</td>
                            <td><input type="checkbox" data-testid="target-protected" prop:checked=t.protected
                                on:change=move |ev| switch(n1.clone(), Some(event_target_checked(&ev)), None)/></td>
                            <td><input type="checkbox" data-testid="target-require-tests" prop:checked=t.require_tests
                                on:change=move |ev| switch(n2.clone(), None, Some(event_target_checked(&ev)))/></td>
                            <td class="row-actions">{remote.then(|| view! {
                                <button class="button button-quiet" data-testid="target-edit" on:click=move |_| edit(&shown)>"Change"</button>
                                <button class="button button-quiet" data-testid="target-remove" on:click=move |_| remove(n3.clone())>"Remove"</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || editing.get().map(|name| view! {
            <form class="run-form" data-testid="target-change-form" on:submit=save_change>
                <fieldset class="run-section"><legend>"Change " {name}</legend>
                    {text_field(change, "URL", "change-url", "text", |f| f.url.clone(), |f, v| f.url = Some(v))}
                    {text_field(change, "Access id (threatconnect)", "change-access-id", "text", |f| f.access_id.clone(), |f, v| f.access_id = Some(v))}
                    {text_field(change, "New secret (leave empty to keep the stored one)", "change-secret", "password", |f| f.secret.clone(), |f, v| f.secret = Some(v))}
                </fieldset>
                <button class="button button-primary" type="submit" data-testid="target-change-save">"Save changes"</button>
                <button class="button button-quiet" type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
            </form>
        })}
        <form class="run-form" data-testid="target-form" on:submit=add>
            <fieldset class="run-section"><legend>"Add a remote target"</legend>
                {field("Name", "target-name", "text", |f| Some(f.name.clone()), |f, v| f.name = v)}
                <div class="form-row run-field"><label for="target-kind">"Kind"</label>
                    <select id="target-kind" data-testid="target-kind" on:change=move |ev| form.update(|f| f.kind = Some(event_target_value(&ev)))>
                        <option value="appbuilder">"appbuilder — another AppBuilder (API token)"</option>
                        <option value="threatconnect">"threatconnect — a ThreatConnect platform (access id + secret key)"</option>
                    </select></div>
                {field("URL", "target-url", "text", |f| f.url.clone(), |f, v| f.url = Some(v))}
                {field("Access id (threatconnect)", "target-access-id", "text", |f| f.access_id.clone(), |f, v| f.access_id = Some(v))}
                {field("Secret (API token or secret key; never shown again)", "target-secret", "password", |f| f.secret.clone(), |f, v| f.secret = Some(v))}
            </fieldset>
            <button class="button button-primary" type="submit" data-testid="target-add">"Add target"</button>
        </form>
    }
}
