//! `/guides` and `/guides/{guide}`: the product's guides (integration types, output names, data
//! mapping, the run contract, the manifest), written in Markdown in `app/guides/`, rendered on the
//! server, so their text never weighs on the browser's bundle. Every problem the editor shows links
//! to the section that explains it (`domain::guides::guide_href`).

use crate::components::errors::{ErrorBanner, readable};
use crate::components::page_title::PageTitle;
use domain::guides::GUIDES;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// One guide, rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    pub name: String,
    pub title: String,
    /// HTML rendered from the guide's Markdown (our own text, compiled in).
    pub html: String,
}

#[cfg(feature = "ssr")]
const SOURCES: &[(&str, &str)] = &[
    ("integration-types", include_str!("../../../guides/integration-types.md")),
    ("output-naming", include_str!("../../../guides/output-naming.md")),
    ("data-mapping", include_str!("../../../guides/data-mapping.md")),
    ("run-contract", include_str!("../../../guides/run-contract.md")),
    ("manifest", include_str!("../../../guides/manifest.md")),
    ("python-checks", include_str!("../../../guides/python-checks.md")),
];

/// The guide's HTML: headings written `## Title {#id}` get that id, for section links.
#[cfg(feature = "ssr")]
fn render(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES));
    out
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_guide(name: String) -> Result<Guide, ServerFnError> {
    let (_, title, _) = GUIDES
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(|| crate::services::shown(apps::AppsError::NotFound(format!("There is no guide {name:?}."))))?;
    let source = SOURCES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s).unwrap_or_default();
    Ok(Guide { name, title: (*title).to_owned(), html: render(source) })
}

/// `/guides`: the list of guides.
#[component]
pub fn GuidesPage() -> impl IntoView {
    view! {
        <PageTitle text="Guides"/>
        <div class="app-page-body guides">
            <div class="page-head"><h1>"Guides"</h1></div>
            <ul class="guide-list" data-testid="guides">
                {GUIDES.iter().map(|(name, title, line)| view! {
                    <li><a href=format!("/guides/{name}") data-testid="guide-link">{*title}</a>
                        <span class="muted">" — " {*line}</span></li>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// `/guides/{guide}`; `#section` in the address scrolls to that section (the browser does it).
#[component]
pub fn GuidePage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.with(|p| p.get("guide").unwrap_or_default());
    let guide = Resource::new(name, load_guide);
    view! {
        <PageTitle text="Guide"/>
        <div class="app-page-body guides">
            <p><a href="/guides">"All guides"</a></p>
            <Suspense fallback=|| view! { <p class="muted">"Loading the guide…"</p> }>
                {move || Suspend::new(async move {
                    match guide.await {
                        Ok(guide) => view! {
                            <article class="guide" data-testid="guide" data-guide=guide.name inner_html=guide.html></article>
                        }.into_any(),
                        Err(err) => view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn every_section_a_problem_links_to_exists() {
        for (prefix, guide, section) in domain::guides::SECTIONS {
            let source = SOURCES.iter().find(|(n, _)| n == guide).map(|(_, s)| *s).expect("a guide");
            assert!(render(source).contains(&format!("id=\"{section}\"")), "{prefix} → {guide}#{section}");
        }
        for (name, _, _) in GUIDES {
            assert!(SOURCES.iter().any(|(n, _)| n == name), "{name} has its text");
        }
    }
}
