//! The bar at the top of every signed-in page.

use domain::Me;
use leptos::prelude::*;

/// The top navigation's section a page belongs to: an app's pages, builds and runs are "Apps";
/// `None` for a page of no section (an unknown address).
fn section_of(path: &str) -> Option<&'static str> {
    let first = path.trim_start_matches('/').split(['/', '?', '#']).next().unwrap_or_default();
    match first {
        "" | "apps" | "builds" | "runs" => Some("apps"),
        "reviews" => Some("reviews"),
        "guides" => Some("guides"),
        "snippets" => Some("snippets"),
        "admin" => Some("admin"),
        _ => None,
    }
}

/// Product name, navigation (the current page's section marked), and who is signed in with which
/// role, with a sign-out button. `path` is the current page's path.
#[component]
pub fn Header(me: Me, #[prop(into)] path: Signal<String>) -> impl IntoView {
    // The section is marked in the page as rendered, and in the main bundle, where the router
    // navigates without a page load, one effect moves the mark (reactive attributes would cost
    // the editor bundle, whose header never changes, 3 KB).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let section = section_of(&path.get());
        let nav = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(".topnav").ok().flatten());
        let mut link = nav.and_then(|nav| nav.first_element_child());
        while let Some(a) = link {
            let _ = match a.get_attribute("href").is_some_and(|href| section_of(&href) == section) {
                true => a.set_attribute("aria-current", "true"),
                false => a.remove_attribute("aria-current"),
            };
            link = a.next_element_sibling();
        }
    });
    let shown = section_of(&path.get_untracked());
    // `true`, not `page`: the link is the section's, not always this very page's.
    let current = move |section: &'static str| (shown == Some(section)).then_some("true");
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
    let admin = me
        .role
        .allows(domain::Role::Admin)
        .then(|| view! { <a href="/admin" aria-current=current("admin") data-testid="nav-admin">"Admin"</a> });
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"⬢"</span>
                "AppBuilder"
            </a>
            <nav class="topnav">
                <a href="/" aria-current=current("apps") data-testid="nav-apps">"Apps"</a>
                <a href="/reviews" aria-current=current("reviews") data-testid="nav-reviews">"Reviews" <UnreadBadge/></a>
                <a href="/guides" aria-current=current("guides") data-testid="nav-guides">"Guides"</a>
                <a href="/snippets" aria-current=current("snippets") data-testid="nav-snippets">"Snippets"</a>
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

#[cfg(test)]
mod tests {
    use super::section_of;

    #[test]
    fn pages_belong_to_the_section_of_their_first_segment() {
        assert_eq!(section_of("/"), Some("apps"));
        assert_eq!(section_of("/apps/alerts/history"), Some("apps"));
        assert_eq!(section_of("/builds/4"), Some("apps"));
        assert_eq!(section_of("/reviews/2"), Some("reviews"));
        assert_eq!(section_of("/guides"), Some("guides"));
        assert_eq!(section_of("/snippets?x=1"), Some("snippets"));
        assert_eq!(section_of("/admin"), Some("admin"));
        assert_eq!(section_of("/reviewsx"), None);
        assert_eq!(section_of("/no/such/page"), None);
    }
}
