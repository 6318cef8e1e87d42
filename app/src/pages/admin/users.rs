//! The admin's users: who may sign in and with which role. Add a user, change a role, disable or
//! enable an account, set a new password. Everything goes through the REST API
//! (`/api/v1/users`), which also refuses what must not happen (the last admin demoted) and records
//! each change in the audit log; the list is loaded once the page runs in the browser.

use crate::components::confirm::confirm;
use crate::components::errors::ErrorBanner;
use crate::components::format::when;
use domain::{Role, UserSummary};
use leptos::prelude::*;

/// One JSON call to the REST API: the answer, or the error body's message.
#[cfg(feature = "browser")]
async fn rest<T: serde::de::DeserializeOwned>(
    method: &'static str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<T, String> {
    use gloo_net::http::RequestBuilder;
    let builder = match method {
        "POST" => RequestBuilder::new(path).method(gloo_net::http::Method::POST),
        "PATCH" => RequestBuilder::new(path).method(gloo_net::http::Method::PATCH),
        _ => RequestBuilder::new(path),
    };
    let request = match body {
        Some(body) => builder.json(&body),
        None => builder.build(),
    }
    .map_err(|err| err.to_string())?;
    let response = request.send().await.map_err(|_| crate::auth::NO_ANSWER.to_owned())?;
    if response.ok() {
        return response.json::<T>().await.map_err(|err| err.to_string());
    }
    Err(crate::auth::error_message(response).await)
}

/// The users section of `/admin`.
#[component]
pub fn Users() -> impl IntoView {
    let users = RwSignal::new(None::<Vec<UserSummary>>);
    let error = RwSignal::new(None::<String>);
    // Applies one change and puts the user's new state in the list (or the server's reason up).
    let change = move |name: String, patch: serde_json::Value| {
        #[cfg(feature = "browser")]
        leptos::task::spawn_local(async move {
            match rest::<UserSummary>("PATCH", &format!("/api/v1/users/{name}"), Some(patch)).await {
                Ok(user) => {
                    error.set(None);
                    users.update(|all| {
                        if let Some(slot) = all.iter_mut().flatten().find(|u| u.username == user.username) {
                            *slot = user;
                        }
                    });
                }
                Err(message) => {
                    error.set(Some(message));
                    // Drawn again from the list, so a refused change (a role picked) shows undone.
                    users.update(|_| {});
                }
            }
        });
        #[cfg(not(feature = "browser"))]
        let _ = (name, patch);
    };
    Effect::new(move |_| {
        #[cfg(feature = "browser")]
        leptos::task::spawn_local(async move {
            match rest::<domain::paging::Page<UserSummary>>("GET", "/api/v1/users?limit=500", None).await {
                Ok(page) => users.set(Some(page.items)),
                Err(message) => error.set(Some(message)),
            }
        });
    });
    view! {
        <section class="users" data-testid="users">
            <h2>"Users"</h2>
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
            {move || match users.get() {
                None => view! { <p class="muted">"Loading the users…"</p> }.into_any(),
                Some(list) => view! {
                    <table class="table">
                        <thead><tr><th>"User"</th><th>"Role"</th><th>"Account"</th><th>"Since"</th><th></th></tr></thead>
                        <tbody>{list.into_iter().map(|user| view! { <UserRow user change/> }).collect_view()}</tbody>
                    </table>
                }.into_any(),
            }}
            <NewUser users error/>
        </section>
    }
}

/// A select of the three roles with `current` chosen.
fn role_select(
    current: Role,
    label: String,
    test_id: &'static str,
    on_pick: impl Fn(Role) + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <select aria-label=label data-testid=test_id on:change=move |ev| {
            if let Some(role) = Role::ALL.into_iter().find(|r| r.as_str() == event_target_value(&ev)) {
                on_pick(role);
            }
        }>
            {Role::ALL.map(|role| view! { <option value=role.as_str() selected=role == current>{role.as_str()}</option> })}
        </select>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    change: impl Fn(String, serde_json::Value) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let name = user.username.to_string();
    let setting_password = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let toggle = {
        let (name, disabled) = (name.clone(), user.disabled);
        move |_| {
            if disabled
                || confirm(&format!("Disable {name}? They are signed out and cannot sign in until enabled again."))
            {
                change(name.clone(), serde_json::json!({"disabled": !disabled}));
            }
        }
    };
    let save_password = {
        let name = name.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            change(name.clone(), serde_json::json!({"password": password.get_untracked()}));
            password.set(String::new());
            setting_password.set(false);
        }
    };
    let password_label = format!("New password for {name}");
    let pick_role = {
        let name = name.clone();
        move |role: Role| change(name.clone(), serde_json::json!({"role": role}))
    };
    view! {
        <tr data-testid="user-row" data-user=name.clone() data-disabled=user.disabled.to_string()>
            <td>{name.clone()}</td>
            <td>{role_select(user.role, format!("Role of {name}"), "user-role", pick_role)}</td>
            <td>{if user.disabled { "disabled" } else { "active" }}</td>
            <td class="nowrap">{when(&user.created_at)}</td>
            <td class="row-actions">
                <button class="button button-quiet" data-testid="user-toggle" on:click=toggle>
                    {if user.disabled { "Enable" } else { "Disable" }}</button>
                <button class="button button-quiet" data-testid="user-password-open"
                    on:click=move |_| setting_password.update(|open| *open = !*open)>"Set password…"</button>
                {move || setting_password.get().then(|| view! {
                    <form class="inline-form" on:submit=save_password.clone()>
                        <input type="password" autocomplete="new-password" minlength="10" required placeholder="New password (10+ characters)"
                            aria-label=password_label.clone() data-testid="user-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                        <button class="button" type="submit" data-testid="user-password-save">"Save"</button>
                    </form>
                })}
            </td>
        </tr>
    }
}

#[component]
fn NewUser(users: RwSignal<Option<Vec<UserSummary>>>, error: RwSignal<Option<String>>) -> impl IntoView {
    let (name, password, role) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(Role::Developer));
    let busy = RwSignal::new(false);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let body = serde_json::json!({"username": name.get_untracked(), "password": password.get_untracked(), "role": role.get_untracked()});
        #[cfg(feature = "browser")]
        leptos::task::spawn_local(async move {
            match rest::<UserSummary>("POST", "/api/v1/users", Some(body)).await {
                Ok(user) => {
                    error.set(None);
                    users.update(|all| all.get_or_insert_with(Vec::new).push(user));
                    name.set(String::new());
                    password.set(String::new());
                }
                Err(message) => error.set(Some(message)),
            }
            busy.set(false);
        });
        #[cfg(not(feature = "browser"))]
        let _ = (body, users, error);
    };
    view! {
        <form class="new-user" data-testid="new-user" on:submit=add>
            <h3>"Add a user"</h3>
            <div class="form-row">
                <input type="text" autocomplete="off" required placeholder="User name" aria-label="User name" data-testid="new-user-name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                {role_select(Role::Developer, "Role".into(), "new-user-role", move |picked| role.set(picked))}
                <input type="password" autocomplete="new-password" minlength="10" required placeholder="Password (10+ characters)"
                    aria-label="Password" data-testid="new-user-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <button class="button button-primary" type="submit" data-testid="new-user-add" disabled=move || busy.get()>"Add user"</button>
            </div>
        </form>
    }
}
