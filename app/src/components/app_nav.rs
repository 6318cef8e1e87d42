//! The bar at the top of every page of one app: its name and the app's sections.

use leptos::prelude::*;

/// The sections of an app's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppSection {
    Code,
    History,
    Builds,
    Releases,
    Deployments,
    Runs,
}

/// App name, section links and room for the page's own actions.
#[component]
pub fn AppNav(
    slug: String,
    name: String,
    current: AppSection,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let link = |section: AppSection, href: String, label: &'static str| {
        let current = (section == current).then_some("page");
        view! { <a href=href aria-current=current data-testid=format!("nav-{}", label.to_lowercase())>{label}</a> }
    };
    view! {
        <div class="app-nav">
            <a class="app-nav-name" href="/" title="All apps">"Apps"</a>
            <span class="muted">"/"</span>
            <span class="app-nav-title" data-testid="app-title" title=name.clone()>{name.clone()}</span>
            <nav class="app-nav-links">
                {link(AppSection::Code, format!("/apps/{slug}"), "Code")}
                {link(AppSection::History, format!("/apps/{slug}/history"), "History")}
                {link(AppSection::Builds, format!("/apps/{slug}/builds"), "Builds")}
                {link(AppSection::Releases, format!("/apps/{slug}/releases"), "Releases")}
                {link(AppSection::Deployments, format!("/apps/{slug}/deployments"), "Deployments")}
                {link(AppSection::Runs, format!("/apps/{slug}/runs"), "Runs")}
            </nav>
            <div class="app-nav-actions">{children.map(|children| children())}</div>
        </div>
    }
}
