//! The webhooks of an app, on its runs page: the list (target, signature, rate, whether callers
//! get the app's answer), enabling one (admins; the URL with its token is shown once), disabling,
//! and each hook's recent deliveries with the runs they started.

use super::StateBadge;
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::when;
#[cfg(feature = "ssr")]
use crate::services::{runtime_service, shown};
use domain::deploy::{Delivery, Webhook};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde_json::{Map, Value};

#[server(prefix = "/rpc", input = Json)]
pub async fn load_hooks(slug: String) -> Result<Vec<Webhook>, ServerFnError> {
    let (_, runtime) = runtime_service()?;
    runtime.webhooks(&slug).await.map_err(shown)
}

/// Enables a webhook; its URL (shown once).
#[server(prefix = "/rpc", input = Json)]
pub async fn enable_hook(
    slug: String,
    signature_header: Option<String>,
    secret: Option<String>,
    rate_per_minute: Option<u32>,
    respond: bool,
    inputs: Map<String, Value>,
) -> Result<String, ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    let request = runtime::webhooks::WebhookRequest {
        target: None,
        signature_header: signature_header.filter(|h| !h.trim().is_empty()),
        secret: secret.filter(|s| !s.is_empty()),
        rate_per_minute,
        max_body_bytes: None,
        respond,
        inputs,
    };
    let created = runtime.create_webhook(&principal, &slug, request).await.map_err(shown)?;
    Ok(format!("/hooks/{}", created.token))
}

