//! `/`: the list of apps the user can open.

use leptos::prelude::*;
use leptos_meta::Title;

/// The app list. Apps arrive with the versioned app store; until then it shows how to start.
#[component]
pub fn AppListPage() -> impl IntoView {
    view! {
        <Title text="Apps"/>
        <section class="page-head">
            <h1>"Apps"</h1>
        </section>
        <section class="empty-state" data-testid="app-list">
            <h2>"No apps yet"</h2>
            <p class="muted">
                "Playbook apps you create or import will be listed here, with their runtime level and latest version."
            </p>
        </section>
    }
}
