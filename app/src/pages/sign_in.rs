//! The sign-in form, shown at whatever URL a signed-out visitor asked for.

use crate::components::page_title::PageTitle;
use leptos::prelude::*;

/// User name and password. On success the same URL is loaded again, now signed in.
#[component]
pub fn SignInPage() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // After a refusal the password field takes the focus (the disabled button just lost it).
    let password_field = NodeRef::<leptos::html::Input>::new();
    // The form only works once the wasm runs: until then the button stays disabled, so that a
    // too-quick press cannot send the password anywhere else.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        #[cfg(feature = "browser")]
        leptos::task::spawn_local(async move {
            let result = crate::auth::sign_in(&username.get_untracked(), &password.get_untracked()).await;
            match result {
                Ok(()) => {
                    let here =
                        web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_else(|| "/".to_owned());
                    crate::auth::reload_at(&here);
                }
                Err(message) => {
                    password.set(String::new());
                    error.set(Some(message));
                    pending.set(false);
                    if let Some(field) = password_field.get_untracked() {
                        let _ = field.focus();
                    }
                }
            }
        });
    };

    view! {
        <PageTitle text="Sign in"/>
        <main class="sign-in">
            <form class="card sign-in-card" method="post" on:submit=submit data-testid="sign-in-form">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"⬢"</span>
                    "AppBuilder"
                </div>
                <p class="muted">"Sign in to build, review and deploy playbook apps."</p>
                <label for="username">"User name"</label>
                <input id="username" name="username" autocomplete="username" required autofocus
                    bind:value=username data-testid="username"/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    bind:value=password data-testid="password" node_ref=password_field/>
                {move || error.get().map(|message| view! {
                    <p class="form-error" role="alert" data-testid="sign-in-error">{message}</p>
                })}
                <button class="button button-primary" type="submit" data-testid="sign-in"
                    disabled=move || !ready.get() || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
