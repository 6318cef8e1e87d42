//! The bar at the top of every signed-in page.

use domain::Me;
use leptos::prelude::*;

/// Product name, navigation, and who is signed in with which role, with a sign-out button.
#[component]
pub fn Header(me: Me) -> impl IntoView {
    let (error, set_error) = signal(None::<String>);
    let sign_out = move |_| {
        #[cfg(feature = "browser")]
        leptos::task::spawn_local(async move {
            match crate::auth::sign_out().await {
                Ok(()) => crate::auth::reload_at("/"),
                Err(message) => set_error.set(Some(message)),
            }
        });
        #[cfg(not(feature = "browser"))]
        let _ = set_error;
    };
    let role = me.role.to_string();
    let admin =
        me.role.allows(domain::Role::Admin).then(|| view! { <a href="/admin" data-testid="nav-admin">"Admin"</a> });
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"⬢"</span>
                "AppBuilder"
            </a>
            <nav class="topnav">
                <a href="/">"Apps"</a>
                <a href="/reviews" data-testid="nav-reviews">"Reviews" <UnreadBadge/></a>
                <a href="/guides" data-testid="nav-guides">"Guides"</a>
                <a href="/snippets" data-testid="nav-snippets">"Snippets"</a>
                {admin}
            </nav>
            <div class="whoami" data-testid="whoami">
                <span class="user" data-testid="current-user">{me.username}</span>
                <span class=format!("role role-{role}") data-testid="current-role">{role.clone()}</span>
                <button class="button button-quiet" data-testid="sign-out" on:click=sign_out>"Sign out"</button>
            </div>
        </header>
        {move || error.get().map(|message| view! { <p class="banner banner-error" role="alert">{message}</p> })}
    }
}

/// The count of unread notifications beside "Reviews"; fetched once the page runs in the
/// browser (a resource here would sit inside the shell's Suspense and break hydration).
#[component]
fn UnreadBadge() -> impl IntoView {
    let unread = RwSignal::new(0u32);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(count) = crate::pages::releases::unread_notifications().await {
                unread.set(count);
            }
        });
    });
    view! {
        {move || (unread.get() > 0).then(|| view! {
            <span class="badge badge-count" data-testid="unread-count" title="Unread notifications">{unread.get()}</span>
        })}
    }
}