#[server(prefix = "/rpc", input = Json)]
pub async fn disable_hook(id: i64) -> Result<(), ServerFnError> {
    let (principal, runtime) = runtime_service()?;
    runtime.disable_webhook(&principal, id).await.map_err(shown)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_deliveries(id: i64) -> Result<Vec<Delivery>, ServerFnError> {
    let (_, runtime) = runtime_service()?;
    runtime.deliveries(id, None, 20).await.map_err(shown)
}

/// Reloads the list after a change.
fn reload(slug: String, list: RwSignal<Vec<Webhook>>, error: RwSignal<Option<String>>) {
    leptos::task::spawn_local(async move {
        match load_hooks(slug).await {
            Ok(hooks) => list.set(hooks),
            Err(err) => error.set(Some(readable(&err))),
        }
    });
}

#[component]
pub fn Hooks(slug: String, is_admin: bool, hooks: Vec<Webhook>) -> impl IntoView {
    // Plain signals, filled by the page's own data and by server fn calls: a resource made here,
    // inside the page's suspense, would not line up with the server's when hydrating.
    let slug = StoredValue::new(slug);
    let list = RwSignal::new(hooks);
    let error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);
    let (header, secret, rate, respond, inputs) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::from("600")),
        RwSignal::new(false),
        RwSignal::new(String::from("{}")),
    );
    let enable = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed: Result<Map<String, Value>, _> = serde_json::from_str(&inputs.get_untracked());
        let Ok(given) = parsed else {
            error.set(Some("Inputs must be a JSON object, like {\"text\": \"hello\"}.".into()));
            return;
        };
        error.set(None);
        let rate = rate.get_untracked().trim().parse::<u32>().ok();
        let (h, s, r) = (Some(header.get_untracked()), Some(secret.get_untracked()), respond.get_untracked());
        leptos::task::spawn_local(async move {
            match enable_hook(slug.get_value(), h, s, rate, r, given).await {
                Ok(path) => {
                    created.set(Some(path));
                    reload(slug.get_value(), list, error);
                }
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    view! {
        <h2>"Webhooks"</h2>
        {move || error.get().map(|message| view! { <ErrorBanner message/> })}
        {move || created.get().map(|path| view! {
            <p class="banner" data-testid="hook-url">"The webhook's address (shown this once): "
                <code>{move || format!("{}{path}", origin())}</code></p>
        })}
        {move || {
            let hooks = list.get();
            if hooks.is_empty() {
                view! { <p class="muted">"No webhooks."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="hooks">
                        <thead><tr><th>"Hook"</th><th>"Target"</th><th>"Signed"</th><th>"Rate/min"</th><th>"Answers caller"</th><th>"Since"</th><th></th></tr></thead>
                        <tbody>{hooks.into_iter().map(|hook| view! { <HookRow hook is_admin on_disabled=move || reload(slug.get_value(), list, error)/> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }
        }}
        {is_admin.then(|| view! {
            <form class="run-form" data-testid="hook-form" on:submit=enable>
                <fieldset class="run-section"><legend>"Enable a webhook"</legend>
                    <div class="form-row run-field"><label>"Signature header (optional)"</label>
                        <input type="text" placeholder="X-Signature" prop:value=move || header.get() on:input=move |ev| header.set(event_target_value(&ev))/></div>
                    <div class="form-row run-field"><label>"Signing secret"</label>
                        <input type="password" autocomplete="off" prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev))/></div>
                    <div class="form-row run-field"><label>"Deliveries per minute"</label>
                        <input type="text" prop:value=move || rate.get() on:input=move |ev| rate.set(event_target_value(&ev))/></div>
                    <div class="form-row run-field"><label><input type="checkbox" data-testid="hook-respond" prop:checked=move || respond.get()
                        on:change=move |ev| respond.set(event_target_checked(&ev))/> " The caller waits for the app's answer"</label></div>
                    <div class="form-row run-field"><label>"Inputs of every run (JSON)"</label>
                        <textarea rows="3" data-testid="hook-inputs" prop:value=move || inputs.get() on:input=move |ev| inputs.set(event_target_value(&ev))></textarea></div>
                </fieldset>
                <button class="button button-primary" type="submit" data-testid="hook-enable">"Enable"</button>
            </form>
        })}
    }
}

/// The page's origin, for the full address of a new hook.
fn origin() -> String {
    #[cfg(feature = "browser")]
    {
        web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
    }
    #[cfg(not(feature = "browser"))]
    {
        String::new()
    }
}

#[component]
fn HookRow(hook: Webhook, is_admin: bool, on_disabled: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let id = hook.id;
    let open = RwSignal::new(false);
    let deliveries = RwSignal::new(Vec::<Delivery>::new());
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening {
            leptos::task::spawn_local(async move {
                if let Ok(list) = load_deliveries(id).await {
                    deliveries.set(list);
                }
            });
        }
    };
    let disable = move |_| {
        if !crate::components::confirm::confirm(&format!(
            "Disable webhook #{id}? Its address stops taking deliveries for good."
        )) {
            return;
        }
        leptos::task::spawn_local(async move {
            if disable_hook(id).await.is_ok() {
                on_disabled();
            }
        });
    };
    view! {
        <tr data-testid="hook-row">
            <td><button class="button button-quiet" on:click=toggle>{format!("#{id} deliveries")}</button></td>
            <td>{hook.target.clone()}</td>
            <td>{hook.signature_header.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{hook.rate_per_minute}</td>
            <td>{if hook.respond { "yes" } else { "no" }}</td>
            <td class="nowrap">{when(&hook.created_at)}</td>
            <td>{(is_admin && hook.enabled).then(|| view! { <button class="button button-quiet" on:click=disable>"Disable"</button> })}
                {(!hook.enabled).then(|| view! { <span class="muted">"disabled"</span> })}</td>
        </tr>
        <tr class:hidden=move || !open.get()><td colspan="7">
            <ul class="deliveries" data-testid="deliveries">
                {move || deliveries.get().into_iter().map(|d| view! {
                    <li>{format!("#{} ", d.id)} {when(&d.received_at)} " " {d.method.clone()} " "
                        <StateBadge status=d.status.clone()/> " "
                        {d.run.map(|run| view! { <a href=format!("/runs/{run}")>{format!("run #{run}")}</a> })}
                        {d.reason.clone().map(|r| view! { <span class="muted">" " {r}</span> })}</li>
                }).collect_view()}
            </ul>
        </td></tr>
    }
}
